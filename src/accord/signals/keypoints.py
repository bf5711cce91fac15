"""ORB keypoints with geometric verification: the second image signal, for crops and frames.

PDQ sees a picture as a whole, so a copy cropped by 10 % per side, or shown small inside a
screenshot's app frame, is as far from its original as an unrelated photo. Local features
survive both: this signal keeps up to 512 ORB keypoints of the picture (position and 256-bit
descriptor) and two values match when enough descriptor matches agree on one similarity
transform (RANSAC). It is heavy (about 25 KB a value, ~10 ms to compute), so it is not
computed by default: callers ask for it when PDQ found nothing.

Extraction. The picture is brought to about ``WORKING_AREA`` pixels (at most 3x upscaled:
a 128-pixel picture works at 384, so a quarter cropped off each side still leaves corners),
ORB detects up to ``CANDIDATE_POOL`` corners over a 5-level pyramid (factor 1.4), and the
kept keypoints are spread round-robin over an 8x8 grid *per pyramid level*: crisp text in a
UI frame would otherwise take every slot, and a photo shown at half size in a screenshot
only matches the reference's coarse levels. A picture with fewer corners than it keeps (a
calm sea, a blurred background) is looked at again with a low contrast threshold
(``LOW_CONTRAST_FAST_THRESHOLD``): at the usual one a 256-pixel sea photo has 5 corners and
no copy of it can be found; textured photos, with thousands, are detected once as before.

Value: ``orb1:`` then standard base64 of, little-endian: working width and height
(uint16 each), keypoint count n (uint16), n (x, y) positions as uint16 fractions of the
width and height (0..65535), then n 32-byte descriptors, strongest-first per grid cell.

Distance: ``100 - inliers`` (never below 0), where inliers are the mutual-nearest descriptor
matches (ratio test 0.9, Hamming <= 64) consistent with the RANSAC similarity transform;
identical values are 0. A match needs ``MIN_INLIERS`` (12) inliers: threshold 88. Unrelated
photos measured at most 9 inliers (see benchmarks/second_stage.py and small_pictures.py).
"""

from __future__ import annotations

import base64
import binascii
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import NDArray

from accord.errors import InvalidSignal
from accord.media.kinds import MediaKind
from accord.signals.base import Compared, Signal, SignalType, Subject

if TYPE_CHECKING:
    import cv2

PREFIX = "orb1:"
#: Pixels of the picture ORB works on: ~565x354 for 16:10; cost grows with it.
WORKING_AREA = 200_000
MAX_UPSCALE = 3.0
#: Longest working side, so very long strips still fit the uint16 header.
MAX_SIDE = 4096
MAX_KEYPOINTS = 512
#: Corners ORB scores before the grid picks; a small pool starves low-contrast photo
#: regions in favour of UI text.
CANDIDATE_POOL = 4000
SCALE_FACTOR, LEVELS, PATCH_SIZE, FAST_THRESHOLD, GRID = 1.4, 5, 19, 10, 8
#: FAST's threshold for a second look at a picture with fewer than ``MAX_KEYPOINTS`` corners.
LOW_CONTRAST_FAST_THRESHOLD = 5
DESCRIPTOR_BYTES = 32
#: Fewer keypoints than this: a flat or tiny picture, kept but marked unreliable.
MIN_RELIABLE_KEYPOINTS = 64
MAX_MATCH_DISTANCE = 64
RATIO = 0.9
#: RANSAC tolerance as a fraction of the reference's working size (~6.7 px).
RANSAC_TOLERANCE = 0.015
MIN_INLIERS = 12
FULL_MATCH_INLIERS = 100
THRESHOLD = FULL_MATCH_INLIERS - MIN_INLIERS
#: A transform scaling by more than this either way is a degenerate fit, not a copy.
MAX_SCALE = 8.0
#: Share of a picture a mapped frame must cover to count as the whole of it.
WHOLE = 0.9

