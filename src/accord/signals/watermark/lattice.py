"""Find the watermark's tile grid in a picture that may be cropped, scaled or rotated.

The tiles repeat, so the picture's autocorrelation has peaks on the tile lattice wherever
the copy was cut or scaled; image content has no such lattice. The reader works on the
luminance at 512 pixels along the short side (where an unaltered copy's tile is 64
pixels), takes a band-pass residual, normalises it locally, whitens its power spectrum
(and drops the axis-aligned frequencies where frames, bars and JPEG blocks live), and
scores candidate lattices by the autocorrelation on lattice points minus half-way
points. The best candidates are then refined by fitting peak positions up to four tiles
away, which also absorbs a slight difference between horizontal and vertical scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

#: The reader's working resolution: pixels along the picture's short side.
READ_SHORT_SIDE = 512
READ_LONG_SIDE = 2048
#: Pictures whose short side is below this cannot hold enough of a tile to read.
MIN_READ_SIDE = 64
#: Tile periods searched, in reader pixels: a crop enlarges the tile, a screenshot
#: that shows the picture smaller shrinks it.
_PERIODS = np.arange(24, 132, 0.5, dtype=np.float32)
_ROTATIONS = np.deg2rad(np.arange(-6, 6.01, 0.4)).astype(np.float32)
_PEAKS = np.array(
    [(1, 0), (0, 1), (1, 1), (1, -1), (2, 0), (0, 2), (2, 1), (1, 2), (2, -1), (1, -2)],
    np.float32,
)
_HALF_WAY = np.array(
    [(0.5, 0), (0, 0.5), (0.5, 0.5), (0.5, -0.5), (1.5, 0), (0, 1.5), (1.5, 0.5), (0.5, 1.5)],
    np.float32,
)
_FIT_POINTS = np.array(
    [(i, j) for i in range(-4, 5) for j in range(5) if j > 0 or i > 0], np.float64
)
#: Candidates closer than this to a better one are the same peak.
_DISTINCT_PERIOD = 2.0
_DISTINCT_ROTATION = float(np.deg2rad(1.0))
#: A basis is refitted only from at least this many peaks, and by at most this share of
#: its length.
_MIN_FIT_PEAKS = 4
_MAX_CORRECTION = 0.05
_WHITENING_SIGMA = 3.0
_AXIS_BINS = 2


@dataclass(frozen=True, slots=True)
class Lattice:
    """A candidate tile grid: ``basis[:, k]`` is the (dy, dx) step of one tile along the
    tile's x (k = 0) and y (k = 1) axes, in reader pixels."""

    basis: NDArray[np.float64]
    score: float

    @property
    def period(self) -> float:
        return float(np.sqrt(abs(np.linalg.det(self.basis))))

    @property
    def rotation_degrees(self) -> float:
        dy, dx = self.basis[:, 0]
        return float(np.degrees(np.arctan2(dy, dx)))


def reader_luma(grey: NDArray[np.uint8], *, magnify: float = 1.0) -> NDArray[np.float32]:
    """The picture's luminance at the reader's working resolution (``magnify`` times it)."""
    height, width = grey.shape
    # Very long pictures are read smaller, so the work stays bounded.
    scale = magnify * min(READ_SHORT_SIDE / min(height, width), READ_LONG_SIDE / max(height, width))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    return np.asarray(cv2.resize(grey, size, interpolation=interpolation), np.float32)


def normalised_residual(
    luma: NDArray[np.float32], *, low: float, high: float
) -> NDArray[np.float32]:
    """Band-pass residual (Gaussian ``low`` minus Gaussian ``high``; ``low`` 0 keeps the
    finest detail), divided by its local energy and clipped, so that neither edges nor
    flat areas dominate."""
    smooth = cv2.GaussianBlur(luma, (0, 0), low) if low > 0 else luma
    residual = smooth - cv2.GaussianBlur(luma, (0, 0), high)
    energy = np.maximum(cv2.boxFilter(residual * residual, -1, (15, 15)), 0)
    residual /= np.sqrt(energy) + 1.0
    return np.asarray(np.clip(residual, -2.5, 2.5), np.float32)


def find_lattices(luma: NDArray[np.float32], count: int) -> list[Lattice]:
    """The ``count`` most likely tile grids, best first."""
    correlation = _whitened_autocorrelation(normalised_residual(luma, low=0.7, high=3.0))
    periods, rotations = np.meshgrid(_PERIODS, _ROTATIONS, indexing="ij")
    scores = _score(correlation, periods, rotations)
    found: list[tuple[float, float, Lattice]] = []
    for flat in np.argsort(scores, axis=None)[::-1][:400]:
        row, column = np.unravel_index(flat, scores.shape)
        period, rotation = float(periods[row, column]), float(rotations[row, column])
        if any(_near(period, rotation, p, r) for p, r, _ in found):
            continue  # a neighbour of a candidate already kept
        basis = _basis(period, rotation)
        for radius in (2, 4):
            basis = _refine(correlation, basis, radius)
        found.append((period, rotation, Lattice(basis, float(scores[row, column]))))
        if len(found) == count:
            break
    return [lattice for _, _, lattice in found]


def _near(period: float, rotation: float, other_period: float, other_rotation: float) -> bool:
    return (
        abs(period - other_period) < _DISTINCT_PERIOD
        and abs(rotation - other_rotation) < _DISTINCT_ROTATION
    )


