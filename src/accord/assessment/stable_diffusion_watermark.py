"""Read the invisible watermarks that Stable Diffusion's reference code adds to its pictures.

Stability AI's scripts (SD 1.x, SD 2.x, SDXL and its video models) and diffusers' SDXL
pipelines mark their output with invisible-watermark's ``dwtDct`` method. This module
reads that method again with numpy and OpenCV alone (no ``imwatermark``, PyWavelets or
torch). What the embedder does, and so what is read back:

- the picture, handed over as a BGR array, goes to YUV with OpenCV; only U carries bits
  (its scales are ``[0, 36, 36]`` over a loop of two channels, so Y is skipped and V
  never reached);
- the picture is cropped to a multiple of 4 pixels and U goes through a one-level Haar
  wavelet transform; the LL band is (nearly) the sum of each 2x2 pixel block halved;
- LL is cut into 4x4 blocks, row by row; block ``n`` carries bit ``n mod L`` of an
  ``L``-bit message, so every bit is repeated all over the picture;
- in each block, the coefficient of largest magnitude (the top-left one excluded) is
  moved to 9 (a 0) or 27 (a 1) modulo 36;
- reading takes ``|c| mod 36 > 18`` in each block and averages a bit's blocks: the bit is
  1 when ``mean * 255 > 127``. Bits are read most significant first.

Generators hand the embedder different things. SD 1.x and 2.x scripts pass the saved
8-bit picture converted to BGR; SDXL code (Stability's and diffusers') passes the model's
floating-point output, for which OpenCV centres U on 0.5 instead of 128, so the marked
coefficients are signed and sit elsewhere modulo 36; diffusers, and Stability's SDXL code
before July 2023, pass RGB where BGR is expected. Each picture is therefore read four
ways: both channel orders, as 8-bit and as floating-point pixels.

The mark lives on the exact pixel grid it was written on: a resize, a crop off the
4-pixel grid or a JPEG recompression scrambles it, so this reads pictures at their
stored size only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

import cv2
import numpy as np
from numpy.typing import NDArray

#: Quantisation step of the U channel's LL coefficients (invisible-watermark's default).
SCALE = 36
_ROOT_HALF = math.sqrt(0.5)
_BLOCK = 4
#: A bit is 1 when the share of its blocks that read 1, times 255, exceeds 127.
_VOTE_SCALE, _VOTE_CUT = 255, 127
#: The embedder refuses pictures with fewer pixels than 256 x 256.
MIN_PIXELS = 256 * 256


class ChannelOrder(StrEnum):
    """How the generator handed its RGB picture to the BGR-minded embedder."""

    #: Converted to BGR first: Stability AI's scripts (SDXL's fixed since July 2023).
    BGR = "bgr"
    #: Handed over as RGB: diffusers, and Stability's SDXL code before the fix.
    RGB = "rgb"


class PixelType(StrEnum):
    """What the generator handed the embedder, which decides where YUV puts U's zero."""

    #: 8-bit pixels, U centred on 128: SD 1.x and 2.x scripts mark the saved picture.
    EIGHT_BIT = "8-bit"
    #: Floating-point pixels in 0..255, U centred on 0.5: SDXL code in Stability's
    #: generative-models and in diffusers marks the model's float output before saving.
    FLOAT = "float"


class Verdict(StrEnum):
    VERY_LIKELY = "very likely"
    LIKELY = "likely"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class KnownMark:
    """A message generators are known to embed, with the bits needed for each verdict."""

    key: str
    label: str
    #: The message as its embedder spells it (text, or a hex number).
    message: str
    bits: tuple[int, ...]
    very_likely_at: int
    likely_at: int

    def verdict(self, matching: int) -> Verdict:
        if matching >= self.very_likely_at:
            return Verdict.VERY_LIKELY
        if matching >= self.likely_at:
            return Verdict.LIKELY
        return Verdict.NONE


@dataclass(frozen=True, slots=True)
class MarkReading:
    """How well one known message reads back from a picture, read one way."""

    mark: KnownMark
    order: ChannelOrder
    pixel_type: PixelType
    matching: int

    @property
    def total(self) -> int:
        return len(self.mark.bits)

    @property
    def verdict(self) -> Verdict:
        return self.mark.verdict(self.matching)


# Thresholds. SDXL's 48-bit message keeps Stability's own rule (scripts/demo/detect.py,
# set on 10,000 unmodified real images): >= 36 bits "very likely", 34-35 "likely".
#
# The other messages have no published rule, so theirs come from the binomial tail: on a
# picture without the mark each read bit agrees with the message by chance, P = 1/2, so
# the chance that k or more of n agree is T(n, k) = sum_{i >= k} C(n, i) / 2^n. Twelve
# binomial-ruled readings are taken per picture (three messages, two channel orders, two
# pixel types); by the union bound the picture's false-positive rate is at most 12 * T.
# "Likely" takes the least k with 12 * T <= 1e-4 and "very likely" the least k with
# 12 * T <= 1e-5 (a tenth, about the ratio between Stability's two tiers): 94 and 97 of
# 136 bits, 29 and 30 of 32, 38 and 40 of 46. On real pictures read bits agree less
# freely than coins (corpus photos: 68 +- 3 of 136 rather than +- 6), so the true rate is
# lower. (By the same tail SDXL's 34 of 48 is T = 2.8e-3: Stability's rule rests on its
# measured real images, 0.02% of which reached 34-35 and none 36.)
_PICTURE_FALSE_POSITIVES = {Verdict.LIKELY: 1e-4, Verdict.VERY_LIKELY: 1e-5}
_BINOMIAL_READINGS = 12
_SDXL_VERY_LIKELY, _SDXL_LIKELY = 36, 34


