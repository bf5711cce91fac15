"""Noise residual inconsistency: where the picture's fine-grain noise differs.

One camera, one shot: the sensor and the processing leave noise of a similar level all
over the picture. A region pasted from another source, or smoothed or painted over,
often carries noise of another level. The noise of each area is estimated from the
high-pass residual (Immerkaer's fast estimator) on its pixels away from edges, and
compared with the noise of the picture's areas of like structure (seen on a shrunk
copy, where noise has averaged away), since textures still leak into any residual.
Areas near black or white, where clipping erases noise, and areas whose noise JPEG
compression wiped out, are left out.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
from numpy.typing import NDArray

from accord.assessment.forensics.grid import (
    CellMap,
    cell_means,
    cell_size,
    expected_levels,
    robust_z,
    smooth,
)
from accord.assessment.forensics.heatmap import Backdrop, render_levels
from accord.assessment.forensics.reading import MethodReading
from accord.assessment.forensics.regions import localize
from accord.assessment.forensics.source import Source

METHOD = "noise"
#: Robust standard deviations of log noise level for a region to count.
THRESHOLD = 5.0
#: The smallest spread (natural log units) deviations are measured in, so that a picture
#: of very even noise does not turn small differences into many deviations.
_SPREAD_FLOOR = 0.15
#: Immerkaer: sigma = sqrt(pi / 2) / 6 x the mean absolute residual.
_SIGMA_PER_RESIDUAL = math.sqrt(math.pi / 2) / 6
#: Pixels whose gradient is in this top share are edges and left out.
_EDGE_QUANTILE = 85.0
#: Grey levels within this margin of black or white are clipped and left out.
_CLIP_MARGIN = 6
#: A cell needs this share of usable pixels to be measured.
_MIN_USABLE = 0.25
#: Noise below this (grey levels) is as good as none: flat or fully smoothed.
_MIN_SIGMA = 0.05
#: Cells with less than this share of the typical noise are left out.
_SILENT = 0.3
#: The picture is shrunk this many times to see its structure without its noise (twice
#: only, below this side).
_STRUCTURE_SHRINK = 4
_STRUCTURE_MIN_SIDE = 256
#: Sampling step for the edge quantile: a quantile needs no more than every 4th pixel.
_QUANTILE_STEP = 4

LIMITS = (
    "Weak evidence on its own. Smooth areas such as sky lose their noise to JPEG "
    "compression, fine textures and text look noisy, and very dark or bright areas are "
    "left out; re-compression, resizing, denoising or added grain over the whole picture "
    "evens out the levels. A region that stands out shows where to look, not that it was "
    "edited. It says nothing about pictures generated whole by AI."
)
GUIDE = (
    "Colour shows how far the fine-grain noise of each area departs from the picture's "
    "typical level (dark purple: typical, yellow: far from it, either much noisier or much "
    "smoother), over a grey copy of the picture; uncoloured areas could not be measured. "
    "One photograph usually has similar noise throughout, so a region pasted from "
    "another picture or retouched can stand out. Smooth skies, very fine textures and "
    "text can stand out innocently. A cyan box marks the region the method found, if any."
)


def read_noise(source: Source, backdrop: Backdrop) -> MethodReading:
    deviation, sigma = noise_maps(source)
    valid, cell = deviation.valid, deviation.cell
    magnitude = np.abs(deviation.values)
    anomaly = localize(CellMap(magnitude, valid, cell), THRESHOLD, source.shape)
    shown = CellMap(np.asarray(magnitude / (2 * THRESHOLD), np.float32), valid, cell)
    typical = float(np.median(sigma[valid])) if valid.any() else 0.0
    details: dict[str, object] = {
        "typical_noise": round(typical, 3),
        "measured_share": round(float(valid.mean()) if valid.size else 0.0, 3),
        "threshold": THRESHOLD,
    }
    boxes: tuple[tuple[int, int, int, int], ...] = ()
    if anomaly is None:
        explanation = (
            "The fine-grain noise has a similar level across the areas that could be "
            "measured; no region stands out."
        )
        if not valid.any():
            explanation = "The picture has no area where its noise could be measured."
    else:
        region_noise = float(np.median(sigma[anomaly.mask & valid]))
        ratio = region_noise / typical if typical > 0 else 0.0
        details |= anomaly.to_details() | {"region_noise_ratio": round(ratio, 2)}
        left, top, box_width, box_height = anomaly.box
        how_much = f"{ratio:.1f} times" if ratio >= 1 else f"only {ratio:.0%} of"
        explanation = (
            f"A region of about {anomaly.share:.1%} of the picture ({box_width}x{box_height} "
            f"pixels at {left},{top}) has {how_much} the picture's typical noise level, "
            "unlike areas of similar structure elsewhere, as content from another source "
            "or retouched content can."
        )
        boxes = (anomaly.box,)
    return MethodReading(
        method=METHOD,
        anomaly=anomaly is not None,
        explanation=explanation,
        limits=LIMITS,
        heatmap=render_levels(backdrop, shown, caption="noise level unlike the rest", boxes=boxes),
        guide=GUIDE,
        details=details,
    )


def noise_maps(source: Source) -> tuple[CellMap, NDArray[np.float32]]:
    """How far each cell's log noise level departs from what cells of like structure have
    (robust standard deviations, signed), and the noise levels themselves."""
    height, width = source.shape
    cell = cell_size(height, width)
    sigma, valid = _noise_levels(source, cell)
    if valid.any():
        # Compression wipes the noise of smooth areas: near-silent cells are unmeasurable,
        # not anomalous.
        valid &= sigma >= _SILENT * float(np.median(sigma[valid]))
    expected = expected_levels(sigma, _structure(source.grey, cell), valid)
    logged = np.log(np.maximum(sigma, _MIN_SIGMA) / np.maximum(expected, _MIN_SIGMA))
    deviation = robust_z(smooth(np.asarray(logged, np.float32), valid), valid, _SPREAD_FLOOR)
    return CellMap(deviation, valid, cell), sigma


def _structure(grey: NDArray[np.uint8], cell: int) -> NDArray[np.float32]:
    """Each cell's coarse structure: the gradient of the picture shrunk 4 times, where
    pixel noise has averaged away but shapes and textures remain."""
    height, width = grey.shape
    rows, columns = height // cell, width // cell
    factor = _STRUCTURE_SHRINK if min(height, width) >= _STRUCTURE_MIN_SIDE else 2
    small = cv2.resize(
        grey, (max(1, width // factor), max(1, height // factor)), interpolation=cv2.INTER_AREA
    ).astype(np.float32)
    gradient = cv2.magnitude(cv2.Sobel(small, cv2.CV_32F, 1, 0), cv2.Sobel(small, cv2.CV_32F, 0, 1))
    covered = gradient[: rows * cell // factor, : columns * cell // factor]
    if covered.size == 0 or rows == 0 or columns == 0:
        return np.zeros((rows, columns), np.float32)
    return np.asarray(
        cv2.resize(covered, (columns, rows), interpolation=cv2.INTER_AREA), np.float32
    )


def _noise_levels(source: Source, cell: int) -> tuple[NDArray[np.float32], NDArray[np.bool_]]:
    """Each cell's noise sigma (grey levels) over its usable pixels, and which cells had
    enough of them."""
    grey = source.grey
    gradient = cv2.magnitude(
        cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3)
    )
    sample = gradient[::_QUANTILE_STEP, ::_QUANTILE_STEP]
    edge = float(np.percentile(sample, _EDGE_QUANTILE)) if sample.size else 0.0
    usable = (gradient <= edge) & (grey >= _CLIP_MARGIN) & (grey <= 255 - _CLIP_MARGIN)
    weight = usable.astype(np.float32)
    share = cell_means(weight, cell)
    total = cell_means(source.residual * weight, cell)
    valid = share >= _MIN_USABLE
    sigma = _SIGMA_PER_RESIDUAL * total / np.maximum(share, _MIN_USABLE)
    valid &= sigma >= _MIN_SIGMA
    return np.asarray(sigma, np.float32), np.asarray(valid, np.bool_)
