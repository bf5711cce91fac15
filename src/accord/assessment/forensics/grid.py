"""Maps over a grid of square cells laid on the picture, and the EXIF turns between the
stored and the upright picture."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

#: Cells on the picture's long side for ELA and noise maps: detailed enough for a heatmap
#: of 512 pixels, coarse enough for each cell to hold a few hundred pixels.
TARGET_CELLS = 160
MIN_CELL = 8
#: Cells are compared with cells of like detail: this many quantile bins of detail.
DETAIL_BINS = 16


@dataclass(frozen=True, slots=True)
class CellMap:
    """One value per cell; cell ``(row, column)`` covers the picture's pixels from
    ``origin + (row, column) * cell`` over ``cell`` pixels each way."""

    values: NDArray[np.float32]
    #: Cells the method could measure (flat or clipped areas often cannot).
    valid: NDArray[np.bool_]
    cell: int
    #: The first cell's top-left corner in the upright picture: (x, y).
    origin: tuple[int, int] = (0, 0)

    @property
    def shape(self) -> tuple[int, int]:
        rows, columns = self.values.shape
        return rows, columns


def cell_size(height: int, width: int) -> int:
    """A cell size (a multiple of 8, so cells hold whole JPEG blocks) for maps."""
    blocks = -(-max(height, width) // (MIN_CELL * TARGET_CELLS))
    return MIN_CELL * max(1, blocks)


def cell_means(values: NDArray[np.float32], cell: int) -> NDArray[np.float32]:
    """The mean of ``values`` over each whole cell (partial cells at the edges dropped)."""
    rows, columns = values.shape[0] // cell, values.shape[1] // cell
    if rows == 0 or columns == 0:
        return np.zeros((rows, columns), np.float32)
    cropped = values[: rows * cell, : columns * cell]
    # Area averaging by a whole factor is the exact block mean, in one C pass.
    return np.asarray(
        cv2.resize(cropped, (columns, rows), interpolation=cv2.INTER_AREA), np.float32
    )


def smooth(
    values: NDArray[np.float32], valid: NDArray[np.bool_], size: int = 3
) -> NDArray[np.float32]:
    """The mean over each cell's ``size`` x ``size`` neighbourhood, of valid cells only."""
    weight = valid.astype(np.float32)
    total = cv2.blur(np.where(valid, values, 0).astype(np.float32), (size, size))
    count = cv2.blur(weight, (size, size))
    return np.asarray(np.where(count > 0, total / np.maximum(count, 1e-6), 0), np.float32)


def robust_z(
    values: NDArray[np.float32], valid: NDArray[np.bool_], floor: float
) -> NDArray[np.float32]:
    """How many robust standard deviations each cell lies from the valid cells' median;
    ``floor`` bounds the spread from below so that a nearly uniform map stays quiet."""
    if not valid.any():
        return np.zeros_like(values)
    inside = values[valid]
    median = float(np.median(inside))
    # 1.4826 x the median absolute deviation estimates a normal standard deviation.
    spread = max(1.4826 * float(np.median(np.abs(inside - median))), floor)
    return np.asarray(np.where(valid, (values - median) / spread, 0), np.float32)


def expected_levels(
    level: NDArray[np.float32], detail: NDArray[np.float32], valid: NDArray[np.bool_]
) -> NDArray[np.float32]:
    """The level each cell's ``detail`` predicts: the median level of the picture's valid
    cells of like detail (binned by detail quantile, interpolated between bins)."""
    if not valid.any():
        return level
    measured_detail, measured_level = detail[valid], level[valid]
    edges = np.unique(np.percentile(measured_detail, np.linspace(0, 100, DETAIL_BINS + 1)))
    if len(edges) < 2:  # noqa: PLR2004 - one bin needs two edges
        return np.full_like(level, float(np.median(measured_level)))
    bins = np.clip(np.searchsorted(edges, measured_detail, side="right") - 1, 0, len(edges) - 2)
    centres, medians = [], []
    for index in range(len(edges) - 1):
        members = bins == index
        if members.any():
            centres.append(float(np.median(measured_detail[members])))
            medians.append(float(np.median(measured_level[members])))
    return np.interp(detail, centres, medians).astype(np.float32)


_Turn = Callable[[NDArray[np.generic]], NDArray[np.generic]]

#: What Pillow's ``exif_transpose`` does for each EXIF orientation, on (row, column) arrays.
_UPRIGHT: dict[int, _Turn] = {
    2: lambda a: a[:, ::-1],
    3: lambda a: a[::-1, ::-1],
    4: lambda a: a[::-1],
    5: lambda a: a.swapaxes(0, 1),
    6: lambda a: np.rot90(a, -1),
    7: lambda a: a[::-1, ::-1].swapaxes(0, 1),
    8: lambda a: np.rot90(a, 1),
}
#: And back: each turn's inverse.
_STORED: dict[int, _Turn] = {
    2: _UPRIGHT[2],
    3: _UPRIGHT[3],
    4: _UPRIGHT[4],
    5: _UPRIGHT[5],
    6: _UPRIGHT[8],
    7: _UPRIGHT[7],
    8: _UPRIGHT[6],
}


def to_stored(upright: NDArray[np.uint8], orientation: int) -> NDArray[np.uint8]:
    """The picture as the file stores it, before its EXIF orientation is applied."""
    turn = _STORED.get(orientation)
    return upright if turn is None else np.asarray(turn(upright), np.uint8)


def to_upright(stored: CellMap, orientation: int, upright_shape: tuple[int, int]) -> CellMap:
    """A map made on the stored picture, turned to lie on the upright one."""
    turn = _UPRIGHT.get(orientation)
    if turn is None:
        return stored
    values = np.ascontiguousarray(turn(stored.values), np.float32)
    valid = np.ascontiguousarray(turn(stored.valid), np.bool_)
    # Where the stored first cell went says which edges the cells now start from.
    corner = np.asarray(turn(np.arange(4).reshape(2, 2)))
    row, column = (int(axis[0]) for axis in np.nonzero(corner == 0))
    rows, columns = values.shape
    height, width = upright_shape
    x = width - columns * stored.cell if column else 0
    y = height - rows * stored.cell if row else 0
    return CellMap(values, valid, stored.cell, (max(x, 0), max(y, 0)))
