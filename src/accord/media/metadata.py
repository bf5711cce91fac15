"""A file's own metadata, read without decoding its pixels: PNG text chunks, EXIF, XMP,
a JPEG comment, and the tags of video and audio containers.

Each value comes back as a ``Field`` saying where it was found; what the values mean is
the reader's business (the generator-metadata producer). Every part is bounded: a file's
metadata is written by anyone, and a hostile one can hold zip bombs, millions of chunks or
entity-laden XMP. Containers are opened with the demuxer ``sniff`` recognised, never one
FFmpeg guesses (``accord.media.demuxers``).
"""

from __future__ import annotations

import struct
import warnings
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import av
import av.error
from PIL import Image, UnidentifiedImageError

from accord.errors import CorruptMedia, MediaTooLarge
from accord.media.boundary import decoding
from accord.media.demuxers import CONTAINER_OPTIONS, demuxer_for
from accord.media.file import MediaFile
from accord.media.kinds import MediaKind
from accord.media.xmp import Unreadable, parse_xmp

#: Largest PNG text chunk read, after decompression (ComfyUI workflows reach ~1 MB).
MAX_TEXT_BYTES = 4 << 20
#: PNG text read from one file, in all, and chunks walked before giving up.
MAX_TEXT_TOTAL = 16 << 20
MAX_PNG_CHUNKS = 100_000
#: Container tags taken from one file.
MAX_FIELDS = 2000
#: Largest PNG eXIf chunk read (JPEG's EXIF fits in 64 KiB).
MAX_EXIF_BYTES = 1 << 20

#: Where a field was found: the ``container`` of each ``Field``.
XMP = "XMP"
EXIF = "EXIF"
PNG_TEXT = "PNG text chunk"
JPEG_COMMENT = "JPEG comment"
CONTAINER = "container tag"

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_TEXT_CHUNKS = (b"tEXt", b"zTXt", b"iTXt")
_PNG_XMP_KEY = "XML:com.adobe.xmp"


@dataclass(frozen=True, slots=True)
class Field:
    """One metadata value: where it was found, its name there, and its text."""

    container: str
    name: str
    value: str

    def where(self) -> str:
        return f'{self.container} "{self.name}"'


def read_fields(media: MediaFile) -> tuple[list[Field], list[str]]:
    """The file's metadata fields, and the reasons any part was refused."""
    with decoding(f"{media.format.name} file's metadata"):
        if media.kind is MediaKind.IMAGE:
            return _image_fields(media.path)
        return _container_fields(media.path, demuxer_for(media)), []


def _image_fields(path: Path) -> tuple[list[Field], list[str]]:
    fields: list[Field] = []
    refused: list[str] = []
    xmp: bytes | None = None
    with path.open("rb") as handle:
        is_png = handle.read(len(_PNG_SIGNATURE)) == _PNG_SIGNATURE
        if is_png:
            texts, exif_data = _png_texts(handle, refused)
            for key, text in texts:
                if key == _PNG_XMP_KEY:
                    xmp = text.encode()
                else:
                    fields.append(Field(PNG_TEXT, key, text))
            fields += _exif_fields(_load_exif(exif_data))
    if not is_png:
        xmp, exif, comment = _pillow_metadata(path)
        fields += _exif_fields(exif)
        if comment:
            fields.append(Field(JPEG_COMMENT, "COM", comment))
    if xmp is not None:
        try:
            fields += [Field(XMP, name, value) for name, value in parse_xmp(xmp)]
        except Unreadable as error:
            refused.append(str(error))
    return fields, refused


