"""Walk container structures before any decoder sees them.

FFmpeg and Pillow are fast and battle-tested, but a file crafted to nest thousands of MP4
boxes or RIFF chunks, or to lie about its sizes, is cheaper to refuse up front than to
feed to a C decoder. These walkers read only headers (seeking past payloads), so they cost
microseconds, and they raise ``CorruptMedia`` or ``MediaTooLarge`` with a precise reason.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

from accord.errors import CorruptMedia, MediaTooLarge
from accord.media.kinds import MediaFormat
from accord.media.limits import MediaLimits

#: Boxes whose payload is a list of boxes (ISO/IEC 14496-12 and QuickTime).
_BMFF_CONTAINERS = {
    b"moov", b"trak", b"mdia", b"minf", b"stbl", b"dinf", b"edts", b"udta",
    b"moof", b"traf", b"mvex", b"mfra", b"sinf", b"schi", b"ilst", b"tref", b"meco",
}  # fmt: skip
#: Full boxes: a container with 4 bytes of version and flags before its children.
_BMFF_FULL_CONTAINERS = {b"meta"}
#: Headers walked at most, so a file of millions of empty boxes is refused quickly.
_MAX_HEADERS = 200_000


def check_structure(path: Path, fmt: MediaFormat, limits: MediaLimits) -> None:
    """Raise if the container under ``path`` is malformed or nested beyond the limits."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        if fmt.name in ("mp4", "mov", "m4a", "avif"):
            _BmffWalker(handle, limits).walk(0, size, depth=0)
        elif fmt.name in ("wav", "avi", "webp"):
            _check_riff(handle, size, limits)
        elif fmt.name == "mp3":
            _check_id3(handle, size)


class _BmffWalker:
    def __init__(self, handle: BinaryIO, limits: MediaLimits) -> None:
        self.handle = handle
        self.limits = limits
        self.headers = 0

    def walk(self, start: int, end: int, depth: int) -> None:
        if depth > self.limits.max_nesting:
            raise CorruptMedia(f"MP4 boxes nested deeper than {self.limits.max_nesting} levels")
        offset = start
        while offset + 8 <= end:
            self.headers += 1
            if self.headers > _MAX_HEADERS:
                raise CorruptMedia(f"more than {_MAX_HEADERS} MP4 boxes")
            self.handle.seek(offset)
            header = self.handle.read(16)
            box_size, box_type = struct.unpack(">I4s", header[:8])
            header_len = 8
            if box_size == 1:
                if len(header) < 16:
                    raise CorruptMedia("MP4 box header is truncated")
                box_size = struct.unpack(">Q", header[8:16])[0]
                header_len = 16
            elif box_size == 0:  # extends to the end of its parent
                box_size = end - offset
            if box_size < header_len or offset + box_size > end:
                raise CorruptMedia(
                    f"MP4 box '{box_type.decode('latin-1')}' at byte {offset} claims "
                    f"{box_size} bytes, more than its container holds (truncated or corrupt)"
                )
            if box_type in _BMFF_CONTAINERS:
                self.walk(offset + header_len, offset + box_size, depth + 1)
            elif box_type in _BMFF_FULL_CONTAINERS:
                self.walk(offset + header_len + 4, offset + box_size, depth + 1)
            offset += box_size


def _check_riff(handle: BinaryIO, size: int, limits: MediaLimits) -> None:
    header = handle.read(12)
    declared = struct.unpack("<I", header[4:8])[0] + 8
    if declared > size:
        raise CorruptMedia(
            f"RIFF header declares {declared} bytes but the file has {size} (truncated or corrupt)"
        )
    _RiffWalker(handle, limits).walk(12, declared, depth=1)


class _RiffWalker:
    def __init__(self, handle: BinaryIO, limits: MediaLimits) -> None:
        self.handle = handle
        self.limits = limits
        self.headers = 0

    def walk(self, start: int, end: int, depth: int) -> None:
        if depth > self.limits.max_nesting:
            raise CorruptMedia(f"RIFF chunks nested deeper than {self.limits.max_nesting} levels")
        offset = start
        while offset + 8 <= end:
            self.headers += 1
            if self.headers > _MAX_HEADERS:
                raise CorruptMedia(f"more than {_MAX_HEADERS} RIFF chunks")
            self.handle.seek(offset)
            chunk_id, chunk_size = struct.unpack("<4sI", self.handle.read(8))
            if offset + 8 + chunk_size > end:
                raise CorruptMedia(
                    f"RIFF chunk '{chunk_id.decode('latin-1')}' at byte {offset} claims "
                    f"{chunk_size} bytes, more than its container holds (truncated or corrupt)"
                )
            if chunk_id == b"LIST" and chunk_size >= 4:
                self.walk(offset + 12, offset + 8 + chunk_size, depth + 1)
            offset += 8 + chunk_size + (chunk_size & 1)  # chunks are padded to even sizes


def _check_id3(handle: BinaryIO, size: int) -> None:
    """Validate an ID3v2 tag's frame layout (the MP3 decoder trusts it)."""
    header = handle.read(10)
    if not header.startswith(b"ID3"):
        return
    if len(header) < 10:
        raise CorruptMedia(f"the ID3 tag's header is cut short: {len(header)} of its 10 bytes")
    major, flags = header[3], header[5]
    tag_size = _syncsafe(header[6:10])
    if 10 + tag_size > size:
        raise CorruptMedia(f"ID3 tag declares {tag_size} bytes but the file has {size}")
    if major not in (3, 4) or flags & 0x40:  # v2.2 frames and extended headers: not walked
        return
    body = handle.read(tag_size)
    offset = 0
    while offset + 10 <= len(body) and body[offset] != 0:
        frame_id = body[offset : offset + 4]
        raw_size = body[offset + 4 : offset + 8]
        frame_size = _syncsafe(raw_size) if major == 4 else int.from_bytes(raw_size, "big")
        frame_flags = int.from_bytes(body[offset + 8 : offset + 10], "big")
        if offset + 10 + frame_size > len(body):
            raise CorruptMedia(f"ID3 frame {frame_id!r} runs past the end of its tag")
        compressed = frame_flags & (0x0080 if major == 3 else 0x0008)
        if compressed and frame_size < 4:
            raise CorruptMedia(
                f"ID3 frame {frame_id.decode('latin-1')} is marked compressed but has "
                f"{frame_size} bytes, too few for its decompressed size"
            )
        offset += 10 + frame_size


def _syncsafe(raw: bytes) -> int:
    if any(byte & 0x80 for byte in raw):
        raise CorruptMedia("ID3 size is not a valid sync-safe integer")
    return (raw[0] << 21) | (raw[1] << 14) | (raw[2] << 7) | raw[3]


def check_size(path: Path, limits: MediaLimits) -> int:
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise MediaTooLarge(f"the file has {size} bytes; the limit is {limits.max_bytes}")
    return size