_HEADER = struct.Struct("<HHH")
_POINT_BYTES = 4
_MAX_VALUE_LENGTH = len(PREFIX) + 4 * -(-(_HEADER.size + MAX_KEYPOINTS * 36) // 3)

MatchKind = Literal["crop", "contains", "partial", "similar", "none"]
Region = tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class Keypoints:
    """A decoded value: working size, normalised positions and descriptors, row by row."""

    width: int
    height: int
    #: (n, 2) uint16 fractions of width and height, 65535 = the far edge.
    points: NDArray[np.uint16]
    #: (n, 32) uint8 ORB descriptors.
    descriptors: NDArray[np.uint8]

    def __len__(self) -> int:
        return len(self.descriptors)

    def pixels(self) -> NDArray[np.float32]:
        """Positions in working-size pixels, the frame RANSAC measures in."""
        scale = np.array([self.width, self.height], np.float32) / 65535
        return np.asarray(self.points * scale, np.float32)


@dataclass(frozen=True, slots=True)
class Verification:
    """How a query picture lies inside a reference, if it does."""

    inliers: int
    #: 2x3 similarity from query to reference working pixels; None without a fit.
    transform: NDArray[np.float64] | None = None
    #: The query's footprint in the reference, as fractions [x0, y0, x1, y1], clipped.
    region: Region | None = None
    #: crop: the query is part of the reference; contains: the reference is part of the
    #: query (a screenshot); partial: each shows part of the other; similar: same framing.
    kind: MatchKind = "none"

    @property
    def distance(self) -> float:
        return distance_from_inliers(self.inliers)


NO_MATCH = Verification(0)


def distance_from_inliers(inliers: int) -> float:
    return float(max(0, FULL_MATCH_INLIERS - inliers))


def encode_keypoints(keypoints: Keypoints) -> str:
    header = _HEADER.pack(keypoints.width, keypoints.height, len(keypoints))
    payload = (
        header
        + keypoints.points.astype("<u2").tobytes()
        + keypoints.descriptors.astype(np.uint8).tobytes()
    )
    return PREFIX + base64.b64encode(payload).decode("ascii")


def decode_keypoints(value: str) -> Keypoints:
    """Parse a value strictly; raise ``InvalidSignal`` for anything else."""
    text = value.strip()
    if not text.startswith(PREFIX) or len(text) > _MAX_VALUE_LENGTH:
        raise InvalidSignal(f"an orb value starts with {PREFIX!r} and is at most 25 KB")
    try:
        payload = binascii.a2b_base64(text[len(PREFIX) :], strict_mode=True)
    except binascii.Error as error:
        raise InvalidSignal(f"an orb value is base64 after {PREFIX!r}: {error}") from None
    if len(payload) < _HEADER.size:
        raise InvalidSignal("an orb value is too short for its header")
    width, height, count = _HEADER.unpack_from(payload)
    expected = _HEADER.size + count * (_POINT_BYTES + DESCRIPTOR_BYTES)
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE) or count > MAX_KEYPOINTS:
        raise InvalidSignal(f"an orb value has a bad size {width}x{height} or count {count}")
    if len(payload) != expected:
        raise InvalidSignal(f"an orb value of {count} keypoints has {expected} bytes")
    points_end = _HEADER.size + count * _POINT_BYTES
    points = np.frombuffer(payload, "<u2", count * 2, _HEADER.size).reshape(count, 2)
    descriptors = np.frombuffer(payload, np.uint8, offset=points_end).reshape(
        count, DESCRIPTOR_BYTES
    )
    return Keypoints(width, height, points.astype(np.uint16), descriptors.copy())


