"""accord's watermark on files: mark a picture before it is signed, read one being checked.

A signed picture carries the first 64 bits of its provenance record's id, so a copy
stripped of its credentials, re-encoded, cropped or screenshotted still names its record.
The marked copy is written in the original's format (JPEG and WebP at quality 95, PNG and
TIFF losslessly), upright, with the original's ICC profile and EXIF (orientation reset).
Pictures with transparency, palettes or more than 8 bits per channel are left unmarked
rather than flattened: signing must not change what the issuer published beyond the mark.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from PIL import Image

from accord.media.file import MediaFile
from accord.media.image import decode_image
from accord.media.kinds import MediaKind
from accord.signals.watermark import MIN_SIDE, WatermarkReading, embed_watermark, read_watermark

#: The soft-binding algorithm name of accord's watermark (not on the C2PA list).
WATERMARK_ALGORITHM = "org.accord.watermark.1"
#: The watermark's payload is this many leading hex digits of the record id.
RECORD_PREFIX_DIGITS = 16
#: Pixels the reader wants along the short side: twice its working size, so a copy that
#: shows the picture small can still be read closely.
_READ_MIN_SIDE = 1024
_ORIENTATION = 0x0112
_WRITERS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "jpeg": ("JPEG", "jpg", {"quality": 95}),
    "webp": ("WEBP", "webp", {"quality": 95}),
    "png": ("PNG", "png", {}),
    "tiff": ("TIFF", "tif", {"compression": "tiff_adobe_deflate"}),
}
_MARKABLE_MODES = ("RGB", "L")


def payload_for_record(record_id: str) -> int:
    return int(record_id[:RECORD_PREFIX_DIGITS], 16)


def watermarked_copy(media: MediaFile, payload: int, directory: Path) -> Path | None:
    """A copy of the picture carrying ``payload``, written in ``directory``; None when the
    file is not a picture this can mark (format, transparency, depth or size)."""
    writer = _WRITERS.get(media.format.name)
    if writer is None or media.kind is not MediaKind.IMAGE:
        return None
    format_name, suffix, options = writer
    with Image.open(media.path) as probe:
        mode, icc_profile, exif = probe.mode, probe.info.get("icc_profile"), probe.getexif()
    if mode not in _MARKABLE_MODES:
        return None
    pixels = decode_image(media).pixels  # upright, as viewers show it
    if min(pixels.shape[:2]) < MIN_SIDE:
        return None
    marked = Image.fromarray(embed_watermark(pixels, payload))
    if mode == "L":
        marked = marked.convert("L")  # the mark is a pure luminance change
    if _ORIENTATION in exif:
        exif[_ORIENTATION] = 1
    extras: dict[str, Any] = {"exif": exif.tobytes()} if exif else {}
    if icc_profile:
        extras["icc_profile"] = icc_profile
    target = directory / f"watermarked-{uuid.uuid4().hex}.{suffix}"
    marked.save(target, format_name, **options, **extras)
    return target


def read_file_watermark(media: MediaFile) -> WatermarkReading | None:
    """The watermark in the picture, or None (also for audio and video)."""
    if media.kind is not MediaKind.IMAGE:
        return None
    return read_watermark(decode_image(media, min_side=_READ_MIN_SIDE).pixels)
