"""Find and remove solid borders: letterbox and pillarbox bars, padding, window frames.

Perceptual hashes see a barred copy as a different, smaller picture: PDQ puts a frame with
black bars about 80 bits from the same frame without them. Trimming the bars first makes
both copies hash alike.

A border is a run of rows (or columns) at an edge of the picture, each of them a single
colour up to codec noise. For video the rows must also keep that colour in every sampled
frame, so a dark sky or a plain wall that happens to be flat in one shot is not taken for
a bar; frames that are flat all over (a fade to black, a title card) carry no information
about borders and are ignored. The crop is estimated once and applied to every frame, so
all frames of one video are cut alike.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

#: Largest per-channel standard deviation of a border row or column (0-255 scale).
#: Encoded bars stay within 3; real textures (walls, skies) are usually above 4.
LINE_STD_TOLERANCE = 4.0
#: How far a border row's colour may drift between frames (per channel, 0-255 scale).
COLOUR_TOLERANCE = 10.0
#: A frame whose whole-picture deviation is below this is flat and tells nothing.
FLAT_FRAME_STD = 8.0
#: A run of flat lines longer than this share of a side is content, not a border.
MAX_SIDE_FRACTION = 0.4
#: The content left after cropping must keep at least this share of each dimension:
#: 0.3 still admits a 9:16 phone video pillarboxed into a 16:9 frame (31.6%).
MIN_KEEP_FRACTION = 0.3
#: Rounds of alternately trimming rows and columns (each round sees the other's result).
_ROUNDS = 3


@dataclass(frozen=True, slots=True)
class Crop:
    """Pixels to cut from each side of a ``height`` x ``width`` picture."""

    top: int = 0
    bottom: int = 0
    left: int = 0
    right: int = 0
    #: Size of the picture the crop was measured on; 0 when it does not matter.
    height: int = 0
    width: int = 0

    @property
    def is_empty(self) -> bool:
        return not (self.top or self.bottom or self.left or self.right)

    def apply(self, pixels: NDArray[np.uint8]) -> NDArray[np.uint8]:
        """``pixels`` without the border (a view, not a copy).

        A picture of another size than the one measured (the same video decoded at another
        scale) is cut in proportion.
        """
        if self.is_empty:
            return pixels
        height, width = pixels.shape[:2]
        top, bottom, left, right = self.top, self.bottom, self.left, self.right
        if self.height and self.height != height:
            top, bottom = _rescale(top, self.height, height), _rescale(bottom, self.height, height)
        if self.width and self.width != width:
            left, right = _rescale(left, self.width, width), _rescale(right, self.width, width)
        if top + bottom >= height or left + right >= width:
            return pixels
        return pixels[top : height - bottom, left : width - right]


def detect_borders(frames: Sequence[NDArray[np.uint8]]) -> Crop:
    """The border shared by ``frames`` (RGB H x W x 3 or gray H x W, one size); one is fine.

    Frames of another size than most are ignored (a stream that changes resolution mid-way
    is measured at its commonest one), and so are frames flat all over.
    """
    if not frames:
        return Crop()
    shape = Counter(frame.shape for frame in frames).most_common(1)[0][0]
    planes = [frame if frame.ndim == 3 else frame[:, :, None] for frame in frames]  # noqa: PLR2004
    useful = [
        frame
        for frame, original in zip(planes, frames, strict=True)
        if original.shape == shape and not _is_flat(frame)
    ]
    height, width = int(shape[0]), int(shape[1])
    if not useful:
        return Crop(height=height, width=width)
    top = bottom = left = right = 0
    for _ in range(_ROUNDS):
        row_flat = _flat_lines([frame[:, left : width - right] for frame in useful], axis=1)
        new_top, new_bottom = _side_runs(row_flat)
        if (new_top, new_bottom) == (top, bottom) and (left or right):
            break  # the columns were measured on these very rows
        top, bottom = new_top, new_bottom
        column_flat = _flat_lines([frame[top : height - bottom] for frame in useful], axis=0)
        new_left, new_right = _side_runs(column_flat)
        if (new_left, new_right) == (left, right):
            break
        left, right = new_left, new_right
    if height - top - bottom < MIN_KEEP_FRACTION * height:
        top = bottom = 0
    if width - left - right < MIN_KEEP_FRACTION * width:
        left = right = 0
    return Crop(top, bottom, left, right, height=height, width=width)


def remove_borders(pixels: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """A single picture without its border (a screenshot inside a solid frame, say)."""
    return detect_borders([pixels]).apply(pixels)


def _is_flat(frame: NDArray[np.uint8]) -> bool:
    # Subsampled: flatness of the whole picture does not need every pixel.
    sample = frame[::4, ::4].reshape(-1, frame.shape[-1]).astype(np.float32)
    return bool(sample.std(axis=0).max() < FLAT_FRAME_STD)


def _flat_lines(frames: Sequence[NDArray[np.uint8]], axis: int) -> NDArray[np.bool_]:
    """For each line (row for ``axis=1``, column for ``axis=0``): flat in every frame?

    Flat means one colour along the line, up to noise, and the same colour in every frame.
    """
    flat = np.ones(frames[0].shape[1 - axis], dtype=np.bool_)
    means = []
    for frame in frames:
        # Channels first: numpy reduces along contiguous rows ten times faster.
        planes = np.ascontiguousarray(frame.transpose(2, 0, 1), dtype=np.float32)
        means.append(planes.mean(axis=axis + 1))  # channels x lines
        flat &= planes.std(axis=axis + 1).max(axis=0) <= LINE_STD_TOLERANCE
    if len(means) > 1:
        stacked = np.stack(means)
        drift = np.abs(stacked - np.median(stacked, axis=0)).max(axis=(0, 1))
        flat &= drift <= COLOUR_TOLERANCE
    return flat


def _side_runs(flat: NDArray[np.bool_]) -> tuple[int, int]:
    """Lengths of the flat runs at the start and at the end, each capped as content."""
    size = len(flat)
    limit = MAX_SIDE_FRACTION * size
    start = _leading(flat)
    end = _leading(flat[::-1])
    if start >= size:  # every line is flat: nothing to tell border from content
        return 0, 0
    return (start if start <= limit else 0), (end if end <= limit else 0)


def _leading(flags: NDArray[np.bool_]) -> int:
    misses = np.flatnonzero(~flags)
    return int(misses[0]) if misses.size else len(flags)


def _rescale(pixels: int, old: int, new: int) -> int:
    return round(pixels * new / old)
