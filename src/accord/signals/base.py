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
  None when they have no such type (accord's name is then used on HMA's API too).

Every type inherits the contract test class in ``tests/unit/signals/contract.py``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

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


class Subject:
    """One file being hashed, with decodes shared by the signal types that need them."""

    def __init__(self, media: MediaFile, *, exact: bool = False, reduced: bool = False) -> None:
        self.media = media
        #: Hash with the reference implementations (Meta's C++ PDQ), bit for bit.
        self.exact = exact
        #: Decode large JPEGs at a reduced scale, and their luma only: faster, and within a
        #: few bits of PDQ.
        self.reduced = reduced and not exact
        self._picture: DecodedImage | None = None
        self._video_info: VideoInfo | None = None

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
