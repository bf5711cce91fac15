"""JPEG ghosts (Farid 2009): where part of a JPEG remembers an earlier, lower quality.

Re-saving a JPEG at the quality it was saved at changes it little; at other qualities it
changes more. A region that was once saved at a lower quality than the rest, as content
cut from another JPEG and pasted in usually was, still changes unusually little when the
picture is re-saved at that lower quality: a "ghost" of its first compression. The
method re-quantizes the luminance at a grid of qualities (on the DCT coefficients, see
``jpeg``: a dozen real re-saves of a 12 MP photo would take seconds), normalizes each
area's change across qualities (so that detail cancels out), and looks for a compact
region that dips well below the rest at one quality.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from accord.assessment.forensics.grid import CellMap, to_stored, to_upright
from accord.assessment.forensics.heatmap import Backdrop, render_levels
from accord.assessment.forensics.jpeg import (
    BLOCK,
    ac_energy,
    block_coefficients,
    requantization_error,
)
from accord.assessment.forensics.reading import MethodReading
from accord.assessment.forensics.regions import Anomaly, localize
from accord.assessment.forensics.source import Source

METHOD = "jpeg_ghost"
#: The qualities tried: a ghost is looked for at those well below the file's own.
QUALITIES = tuple(range(35, 100, 5))
#: Qualities within this margin of the file's own are not ghosts: every area dips there.
_OWN_QUALITY_MARGIN = 5
#: How far below the picture's typical normalized change (0 to 1) an area must dip.
THRESHOLD = 0.3
#: Blocks examined at most: above it, every n-th block each way (a ghost is many blocks).
MAX_BLOCKS = 32_768
#: Blocks with less detail than this (mean squared AC coefficient) cannot show a ghost.
_FLAT_ENERGY = 4.0
_MIN_SPAN = 1e-3
_MIN_BLOCKS_PER_SIDE = 4

LIMITS = (
    "Weak evidence on its own. It works only on JPEG files, and only when the pasted "
    "content was first saved at a clearly lower quality than the final file and kept "
    "its 8x8 block alignment; re-saving the whole picture at a low quality, resizing or "
    "cropping off the block grid erases ghosts; smooth areas cannot be measured. A "
    "camera's own tables and re-saving by social networks can leave ghosts of their "
    "own. It says nothing about pictures generated whole by AI."
)
GUIDE = (
    "The picture was re-compressed at a range of JPEG qualities. The colour shows, at "
    "the quality named below the picture, how much less each area changed than the "
    "picture's typical area (dark purple: like the rest, yellow: much less), over a grey "
    "copy of the picture; uncoloured areas are too smooth to measure. An area that was "
    "once saved at that lower quality, typically content pasted in from another JPEG, "
    "shows as a bright patch: its ghost. A cyan box marks the region the method found, "
    "if any."
)


@dataclass(frozen=True, slots=True)
class _Ghosts:
    """For each candidate quality, how far each area's normalized change dips below the
    picture's median (upright maps, on one grid), and that median."""

    qualities: list[int]
    dips: list[CellMap]
    medians: list[float]


def read_ghost(source: Source, backdrop: Backdrop) -> MethodReading | None:
    """The ghost reading of a JPEG; None for other files."""
    if source.jpeg is None:
        return None
    own = source.jpeg.quality
    candidates = [q for q in QUALITIES if q <= own - _OWN_QUALITY_MARGIN]
    ghosts = _ghosts(source, candidates) if candidates else None
    details: dict[str, object] = {
        "file_quality": own,
        "standard_tables": source.jpeg.standard_table,
        "qualities_tried": list(QUALITIES),
        "threshold": THRESHOLD,
    }
    if ghosts is None:
        reason = (
            "the file was saved at too low a quality for an earlier, lower one to show"
            if not candidates
            else "the picture is too small or too smooth to measure"
        )
        explanation = f"No JPEG ghost could be looked for: {reason}."
        return _reading(backdrop, None, details, explanation)
    found = {
        quality: anomaly
        for quality, dip in zip(ghosts.qualities, ghosts.dips, strict=True)
        if (anomaly := localize(dip, THRESHOLD, source.shape)) is not None
    }
    if not found:
        shown = int(np.argmax([_peak(dip) for dip in ghosts.dips]))
        explanation = (
            f"Re-compressing at qualities {candidates[0]} to {candidates[-1]} (the file "
            f"itself is at about {own}) shows no region with a ghost of an earlier, lower "
            "quality."
        )
        return _reading(backdrop, (ghosts.dips[shown], candidates[shown]), details, explanation)
    strongest = max(found.values(), key=lambda anomaly: anomaly.score * anomaly.share)
    quality = _ghost_quality(ghosts, strongest)
    anomaly = found.get(quality, strongest)
    details |= anomaly.to_details() | {"ghost_quality": quality}
    left, top, width, height = anomaly.box
    explanation = (
        f"A region of about {anomaly.share:.1%} of the picture ({width}x{height} pixels at "
        f"{left},{top}) shows a JPEG ghost at quality {quality}, while the file is at about "
        f"{own}: that region was probably once saved at a lower quality than the rest, as "
        "content pasted from another JPEG often is."
    )
    shown_dip = ghosts.dips[candidates.index(quality)]
    return _reading(backdrop, (shown_dip, quality), details, explanation, anomaly)


