"""Decode still images to RGB pixels: any Pillow mode, EXIF orientation applied, bounded.

JPEG can be decoded at 1/2, 1/4 or 1/8 scale straight from its DCT coefficients
(``Image.draft``), several times faster than decoding every pixel: each output pixel is then
close to the mean of a square block of the full picture. ``decode_image`` takes the smallest
such scale whose shorter side stays at or above ``min_side`` and says which it took, so
PDQ can model the blocks (``accord.signals.pdq_matrix``); ``None`` decodes every pixel.

Signals that look only at brightness (PDQ, keypoints) can ask for ``luma``: a reduced
JPEG's own Y channel (0.299 R + 0.587 G + 0.114 B, as PDQ defines luma) is then decoded
without its colour, faster; other pictures still decode to RGB.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageOps, UnidentifiedImageError

from accord.errors import CorruptMedia, MediaTooLarge, UnsupportedMedia
from accord.media.boundary import decoding
from accord.media.file import MediaFile
from accord.media.kinds import MediaKind

#: Shorter side, in pixels, that reduced JPEG decoding keeps for PDQ: modelled as blocks,
#: 192 pixels stay within 4 bits of full-resolution hashes on the corpus photos.
PDQ_WORKING_SIZE = 192
#: The reductions libjpeg decodes directly, largest first.
_JPEG_SCALES = (8, 4, 2)
#: The EXIF orientation tag; its values that need no turning, and those that swap the sides.
_ORIENTATION = 0x0112
_UPRIGHT = (None, 0, 1)
_TRANSPOSING = (5, 6, 7, 8)

#: 8-bit range, and the 16-bit range wider images are assumed to use.
_MAX_8BIT, _MAX_16BIT = 255.0, 65535.0

#: Background that transparent pixels are composited onto, as most viewers show them.
_BACKGROUND = (255, 255, 255)


@dataclass(frozen=True, slots=True)
class DecodedImage:
    """Upright pixels, each standing for a ``scale`` x ``scale`` block of the picture:
    RGB ``(height, width, 3)``, or luma ``(height, width)`` where a JPEG's was decoded."""

    pixels: NDArray[np.uint8]
    scale: int
    #: The upright picture's full-resolution (height, width).
    full_shape: tuple[int, int]


def load_image(
    media: MediaFile, *, min_side: int | None = None, min_pixels: int = 0
) -> NDArray[np.uint8]:
    """Return the upright picture as an ``(height, width, 3)`` uint8 RGB array."""
    return decode_image(media, min_side=min_side, min_pixels=min_pixels).pixels


def decode_image(
    media: MediaFile, *, min_side: int | None = None, min_pixels: int = 0, luma: bool = False
) -> DecodedImage:
    """Decode the upright picture, reduced by a whole JPEG scale when ``min_side`` and
    ``min_pixels`` allow; a reduced JPEG's luma alone when ``luma`` is asked."""
    if media.kind is not MediaKind.IMAGE:
        raise UnsupportedMedia(f"{media.format.name} is not a still image")
    with decoding(f"{media.format.name} image"):
        return _decode_image(media, min_side, min_pixels, luma)


def _decode_image(
    media: MediaFile, min_side: int | None, min_pixels: int, luma: bool
) -> DecodedImage:
    try:
        # Pillow warns, then refuses, past its own bomb limit; ours is checked below.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(media.path)
        with image:
            _check_pixels(image.size, media)
            width, height = image.size
            orientation = image.getexif().get(_ORIENTATION) if image.format == "JPEG" else None
            scale = _jpeg_scale(image, min_side, min_pixels, orientation)
            if scale > 1:
                # A reduced picture's hashes drift a few bits anyway; a full-size one stays
                # exact, so it keeps its colour: luma from RGB differs where RGB clips.
                mode = "L" if luma and _is_ycc_jpeg(image) else "RGB"
                image.draft(mode, (width // scale, height // scale))
                if image.size != (-(-width // scale), -(-height // scale)):
                    scale = 1  # the decoder did not reduce as asked: treat it as full size
            ImageOps.exif_transpose(image, in_place=True)
            pixels = np.asarray(image if image.mode == "L" and luma else _to_rgb(image))
    except Image.DecompressionBombError as error:
        raise MediaTooLarge(f"decompression bomb: {error}") from error
    except UnidentifiedImageError as error:
        raise CorruptMedia(f"the {media.format.name} image cannot be decoded") from error
    except (OSError, SyntaxError, ValueError) as error:
        # Pillow reports truncated and malformed data as OSError/SyntaxError/ValueError.
        raise CorruptMedia(f"the {media.format.name} image is corrupt: {error}") from error
    turned = orientation in _TRANSPOSING
    full_shape = (width, height) if turned else (height, width)
    return DecodedImage(pixels, scale, full_shape if scale > 1 else pixels.shape[:2])


def _is_ycc_jpeg(image: Image.Image) -> bool:
    """Whether ``image`` is a JPEG whose first channel is luma (colour YCbCr, or grey)."""
    return image.format == "JPEG" and image.mode in ("RGB", "L")


def _jpeg_scale(
    image: Image.Image, min_side: int | None, min_pixels: int, orientation: object
) -> int:
    """The largest JPEG reduction keeping ``min_side`` and ``min_pixels``, else 1.

    A turned or mirrored picture is reduced only by a scale dividing both sides, so its
    blocks stay aligned with the full picture's after turning.
    """
    if min_side is None or image.format != "JPEG" or image.mode not in ("RGB", "L"):
        return 1
    width, height = image.size
    for scale in _JPEG_SCALES:
        small_width, small_height = width // scale, height // scale
        fits = min(small_width, small_height) >= min_side
        fits = fits and small_width * small_height >= min_pixels
        aligned = orientation in _UPRIGHT or (width % scale == 0 and height % scale == 0)
        if fits and aligned:
            return scale
    return 1


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
        return image if image.mode == "RGB" else image.convert("RGB")
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
