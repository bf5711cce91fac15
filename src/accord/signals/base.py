"""The signal-type plugin contract.

A signal type (after python-threatexchange's ``SignalType``) is a small class that turns
media into a serialized signal and compares two serialized signals:

- ``name``: unique and stable; it is a storage key and never renamed;
- ``media_kinds``: which kinds of media it accepts;
- ``compute(subject)``: the signal of one file;
- ``validate(value)``: parse and normalise a serialized value, or raise ``InvalidSignal``;
- ``distance(a, b)``: 0 for identical content, larger for less alike;
- ``threshold``: the default largest distance that still counts as a match;
- ``examples()``: valid serialized values, used by the shared contract tests;
- ``default``: whether ``hash_file`` computes it when no types are named (False for heavy
  second-stage signals such as ``orb``);
- ``hma_name``: the name Meta's HMA and python-threatexchange give the same signal, or
  None when they have no such type (accord's name is then used on HMA's API too);
  ``hma_kinds``: the media kinds HMA computes it for by default.

What the server does with a type is said here too, once, rather than in string switches
over its name:

- ``compares``: what of the media it compares (bytes, picture or sound), the words
  findings use; ``matched_by``: how the Verify card says a copy matched by it;
- ``banked``: banks keep it of an entry's file, in an index of its own; ``index_type``:
  the banked type whose index answers a lookup by this one, when not its own;
- ``looked_up``: every lookup computes it (``looked_up_if_banked``: only when some bank
  holds values of it); ``backs_up``: the type a second stage stands in for when that one
  finds nothing;
- ``timed``: its values span time, and ``differing_spans`` says where two differ;
- ``orientation``: a query form of a turned or mirrored copy says so in its hits;
  ``answered``: a lookup's answer lists its value (not a bulky intermediate's).

Every type passes the shared contract (``accord.testing.signal_contract``) and the
declarations checked in ``tests/unit/signals/test_contracts.py``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

import numpy as np
from numpy.typing import NDArray

from accord.media.file import MediaFile
from accord.media.kinds import MediaKind

if TYPE_CHECKING:
    from accord.media.image import DecodedImage
    from accord.media.video import VideoInfo


@dataclass(frozen=True, slots=True)
class Signal:
    """One computed signal: its type's name, serialized value and quality (0-100)."""

    type: str
    value: str
    quality: int | None = None
    #: False when the signal is too weak to match on (a flat image's PDQ, say).
    reliable: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "value": self.value,
            "quality": self.quality,
            "reliable": self.reliable,
        }


class Compared(StrEnum):
    """What of a file a signal type compares; the word findings use for it."""

    BYTES = "bytes"
    PICTURE = "picture"
    SOUND = "sound"


#: Stretches of a file, as (start, end) seconds.
Spans = list[tuple[float, float]]

_Derived = TypeVar("_Derived")


class Subject:
    """One file being hashed, with decodes, and signals once computed, shared by every
    signal type and every caller that hashes it."""

    def __init__(self, media: MediaFile, *, exact: bool = False, reduced: bool = False) -> None:
        self.media = media
        #: Hash with the reference implementations (Meta's C++ PDQ), bit for bit.
        self.exact = exact
        #: Decode large JPEGs at a reduced scale, and their luma only: faster, and within a
        #: few bits of PDQ.
        self.reduced = reduced and not exact
        self._picture: DecodedImage | None = None
        self._video_info: VideoInfo | None = None
        self._signals: dict[str, Signal] = {}
        self._derived: dict[str, object] = {}

    def signal(self, signal_type: SignalType) -> Signal:
        """``signal_type``'s signal of this file, computed once however often it is asked."""
        found = self._signals.get(signal_type.name)
        if found is None:
            found = self._signals[signal_type.name] = signal_type.compute(self)
        return found

    def derived(self, key: str, make: Callable[[], _Derived]) -> _Derived:
        """``make()``, run once per ``key``: work several signal types share (a video's
        frames, hashed in one pass for vPDQ and its mirrored form)."""
        if key not in self._derived:
            self._derived[key] = make()
        return cast("_Derived", self._derived[key])

    def image(self, *, min_pixels: int = 0) -> NDArray[np.uint8]:
        """The picture as an RGB array; reduced, and a JPEG's luma only, when ``reduced``
        was asked."""
        return self.picture(min_pixels=min_pixels).pixels

    def picture(self, *, min_pixels: int = 0) -> DecodedImage:
        """The picture with how much it was reduced, for signals that model the reduction.

        A reduced picture keeps at least ``min_pixels``; one decoded earlier is reused when
        it has as many.
        """
        decoded = self._picture
        if decoded is None or (decoded.scale > 1 and _pixel_count(decoded) < min_pixels):
            from accord.media.image import PDQ_WORKING_SIZE, decode_image  # noqa: PLC0415

            self._picture = decoded = decode_image(
                self.media,
                min_side=PDQ_WORKING_SIZE if self.reduced else None,
                min_pixels=min_pixels,
                luma=self.reduced,
            )
        return decoded

    @property
    def holds_picture(self) -> bool:
        """Whether the picture is decoded here already (its signals cost no new decode)."""
        return self._picture is not None

    def video_info(self) -> VideoInfo:
        """What a video's headers say (its tracks, size, length), read once."""
        if self._video_info is None:
            from accord.media.video import probe_video  # noqa: PLC0415

            self._video_info = probe_video(self.media)
        return self._video_info