def _pillow_metadata(path: Path) -> tuple[bytes | None, Image.Exif | None, str]:
    """XMP, EXIF and a JPEG comment as Pillow reads them from the headers (no pixels are
    decoded)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow's own bomb warning: pixels aren't read
            image = Image.open(path)
        with image:
            xmp = image.info.get("xmp")
            if xmp is None and image.format == "TIFF":
                xmp = getattr(image, "tag_v2", {}).get(_TIFF_XMP)
            comment = image.info.get("comment", b"")
            try:
                exif: Image.Exif | None = image.getexif()
            except _EXIF_ERRORS:
                exif = None
    except Image.DecompressionBombError as error:
        # Pillow refuses such a picture as it opens it, before any metadata is read.
        raise MediaTooLarge(f"decompression bomb: {error}") from error
    except UnidentifiedImageError as error:
        raise CorruptMedia("the image's metadata cannot be read") from error
    except (OSError, ValueError, SyntaxError) as error:
        raise CorruptMedia(f"the image's metadata cannot be read: {error}") from error
    if isinstance(xmp, str):
        xmp = xmp.encode()
    if isinstance(comment, bytes):
        comment = comment.decode("utf-8", errors="replace")
    return (xmp if isinstance(xmp, bytes) else None), exif, str(comment)


def _png_chunks(handle: BinaryIO) -> Iterator[tuple[bytes, int]]:
    """``(type, length)`` of each chunk after the signature, positioned at its data."""
    for _ in range(MAX_PNG_CHUNKS):
        header = handle.read(8)
        if len(header) < 8:  # noqa: PLR2004 - a chunk header is 8 bytes
            return
        length, kind = struct.unpack(">I4s", header)
        start = handle.tell()
        yield kind, length
        if kind == b"IEND":
            return
        handle.seek(start + length + 4)  # past the data and its CRC


def _png_texts(handle: BinaryIO, refused: list[str]) -> tuple[list[tuple[str, str]], bytes | None]:
    """PNG text chunks wherever they sit (before or after the pixels), and eXIf; what is
    too large is skipped and said in ``refused``."""
    texts: list[tuple[str, str]] = []
    exif: bytes | None = None
    budget = MAX_TEXT_TOTAL
    for kind, length in _png_chunks(handle):
        if kind == b"eXIf" and exif is None and length <= MAX_EXIF_BYTES:
            exif = handle.read(length)
        elif kind in _PNG_TEXT_CHUNKS:
            decoded = _png_text(kind, handle.read(length)) if length <= budget else None
            if decoded is None:
                refused.append(
                    f"a PNG {kind.decode()} chunk of {length:,} bytes is over the "
                    f"{MAX_TEXT_BYTES:,} bytes read, or corrupt"
                )
                continue
            texts.append(decoded)
            budget -= len(decoded[1])
    return texts, exif


def _png_text(kind: bytes, data: bytes) -> tuple[str, str] | None:
    if len(data) > MAX_TEXT_BYTES:
        return None
    key, _, rest = data.partition(b"\0")
    name = key.decode("latin-1")
    if kind == b"tEXt":
        return name, rest.decode("latin-1")
    if kind == b"zTXt":
        text = _inflate(rest[1:])
        return None if text is None else (name, text.decode("latin-1"))
    # iTXt: compression flag, method, language\0, translated keyword\0, text (UTF-8).
    if len(rest) < 2:  # noqa: PLR2004 - the two flag bytes
        return None
    compressed = rest[0] == 1
    _, _, rest = rest[2:].partition(b"\0")
    _, _, body = rest.partition(b"\0")
    text = _inflate(body) if compressed else body
    return None if text is None else (name, text.decode("utf-8", errors="replace"))


def _inflate(data: bytes) -> bytes | None:
    """zlib-decompressed ``data``, or None past ``MAX_TEXT_BYTES`` (a zip bomb) or corrupt."""
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, MAX_TEXT_BYTES)
    except zlib.error:
        return None
    return None if inflater.unconsumed_tail else out


def _load_exif(data: bytes | None) -> Image.Exif | None:
    if not data:
        return None
    exif = Image.Exif()
    try:
        exif.load(data)
    except _EXIF_ERRORS:
        return None
    return exif


_EXIF_IFD = 0x8769
_TIFF_XMP = 700
#: What Pillow raises on malformed EXIF; EXIF that fails is treated as absent.
_EXIF_ERRORS = (OSError, ValueError, SyntaxError, struct.error, KeyError, IndexError, TypeError)
_EXIF_TAGS = {
    0x010E: "ImageDescription",
    0x010F: "Make",
    0x0110: "Model",
    0x0131: "Software",
    0x013B: "Artist",
}
_EXIF_SUB_TAGS = {
    0x9286: "UserComment",
    0x927C: "MakerNote",
    0x9003: "DateTimeOriginal",
    0x829A: "ExposureTime",
    0x829D: "FNumber",
    0x8827: "ISOSpeedRatings",
    0x920A: "FocalLength",
    0xA434: "LensModel",
}


def _exif_fields(exif: Image.Exif | None) -> list[Field]:
    if exif is None:
        return []
    fields = [_exif_field(name, exif.get(tag)) for tag, name in _EXIF_TAGS.items()]
    try:
        sub = exif.get_ifd(_EXIF_IFD)
    except _EXIF_ERRORS:
        sub = {}
    fields += [_exif_field(name, sub.get(tag)) for tag, name in _EXIF_SUB_TAGS.items()]
    return [field for field in fields if field is not None]


def _exif_field(name: str, value: object) -> Field | None:
    if value is None:
        return None
    if name == "MakerNote":
        size = len(value) if isinstance(value, bytes | str) else 0
        return Field(EXIF, name, f"{size} bytes")
    if name == "UserComment" and isinstance(value, bytes):
        text = user_comment(value)
    elif isinstance(value, bytes):
        text = value.decode("utf-8", errors="replace")
    else:
        text = str(value)
    text = text.strip("\0 \t\r\n")
    return Field(EXIF, name, text) if text else None


def user_comment(raw: bytes) -> str:
    """EXIF UserComment: an 8-byte character-code header, then the text."""
    code, body = raw[:8], raw[8:]
    if code.startswith(b"UNICODE"):
        if body[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return body.decode("utf-16", errors="replace")
        # The byte order is the file's, which Pillow does not pass on: mostly-ASCII text
        # puts its zero bytes first in big-endian UTF-16.
        big = body[0::2].count(0) >= body[1::2].count(0)
        return body.decode("utf-16-be" if big else "utf-16-le", errors="replace")
    if code.startswith((b"ASCII", b"JIS", b"\0")):
        return body.decode("utf-8", errors="replace")
    return raw.decode("utf-8", errors="replace")


# --- Video and audio containers ------------------------------------------------------


def _container_fields(path: Path, demuxer: str) -> list[Field]:
    """The container's and its streams' tags, as FFmpeg reads them from the headers."""
    try:
        with av.open(
            str(path),
            format=demuxer,
            container_options=dict(CONTAINER_OPTIONS),
            metadata_errors="ignore",
        ) as container:
            tags = [dict(container.metadata)]
            tags += [dict(stream.metadata) for stream in container.streams]
    except av.error.FFmpegError as error:
        raise CorruptMedia("the file's tags cannot be read") from error
    fields = [
        Field(CONTAINER, str(key).lower(), str(value)[:MAX_TEXT_BYTES])
        for group in tags
        for key, value in group.items()
    ]
    return fields[:MAX_FIELDS]
