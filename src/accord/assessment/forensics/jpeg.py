"""JPEG arithmetic: the IJG quality tables, 8 x 8 block DCTs and re-quantization error.

Re-quantizing a block's DCT coefficients at a quality and measuring what changes is
what re-saving the picture at that quality does to its luminance, less the final
rounding to whole pixel values (the DCT is orthonormal, so the squared change is the
same in both domains). It is many times cheaper than encoding and decoding the picture
at each quality, which is what lets the ghost try a dozen of them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

BLOCK = 8
#: The luminance table of the JPEG standard (Annex K), natural order: what libjpeg,
#: Pillow and OpenCV scale for a given quality.
_STANDARD_LUMA = np.array(
    [
        [16, 11, 10, 16, 24, 40, 51, 61],
        [12, 12, 14, 19, 26, 58, 60, 55],
        [14, 13, 16, 24, 40, 57, 69, 56],
        [14, 17, 22, 29, 51, 87, 80, 62],
        [18, 22, 37, 56, 68, 109, 103, 77],
        [24, 35, 55, 64, 81, 104, 113, 92],
        [49, 64, 78, 87, 103, 121, 120, 101],
        [72, 92, 95, 98, 112, 100, 103, 99],
    ],
    np.float32,
).reshape(64)
_MIN_QUALITY, _MAX_QUALITY = 1, 100
#: libjpeg's scaling: below quality 50 the table grows as 5000 / q, above it shrinks
#: linearly to all ones at 100.
_HALF_QUALITY = 50
_BASELINE_MAX = 255
#: JFIF luminance weights (ITU-R BT.601), as JPEG encoders compute Y.
_LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114], np.float32)
_LEVEL_SHIFT = 128.0


def _dct_matrix() -> NDArray[np.float32]:
    index = np.arange(BLOCK)
    matrix = np.sqrt(2 / BLOCK) * np.cos((2 * index[None, :] + 1) * index[:, None] * np.pi / 16)
    matrix[0] /= np.sqrt(2)
    return np.asarray(matrix, np.float32)


_DCT = _dct_matrix()


def quality_table(quality: int) -> NDArray[np.float32]:
    """The 64 luminance quantization steps libjpeg uses at ``quality`` (1..100)."""
    quality = min(max(quality, _MIN_QUALITY), _MAX_QUALITY)
    # libjpeg's integer arithmetic, to the step: 5000 // 35 is 142, not 142.86.
    scale = 5000 // quality if quality < _HALF_QUALITY else 200 - 2 * quality
    table = np.floor((_STANDARD_LUMA * scale + 50) / 100)
    return np.clip(table, 1, _BASELINE_MAX).astype(np.float32)


def estimate_quality(table: Sequence[int]) -> tuple[int, bool]:
    """The IJG quality whose luminance table is closest to ``table`` (natural order),
    and whether it matches exactly (cameras and some editors use tables of their own)."""
    steps = np.asarray(table, np.float32).reshape(64)
    errors = [
        float(np.abs(quality_table(quality) - steps).sum())
        for quality in range(_MIN_QUALITY, _MAX_QUALITY + 1)
    ]
    best = int(np.argmin(errors))
    return best + _MIN_QUALITY, errors[best] == 0.0


def block_coefficients(rgb: NDArray[np.uint8], *, stride: int = 1) -> NDArray[np.float32]:
    """The luminance DCT of every ``stride``-th 8 x 8 block each way, as an array of
    ``(block rows, block columns, 64)``; partial blocks at the edges are left out."""
    rows, columns = rgb.shape[0] // BLOCK, rgb.shape[1] // BLOCK
    blocks = rgb[: rows * BLOCK, : columns * BLOCK].reshape(rows, BLOCK, columns, BLOCK, 3)
    sampled = blocks[::stride, :, ::stride].transpose(0, 2, 1, 3, 4)
    luma = sampled.astype(np.float32) @ _LUMA_WEIGHTS - _LEVEL_SHIFT
    coefficients = _DCT @ luma @ _DCT.T
    return np.asarray(coefficients.reshape(*coefficients.shape[:2], 64), np.float32)


def requantization_error(coefficients: NDArray[np.float32], quality: int) -> NDArray[np.float32]:
    """Mean squared change per pixel of each block when re-saved at ``quality``."""
    steps = quality_table(quality)
    change = coefficients - steps * np.round(coefficients / steps)
    return np.asarray(np.mean(change * change, axis=-1), np.float32)


def ac_energy(coefficients: NDArray[np.float32]) -> NDArray[np.float32]:
    """Each block's detail: the mean squared AC coefficient (0 for a flat block)."""
    ac = coefficients[..., 1:]
    return np.asarray(np.sum(ac * ac, axis=-1) / 64, np.float32)