def _whitened_autocorrelation(residual: NDArray[np.float32]) -> NDArray[np.float32]:
    height, width = residual.shape
    rows, columns = cv2.getOptimalDFTSize(height), cv2.getOptimalDFTSize(width)
    padded = cv2.copyMakeBorder(
        residual, 0, rows - height, 0, columns - width, cv2.BORDER_CONSTANT, value=0
    )
    spectrum = cv2.dft(padded, flags=cv2.DFT_COMPLEX_OUTPUT)
    power = cv2.magnitude(spectrum[..., 0], spectrum[..., 1]) ** 2
    whitened = power / (cv2.GaussianBlur(power, (0, 0), _WHITENING_SIGMA) + 1e-6)
    whitened[:_AXIS_BINS] = 0
    whitened[rows - _AXIS_BINS :] = 0
    whitened[:, :_AXIS_BINS] = 0
    whitened[:, columns - _AXIS_BINS :] = 0
    complex_power = cv2.merge([whitened, np.zeros_like(whitened)])
    inverse = cv2.idft(complex_power, flags=cv2.DFT_REAL_OUTPUT | cv2.DFT_SCALE)
    correlation = np.asarray(inverse, np.float32) / (float(inverse[0, 0]) + 1e-12)
    # Keep the peaks, drop the broad hump around the origin.
    return np.asarray(correlation - cv2.GaussianBlur(correlation, (0, 0), 4.0), np.float32)


def _basis(period: float, rotation: float) -> NDArray[np.float64]:
    cos, sin = np.cos(rotation), np.sin(rotation)
    return np.array([[period * sin, period * cos], [period * cos, -period * sin]])


def _lattice_offsets(
    periods: NDArray[np.float32], rotations: NDArray[np.float32], points: NDArray[np.float32]
) -> NDArray[np.float32]:
    """(dy, dx) of each lattice point for every candidate: shape candidates + (points, 2)."""
    cos, sin = np.cos(rotations)[..., None], np.sin(rotations)[..., None]
    i, j = points[:, 0], points[:, 1]
    scale = periods[..., None]
    dx = scale * (i * cos - j * sin)
    dy = scale * (i * sin + j * cos)
    return np.stack([dy, dx], -1)


def _score(
    correlation: NDArray[np.float32],
    periods: NDArray[np.float32],
    rotations: NDArray[np.float32],
) -> NDArray[np.float32]:
    on_lattice = _bilinear(correlation, _lattice_offsets(periods, rotations, _PEAKS))
    half_way = _bilinear(correlation, _lattice_offsets(periods, rotations, _HALF_WAY))
    # A lattice twice too coarse hits peaks too; its half-way points give it away.
    result: NDArray[np.float32] = on_lattice.mean(-1) - half_way.mean(-1)
    return result


def _bilinear(image: NDArray[np.float32], points: NDArray[np.float32]) -> NDArray[np.float32]:
    """``image`` sampled at (y, x) ``points``, wrapping around (it is periodic)."""
    height, width = image.shape
    y, x = points[..., 0], points[..., 1]
    y0, x0 = np.floor(y), np.floor(x)
    fy, fx = y - y0, x - x0
    top, left = y0.astype(np.int64) % height, x0.astype(np.int64) % width
    bottom, right = (top + 1) % height, (left + 1) % width
    result: NDArray[np.float32] = (
        image[top, left] * (1 - fy) * (1 - fx)
        + image[bottom, left] * fy * (1 - fx)
        + image[top, right] * (1 - fy) * fx
        + image[bottom, right] * fy * fx
    )
    return result


def _refine(
    correlation: NDArray[np.float32], basis: NDArray[np.float64], radius: int
) -> NDArray[np.float64]:
    """Least-squares fit of the basis to the peaks found near each predicted lattice point."""
    height, width = correlation.shape
    points = _FIT_POINTS[np.max(np.abs(_FIT_POINTS), axis=1) <= radius]
    indices, positions, weights = [], [], []
    for point, (y, x) in zip(points, points @ basis.T, strict=True):
        cy, cx = round(y), round(x)
        window = correlation[
            np.ix_(np.arange(cy - 3, cy + 4) % height, np.arange(cx - 3, cx + 4) % width)
        ]
        wy, wx = np.unravel_index(int(np.argmax(window)), window.shape)
        if window[wy, wx] <= 0 or wy in (0, 6) or wx in (0, 6):
            continue  # no peak inside the window
        oy = parabola_vertex(window[wy - 1, wx], window[wy, wx], window[wy + 1, wx])
        ox = parabola_vertex(window[wy, wx - 1], window[wy, wx], window[wy, wx + 1])
        indices.append(point)
        positions.append((cy - 3 + wy + oy, cx - 3 + wx + ox))
        weights.append(float(window[wy, wx]))
    points_used = np.array(indices)
    if len(indices) < _MIN_FIT_PEAKS or np.linalg.matrix_rank(points_used) < 2:  # noqa: PLR2004
        return basis  # too few peaks, or all on one line: nothing to fit a plane to
    root = np.sqrt(np.array(weights))[:, None]
    fitted, *_ = np.linalg.lstsq(points_used * root, np.array(positions) * root)
    refined = np.asarray(fitted.T, np.float64)
    # Peaks of image content can pull the fit anywhere: keep only a small correction.
    moved = np.linalg.norm(refined - basis, axis=0) / np.linalg.norm(basis, axis=0)
    return refined if float(moved.max()) < _MAX_CORRECTION else basis


def parabola_vertex(before: float, at: float, after: float) -> float:
    """Sub-pixel offset of a parabola's peak through three samples."""
    curvature = before - 2 * at + after
    return 0.0 if curvature >= 0 else 0.5 * (before - after) / curvature