@cache
def binomial_threshold(bits: int, false_positives: float, readings: int) -> int:
    """The least ``k`` with ``readings * P(Binomial(bits, 1/2) >= k) <= false_positives``."""
    tail = 0
    for k in range(bits, -1, -1):
        tail += math.comb(bits, k)
        if readings * tail / (1 << bits) > false_positives:
            return k + 1
    return 0


def _from_bytes(text: str) -> tuple[int, ...]:
    return tuple(int(bit) for byte in text.encode() for bit in f"{byte:08b}")


def _from_number(number: int) -> tuple[int, ...]:
    # Spelled as generators spell it, bin(number)[2:]: leading zeros are dropped.
    return tuple(int(bit) for bit in f"{number:b}")


def _binomial_mark(key: str, label: str, message: str, bits: tuple[int, ...]) -> KnownMark:
    def at(verdict: Verdict) -> int:
        return binomial_threshold(len(bits), _PICTURE_FALSE_POSITIVES[verdict], _BINOMIAL_READINGS)

    return KnownMark(key, label, message, bits, at(Verdict.VERY_LIKELY), at(Verdict.LIKELY))


_SDXL_NUMBER = 0xB3EC907BB19E
_FORK_NUMBER = 0x2AFE879CF52E


@cache
def known_marks() -> tuple[KnownMark, ...]:
    """The messages read from every picture."""
    sdxl = KnownMark(
        "sdxl",
        "Stable Diffusion XL (and Stability AI's video models)",
        f"0x{_SDXL_NUMBER:X}",
        _from_number(_SDXL_NUMBER),
        _SDXL_VERY_LIKELY,
        _SDXL_LIKELY,
    )
    return (
        _binomial_mark(
            "sd1", "Stable Diffusion 1.x", "StableDiffusionV1", _from_bytes("StableDiffusionV1")
        ),
        _binomial_mark("sd2", "Stable Diffusion 2.x", "SDV2", _from_bytes("SDV2")),
        sdxl,
        _binomial_mark(
            "sd_fork_46",
            "third-party Stable Diffusion forks (an unattributed 46-bit message)",
            f"0x{_FORK_NUMBER:X}",
            _from_number(_FORK_NUMBER),
        ),
    )


def haar_ll(channel: NDArray[np.float64]) -> NDArray[np.float64]:
    """The LL band of a one-level 2D Haar transform (even sides), computed with the same
    floating-point steps as PyWavelets, so that equal coefficients tie as they did for
    the embedder: pairs of rows first, each term multiplied by sqrt(1/2) on its own."""
    rows = channel[0::2] * _ROOT_HALF + channel[1::2] * _ROOT_HALF
    result: NDArray[np.float64] = rows[:, 0::2] * _ROOT_HALF + rows[:, 1::2] * _ROOT_HALF
    return result


def block_bits(pixels: NDArray[np.uint8], pixel_type: PixelType) -> NDArray[np.bool_]:
    """The bit each 4x4 LL block carries, row by row, for ``pixels`` in the order the
    embedder was handed them (it reads them as BGR)."""
    rows, cols = pixels.shape[0] // _BLOCK * _BLOCK, pixels.shape[1] // _BLOCK * _BLOCK
    handed = np.ascontiguousarray(pixels[:rows, :cols])
    if pixel_type is PixelType.FLOAT:
        handed = handed.astype(np.float32)
    ll = haar_ll(cv2.cvtColor(handed, cv2.COLOR_BGR2YUV)[:, :, 1].astype(np.float64))
    block_rows, block_cols = ll.shape[0] // _BLOCK, ll.shape[1] // _BLOCK
    blocks = np.abs(
        ll[: block_rows * _BLOCK, : block_cols * _BLOCK]
        .reshape(block_rows, _BLOCK, block_cols, _BLOCK)
        .transpose(0, 2, 1, 3)
        .reshape(block_rows * block_cols, _BLOCK * _BLOCK)[:, 1:]
    )
    # The embedder's pick: the first of the largest, as np.argmax takes it.
    largest = np.take_along_axis(blocks, blocks.argmax(axis=1)[:, None], axis=1)[:, 0]
    result: NDArray[np.bool_] = largest % SCALE > SCALE / 2
    return result


def vote(blocks: NDArray[np.bool_], length: int) -> NDArray[np.uint8]:
    """The ``length``-bit message the blocks spell: each bit by the vote of its blocks."""
    slots = np.arange(blocks.size) % length
    ones = np.bincount(slots, weights=blocks, minlength=length)
    counts = np.bincount(slots, minlength=length)
    # mean * 255 > 127, kept in whole numbers.
    return (ones * _VOTE_SCALE > _VOTE_CUT * counts).astype(np.uint8)


def read_known_marks(rgb: NDArray[np.uint8]) -> list[MarkReading]:
    """Every known message, read every way it may have been written, from an
    ``(h, w, 3)`` RGB picture of at least ``MIN_PIXELS`` pixels."""
    if rgb.shape[0] * rgb.shape[1] < MIN_PIXELS:
        raise ValueError("the picture is smaller than the embedder accepts")
    readings = []
    for order in ChannelOrder:
        # A generator that turned its RGB picture to BGR for the embedder is undone by
        # reading the file's RGB as BGR; one that handed RGB over is read as it is.
        handed = rgb[:, :, ::-1] if order is ChannelOrder.BGR else rgb
        for pixel_type in PixelType:
            blocks = block_bits(handed, pixel_type)
            for mark in known_marks():
                bits = vote(blocks, len(mark.bits))
                expected = np.asarray(mark.bits, dtype=np.uint8)
                matching = int(np.count_nonzero(bits == expected))
                readings.append(MarkReading(mark, order, pixel_type, matching))
    return readings
