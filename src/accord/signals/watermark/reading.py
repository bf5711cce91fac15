"""Read the mark back: resample each candidate tile grid, fold, align, decode.

For a candidate lattice, the luminance is warped so that tiles are upright and exactly
64 pixels wide (two per chip), band-passed there (so the filter fits the chip whatever
the copy's scale), and all tiles are summed into one. Correlating that sum with the sync
pattern, in all eight orientations, gives the tile's origin to a fraction of a pixel;
the payload chips are sampled there and despread into 306 soft symbols for the Viterbi
decoder. A result counts only if its CRC-32 matches: with at most
``MAX_DECODE_ATTEMPTS`` decodes per picture, an unmarked picture reads as marked with
probability below 2e-9.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from accord.signals.watermark.coding import CODED_BITS, decode_payload
from accord.signals.watermark.lattice import (
    MIN_READ_SIDE,
    Lattice,
    find_lattices,
    normalised_residual,
    parabola_vertex,
    reader_luma,
)
from accord.signals.watermark.layout import READ_PIXELS_PER_CHIP, TILE, layout, sync_template

_LATTICE_CANDIDATES = 4
_ALIGNMENTS_PER_LATTICE = 2
#: Every candidate lattice, plus one closer look.
MAX_DECODE_ATTEMPTS = (_LATTICE_CANDIDATES + 1) * _ALIGNMENTS_PER_LATTICE
#: A lattice this fine (reader pixels per tile) with a sync this clear deserves a closer
#: look when it does not decode; unmarked pictures rarely pass 4.5.
_FINE_PERIOD = 48.0
_PROMISING_SYNC = 5.0
_WORTH_MAGNIFYING = 1.25
_TILE_PIXELS = TILE * READ_PIXELS_PER_CHIP
#: At most this many tiles per side are folded: plenty, and it bounds the work when a
#: candidate lattice is fine.
_MAX_FOLD_TILES = 14
_BLUR_ABOVE_STEP = 1.2


@dataclass(frozen=True, slots=True)
class WatermarkReading:
    """A mark found in a picture."""

    payload: int
    #: How far the sync correlation stood out (standard deviations); above ~6 is clear.
    sync_score: float
    #: The tile's size relative to an unaltered copy read at the same size (1.25 after
    #: cropping 10% from each side), and its rotation.
    scale: float
    rotation_degrees: float

    @property
    def payload_hex(self) -> str:
        return f"{self.payload:016x}"


def read_watermark(pixels: NDArray[np.uint8]) -> WatermarkReading | None:
    """The mark in the ``(height, width, 3)`` RGB picture, or None when there is none."""
    if min(pixels.shape[:2]) < MIN_READ_SIDE:
        return None
    grey = np.asarray(cv2.cvtColor(np.ascontiguousarray(pixels), cv2.COLOR_RGB2GRAY), np.uint8)
    luma = reader_luma(grey)
    closer_look: tuple[float, Lattice] | None = None
    for lattice in find_lattices(luma, _LATTICE_CANDIDATES):
        reading, sync_score = _decode(luma, lattice)
        if reading is not None:
            return reading
        promising = lattice.period < _FINE_PERIOD and sync_score >= _PROMISING_SYNC
        if promising and (closer_look is None or sync_score > closer_look[0]):
            closer_look = (sync_score, lattice)
    if closer_look is None:
        return None
    # The grid is there but its chips are finer than the reader's pixels (a screenshot
    # that shows the picture small): look again, closer, if the copy has the pixels.
    lattice = closer_look[1]
    magnify = min(_TILE_PIXELS / lattice.period, min(grey.shape) / min(luma.shape))
    if magnify < _WORTH_MAGNIFYING:
        return None
    closer = reader_luma(grey, magnify=magnify)
    factor = closer.shape[1] / luma.shape[1]
    reading, _ = _decode(closer, Lattice(lattice.basis * factor, lattice.score))
    return reading


def _decode(luma: NDArray[np.float32], lattice: Lattice) -> tuple[WatermarkReading | None, float]:
    """The reading under ``lattice`` if its CRC holds, and the best sync score seen."""
    alignments = _alignments(_fold(luma, lattice.basis))
    for score, tile, (oy, ox) in alignments[:_ALIGNMENTS_PER_LATTICE]:
        payload = decode_payload(_soft_symbols(tile, oy, ox))
        if payload is not None:
            reading = WatermarkReading(
                payload=payload,
                sync_score=score,
                scale=lattice.period / _TILE_PIXELS,
                rotation_degrees=lattice.rotation_degrees,
            )
            return reading, score
    return None, alignments[0][0]


def _fold(luma: NDArray[np.float32], basis: NDArray[np.float64]) -> NDArray[np.float32]:
    """All tiles of ``luma`` under ``basis``, upright at 64 pixels, summed into one."""
    height, width = luma.shape
    # Reader pixel (x, y) of the warped picture sits at basis @ (x, y) / 64 in the source.
    to_source = np.zeros((2, 3))
    to_source[:, :2] = basis[::-1] / _TILE_PIXELS
    corners = np.array([[0, 0], [width, 0], [0, height], [width, height]], np.float64)
    in_warped = corners @ np.linalg.inv(to_source[:, :2]).T
    low, high = np.floor(in_warped.min(0)), np.ceil(in_warped.max(0))
    size = (high - low).astype(int)
    cap = _MAX_FOLD_TILES * _TILE_PIXELS
    low += np.maximum(size - cap, 0) // 2
    size = np.minimum(size, cap)
    to_source[:, 2] = to_source[:, :2] @ low
    step = float(np.sqrt(abs(np.linalg.det(basis)))) / _TILE_PIXELS
    # Shrinking by more than a little needs a low-pass first, or the chips alias.
    source = cv2.GaussianBlur(luma, (0, 0), 0.5 * step) if step > _BLUR_ABOVE_STEP else luma
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    dsize = (int(size[0]), int(size[1]))
    warped = np.asarray(
        cv2.warpAffine(source, to_source, dsize, flags=flags, borderMode=cv2.BORDER_REPLICATE),
        np.float32,
    )
    inside = cv2.warpAffine(
        np.ones_like(luma), to_source, dsize, flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP
    )
    residual = normalised_residual(warped, low=0.0, high=2.0) * inside
    rows, columns = (
        (dsize[1] // _TILE_PIXELS) * _TILE_PIXELS,
        (dsize[0] // _TILE_PIXELS) * _TILE_PIXELS,
    )
    tiles = residual[:rows, :columns].reshape(
        rows // _TILE_PIXELS, _TILE_PIXELS, columns // _TILE_PIXELS, _TILE_PIXELS
    )
    folded: NDArray[np.float32] = tiles.sum(axis=(0, 2))
    return folded


def _orientations(tile: NDArray[np.float32]) -> Iterator[NDArray[np.float32]]:
    """The eight rotations and mirrorings: a copy may have been turned or flipped."""
    for quarter_turns in range(4):
        turned = np.rot90(tile, quarter_turns)
        yield np.ascontiguousarray(turned)
        yield np.ascontiguousarray(turned.T)


def _alignments(
    folded: NDArray[np.float32],
) -> list[tuple[float, NDArray[np.float32], tuple[float, float]]]:
    """(sync score, oriented tile, sub-pixel origin) per orientation, best first."""
    template = np.conj(np.fft.fft2(sync_template()))
    found = []
    for tile in _orientations(folded):
        correlation = np.real(np.fft.ifft2(np.fft.fft2(tile) * template))
        z = (correlation - correlation.mean()) / (correlation.std() + 1e-12)
        peak = np.unravel_index(int(np.argmax(z)), z.shape)
        found.append((float(z[peak]), tile, _sub_pixel(z, int(peak[0]), int(peak[1]))))
    found.sort(key=lambda item: -item[0])
    return found


def _sub_pixel(z: NDArray[np.float64], row: int, column: int) -> tuple[float, float]:
    size = z.shape[0]
    return (
        row
        + parabola_vertex(z[(row - 1) % size, column], z[row, column], z[(row + 1) % size, column]),
        column
        + parabola_vertex(z[row, (column - 1) % size], z[row, column], z[row, (column + 1) % size]),
    )


def _soft_symbols(tile: NDArray[np.float32], oy: float, ox: float) -> NDArray[np.float32]:
    """Despread the payload chips sampled at the aligned chip centres."""
    size = tile.shape[0]
    ys = (READ_PIXELS_PER_CHIP * np.arange(TILE) + oy) % size
    xs = (READ_PIXELS_PER_CHIP * np.arange(TILE) + ox) % size
    y0, x0 = np.floor(ys).astype(int), np.floor(xs).astype(int)
    fy, fx = (ys - y0)[:, None], (xs - x0)[None, :]
    y1, x1 = (y0 + 1) % size, (x0 + 1) % size
    chips = (
        tile[np.ix_(y0, x0)] * (1 - fy) * (1 - fx)
        + tile[np.ix_(y1, x0)] * fy * (1 - fx)
        + tile[np.ix_(y0, x1)] * (1 - fy) * fx
        + tile[np.ix_(y1, x1)] * fy * fx
    ).ravel()
    chip_layout = layout()
    soft = np.zeros(CODED_BITS, np.float32)
    np.add.at(
        soft,
        chip_layout.payload_symbols,
        chips[chip_layout.payload_chips] * chip_layout.payload_signs,
    )
    return soft
