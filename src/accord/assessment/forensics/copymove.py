"""Copy-move detection: a part of the picture duplicated elsewhere in the same picture.

Cloning hides an object by copying background over it, or multiplies a crowd, smoke or
a sign. ORB keypoints are matched against the picture's own keypoints; a match counts
when it is clearly better than the next candidate (the generalized 2-nearest-neighbour
test) and joins two places well apart. A copied region then shows as many matches that
one geometric transform (shift, turn and scale, fitted by RANSAC) explains at once;
scattered look-alikes do not agree on one. Repeating structures (windows, tiles, fences)
also agree on a shift, but their matches interleave over one area, so the two regions
must not overlap.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from accord.assessment.forensics.heatmap import (
    CYAN,
    ORANGE,
    Backdrop,
    Box,
    encode,
    outline,
    with_legend,
)
from accord.assessment.forensics.reading import MethodReading
from accord.assessment.forensics.source import Source

METHOD = "copy_move"
#: Keypoints are found on the grey picture shrunk to this long side.
WORK_SIDE = 1024
_FEATURES = 3000
_FAST_THRESHOLD = 12
_NEIGHBOURS = 6
#: A match must be this much closer than the next candidate (ratio of Hamming distances).
_RATIO = 0.6
#: And close in absolute terms: bits of ORB's 256 that may differ.
_MAX_HAMMING = 48
#: Matched places must lie this share of the long side apart (at least _MIN_OFFSET pixels).
_OFFSET_SHARE = 0.03
_MIN_OFFSET = 12.0
_RANSAC_PIXELS = 3.0
_RANSAC_ITERATIONS = 2000
_RANSAC_CONFIDENCE = 0.995
#: The copy may be scaled within this range.
_MIN_SCALE, _MAX_SCALE = 0.5, 2.0
#: Consistent matches (at distinct places) for a copy-move to count, and to weigh more.
MIN_MATCHES = 12
MANY_MATCHES = 40
#: The two regions may overlap by at most this share of the smaller one.
_MAX_OVERLAP = 0.2
_MAX_CLUSTERS = 3
#: Places closer than this (work pixels) count as one, whatever their ORB scale level.
_DISTINCT = 4.0
#: Boxes reach this far (work pixels) past their keypoints: ORB describes a patch.
_BOX_MARGIN = 12
#: Match lines drawn at most, in light grey at partial opacity.
_SHOWN_LINES = 40
_LINE_COLOUR = (220, 220, 220)
_LINE_ALPHA = 0.6
#: The second-best far candidate, for the ratio test.
_RUNNER_UP = 2
#: A fitted transform this close to no rescaling or turning is called a plain shift.
_SAME_SCALE = 0.05
_SAME_ANGLE = 2.0

LIMITS = (
    "Weak evidence on its own. Repeating things (windows, tiles, fences, printed "
    "patterns, crowds of look-alike objects) can match innocently, and a copy moved only "
    "slightly so that it overlaps its source is not reported; a copy that was blurred, "
    "recoloured or heavily resized, a copy in a smooth area with few keypoints, and a "
    "picture shrunk or re-compressed hard afterwards can escape detection. It cannot tell "
    "which of the two regions is the original. It says nothing about pictures generated "
    "whole by AI."
)
GUIDE = (
    "The picture is shown in grey. A cyan box and an orange box mark two regions whose "
    "details match each other point for point, with thin lines joining matching points: "
    "one is probably a copy of the other, pasted to hide something or to repeat it. "
    "Check whether the two boxes really show the same content (the same leaves, bricks "
    "or faces) where nature would not repeat itself exactly. Regular repeating patterns "
    "such as windows can match innocently. With no boxes, no duplicated region was found."
)


@dataclass(frozen=True, slots=True)
class Duplicate:
    """Two regions that one transform maps onto each other."""

    #: Matched keypoints (picture pixels), source then target, row by row.
    source_points: NDArray[np.float64]
    target_points: NDArray[np.float64]
    source_box: Box
    target_box: Box
    scale: float
    rotation_degrees: float
    #: Matches at distinct places (a place can hold keypoints at several ORB scales).
    matches: int


def read_copy_move(source: Source, backdrop: Backdrop) -> MethodReading:
    duplicates = find_duplicates(source.grey)
    details: dict[str, object] = {"min_matches": MIN_MATCHES}
    if not duplicates:
        explanation = "No part of the picture was found duplicated elsewhere in it."
        return _reading(backdrop, duplicates, details, explanation)
    best = duplicates[0]
    height, width = source.shape
    share = (_area(best.source_box) + _area(best.target_box)) / max(1, height * width)
    offset = np.median(best.target_points - best.source_points, axis=0)
    details |= {
        "matches": best.matches,
        "source_box": list(best.source_box),
        "target_box": list(best.target_box),
        "offset": [round(float(value)) for value in offset],
        "scale": round(best.scale, 3),
        "rotation_degrees": round(best.rotation_degrees, 1),
        "area_share": round(share, 4),
        "regions_found": len(duplicates),
    }
    sx, sy, sw, sh = best.source_box
    tx, ty, tw, th = best.target_box
    explanation = (
        f"{best.matches} points of a {sw}x{sh} pixel region at {sx},{sy} match a "
        f"{tw}x{th} pixel region at {tx},{ty} under one consistent {_motion(best)}: part "
        "of the picture appears to have been copied onto another part of it."
    )
    return _reading(backdrop, duplicates, details, explanation)


def _motion(duplicate: Duplicate) -> str:
    words = ["shift"]
    if abs(duplicate.scale - 1) > _SAME_SCALE:
        words.append("rescaling")
    if abs(duplicate.rotation_degrees) > _SAME_ANGLE:
        words.append("turn")
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else words[0]


def find_duplicates(grey: NDArray[np.uint8]) -> list[Duplicate]:
    """Duplicated regions in the picture, the best supported first."""
    work, factor = _working(grey)
    orb = cv2.ORB.create(nfeatures=_FEATURES, fastThreshold=_FAST_THRESHOLD)
    keypoints, found_descriptors = orb.detectAndCompute(work, None)
    # OpenCV answers None for no keypoints, although its stubs do not say so.
    descriptors = _optional(found_descriptors)
    if descriptors is None or len(keypoints) <= _NEIGHBOURS:
        return []
    points = np.asarray(cv2.KeyPoint.convert(keypoints), np.float64)
    min_offset = max(_MIN_OFFSET, _OFFSET_SHARE * max(work.shape))
    pairs = _matched_pairs(points, np.asarray(descriptors, np.uint8), min_offset)
    found: list[Duplicate] = []
    remaining = pairs
    for _ in range(_MAX_CLUSTERS):
        if len(remaining) < MIN_MATCHES:
            break
        cluster, remaining = _consistent(points, remaining)
        if cluster is None:
            break
        duplicate = _duplicate(points, cluster, factor, work.shape, min_offset)
        if duplicate is not None:
            found.append(duplicate)
    return sorted(found, key=lambda duplicate: -duplicate.matches)


def _working(grey: NDArray[np.uint8]) -> tuple[NDArray[np.uint8], float]:
    """The grey picture at the working size, and picture pixels per working pixel."""
    height, width = grey.shape
    factor = max(1.0, max(height, width) / WORK_SIDE)
    if factor == 1.0:
        return grey, 1.0
    size = (max(1, round(width / factor)), max(1, round(height / factor)))
    return np.asarray(cv2.resize(grey, size, interpolation=cv2.INTER_AREA), np.uint8), factor


def _matched_pairs(
    points: NDArray[np.float64], descriptors: NDArray[np.uint8], min_offset: float
) -> NDArray[np.intp]:
    """Index pairs (i, j), i < j, of keypoints that match each other across a distance."""
    matcher = cv2.BFMatcher(cv2.NORM_HAMMING)
    found = matcher.knnMatch(descriptors, descriptors, k=_NEIGHBOURS)
    count = len(found)
    # Neighbour indices and distances as arrays, padded where fewer came back.
    others = np.full((count, _NEIGHBOURS), -1, np.intp)
    distances = np.full((count, _NEIGHBOURS), np.inf, np.float64)
    for query, neighbours in enumerate(found):
        others[query, : len(neighbours)] = [match.trainIdx for match in neighbours]
        distances[query, : len(neighbours)] = [match.distance for match in neighbours]
    # The keypoint itself, and its twins at other ORB scales nearby, are no copies.
    apart = np.hypot(*(points[others] - points[:, None, :]).transpose(2, 0, 1))
    far = (others >= 0) & (apart >= min_offset)
    rank = np.cumsum(far, axis=1)
    first = np.argmax(far & (rank == 1), axis=1)
    second = np.argmax(far & (rank == _RUNNER_UP), axis=1)
    rows = np.arange(count)
    best, runner_up = distances[rows, first], distances[rows, second]
    runner_up = np.where(rank[:, -1] >= _RUNNER_UP, runner_up, np.inf)
    keep = (rank[:, -1] >= 1) & (best <= _MAX_HAMMING) & (best < _RATIO * runner_up)
    query, other = rows[keep], others[rows[keep], first[keep]]
    pairs = np.unique(np.sort(np.stack([query, other], axis=1), axis=1), axis=0)
    return np.asarray(pairs, np.intp).reshape(-1, 2)


def _consistent(
    points: NDArray[np.float64], pairs: NDArray[np.intp]
) -> tuple[NDArray[np.intp] | None, NDArray[np.intp]]:
    """The largest set of pairs one transform explains (oriented source to target), and
    the pairs left over."""
    # Each pair goes in both ways round: the transform takes whichever way fits it.
    forward = np.vstack([pairs, pairs[:, ::-1]])
    fit = cv2.estimateAffinePartial2D(
        points[forward[:, 0]].astype(np.float32),
        points[forward[:, 1]].astype(np.float32),
        method=cv2.RANSAC,
        ransacReprojThreshold=_RANSAC_PIXELS,
        maxIters=_RANSAC_ITERATIONS,
        confidence=_RANSAC_CONFIDENCE,
    )
    inliers = _optional(fit[1])
    if _optional(fit[0]) is None or inliers is None:
        return None, pairs
    chosen = inliers.ravel().astype(bool)
    used = np.zeros(len(pairs), bool)
    used[np.flatnonzero(chosen) % len(pairs)] = True
    cluster = forward[chosen]
    # Keep one orientation of each pair, and only pairs that fit one way round.
    _, first = np.unique(np.flatnonzero(chosen) % len(pairs), return_index=True)
    return cluster[first], pairs[~used]


def _duplicate(
    points: NDArray[np.float64],
    cluster: NDArray[np.intp],
    factor: float,
    work_shape: tuple[int, ...],
    min_offset: float,
) -> Duplicate | None:
    """The cluster as a duplicate in picture pixels, if it holds up as one."""
    sources, targets = points[cluster[:, 0]], points[cluster[:, 1]]
    distinct = np.unique(np.round(sources / _DISTINCT), axis=0)
    if len(distinct) < MIN_MATCHES:
        return None
    if float(np.median(np.hypot(*(targets - sources).T))) < min_offset:
        return None
    model = _optional(
        cv2.estimateAffinePartial2D(
            sources.astype(np.float32), targets.astype(np.float32), method=cv2.LMEDS
        )[0]
    )
    if model is None:
        return None
    scale = float(math.hypot(model[0, 0], model[1, 0]))
    if not _MIN_SCALE <= scale <= _MAX_SCALE:
        return None
    source_box = _box(sources, work_shape)
    target_box = _box(targets, work_shape)
    if _overlap(source_box, target_box) > _MAX_OVERLAP:
        return None
    return Duplicate(
        source_points=sources * factor,
        target_points=targets * factor,
        source_box=_scaled(source_box, factor),
        target_box=_scaled(target_box, factor),
        scale=scale,
        rotation_degrees=math.degrees(math.atan2(model[1, 0], model[0, 0])),
        matches=len(distinct),
    )


def _optional(value: object) -> NDArray[np.float64] | None:
    """OpenCV returns None for "nothing found" although its stubs say otherwise."""
    return None if value is None else np.asarray(value, np.float64)


def _box(points: NDArray[np.float64], work_shape: tuple[int, ...]) -> Box:
    height, width = work_shape[:2]
    left = max(0, math.floor(points[:, 0].min()) - _BOX_MARGIN)
    top = max(0, math.floor(points[:, 1].min()) - _BOX_MARGIN)
    right = min(width, math.ceil(points[:, 0].max()) + _BOX_MARGIN)
    bottom = min(height, math.ceil(points[:, 1].max()) + _BOX_MARGIN)
    return left, top, right - left, bottom - top


def _scaled(box: Box, factor: float) -> Box:
    left, top, width, height = box
    return (
        round(left * factor),
        round(top * factor),
        round(width * factor),
        round(height * factor),
    )


def _area(box: Box) -> int:
    return box[2] * box[3]


def _overlap(first: Box, second: Box) -> float:
    """The two boxes' intersection as a share of the smaller one."""
    width = min(first[0] + first[2], second[0] + second[2]) - max(first[0], second[0])
    height = min(first[1] + first[3], second[1] + second[3]) - max(first[1], second[1])
    smaller = min(_area(first), _area(second))
    if width <= 0 or height <= 0 or smaller <= 0:
        return 0.0
    return width * height / smaller


