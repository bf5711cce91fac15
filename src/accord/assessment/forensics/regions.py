"""From a map of anomaly scores to one localized region, or none.

A method's map counts as showing a localized anomaly only when the cells over its
threshold gather into one compact region: big enough not to be a speck, small enough
not to be the picture's own character (a sky, a texture), and holding most of what was
flagged rather than one patch among scattered false alarms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from accord.assessment.forensics.grid import CellMap

#: A region needs this many cells, this many pixels each way, and this share of the
#: measured area: a few JPEG blocks along a letter or a branch are no splice...
MIN_CELLS = 6
MIN_SIDE = 64
MIN_SHARE = 0.002
#: ...and at most this share: larger "regions" are the picture's own make-up.
MAX_SHARE = 0.35
#: Flagged cells in all, as a share of the measured area, beyond which nothing is localized.
MAX_FLAGGED = 0.45
#: The region must hold at least this share of all flagged cells.
MIN_CONCENTRATION = 0.4
#: ...and must fill this share of its bounding box: pasted content is a solid blob,
#: false alarms are often a thin network along edges or textures.
MIN_FILL = 0.3
#: Too few measurable cells to tell a region from the rest.
MIN_VALID_CELLS = 48


@dataclass(frozen=True, slots=True)
class Anomaly:
    """A localized region that stands out on a method's map."""

    #: Share of the measured area it covers.
    share: float
    #: Bounding box in the upright picture's pixels: left, top, width, height.
    box: tuple[int, int, int, int]
    #: The mean score inside it (in the method's own units).
    score: float
    #: Its cells, on the map's grid.
    mask: NDArray[np.bool_]

    def to_details(self) -> dict[str, Any]:
        return {
            "area_share": round(self.share, 4),
            "box": list(self.box),
            "score": round(self.score, 3),
        }


def localize(scores: CellMap, threshold: float, picture: tuple[int, int]) -> Anomaly | None:
    """The region where ``scores`` clear ``threshold``, if it is localized; else None."""
    valid = scores.valid
    measured = int(valid.sum())
    if measured < MIN_VALID_CELLS:
        return None
    flagged = ((scores.values >= threshold) & valid).astype(np.uint8)
    # Opening drops single-cell specks; closing fills the small holes of a real region.
    kernel = np.ones((3, 3), np.uint8)
    opened = cv2.morphologyEx(flagged, cv2.MORPH_OPEN, kernel)
    flagged = np.asarray(cv2.morphologyEx(opened, cv2.MORPH_CLOSE, kernel), np.uint8) & valid
    total = int(flagged.sum())
    if total == 0 or total > MAX_FLAGGED * measured:
        return None
    _, labels, stats, _ = cv2.connectedComponentsWithStats(flagged, connectivity=8)
    label = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    cells = int(stats[label, cv2.CC_STAT_AREA])
    share = cells / measured
    left, top, width, height = (int(stats[label, index]) for index in range(4))
    if cells < MIN_CELLS or min(width, height) * scores.cell < MIN_SIDE:
        return None
    if not MIN_SHARE <= share <= MAX_SHARE:
        return None
    if cells < MIN_CONCENTRATION * total or cells < MIN_FILL * width * height:
        return None
    mask = labels == label
    return Anomaly(
        share=share,
        box=_pixel_box((left, top, width, height), scores, picture),
        score=float(scores.values[mask].mean()),
        mask=mask,
    )


def _pixel_box(
    cells: tuple[int, int, int, int], scores: CellMap, picture: tuple[int, int]
) -> tuple[int, int, int, int]:
    left, top, width, height = cells
    x0, y0 = scores.origin
    picture_height, picture_width = picture
    x = min(x0 + left * scores.cell, picture_width)
    y = min(y0 + top * scores.cell, picture_height)
    right = min(x0 + (left + width) * scores.cell, picture_width)
    bottom = min(y0 + (top + height) * scores.cell, picture_height)
    return x, y, right - x, bottom - y
