"""The evidence-producer contract: what every producer returns and how it is asked.

No single detector says whether a file is a deepfake, so an assessment gathers findings
from independent producers (provenance, generator metadata, known watermarks, registry and
banks, forensics, likeness, learned detectors) and weighs them. A producer is a small
class, after the signal-type plugins:

- ``name``: unique and stable (it appears in assessments and evaluations);
- ``version``: bumped whenever its findings could change for the same input;
- ``media_kinds``: which kinds of media it looks at;
- ``produce(subject)``: its findings, possibly none; raise a ``MediaError`` only when the
  file cannot be read at all.

Each finding points one way (towards authentic, AI-generated, altered or confirmed
deceptive; or informative only), says how strong it is, explains itself in plain words
and says what it cannot show. Every producer inherits the contract test class in
``tests/unit/assessment/contract.py``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import numpy as np
from numpy.typing import NDArray

from accord.media.file import MediaFile
from accord.media.kinds import MediaKind
from accord.signals.hashing import OpenedFile

if TYPE_CHECKING:
    from accord.media.image import DecodedImage


class Direction(StrEnum):
    """Which way a finding points."""

    AUTHENTIC = "authentic"
    #: Made (wholly or partly) by generative AI.
    SYNTHETIC = "synthetic"
    #: Changed from an authentic original: the classic election deepfake.
    ALTERED = "altered"
    #: Already confirmed deceptive by reviewers (a deceptive bank holds it).
    DECEPTIVE = "deceptive"
    #: Worth reading, pointing nowhere.
    NEUTRAL = "neutral"


class Strength(StrEnum):
    """How much a finding weighs. Only strong and conclusive findings can decide a band;
    weak and moderate ones are shown, never decisive alone."""

    WEAK = "weak"
    MODERATE = "moderate"
    STRONG = "strong"
    CONCLUSIVE = "conclusive"

    @property
    def rank(self) -> int:
        return list(Strength).index(self)


@dataclass(frozen=True, slots=True)
class Figure:
    """A picture that shows a finding (a heatmap, a difference map), with how to read it."""

    name: str
    png: bytes
    reading_guide: str


@dataclass(frozen=True, slots=True)
class Finding:
    producer: str
    #: Stable and dotted, e.g. ``provenance.ai_source_type``: for filters and evaluation.
    code: str
    direction: Direction
    strength: Strength
    #: One or two sentences a fact-checker can quote.
    explanation: str
    #: What this finding cannot show.
    limits: str
    #: Facts behind it, JSON-ready (field names, values, distances, record ids).
    details: Mapping[str, Any] = field(default_factory=dict)
    figures: tuple[Figure, ...] = ()
    #: For video: where in the file, in seconds; None for the whole file.
    at_seconds: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "producer": self.producer,
            "code": self.code,
            "direction": str(self.direction),
            "strength": str(self.strength),
            "explanation": self.explanation,
            "limits": self.limits,
            "details": dict(self.details),
            "figures": [
                {"name": figure.name, "reading_guide": figure.reading_guide}
                for figure in self.figures
            ],
            "at_seconds": self.at_seconds,
        }


@dataclass(frozen=True, slots=True)
class BankHit:
    """A bank entry the file matched, as the caller's lookup reports it."""

    bank: str
    #: The bank's kind: deceptive, authentic, allow, watch or generated.
    kind: str
    signal_type: str
    distance: float
    #: The entry's case reference (for the registry: the provenance record id).
    reference: str | None = None
    note: str = ""
    #: The registered file itself, when the bank keeps it: to show what differs.
    original: Path | None = None
    #: For a sound match: the stretches of this file (start, end seconds) that do not
    #: sound like the entry; None when not compared.
    differing_seconds: tuple[tuple[float, float], ...] | None = None
    #: Who confirmed the entry when it came from another organisation's shared bank
    #: (``"Electoral Commission, through the exchange FROM_EC"``); None: this instance.
    confirmed_by: str | None = None
    #: For an entry of a generated bank: the AI generator that made the entry's file, as
    #: its Content Credentials name it; None when unknown or for other banks.
    generator: str | None = None


class BankLookup(Protocol):
    """Finds a file in banks; a server passes one in (the library has no database). It
    gets the whole assessed file, whose ``opened`` hashes the picture already decoded."""

    def __call__(self, subject: AssessedFile) -> Sequence[BankHit]: ...


class AssessedFile:
    """One file being assessed: its decodes, and the signals hashed of it, shared by the
    producers, the bank lookup and whoever opened the file for the assessment."""

    def __init__(
        self,
        media: MediaFile | OpenedFile,
        *,
        anchors: Sequence[str] = (),
        banks: BankLookup | None = None,
        text: str = "",
    ) -> None:
        opened = media if isinstance(media, OpenedFile) else OpenedFile(media)
        if opened.subject.reduced:
            msg = "an assessment reads the full picture: open the file without reduced"
            raise ValueError(msg)
        #: The file as hashing sees it; its picture is this one's, decoded once.
        self.opened = opened
        self.media = opened.media
        #: PEM trust anchors for Content Credentials.
        self.anchors = tuple(anchors)
        self.banks = banks
        #: Words posted with the file (a post's caption, a notice's explanation): screened
        #: for false claims as its sound is; empty when none came with it.
        self.text = text
        #: Where in a video this subject sits (keyframes); None for a whole file.
        self.at_seconds: float | None = None

    @property
    def kind(self) -> MediaKind:
        return self.media.kind

    def picture(self) -> DecodedImage:
        """The full-resolution upright picture, decoded once."""
        return self.opened.picture()

    def image(self) -> NDArray[np.uint8]:
        """The picture as an ``(height, width, 3)`` RGB array."""
        return self.picture().pixels


class Keyframe(AssessedFile):
    """One frame of a video, shown to the producers that read pixels only."""

    def __init__(self, media: MediaFile, pixels: NDArray[np.uint8], at_seconds: float) -> None:
        super().__init__(media)
        self._pixels = pixels
        self.at_seconds = at_seconds

    @property
    def kind(self) -> MediaKind:
        return MediaKind.IMAGE

    def picture(self) -> DecodedImage:
        from accord.media.image import DecodedImage  # noqa: PLC0415

        height, width = self._pixels.shape[:2]
        return DecodedImage(self._pixels, 1, (height, width))


class Producer(ABC):
    name: ClassVar[str]
    version: ClassVar[str]
    media_kinds: ClassVar[frozenset[MediaKind]]
    description: ClassVar[str]
    #: True for producers that need only the pixels: they also run on video keyframes.
    pixels_only: ClassVar[bool] = False

    def applies(self, subject: AssessedFile) -> bool:
        if isinstance(subject, Keyframe) and not self.pixels_only:
            return False  # the file itself is assessed once, as a whole
        return subject.kind in self.media_kinds

    @abstractmethod
    def produce(self, subject: AssessedFile) -> Sequence[Finding]:
        """The findings about ``subject``; none when there is nothing to say."""