def _pixel_count(picture: DecodedImage) -> int:
    height, width = picture.pixels.shape[:2]
    return int(height * width)


class SignalType(ABC):
    name: ClassVar[str]
    media_kinds: ClassVar[frozenset[MediaKind]]
    threshold: ClassVar[float]
    description: ClassVar[str]
    #: Computed when no signal types are named; False for heavy second-stage signals
    #: computed on demand.
    default: ClassVar[bool] = True
    #: Pixels a reduced picture must keep for this signal; PDQ needs only its short side.
    picture_pixels: ClassVar[int] = 0
    #: HMA's name for this signal type (``video_md5`` for ``md5``); None where HMA has none.
    hma_name: ClassVar[str | None] = None
    #: The media kinds HMA computes this type for by default (its photo and video hashes).
    hma_kinds: ClassVar[frozenset[MediaKind]] = frozenset()
    #: What of the media it compares: the same bytes, picture or sound.
    compares: ClassVar[Compared]
    #: How the Verify card says a copy matched by it: "the same picture (perceptual hash)".
    matched_by: ClassVar[str]
    #: Banks keep this signal of an entry's file, in an index of its own.
    banked: ClassVar[bool] = True
    #: The banked type whose index answers a lookup by this type, when it is not this type
    #: itself (``pdq_dihedral``'s eight orientations are looked up among PDQ hashes).
    index_type: ClassVar[str | None] = None
    #: Every lookup computes it (the first stage); False for a type another one brings
    #: (PDQ, inside ``pdq_dihedral``) or a second stage.
    looked_up: ClassVar[bool] = True
    #: A lookup computes it only when some bank holds values of it: MD5 serves partners'
    #: hash lists and costs more than the lookup it would serve.
    looked_up_if_banked: ClassVar[bool] = False
    #: The first-stage type this one backs up: a lookup computes it only when that one
    #: found nothing (keypoints back up PDQ, for crops and screenshots).
    backs_up: ClassVar[str | None] = None
    #: Its values span time (video frames, sound): ``differing_spans`` says where two differ.
    timed: ClassVar[bool] = False
    #: A query form of a turned or mirrored copy: the orientation (a name from
    #: ``accord.signals.pdq.DIHEDRAL_ORIENTATIONS``) its hits report in their detail.
    orientation: ClassVar[str | None] = None
    #: A lookup's answer lists its value; False for a bulky intermediate of the lookup.
    answered: ClassVar[bool] = True
    #: STIX 2.1's name for this type in a file's ``hashes`` (hash-algorithm-ov), where the
    #: vocabulary has one; other types are shared under a custom ``x_accord_<name>`` key.
    stix_hash: ClassVar[str | None] = None
    #: The C2PA soft-binding algorithm name under which signed files carry it, if they do.
    soft_binding: ClassVar[str | None] = None

    def applies(self, subject: Subject) -> bool:
        """Whether this type can hash ``subject`` (a video without sound has no audio signal)."""
        return subject.media.kind in self.media_kinds

    @abstractmethod
    def compute(self, subject: Subject) -> Signal:
        """The signal of ``subject``; raise a ``MediaError`` if it cannot be decoded."""

    @classmethod
    @abstractmethod
    def validate(cls, value: str) -> str:
        """The canonical form of ``value``; raise ``InvalidSignal`` if it does not parse."""

    @classmethod
    @abstractmethod
    def distance(cls, a: str, b: str) -> float:
        """How unlike two valid values are: 0 for the same content."""

    @classmethod
    @abstractmethod
    def examples(cls) -> Sequence[str]:
        """Valid serialized values, for documentation and contract tests."""

    @classmethod
    def matches(cls, a: str, b: str, threshold: float | None = None) -> bool:
        limit = cls.threshold if threshold is None else threshold
        return cls.distance(a, b) <= limit

    @classmethod
    def similarity(cls, distance: float) -> int:
        """0-100, how alike two values at ``distance`` are, for C2PA soft-binding answers;
        by default the distance is the percentage of the content unlike."""
        return round(max(0.0, 100 - distance))

    @classmethod
    def stored_as(cls) -> str:
        """The banked type whose index answers a lookup by this type."""
        return cls.index_type or cls.name

    @classmethod
    def differing_spans(cls, query: str, stored: str, detail: Mapping[str, Any]) -> Spans:
        """The stretches of ``query`` unlike ``stored`` (what an altered copy replaced),
        for a ``timed`` type; ``detail`` is what the lookup pairing them learnt (the audio
        index's ``offset_seconds``)."""
        msg = f"{cls.name} values do not span time"
        raise NotImplementedError(msg)
