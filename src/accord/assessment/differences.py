"""Where a copy differs from its authentic original: align, compare, map the changes.

The original is aligned onto the copy (ORB keypoints and a RANSAC homography, so crops,
rescales and screenshots line up; a plain resize when the keypoints cannot agree), both
are blurred slightly so that compression noise does not count, and the difference is
measured against the local texture. Connected areas that differ beyond that are the
changed regions: a swapped face, an inserted sign, a replaced caption.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

_WORK_LONG_SIDE = 768
_MIN_MATCHES = 12
_RANSAC_PIXELS = 4.0
#: How far a pixel may differ, in units of local texture, before it counts as changed.
_CHANGE_SCORE = 3.0
#: A changed region must cover at least this share of the compared area.
MIN_REGION_SHARE = 0.002
_MAX_REGIONS = 10
_CLIPPED = 8
_EDGE_MARGIN = 0.03
#: Copies smaller than this (short side, pixels) are too coarse to compare.
MIN_COMPARED_SIDE = 160


@dataclass(frozen=True, slots=True)
class Region:
    #: Bounding box in the copy's pixels: left, top, width, height.
    box: tuple[int, int, int, int]
    #: Share of the compared area.
    share: float


@dataclass(frozen=True, slots=True)
class Comparison:
    regions: tuple[Region, ...]
    #: Share of the copy that the original covers after alignment.
    overlap: float
    #: How the original was aligned: "homography" or "resize".
    alignment: str
    #: The copy greyed, with changed regions in red and outlined (PNG).
    map_png: bytes

    @property
    def changed_share(self) -> float:
        return sum(region.share for region in self.regions)


def compare(original: NDArray[np.uint8], copy: NDArray[np.uint8]) -> Comparison:
    """Align ``original`` (RGB) onto ``copy`` (RGB) and find where they differ."""
    small_copy, scale = _working(copy)
    small_original, _ = _working(original)
    grey_copy = np.asarray(cv2.cvtColor(small_copy, cv2.COLOR_RGB2GRAY), np.uint8)
    grey_original = np.asarray(cv2.cvtColor(small_original, cv2.COLOR_RGB2GRAY), np.uint8)
    warp = _homography(grey_original, grey_copy)
    height, width = grey_copy.shape
    if warp is None:
        aligned = cv2.resize(small_original, (width, height), interpolation=cv2.INTER_AREA)
        inside = np.ones_like(grey_copy, np.uint8)
        alignment = "resize"
    else:
        aligned = cv2.warpPerspective(small_original, warp, (width, height))
        warped = cv2.warpPerspective(np.ones_like(grey_original), warp, (width, height))
        # The warp's edges blur: leave them out.
        inside = np.asarray(cv2.erode(warped, np.ones((9, 9), np.uint8)), np.uint8)
        alignment = "homography"
    # Resampling rings along the picture's own edges too: leave a margin out.
    margin = max(2, round(_EDGE_MARGIN * min(height, width)))
    inside[:margin], inside[-margin:], inside[:, :margin], inside[:, -margin:] = 0, 0, 0, 0
    # Luminance and the two colour axes: a pasted patch may keep the brightness it covers.
    channels = zip(
        cv2.split(cv2.cvtColor(np.asarray(aligned, np.uint8), cv2.COLOR_RGB2LAB)),
        cv2.split(cv2.cvtColor(small_copy, cv2.COLOR_RGB2LAB)),
        strict=True,
    )
    # Where the copy is clipped to black, or any channel to full, a brightness change
    # looks like an edit.
    darkest = cv2.GaussianBlur(grey_copy, (0, 0), 2.0)
    brightest = cv2.GaussianBlur(np.asarray(small_copy.max(axis=2), np.uint8), (0, 0), 2.0)
    compared = inside * ((darkest > _CLIPPED) & (brightest < 255 - _CLIPPED))
    changed = np.zeros_like(grey_copy)
    for before, after in channels:
        changed |= _changes(np.asarray(before, np.uint8), np.asarray(after, np.uint8), compared)
    changed = _tidy(changed)
    overlap = float(inside.mean())
    regions = _regions(changed, inside, scale)
    return Comparison(regions, overlap, alignment, _map(small_copy, changed))


def _working(pixels: NDArray[np.uint8]) -> tuple[NDArray[np.uint8], float]:
    height, width = pixels.shape[:2]
    scale = min(1.0, _WORK_LONG_SIDE / max(height, width))
    if scale == 1.0:
        return np.ascontiguousarray(pixels), 1.0
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return np.asarray(cv2.resize(pixels, size, interpolation=cv2.INTER_AREA), np.uint8), scale


def _homography(original: NDArray[np.uint8], copy: NDArray[np.uint8]) -> NDArray[np.float64] | None:
    orb = cv2.ORB.create(nfeatures=2000)
    points_original, described_original = orb.detectAndCompute(original, None)
    points_copy, described_copy = orb.detectAndCompute(copy, None)
    if len(points_original) < _MIN_MATCHES or len(points_copy) < _MIN_MATCHES:
        return None
    matcher = cv2.BFMatcher(cv2.NORM_HAMMING, crossCheck=True)
    matches = matcher.match(described_original, described_copy)
    if len(matches) < _MIN_MATCHES:
        return None
    source = np.array([points_original[m.queryIdx].pt for m in matches], np.float32)
    target = np.array([points_copy[m.trainIdx].pt for m in matches], np.float32)
    warp, inliers = cv2.findHomography(source, target, cv2.RANSAC, _RANSAC_PIXELS)
    # OpenCV answers None when RANSAC fails (its stubs do not say so).
    if np.asarray(warp).shape != (3, 3) or int(np.asarray(inliers).sum()) < _MIN_MATCHES:
        return None
    return np.asarray(warp, np.float64)


def _changes(
    aligned: NDArray[np.uint8], copy: NDArray[np.uint8], compared: NDArray[np.uint8]
) -> NDArray[np.uint8]:
    """Pixels of one channel that differ beyond compression noise and the local texture."""
    a = cv2.GaussianBlur(aligned.astype(np.float32), (0, 0), 1.5)
    b = cv2.GaussianBlur(copy.astype(np.float32), (0, 0), 1.5)
    # Brightness and contrast changes of the whole copy are not edits: match them.
    valid = compared > 0
    if valid.sum() > 0:
        gain = float(b[valid].std()) / (float(a[valid].std()) + 1e-6)
        a = (a - float(a[valid].mean())) * gain + float(b[valid].mean())
    texture = cv2.GaussianBlur(np.abs(b - cv2.GaussianBlur(b, (0, 0), 3.0)), (0, 0), 3.0)
    score = np.abs(a - b) / (texture + 4.0)
    return np.asarray((score > _CHANGE_SCORE) & valid, np.uint8)


def _tidy(changed: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Drop isolated specks, join the pieces of one region."""
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
    opened = cv2.morphologyEx(changed, cv2.MORPH_OPEN, kernel)
    return np.asarray(cv2.morphologyEx(opened, cv2.MORPH_CLOSE, kernel, iterations=2), np.uint8)


