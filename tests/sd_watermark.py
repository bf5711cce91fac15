"""The published dwtDct embedder (invisible-watermark 0.2, ``EmbedMaxDct.encode``), for tests.

Written from the algorithm, apart from ``accord.assessment.stable_diffusion_watermark`` (the
reader under test): float Haar filters as PyWavelets applies them, coefficients
quantised as the embedder does, its quirks kept (the inverse transform gets the
horizontal and vertical details swapped; U is written back into uint8 by truncation).
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

SD1_MESSAGE = "StableDiffusionV1"
SD2_MESSAGE = "SDV2"
SDXL_NUMBER = 0xB3EC907BB19E
FORK_NUMBER = 0x2AFE879CF52E
_STEP = 36.0
_ROOT_HALF = np.sqrt(0.5)


def bytes_bits(text: str) -> list[int]:
    """``WatermarkEncoder.set_watermark('bytes', text.encode())``: np.unpackbits order."""
    return [int(bit) for bit in np.unpackbits(np.frombuffer(text.encode(), dtype=np.uint8))]


def number_bits(number: int) -> list[int]:
    """``[int(bit) for bit in bin(number)[2:]]``, as Stability's scripts spell theirs."""
    return [int(bit) for bit in bin(number)[2:]]


def _pair(
    first: NDArray[np.float64], second: NDArray[np.float64]
) -> tuple[NDArray[np.float64], ...]:
    """Haar filters on neighbour pairs, each term multiplied as PyWavelets' C code does."""
    return first * _ROOT_HALF + second * _ROOT_HALF, first * _ROOT_HALF - second * _ROOT_HALF


def _analyse(x: NDArray[np.float64]) -> tuple[NDArray[np.float64], ...]:
    """One level of 2D Haar, rows' pairs first: (LL, H, V, D) in PyWavelets' naming."""
    low, high = _pair(x[0::2], x[1::2])
    ll, lh = _pair(low[:, 0::2], low[:, 1::2])
    hl, hh = _pair(high[:, 0::2], high[:, 1::2])
    return ll, hl, lh, hh


def _synthesise(
    ll: NDArray[np.float64], h: NDArray[np.float64], v: NDArray[np.float64], d: NDArray[np.float64]
) -> NDArray[np.float64]:
    """The inverse, columns' pairs first."""
    low = np.empty((ll.shape[0], ll.shape[1] * 2))
    high = np.empty_like(low)
    low[:, 0::2], low[:, 1::2] = _pair(ll, v)
    high[:, 0::2], high[:, 1::2] = _pair(h, d)
    out = np.empty((low.shape[0] * 2, low.shape[1]))
    out[0::2], out[1::2] = _pair(low, high)
    return out


def _embed_blocks(ll: NDArray[np.float64], bits: list[int]) -> None:
    """Quantise, in place, the largest non-corner coefficient of each 4x4 block."""
    number = 0
    for top in range(0, ll.shape[0] // 4 * 4, 4):
        for left in range(0, ll.shape[1] // 4 * 4, 4):
            block = ll[top : top + 4, left : left + 4]
            flat = np.abs(block.flatten()[1:])
            at = int(np.argmax(flat)) + 1
            i, j = divmod(at, 4)
            bit = bits[number % len(bits)]
            magnitude = (abs(block[i, j]) // _STEP + 0.25 + 0.5 * bit) * _STEP
            block[i, j] = magnitude if block[i, j] >= 0 else -magnitude
            number += 1


def embed(picture: NDArray[Any], bits: list[int]) -> NDArray[Any]:
    """``WatermarkEncoder.encode(picture, 'dwtDct')``: ``picture`` is read as BGR, 8-bit
    or float32 in 0..255, and comes back in the same type."""
    rows, cols = picture.shape[0] // 4 * 4, picture.shape[1] // 4 * 4
    if picture.shape[0] * picture.shape[1] < 256 * 256:
        raise ValueError("the embedder refuses pictures under 256x256 pixels")
    yuv = cv2.cvtColor(picture, cv2.COLOR_BGR2YUV)
    ll, h, v, d = _analyse(yuv[:rows, :cols, 1].astype(np.float64))
    _embed_blocks(ll, bits)
    # The published embedder passes (v, h, d) back where (h, v, d) came out.
    yuv[:rows, :cols, 1] = _synthesise(ll, v, h, d)
    out: NDArray[Any] = cv2.cvtColor(yuv, cv2.COLOR_YUV2BGR)
    return out


def embed_stability(rgb: NDArray[np.uint8], bits: list[int]) -> NDArray[np.uint8]:
    """As Stability AI's SD 1.x/2.x scripts mark a saved picture: as 8-bit BGR."""
    marked = embed(np.ascontiguousarray(rgb[:, :, ::-1]), bits)
    return np.ascontiguousarray(marked[:, :, ::-1])


def embed_diffusers(rgb: NDArray[np.uint8], bits: list[int]) -> NDArray[np.uint8]:
    """Handed to the embedder as RGB, as diffusers does."""
    marked: NDArray[np.uint8] = embed(np.ascontiguousarray(rgb), bits)
    return marked


def embed_sdxl_stability(rgb: NDArray[np.uint8], bits: list[int]) -> NDArray[np.uint8]:
    """As Stability's generative-models marks SDXL output: float BGR, then saved with
    ``astype(np.uint8)`` (truncating)."""
    marked = embed(np.ascontiguousarray(rgb[:, :, ::-1], dtype=np.float32), bits)
    return np.ascontiguousarray(np.clip(marked, 0, 255).astype(np.uint8)[:, :, ::-1])


def embed_sdxl_diffusers(rgb: NDArray[np.uint8], bits: list[int]) -> NDArray[np.uint8]:
    """As diffusers' SDXL watermarker marked output: float RGB, saved rounded."""
    marked = embed(np.ascontiguousarray(rgb, dtype=np.float32), bits)
    saved: NDArray[np.uint8] = np.clip(np.rint(marked), 0, 255).astype(np.uint8)
    return saved
