"""Open a media file for reading: size limit, format from the bytes, structure check."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from accord.errors import EmptyMedia
from accord.media.boundary import decoding
from accord.media.kinds import MediaFormat, MediaKind
from accord.media.limits import MediaLimits
from accord.media.sniff import sniff_file
from accord.media.structure import check_size, check_structure


@dataclass(frozen=True, slots=True)
class MediaFile:
    """A file that passed intake: its format is known and its containers are sane."""

    path: Path
    format: MediaFormat
    size: int
    limits: MediaLimits

    @property
    def kind(self) -> MediaKind:
        return self.format.kind


def open_media(path: Path, limits: MediaLimits | None = None) -> MediaFile:
    """Check ``path`` against ``limits`` and recognise its format, without decoding it."""
    limits = limits or MediaLimits()
    size = check_size(path, limits)
    if size == 0:
        raise EmptyMedia("the file is empty")
    fmt = sniff_file(path)
    with decoding(f"{fmt.name} file's structure"):
        check_structure(path, fmt, limits)
    return MediaFile(path=path, format=fmt, size=size, limits=limits)
