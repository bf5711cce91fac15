"""The FFmpeg demuxers accord lets read a file: one table, because it is a security boundary.

FFmpeg left to probe the bytes picks whichever of its hundreds of demuxers claims them,
among them playlists (HLS, ``concat``, ``ffconcat``) that open other files or URLs: the
classic FFmpeg SSRF and local-file-read vector. Every video and audio open therefore names
the demuxer of the format ``sniff`` recognised, and a format not in this table is refused,
never probed. Video decoding, audio decoding and the metadata reader all read it here, so
the list cannot drift between them.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from accord.errors import UnsupportedMedia
from accord.media.file import MediaFile

#: FFmpeg demuxer for each sniffed video and audio format (``mov`` is FFmpeg's
#: QuickTime/MP4 demuxer, also named ``mp4`` and ``m4a``).
DEMUXERS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "mp4": "mov",
        "mov": "mov",
        "m4a": "mov",
        "matroska": "matroska",
        "avi": "avi",
        "mpegts": "mpegts",
        "flv": "flv",
        "wav": "wav",
        "mp3": "mp3",
        "flac": "flac",
        "ogg": "ogg",
        "aac": "aac",
        "aiff": "aiff",
    }
)

#: Nested opens (external data references, playlists) may only read local files.
CONTAINER_OPTIONS: Final[Mapping[str, str]] = MappingProxyType({"protocol_whitelist": "file"})


def demuxer_for(media: MediaFile) -> str:
    """The demuxer FFmpeg must use for ``media``; ``UnsupportedMedia`` for any other format."""
    demuxer = DEMUXERS.get(media.format.name)
    if demuxer is None:
        raise UnsupportedMedia(f"{media.format.name} is not a video or audio format accord reads")
    return demuxer
