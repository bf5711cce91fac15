"""Recognise a file's format from its first bytes; the file name is never consulted."""

from __future__ import annotations

from pathlib import Path

from accord.errors import EmptyMedia, UnsupportedMedia
from accord.media.kinds import MediaFormat, MediaKind

#: Enough bytes for every signature below, including an MPEG-TS sync check.
SNIFF_BYTES = 4096

_IMAGE, _VIDEO, _AUDIO = MediaKind.IMAGE, MediaKind.VIDEO, MediaKind.AUDIO

JPEG = MediaFormat(_IMAGE, "jpeg", "image/jpeg")
PNG = MediaFormat(_IMAGE, "png", "image/png")
GIF = MediaFormat(_IMAGE, "gif", "image/gif")
WEBP = MediaFormat(_IMAGE, "webp", "image/webp")
BMP = MediaFormat(_IMAGE, "bmp", "image/bmp")
TIFF = MediaFormat(_IMAGE, "tiff", "image/tiff")
AVIF = MediaFormat(_IMAGE, "avif", "image/avif")
MP4 = MediaFormat(_VIDEO, "mp4", "video/mp4")
MOV = MediaFormat(_VIDEO, "mov", "video/quicktime")
MATROSKA = MediaFormat(_VIDEO, "matroska", "video/x-matroska")
AVI = MediaFormat(_VIDEO, "avi", "video/x-msvideo")
MPEG_TS = MediaFormat(_VIDEO, "mpegts", "video/mp2t")
FLV = MediaFormat(_VIDEO, "flv", "video/x-flv")
WAV = MediaFormat(_AUDIO, "wav", "audio/wav")
MP3 = MediaFormat(_AUDIO, "mp3", "audio/mpeg")
FLAC = MediaFormat(_AUDIO, "flac", "audio/flac")
OGG = MediaFormat(_AUDIO, "ogg", "audio/ogg")
M4A = MediaFormat(_AUDIO, "m4a", "audio/mp4")
AAC = MediaFormat(_AUDIO, "aac", "audio/aac")
AIFF = MediaFormat(_AUDIO, "aiff", "audio/aiff")

#: ISO BMFF brands that mean a still image; accord reads AVIF, not HEIC.
_AVIF_BRANDS = {b"avif", b"avis"}
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "}


def sniff_bytes(head: bytes) -> MediaFormat:
    """Return the format whose signature starts ``head``; raise if none does."""
    if not head:
        raise EmptyMedia("the file is empty")
    fmt = _match(head)
    if fmt is None:
        raise UnsupportedMedia("not an image, video or audio format accord reads")
    return fmt


def sniff_file(path: Path) -> MediaFormat:
    with path.open("rb") as handle:
        return sniff_bytes(handle.read(SNIFF_BYTES))


def _match(head: bytes) -> MediaFormat | None:
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head.startswith(b"RIFF") and len(head) >= 12:
        return {b"WEBP": WEBP, b"WAVE": WAV, b"AVI ": AVI}.get(head[8:12])
    if head.startswith(b"BM") and len(head) >= 26:
        return BMP
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return TIFF
    if head[4:8] == b"ftyp":
        return _iso_bmff(head)
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return MATROSKA
    if head.startswith(b"FLV\x01"):
        return FLV
    if head.startswith(b"fLaC"):
        return FLAC
    if head.startswith(b"OggS"):
        return OGG
    if head.startswith(b"FORM") and head[8:12] in (b"AIFF", b"AIFC"):
        return AIFF
    if head.startswith(b"ID3") or _is_mpeg_audio_frame(head):
        return MP3
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0:
        return AAC
    if _is_mpeg_ts(head):
        return MPEG_TS
    return None


def _iso_bmff(head: bytes) -> MediaFormat | None:
    size = int.from_bytes(head[0:4], "big")
    brands = {head[8:12]} | {head[i : i + 4] for i in range(16, min(size, len(head)) - 3, 4)}
    if head[8:12] in _AUDIO_BRANDS:
        return M4A
    if brands & _AVIF_BRANDS:
        return AVIF
    if brands & _HEIF_BRANDS:
        raise UnsupportedMedia("HEIC/HEIF images are not supported; convert to JPEG or PNG")
    if head[8:12] == b"qt  ":
        return MOV
    return MP4


def _is_mpeg_audio_frame(head: bytes) -> bool:
    # 11 sync bits, a valid version, layer III, and a bitrate index that is not "bad".
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version, layer, bitrate = (head[1] >> 3) & 3, (head[1] >> 1) & 3, head[2] >> 4
    return version != 1 and layer == 1 and bitrate not in (0, 15)


def _is_mpeg_ts(head: bytes) -> bool:
    packets = len(head) // 188
    return packets >= 3 and all(head[i * 188] == 0x47 for i in range(packets))
