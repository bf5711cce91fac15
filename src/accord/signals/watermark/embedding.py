"""Add the mark to a picture: computed at a fixed working resolution, scaled up, masked.

The tile pattern is drawn at a working resolution of 256 chips along the picture's short
side (a chip is never smaller than 2.5 pixels, so small pictures get fewer, larger tiles:
fine chips would not survive JPEG or downscaling). Its strength follows the picture's
local texture, where changes hide, and fades near black and white, where they clip. The
mark is upscaled to full size and added to the three channels alike (a pure luminance
change, which survives conversion to greyscale), scaled so that the picture's PSNR is
40.6 dB.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from accord.errors import SignalNotApplicable
from accord.signals.watermark.coding import encode_payload
from accord.signals.watermark.layout import TILE, tile_for

#: Chips along the picture's short side.
WORKING_SHORT_SIDE = 256
MIN_CHIP_PIXELS = 2.5
#: Pictures whose short side is below this carry too few tiles to be read back.
MIN_SIDE = 256
TARGET_PSNR = 40.6
_TARGET_RMS = 255 / 10 ** (TARGET_PSNR / 20)


def embed_watermark(pixels: NDArray[np.uint8], payload: int) -> NDArray[np.uint8]:
    """A copy of the ``(height, width, 3)`` RGB picture carrying the 64-bit ``payload``."""
    height, width = pixels.shape[:2]
    if min(height, width) < MIN_SIDE:
        msg = f"a picture needs a short side of {MIN_SIDE} pixels to carry a watermark"
        raise SignalNotApplicable(msg)
    scale = min(1 / MIN_CHIP_PIXELS, WORKING_SHORT_SIDE / min(height, width))
    working = (max(1, round(width * scale)), max(1, round(height * scale)))
    grey = cv2.cvtColor(np.ascontiguousarray(pixels), cv2.COLOR_RGB2GRAY)
    luma = cv2.resize(grey, working, interpolation=cv2.INTER_AREA).astype(np.float32)
    tile = tile_for(encode_payload(payload))
    repeats = (-(-working[1] // TILE), -(-working[0] // TILE))
    mark = np.tile(tile, repeats)[: working[1], : working[0]] * _mask(luma)
    delta = cv2.resize(mark, (width, height), interpolation=cv2.INTER_LINEAR)
    gain = _TARGET_RMS * np.sqrt(delta.size) / (cv2.norm(delta) + 1e-9)
    # Saturating uint8 arithmetic: no float copy of the full picture.
    lighter = cv2.convertScaleAbs(np.maximum(delta, 0), alpha=gain)
    darker = cv2.convertScaleAbs(np.minimum(delta, 0), alpha=gain)
    marked = cv2.add(np.ascontiguousarray(pixels), cv2.merge([lighter] * 3))
    return np.asarray(cv2.subtract(marked, cv2.merge([darker] * 3)), np.uint8)


def _mask(luma: NDArray[np.float32]) -> NDArray[np.float32]:
    """Relative strength per chip: more in texture, less in flat areas and near clipping."""
    local_mean = cv2.blur(luma, (3, 3))
    activity = np.sqrt(cv2.blur((luma - local_mean) ** 2, (5, 5)))
    typical = float(np.median(activity)) + 1.0
    strength = np.clip((activity + 1.0) / typical, 0.35, 2.5) ** 0.8
    headroom = np.clip(np.minimum(luma, 255 - luma) / 12, 0.15, 1.0)
    return (strength * headroom).astype(np.float32)
