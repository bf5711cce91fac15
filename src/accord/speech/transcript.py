"""A transcript: what was said, when, in which language, and which stretches were heard.

A recording longer than the cap is sampled, not cut: ``heard`` says which stretches were
transcribed, so a report can say what was not listened to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


def clock(seconds: float, *, tenths: bool = False) -> str:
    """``75.4`` as ``1:15`` (``1:15.4`` with ``tenths``): as a player shows a time; hours
    only when there are some (``1:02:03``)."""
    shown = max(0.0, round(seconds, 1) if tenths else float(round(seconds)))
    hours, rest = divmod(shown, 3600)
    minutes, secs = divmod(rest, 60)
    second = f"{secs:04.1f}" if tenths else f"{int(secs):02d}"
    return f"{int(hours)}:{int(minutes):02d}:{second}" if hours else f"{int(minutes)}:{second}"


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of speech, times in seconds from the start of the file."""

    start: float
    end: float
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"start": round(self.start, 2), "end": round(self.end, 2), "text": self.text}


@dataclass(frozen=True, slots=True)
class Transcript:
    #: The language transcribed as (ISO 639-1): given, or detected.
    language: str
    segments: tuple[Segment, ...]
    #: The recording's length in seconds.
    duration: float
    #: The (start, end) stretches that were transcribed; the whole file unless sampled.
    heard: tuple[tuple[float, float], ...]
    #: The engine's name ("whisper", "pocketsphinx") and its model.
    engine: str
    model: str

    @property
    def text(self) -> str:
        return " ".join(segment.text.strip() for segment in self.segments if segment.text.strip())

    @property
    def sampled(self) -> bool:
        """Whether stretches of the recording were left out (it was over the cap)."""
        heard = sum(end - start for start, end in self.heard)
        return heard + 0.5 < self.duration

    def to_json(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "engine": self.engine,
            "model": self.model,
            "duration": round(self.duration, 2),
            "heard": [[round(start, 2), round(end, 2)] for start, end in self.heard],
            "sampled": self.sampled,
            "segments": [segment.to_json() for segment in self.segments],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Transcript:
        return cls(
            language=str(data["language"]),
            segments=tuple(
                Segment(float(s["start"]), float(s["end"]), str(s["text"]))
                for s in data["segments"]
            ),
            duration=float(data["duration"]),
            heard=tuple((float(start), float(end)) for start, end in data["heard"]),
            engine=str(data["engine"]),
            model=str(data["model"]),
        )