def extract_keypoints(rgb: NDArray[np.uint8]) -> Keypoints:
    """The keypoints of an RGB (or grey) picture."""
    import cv2  # noqa: PLC0415 - OpenCV takes half a second to import

    colour = rgb.ndim == 3  # noqa: PLR2004 - (height, width, channels)
    gray = _working_size(np.asarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY) if colour else rgb))
    height, width = gray.shape
    orb = _orb(FAST_THRESHOLD)
    found = orb.detect(gray, None)
    if len(found) < MAX_KEYPOINTS:  # a calm picture: look again for fainter corners
        orb = _orb(LOW_CONTRAST_FAST_THRESHOLD)
        found = orb.detect(gray, None)
    if not found:
        return _empty(width, height)
    chosen = _spread(found, width, height)
    kept, descriptors = orb.compute(gray, [found[index] for index in chosen])
    if not kept or _optional(descriptors) is None:
        return _empty(width, height)
    positions = np.asarray(cv2.KeyPoint.convert(kept), np.float64)
    scale = 65535 / np.array([width, height], np.float64)
    points = np.clip(np.rint(positions * scale), 0, 65535).astype(np.uint16)
    return Keypoints(width, height, points, np.asarray(descriptors, np.uint8))


def _orb(fast_threshold: int) -> cv2.ORB:
    import cv2  # noqa: PLC0415

    return cv2.ORB.create(
        nfeatures=CANDIDATE_POOL,
        scaleFactor=SCALE_FACTOR,
        nlevels=LEVELS,
        edgeThreshold=PATCH_SIZE,
        patchSize=PATCH_SIZE,
        fastThreshold=fast_threshold,
    )


