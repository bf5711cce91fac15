"""Bounds on the work a single input may cause, so hostile files fail fast and small."""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class MediaLimits:
    """Limits applied while reading one file; breaking one raises ``MediaTooLarge``.

    The defaults admit what election media really is (phone photos, broadcast clips,
    hour-long speeches) and refuse what only an attacker sends.
    """

    max_bytes: int = 1024 * MIB
    #: Decoded pixels of one image or video frame (a decompression bomb check).
    max_pixels: int = 80_000_000
    #: Video frames decoded from one file.
    max_frames: int = 500_000
    #: Seconds of video or audio.
    max_duration_seconds: float = 4 * 3600.0
    #: Depth of nested boxes/chunks in MP4 and RIFF containers.
    max_nesting: int = 16
    #: Wall-clock seconds spent decoding one file.
    max_decode_seconds: float = 300.0