def _reading(
    backdrop: Backdrop,
    duplicates: Sequence[Duplicate],
    details: dict[str, object],
    explanation: str,
) -> MethodReading:
    canvas = backdrop.grey.copy()
    for duplicate in duplicates:
        lines = canvas.copy()
        step = max(1, duplicate.matches // _SHOWN_LINES)
        for start, end in zip(
            duplicate.source_points[::step], duplicate.target_points[::step], strict=True
        ):
            begin = (round(start[0] * backdrop.scale), round(start[1] * backdrop.scale))
            finish = (round(end[0] * backdrop.scale), round(end[1] * backdrop.scale))
            cv2.line(lines, begin, finish, _LINE_COLOUR, 1, cv2.LINE_AA)
        canvas = np.asarray(
            cv2.addWeighted(lines, _LINE_ALPHA, canvas, 1 - _LINE_ALPHA, 0), np.uint8
        )
        outline(canvas, duplicate.source_box, backdrop.scale, CYAN)
        outline(canvas, duplicate.target_box, backdrop.scale, ORANGE)
    caption = "copy-move: cyan and orange regions match" if duplicates else "copy-move: none found"
    png = encode(with_legend(np.ascontiguousarray(canvas), caption, scale_bar=False))
    return MethodReading(
        method=METHOD,
        anomaly=bool(duplicates),
        explanation=explanation,
        limits=LIMITS,
        heatmap=png,
        guide=GUIDE,
        details=details,
        corroborated=bool(duplicates) and duplicates[0].matches >= MANY_MATCHES,
    )
