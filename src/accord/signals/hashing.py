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
    """

    def __init__(
        self,
        file: Path | str | MediaFile,
        *,
        limits: MediaLimits | None = None,
        exact: bool = False,
        reduced: bool = False,
    ) -> None:
        """``file`` is a path, opened within ``limits``, or a file already opened."""
        self.media = file if isinstance(file, MediaFile) else open_media(Path(file), limits)
        self.subject = Subject(self.media, exact=exact, reduced=reduced)

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
        chosen = [cls() for cls in candidates]
        applicable = [kind for kind in chosen if kind.applies(self.subject)]
        if not applicable:
            names = ", ".join(signal_type.name for signal_type in chosen)
            msg = f"none of the signals {names} applies to {media.kind} media"
            raise SignalNotApplicable(msg)
        # The signal needing the most detail first, so the others reuse its decode.
        by_detail = sorted(applicable, key=lambda kind: kind.picture_pixels, reverse=True)
        computed = {id(kind): self.subject.signal(kind) for kind in by_detail}
        signals = tuple(computed[id(kind)] for kind in applicable)
        return HashResult(format=media.format, size=media.size, signals=signals)
