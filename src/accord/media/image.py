"""Decode still images to RGB pixels: any Pillow mode, EXIF orientation applied, bounded.

JPEG can be decoded at 1/2, 1/4 or 1/8 scale straight from its DCT coefficients
(``Image.draft``), which is several times faster than decoding every pixel. Perceptual
hashes need only a small picture, so callers pass ``min_side`` to get the smallest such
scale whose shorter side stays at or above it; ``None`` decodes at full resolution.
"""

from __future__ import annotations

import warnings

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageOps, UnidentifiedImageError

from accord.errors import CorruptMedia, MediaTooLarge, UnsupportedMedia
from accord.media.file import MediaFile
from accord.media.kinds import MediaKind

#: Shorter side, in pixels, below which reduced JPEG decoding is never taken for PDQ:
#: 8x PDQ's 64-pixel grid keeps reduced hashes within a few bits of full-resolution ones.
PDQ_WORKING_SIZE = 512

#: 8-bit range, and the 16-bit range wider images are assumed to use.
_MAX_8BIT, _MAX_16BIT = 255.0, 65535.0

#: Background that transparent pixels are composited onto, as most viewers show them.
_BACKGROUND = (255, 255, 255)


def load_image(media: MediaFile, *, min_side: int | None = None) -> NDArray[np.uint8]:
    """Return the upright picture as an ``(height, width, 3)`` uint8 RGB array."""
    if media.kind is not MediaKind.IMAGE:
        raise UnsupportedMedia(f"{media.format.name} is not a still image")
    try:
        # Pillow warns, then refuses, past its own bomb limit; ours is checked below.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(media.path)
        with image:
            _check_pixels(image.size, media)
            if min_side is not None and image.format == "JPEG":
                image.draft("RGB", (min_side, min_side))
            upright = ImageOps.exif_transpose(image)
            return np.asarray(_to_rgb(upright))
    except Image.DecompressionBombError as error:
        raise MediaTooLarge(f"decompression bomb: {error}") from error
    except UnidentifiedImageError as error:
        raise CorruptMedia(f"the {media.format.name} image cannot be decoded") from error
    except (OSError, SyntaxError, ValueError) as error:
        # Pillow reports truncated and malformed data as OSError/SyntaxError/ValueError.
        raise CorruptMedia(f"the {media.format.name} image is corrupt: {error}") from error


def _check_pixels(size: tuple[int, int], media: MediaFile) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise CorruptMedia(f"the image claims a size of {width}x{height}")
    if width * height > media.limits.max_pixels:
        raise MediaTooLarge(
            f"the image is {width}x{height} = {width * height} pixels; "
            f"the limit is {media.limits.max_pixels}"
        )


def _to_rgb(image: Image.Image) -> Image.Image:
    """Bring any Pillow mode to 8-bit RGB, so one picture gives one array whatever its mode."""
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        image = _scale_to_8bit(image)
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode == "P" and "transparency" in image.info
    )
    if not has_alpha:
        return image.convert("RGB")
    rgba = image.convert("RGBA")
    background = Image.new("RGBA", rgba.size, (*_BACKGROUND, 255))
    return Image.alpha_composite(background, rgba).convert("RGB")


def _scale_to_8bit(image: Image.Image) -> Image.Image:
    values = np.asarray(image, dtype=np.float64)
    # 16-bit and float images come in many ranges; 0..255 stays as is, wider ranges scale.
    top = float(values.max()) if values.size else 0.0
    if top > _MAX_8BIT:
        values = values * (_MAX_8BIT / (_MAX_16BIT if top <= _MAX_16BIT else top))
    return Image.fromarray(np.clip(np.rint(values), 0, 255).astype(np.uint8), mode="L")