def _ghost_quality(ghosts: _Ghosts, anomaly: Anomaly) -> int:
    """The quality the region's ghost lies at: where the region's own change, across
    qualities, bottoms out furthest below the picture's (a local minimum, as a ghost is),
    else where it lies furthest below."""
    dips = [float(dip.values[anomaly.mask].mean()) for dip in ghosts.dips]
    curve = [median - dip for median, dip in zip(ghosts.medians, dips, strict=True)]
    last = len(curve) - 1
    # The top candidate has no higher neighbour to rise to: changes keep falling towards
    # the file's own quality, so it is a ghost only when it is the only one.
    minima = [
        index
        for index in range(len(curve))
        if (index == 0 or curve[index] <= curve[index - 1])
        and ((index < last and curve[index] <= curve[index + 1]) or last == 0)
    ]
    best = max(minima or range(len(curve)), key=lambda index: dips[index])
    return ghosts.qualities[best]


def _ghosts(source: Source, candidates: list[int]) -> _Ghosts | None:
    """The ghost maps at each candidate quality, or None when too little can be measured."""
    assert source.jpeg is not None  # noqa: S101 - read_ghost checked it
    orientation = source.jpeg.orientation
    stored = to_stored(source.rgb, orientation)
    blocks = (stored.shape[0] // BLOCK) * (stored.shape[1] // BLOCK)
    stride = max(1, math.ceil(math.sqrt(blocks / MAX_BLOCKS)))
    coefficients = block_coefficients(stored, stride=stride)
    if min(coefficients.shape[:2]) < _MIN_BLOCKS_PER_SIDE:
        return None
    changes = np.stack(
        [cv2.blur(requantization_error(coefficients, q), (3, 3)) for q in QUALITIES], axis=-1
    )
    low, high = changes.min(axis=-1), changes.max(axis=-1)
    detail = cv2.blur(ac_energy(coefficients), (3, 3))
    valid = (detail >= _FLAT_ENERGY) & (high - low > _MIN_SPAN)
    if not valid.any():
        return None
    # Each area's change across qualities, from 0 at its least to 1 at its most: detail
    # sets the scale of the change, not the shape of the curve.
    normalized = (changes - low[..., None]) / np.maximum(high - low, _MIN_SPAN)[..., None]
    cell = BLOCK * stride
    dips, medians = [], []
    for quality in candidates:
        plane = normalized[..., QUALITIES.index(quality)]
        median = float(np.median(plane[valid]))
        dip = np.where(valid, median - plane, 0).astype(np.float32)
        dips.append(to_upright(CellMap(dip, valid, cell), orientation, source.shape))
        medians.append(median)
    return _Ghosts(candidates, dips, medians)


def _peak(dip: CellMap) -> float:
    inside = dip.values[dip.valid]
    return float(np.percentile(inside, 99)) if inside.size else 0.0


def _reading(
    backdrop: Backdrop,
    shown: tuple[CellMap, int] | None,
    details: dict[str, object],
    explanation: str,
    anomaly: Anomaly | None = None,
) -> MethodReading:
    if shown is None:
        levels = CellMap(np.zeros((0, 0), np.float32), np.zeros((0, 0), np.bool_), BLOCK)
        caption = "no ghost measured"
    else:
        dip, quality = shown
        level: NDArray[np.float32] = np.clip(dip.values / (2 * THRESHOLD), 0, 1)
        levels = CellMap(level, dip.valid, dip.cell, dip.origin)
        caption = f"ghost at JPEG quality {quality}"
    boxes = () if anomaly is None else (anomaly.box,)
    return MethodReading(
        method=METHOD,
        anomaly=anomaly is not None,
        explanation=explanation,
        limits=LIMITS,
        heatmap=render_levels(backdrop, levels, caption=caption, boxes=boxes),
        guide=GUIDE,
        details=details,
    )