def _working_size(gray: NDArray[np.uint8]) -> NDArray[np.uint8]:
    import cv2  # noqa: PLC0415

    height, width = gray.shape
    scale = min(MAX_UPSCALE, (WORKING_AREA / (width * height)) ** 0.5, MAX_SIDE / max(gray.shape))
    # Area averaging by a whole factor is fast; the remainder is bilinear.
    factor = int(1 / scale)
    if factor >= 2:  # noqa: PLR2004 - the smallest whole reduction
        size = (max(1, width // factor), max(1, height // factor))
        gray = np.asarray(cv2.resize(gray, size, interpolation=cv2.INTER_AREA), np.uint8)
        scale *= factor
    size = (max(1, round(gray.shape[1] * scale)), max(1, round(gray.shape[0] * scale)))
    if size != (gray.shape[1], gray.shape[0]):
        gray = np.asarray(cv2.resize(gray, size, interpolation=cv2.INTER_LINEAR), np.uint8)
    return gray


def _spread(found: Sequence[cv2.KeyPoint], width: int, height: int) -> NDArray[np.intp]:
    """Indices of the keypoints to keep: strongest first within each (level, cell)."""
    import cv2  # noqa: PLC0415

    count = len(found)
    xy = np.asarray(cv2.KeyPoint.convert(found), np.float32).reshape(count, 2)
    # Two C-level passes: building tuples of every attribute costs ~1 us a keypoint.
    response = np.fromiter((k.response for k in found), np.float32, count)
    level = np.fromiter((k.octave for k in found), np.int64, count)
    cell_x = np.minimum((xy[:, 0] * (GRID / width)).astype(np.int64), GRID - 1)
    cell_y = np.minimum((xy[:, 1] * (GRID / height)).astype(np.int64), GRID - 1)
    bucket = (level * GRID + cell_y) * GRID + cell_x
    order = np.lexsort((-response, bucket))
    sorted_buckets = bucket[order]
    starts = np.flatnonzero(np.r_[True, sorted_buckets[1:] != sorted_buckets[:-1]])
    rank = np.empty(count, np.int64)
    rank[order] = np.arange(count) - np.repeat(starts, np.diff(np.r_[starts, count]))
    return np.lexsort((-response, rank))[:MAX_KEYPOINTS]


def _empty(width: int, height: int) -> Keypoints:
    return Keypoints(
        width,
        height,
        np.zeros((0, 2), np.uint16),
        np.zeros((0, DESCRIPTOR_BYTES), np.uint8),
    )


def hamming_matrix(a: NDArray[np.uint8], b: NDArray[np.uint8]) -> NDArray[np.int32]:
    """All Hamming distances between two sets of descriptors, as an (len(a), len(b)) array."""
    import faiss  # noqa: PLC0415 - FAISS takes half a second to import

    left, right = np.ascontiguousarray(a), np.ascontiguousarray(b)
    out = np.empty((len(left), len(right)), np.int32)
    if out.size:
        faiss.hammings(  # type: ignore[attr-defined]  # not in FAISS stubs
            faiss.swig_ptr(left),
            faiss.swig_ptr(right),
            len(left),
            len(right),
            DESCRIPTOR_BYTES,
            faiss.swig_ptr(out),
        )
    return out


def match_descriptors(
    query: NDArray[np.uint8], reference: NDArray[np.uint8]
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Mutual nearest neighbours passing the ratio test: (query rows, reference rows)."""
    if len(query) == 0 or len(reference) == 0:
        empty = np.zeros(0, np.intp)
        return empty, empty
    distances = hamming_matrix(query, reference)
    rows = np.arange(len(query))
    best = distances.argmin(axis=1)
    nearest = distances[rows, best]
    back = distances.argmin(axis=0)
    distances[rows, best] = np.iinfo(np.int32).max
    second = distances.min(axis=1) if distances.shape[1] > 1 else np.full(len(rows), 1 << 20)
    keep = (nearest <= MAX_MATCH_DISTANCE) & (nearest < RATIO * second) & (back[best] == rows)
    return rows[keep], best[keep]


def verify(query: Keypoints, reference: Keypoints) -> Verification:
    """Whether ``query`` shows (part of) ``reference``, and where.

    The inlier count does not depend on the order of the two: the ratio test and RANSAC
    are not symmetric, so the pair is always matched in one canonical order and the
    transform inverted when that order is the other one.
    """
    if _order_key(query) <= _order_key(reference):
        return _verify_directed(query, reference)
    backwards = _verify_directed(reference, query)
    if backwards.transform is None:
        return backwards
    matrix = _invert(backwards.transform)
    region, kind = _placement(matrix, query, reference)
    return Verification(backwards.inliers, matrix, region, kind)


def _order_key(keypoints: Keypoints) -> tuple[int, int, int, bytes, bytes]:
    return (
        keypoints.width,
        keypoints.height,
        len(keypoints),
        keypoints.descriptors.tobytes(),
        keypoints.points.astype("<u2").tobytes(),
    )


def _verify_directed(query: Keypoints, reference: Keypoints) -> Verification:
    query_rows, reference_rows = match_descriptors(query.descriptors, reference.descriptors)
    return verify_matches(query, reference, query_rows, reference_rows)


def verify_matches(
    query: Keypoints,
    reference: Keypoints,
    query_rows: NDArray[np.intp],
    reference_rows: NDArray[np.intp],
) -> Verification:
    """RANSAC over given one-to-one correspondences (rows of each side's keypoints)."""
    import cv2  # noqa: PLC0415

    if len(query_rows) < 3:  # noqa: PLR2004 - two points always fit a similarity
        return NO_MATCH
    source = query.pixels()[query_rows]
    target = reference.pixels()[reference_rows]
    tolerance = RANSAC_TOLERANCE * (reference.width * reference.height) ** 0.5
    fit = cv2.estimateAffinePartial2D(
        source,
        target,
        method=cv2.RANSAC,
        ransacReprojThreshold=tolerance,
        maxIters=2000,
        confidence=0.995,
    )
    matrix, mask = _optional(fit[0]), _optional(fit[1])
    if matrix is None or mask is None:
        return NO_MATCH
    scale = float(np.hypot(matrix[0, 0], matrix[1, 0]))
    if not 1 / MAX_SCALE <= scale <= MAX_SCALE:
        return NO_MATCH
    inliers = int(np.count_nonzero(np.asarray(mask)))
    region, kind = _placement(matrix, query, reference)
    return Verification(inliers, matrix, region, kind)


def _optional(value: object) -> NDArray[np.float64] | None:
    """OpenCV returns None for "no fit" although its stubs say otherwise."""
    return None if value is None else np.asarray(value, np.float64)


def _placement(
    matrix: NDArray[np.float64], query: Keypoints, reference: Keypoints
) -> tuple[Region, MatchKind]:
    """The query's box inside the reference, and which of the two contains the other."""
    inverse = _invert(matrix)
    region = _mapped_box(matrix, query.width, query.height, reference.width, reference.height)
    back = _mapped_box(inverse, reference.width, reference.height, query.width, query.height)
    covers_reference = _area(region) >= WHOLE
    covers_query = _area(back) >= WHOLE
    if covers_reference and covers_query:
        kind: MatchKind = "similar"
    elif covers_query:
        kind = "crop"
    elif covers_reference:
        kind = "contains"
    else:
        kind = "partial"
    return region, kind


def _invert(matrix: NDArray[np.float64]) -> NDArray[np.float64]:
    full = np.vstack([matrix, [0.0, 0.0, 1.0]])
    return np.asarray(np.linalg.inv(full)[:2], np.float64)


def _mapped_box(
    matrix: NDArray[np.float64], width: int, height: int, to_width: int, to_height: int
) -> Region:
    corners = np.array([[0, 0, 1], [width, 0, 1], [width, height, 1], [0, height, 1]], float)
    mapped = (corners @ matrix.T) / np.array([to_width, to_height])
    low = np.clip(mapped.min(axis=0), 0.0, 1.0)
    high = np.clip(mapped.max(axis=0), 0.0, 1.0)
    return (
        round(float(low[0]), 4),
        round(float(low[1]), 4),
        round(float(high[0]), 4),
        round(float(high[1]), 4),
    )


def _area(box: Region) -> float:
    return max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])


class OrbKeypoints(SignalType):
    """Up to 512 ORB keypoints; matches crops, screenshots in frames, overlays, small turns."""

    name = "orb"
    media_kinds = frozenset({MediaKind.IMAGE})
    threshold = float(THRESHOLD)
    default = False
    picture_pixels = WORKING_AREA
    compares = Compared.PICTURE
    matched_by = "part of the same picture (a crop or a screenshot)"
    looked_up = False
    backs_up = "pdq"
    #: Kilobytes of keypoints, only a means to the lookup's matches.
    answered = False
    description = (
        "ORB keypoints + RANSAC (second stage for crops/screenshots); "
        f"distance = 100 - inliers, match at >= {MIN_INLIERS} inliers"
    )

    def compute(self, subject: Subject) -> Signal:
        keypoints = extract_keypoints(subject.image(min_pixels=self.picture_pixels))
        quality = round(100 * len(keypoints) / MAX_KEYPOINTS)
        reliable = len(keypoints) >= MIN_RELIABLE_KEYPOINTS
        return Signal(self.name, encode_keypoints(keypoints), quality, reliable=reliable)

    @classmethod
    def validate(cls, value: str) -> str:
        return encode_keypoints(decode_keypoints(value))

    @classmethod
    def distance(cls, a: str, b: str) -> float:
        first, second = decode_keypoints(a), decode_keypoints(b)
        if _order_key(first) == _order_key(second):
            return 0.0
        return verify(first, second).distance

    @classmethod
    def examples(cls) -> Sequence[str]:
        rng = np.random.default_rng(512)
        count = 80
        points = rng.integers(0, 65536, (count, 2), dtype=np.uint16)
        descriptors = rng.integers(0, 256, (count, DESCRIPTOR_BYTES), dtype=np.uint8)
        return [
            encode_keypoints(Keypoints(565, 354, points, descriptors)),
            encode_keypoints(_empty(512, 512)),
        ]
