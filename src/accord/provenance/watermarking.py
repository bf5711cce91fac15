"""accord's watermark on files: mark a picture before it is signed, read one being checked.

A signed picture carries the first 64 bits of its provenance record's id, so a copy
stripped of its credentials, re-encoded, cropped or screenshotted still names its record.
The marked copy is written in the original's format (JPEG and WebP at quality 95, PNG and
TIFF losslessly), upright, with the original's ICC profile and EXIF (orientation reset).
Pictures with transparency, palettes or more than 8 bits per channel are left unmarked
rather than flattened: signing must not change what the issuer published beyond the mark.
A mark is kept only if it reads back, exactly, from the copy as written: some pictures
(small or flat ones) take a mark that the saved file no longer carries, and declaring
such a mark would make every verification of the untouched file report it missing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from accord.media.file import MediaFile, open_media
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


@dataclass(frozen=True, slots=True)
class Marking:
    """The outcome of marking a picture: the marked copy, or why there is none."""

    path: Path | None
    #: Why the file carries no mark, in plain words (None when it does).
    why_not: str | None = None


def mark_picture(media: MediaFile, payload: int, directory: Path) -> Marking:
    """A copy of the picture carrying ``payload``, written in ``directory`` as the signed
    copy will be; none (and why) when the file is not a picture this can mark (format,
    transparency, depth or size) or when the written copy does not read back exactly."""
    if media.kind is not MediaKind.IMAGE:
        return Marking(None)  # sound and video carry no mark: nothing to explain
    writer = _WRITERS.get(media.format.name)
    if writer is None:
        return Marking(None, f"{media.format.name.upper()} pictures are not watermarked")
    with Image.open(media.path) as probe:
        mode = probe.mode
    if mode not in _MARKABLE_MODES:
        return Marking(None, _MODE_REASONS.get(mode, f"its colour mode {mode} is not marked"))
    pixels = decode_image(media).pixels  # upright, as viewers show it
    height, width = pixels.shape[:2]
    if min(height, width) < MIN_SIDE:
        return Marking(
            None,
            f"it is too small ({width}x{height}; a watermark needs {MIN_SIDE} pixels "
            "on the short side)",
        )
    target = _write_marked(media, pixels, payload, directory)
    reading = read_file_watermark(open_media(target, media.limits))
    if reading is None or reading.payload != payload:
        target.unlink(missing_ok=True)
        return Marking(None, "the mark did not read back from the saved picture")
    return Marking(target)


#: Why pictures in these modes are left unmarked.
_MODE_REASONS = {
    "RGBA": "it has transparency (marking would flatten it)",
    "LA": "it has transparency (marking would flatten it)",
    "PA": "it has transparency (marking would flatten it)",
    "P": "it uses a palette (marking would change its colours)",
    "1": "it is black and white only",
    "CMYK": "it is a CMYK picture",
    "I;16": "it has more than 8 bits per channel",
    "I": "it has more than 8 bits per channel",
    "F": "it has floating-point pixels",
}


def _write_marked(
    media: MediaFile, pixels: NDArray[np.uint8], payload: int, directory: Path
) -> Path:
    """The marked picture, written as the signed copy will be (format, quality, EXIF)."""
    format_name, suffix, options = _WRITERS[media.format.name]
    with Image.open(media.path) as probe:
        mode, icc_profile, exif = probe.mode, probe.info.get("icc_profile"), probe.getexif()
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
