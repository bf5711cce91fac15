"""Hash a file: recognise it, decode it once, compute every signal its kind takes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from accord.errors import SignalNotApplicable
from accord.media.file import MediaFile, open_media
from accord.media.kinds import MediaFormat
from accord.media.limits import MediaLimits
from accord.signals.base import Signal, SignalType, Subject
from accord.signals.registry import signal_types_for

if TYPE_CHECKING:
    from accord.media.image import DecodedImage
    from accord.signals.sandbox import DecodePool


@dataclass(frozen=True, slots=True)
class HashResult:
    """The signals of one file, with what intake learned about it."""

    format: MediaFormat
    size: int
    signals: tuple[Signal, ...]

    def signal(self, name: str) -> Signal | None:
        return next((signal for signal in self.signals if signal.type == name), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": str(self.format.kind),
            "format": self.format.name,
            "mime": self.format.mime,
            "size": self.size,
            "signals": {signal.type: signal.to_json() for signal in self.signals},
        }


def hash_file(
    path: Path | str,
    *,
    signal_types: Sequence[type[SignalType]] | None = None,
    limits: MediaLimits | None = None,
    exact: bool = False,
    reduced: bool = False,
) -> HashResult:
    """Compute signals of the file at ``path``.

    ``signal_types`` narrows the set (types that do not take this kind of media are
    skipped; if none is left, ``SignalNotApplicable`` is raised). Without it, every
    ``default`` type for the media's kind is computed: heavy second-stage types (``orb``)
    only when named. ``exact`` runs Meta's C++ PDQ, bit for bit the reference even on
    synthetic pictures; the default is the same algorithm in matrix form, identical on
    photographs and faster. ``reduced`` decodes large JPEGs at 1/2 to 1/8 scale, for
    lookups: PDQ then stays within a few bits of the full-size hash. Raises a
    ``MediaError`` for input that cannot be read.
    """
    return OpenedFile(path, limits=limits, exact=exact, reduced=reduced).hash(signal_types)


class OpenedFile:
    """A file recognised for hashing; signals computed in several calls share one decode,
    and a signal asked for twice is computed once.

    Matching hashes an upload first with the cheap signals and, only when they find
    nothing, asks for the keypoints of the picture it has already decoded. An assessment
    hands its opened file to the bank lookup, and its caller may hash it again for a
    bank: the file is decoded once for all three.

    Given a ``decoder`` (the server's), a file it ``takes`` (videos, sound, large
    pictures) is hashed in one of its worker processes instead, which can be stopped;
    the signals it answers are kept as well. A picture this process has decoded already
    is hashed here.
    """

    def __init__(
        self,
        file: Path | str | MediaFile,
        *,
        limits: MediaLimits | None = None,
        exact: bool = False,
        reduced: bool = False,
        decoder: DecodePool | None = None,
    ) -> None:
        """``file`` is a path, opened within ``limits``, or a file already opened."""
        self.media = file if isinstance(file, MediaFile) else open_media(Path(file), limits)
        self.subject = Subject(self.media, exact=exact, reduced=reduced)
        self.decoder = decoder
        #: Signals a worker computed, by name; None for a type that does not apply.
        self._sandboxed: dict[str, Signal | None] = {}

    def picture(self) -> DecodedImage:
        """The full picture (or, for a ``reduced`` file, the reduced one), decoded once."""
        return self.subject.picture()

    def hash(self, signal_types: Sequence[type[SignalType]] | None = None) -> HashResult:
        """Signals as ``hash_file`` computes them."""
        media = self.media
        if signal_types is None:
            candidates = [cls for cls in signal_types_for(media.kind) if cls.default]
        else:
            candidates = list(signal_types)
        # A picture already decoded here (an assessment's) is hashed from it: a worker
        # would decode it a second time, beside the first.
        if (
            self.decoder is not None
            and not self.subject.holds_picture
            and self.decoder.takes(media)
        ):
            found = self._hash_sandboxed(self.decoder, [cls.name for cls in candidates])
        else:
            found = self._hash_here([cls() for cls in candidates])
        if not found:
            names = ", ".join(signal_type.name for signal_type in candidates)
            msg = f"none of the signals {names} applies to {media.kind} media"
            raise SignalNotApplicable(msg)
        return HashResult(format=media.format, size=media.size, signals=found)

    def _hash_here(self, chosen: list[SignalType]) -> tuple[Signal, ...]:
        applicable = [kind for kind in chosen if kind.applies(self.subject)]
        # The signal needing the most detail first, so the others reuse its decode.
        by_detail = sorted(applicable, key=lambda kind: kind.picture_pixels, reverse=True)
        computed = {id(kind): self.subject.signal(kind) for kind in by_detail}
        return tuple(computed[id(kind)] for kind in applicable)

    def _hash_sandboxed(self, decoder: DecodePool, names: list[str]) -> tuple[Signal, ...]:
        missing = [name for name in names if name not in self._sandboxed]
        if missing:
            subject = self.subject
            try:
                signals = decoder.hash(
                    self.media, missing, exact=subject.exact, reduced=subject.reduced
                )
            except SignalNotApplicable:
                signals = ()  # none of the missing ones applies: said below if none does
            self._sandboxed |= dict.fromkeys(missing)
            self._sandboxed |= {signal.type: signal for signal in signals}
        return tuple(found for name in names if (found := self._sandboxed[name]) is not None)
