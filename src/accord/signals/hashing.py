"""Hash a file: recognise it, decode it once, compute every signal its kind takes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from accord.errors import SignalNotApplicable
from accord.media.file import open_media
from accord.media.kinds import MediaFormat
from accord.media.limits import MediaLimits
from accord.signals.base import Signal, SignalType, Subject
from accord.signals.registry import signal_types_for


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
) -> HashResult:
    """Compute signals of the file at ``path``.

    ``signal_types`` narrows the set (types that do not take this kind of media are
    skipped; if none is left, ``SignalNotApplicable`` is raised). Without it, every
    ``default`` type for the media's kind is computed: heavy second-stage types (``orb``)
    only when named. ``exact`` decodes images at full resolution, so PDQ equals reference
    implementations bit for bit, at the cost of speed on large photos. Raises a
    ``MediaError`` for input that cannot be read.
    """
    media = open_media(Path(path), limits)
    subject = Subject(media, exact=exact)
    if signal_types is None:
        candidates = [cls for cls in signal_types_for(media.kind) if cls.default]
    else:
        candidates = list(signal_types)
    chosen = [cls() for cls in candidates]
    applicable = [signal_type for signal_type in chosen if signal_type.applies(subject)]
    if not applicable:
        names = ", ".join(signal_type.name for signal_type in chosen)
        raise SignalNotApplicable(f"none of the signals {names} applies to {media.kind} media")
    signals = tuple(signal_type.compute(subject) for signal_type in applicable)
    return HashResult(format=media.format, size=media.size, signals=signals)