def _regions(
    changed: NDArray[np.uint8], inside: NDArray[np.uint8], scale: float
) -> tuple[Region, ...]:
    area = max(1, int(inside.sum()))
    count, _, stats, _ = cv2.connectedComponentsWithStats(changed, connectivity=8)
    found = []
    for label in range(1, count):
        left, top, width, height, pixels = (int(v) for v in stats[label])
        share = pixels / area
        if share >= MIN_REGION_SHARE:
            box = tuple(round(v / scale) for v in (left, top, width, height))
            found.append(Region((box[0], box[1], box[2], box[3]), share))
    found.sort(key=lambda region: -region.share)
    return tuple(found[:_MAX_REGIONS])


def _map(copy: NDArray[np.uint8], changed: NDArray[np.uint8]) -> bytes:
    grey = cv2.cvtColor(cv2.cvtColor(copy, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2BGR)
    shown = (grey * 0.6).astype(np.uint8)
    red = np.zeros_like(shown)
    red[..., 2] = 255
    mask = changed > 0
    shown[mask] = (0.4 * shown[mask] + 0.6 * red[mask]).astype(np.uint8)
    contours, _ = cv2.findContours(changed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    cv2.drawContours(shown, contours, -1, (0, 255, 255), 2)
    ok, encoded = cv2.imencode(".png", shown)
    if not ok:  # pragma: no cover - OpenCV always encodes a PNG of an 8-bit image
        raise RuntimeError("the difference map could not be encoded")
    return encoded.tobytes()
