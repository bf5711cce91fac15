"""Error level analysis: re-save the picture as a JPEG at a known quality and map how
much each part changes.

Parts of a picture that went through the same compressions change about as much as
other parts of like detail; a region with another history (pasted, retouched,
re-rendered) can change notably more or less. Detail alone lights up edges and
textures, so the method compares each area's error level with that of the picture's
areas of like fine detail (the high-pass residual), and only a compact region far off
that picture-wide relation counts.
"""

from __future__ import annotations

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

METHOD = "ela"
#: The re-save quality: high, so the re-save itself adds little of its own.
ELA_QUALITY = 95
#: Robust standard deviations from the picture-wide relation for a region to count.
THRESHOLD = 4.0
#: The smallest spread (natural log units) the score is measured in: on a nearly uniform
#: map (a clear sky, a flat graphic), tiny differences must not become many deviations.
_SPREAD_FLOOR = 0.25
#: Keeps the log ratio finite and calm where both levels are near zero (grey levels).
_LEVEL_OFFSET = 0.25
#: Cells this close to black or white are clipped: they change little whatever happened.
_DARKEST, _BRIGHTEST = 8.0, 247.0
#: The heatmap's top colour: this quantile of the error level.
_SHOWN_QUANTILE = 99.0
_MIN_SHOWN_LEVEL = 1.0

LIMITS = (
    "Weak evidence on its own. Edges, fine textures, text and flat graphics change more "
    "or less than their surroundings in any picture; re-saving, resizing or filtering the "
    "whole picture evens out the levels and hides edits; and a region that stands out "
    "shows where to look, not that it was edited. It says nothing about pictures "
    "generated whole by AI."
)
GUIDE = (
    f"The picture was re-saved as a JPEG at quality {ELA_QUALITY}; the colour shows how "
    "much each part changed (dark purple: little, yellow: most), over a grey copy of the "
    "picture. In an untouched photo the colour follows the detail: edges and textures are "
    "brighter, smooth areas darker. Look for an area whose brightness does not match "
    "similar detail elsewhere, such as a face or a sign much brighter or darker than "
    "equally detailed surroundings. A cyan box marks the region the method found, if any."
)


def read_ela(source: Source, backdrop: Backdrop) -> MethodReading:
    deviation, level = ela_maps(source)
    valid, cell = deviation.valid, deviation.cell
    magnitude = CellMap(np.abs(deviation.values), valid, cell)
    anomaly = localize(magnitude, THRESHOLD, source.shape)
    ceiling = _MIN_SHOWN_LEVEL
    if level.size:
        ceiling = max(float(np.percentile(level, _SHOWN_QUANTILE)), _MIN_SHOWN_LEVEL)
    shown = CellMap(np.asarray(level / ceiling, np.float32), np.ones_like(valid), cell)
    details: dict[str, object] = {
        "quality": ELA_QUALITY,
        "mean_error_level": round(float(level.mean()) if level.size else 0.0, 3),
        "threshold": THRESHOLD,
    }
    if anomaly is None:
        explanation = (
            f"Error level analysis re-saved the picture at JPEG quality {ELA_QUALITY}: the "
            "change follows the picture's detail everywhere, and no region stands out."
        )
        boxes: tuple[tuple[int, int, int, int], ...] = ()
    else:
        brighter = float(deviation.values[anomaly.mask].mean()) > 0
        details |= anomaly.to_details() | {"region_changes": "more" if brighter else "less"}
        left, top, box_width, box_height = anomaly.box
        explanation = (
            f"Error level analysis re-saved the picture at JPEG quality {ELA_QUALITY}: a "
            f"region of about {anomaly.share:.1%} of the picture ({box_width}x{box_height} "
            f"pixels at {left},{top}) changed {'more' if brighter else 'less'} than its "
            "detail predicts, as content with a different compression history can."
        )
        boxes = (anomaly.box,)
    caption = f"error level at JPEG quality {ELA_QUALITY}"
    return MethodReading(
        method=METHOD,
        anomaly=anomaly is not None,
        explanation=explanation,
        limits=LIMITS,
        heatmap=render_levels(backdrop, shown, caption=caption, boxes=boxes),
        guide=GUIDE,
        details=details,
    )


def ela_maps(source: Source) -> tuple[CellMap, NDArray[np.float32]]:
    """How far each cell's error level departs from what its detail predicts (robust
    standard deviations, signed), and the error levels themselves."""
    height, width = source.shape
    cell = cell_size(height, width)
    level = cell_means(_error_levels(source.rgb), cell)
    detail = cell_means(source.residual, cell)
    brightness = cell_means(source.grey.astype(np.float32), cell)
    valid = (brightness > _DARKEST) & (brightness < _BRIGHTEST)
    expected = expected_levels(level, detail, valid)
    ratio = np.log((level + _LEVEL_OFFSET) / (expected + _LEVEL_OFFSET)).astype(np.float32)
    deviation = robust_z(smooth(ratio, valid), valid, _SPREAD_FLOOR)
    return CellMap(deviation, valid, cell), level


def _error_levels(rgb: NDArray[np.uint8]) -> NDArray[np.float32]:
    """Per pixel, the largest change of any colour channel when re-saved."""
    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    ok, encoded = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, ELA_QUALITY])
    if not ok:  # pragma: no cover - OpenCV always encodes an 8-bit BGR image
        raise RuntimeError("the picture could not be re-saved as a JPEG")
    resaved = np.asarray(cv2.imdecode(encoded, cv2.IMREAD_COLOR), np.uint8)
    blue, green, red = cv2.split(cv2.absdiff(bgr, resaved))
    # OpenCV's element-wise max is many times faster than numpy's along a short axis.
    return np.asarray(cv2.max(cv2.max(blue, green), red), np.float32)
