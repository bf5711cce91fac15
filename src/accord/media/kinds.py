"""What kinds of media accord reads, and the formats within each kind."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class MediaKind(StrEnum):
    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"


@dataclass(frozen=True, slots=True)
class MediaFormat:
    """A file format recognised from its bytes: ``name`` is short and stable ("jpeg", "mp4")."""

    kind: MediaKind
    name: str
    mime: str
