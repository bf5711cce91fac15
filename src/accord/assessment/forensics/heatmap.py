"""Heatmaps a person can read: a method's map in colour over a greyed copy of the picture.

The picture is turned grey and dimmed so that colour means only one thing: the method's
level, on the perceptually ordered *inferno* scale (dark purple low, yellow high). Low
levels stay nearly transparent, so the reader sees the scene through them and can tell
where the bright parts lie. Found regions are outlined in cyan, a colour inferno never
uses. A strip along the bottom shows the scale and what it measures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from accord.assessment.forensics.grid import CellMap

#: The heatmap's long side, in pixels, legend included.
HEATMAP_SIDE = 512
_LEGEND_HEIGHT = 22
#: The picture's long side within it.
_PICTURE_SIDE = HEATMAP_SIDE - _LEGEND_HEIGHT
_MAX_ENLARGEMENT = 4.0
_LEGEND_BAR = 160
_MARGIN = 6
#: The greyed picture keeps this much contrast, lifted by the offset, so colour stands out.
_GREY_CONTRAST, _GREY_OFFSET = 0.55, 50.0
#: Colour opacity at level 0 and level 1.
_MIN_ALPHA, _MAX_ALPHA = 0.12, 0.85
#: Outline colours (BGR): cyan for a found region; copy-move adds orange for its copy.
CYAN = (255, 255, 0)
ORANGE = (0, 150, 255)
_OUTLINE = 2
_FONT = cv2.FONT_HERSHEY_SIMPLEX
_FONT_SCALE = 0.4
_TEXT = (235, 235, 235)
#: Fast zlib with run-length matching: heatmaps are many flat runs once posterized.
_PNG_COMPRESSION = 1
#: Levels per channel kept: 32 look the same to a reader and halve the PNG.
_POSTERIZE = 8

Box = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class Backdrop:
    """The greyed, shrunk picture every heatmap of one picture is drawn on (BGR)."""

    grey: NDArray[np.uint8]
    #: Heatmap pixels per picture pixel.
    scale: float


def make_backdrop(grey: NDArray[np.uint8]) -> Backdrop:
    height, width = grey.shape
    # Small pictures are enlarged (up to a point) so that the legend and boxes stay legible.
    scale = min(_MAX_ENLARGEMENT, _PICTURE_SIDE / max(height, width))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    method = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    small = cv2.resize(grey, size, interpolation=method)
    dimmed = np.clip(small.astype(np.float32) * _GREY_CONTRAST + _GREY_OFFSET, 0, 255)
    bgr = cv2.cvtColor(dimmed.astype(np.uint8), cv2.COLOR_GRAY2BGR)
    return Backdrop(np.asarray(bgr, np.uint8), scale)


def render_levels(
    backdrop: Backdrop,
    levels: CellMap,
    *,
    caption: str,
    boxes: Sequence[Box] = (),
) -> bytes:
    """``levels`` (0 to 1 per cell; invalid cells left uncoloured) over the backdrop."""
    height, width = backdrop.grey.shape[:2]
    level = np.zeros((height, width), np.float32)
    rows, columns = levels.shape
    x0, y0 = (round(value * backdrop.scale) for value in levels.origin)
    x1 = min(width, round((levels.origin[0] + columns * levels.cell) * backdrop.scale))
    y1 = min(height, round((levels.origin[1] + rows * levels.cell) * backdrop.scale))
    if rows and columns and x1 > x0 and y1 > y0:
        shown = np.where(levels.valid, np.clip(levels.values, 0, 1), 0).astype(np.float32)
        level[y0:y1, x0:x1] = cv2.resize(shown, (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR)
    colour = cv2.applyColorMap((level * 255).astype(np.uint8), cv2.COLORMAP_INFERNO)
    alpha = (_MIN_ALPHA + (_MAX_ALPHA - _MIN_ALPHA) * level)[..., None]
    picture = backdrop.grey * (1 - alpha) + colour * alpha
    canvas = np.ascontiguousarray(picture.astype(np.uint8))
    for box in boxes:
        outline(canvas, box, backdrop.scale, CYAN)
    return encode(with_legend(canvas, caption, scale_bar=True))


def outline(
    canvas: NDArray[np.uint8], box: Box, scale: float, colour: tuple[int, int, int]
) -> None:
    left, top, width, height = (round(value * scale) for value in box)
    right = max(left, left + width - 1)
    bottom = max(top, top + height - 1)
    cv2.rectangle(canvas, (left, top), (right, bottom), colour, _OUTLINE)


def with_legend(canvas: NDArray[np.uint8], caption: str, *, scale_bar: bool) -> NDArray[np.uint8]:
    """The canvas with a strip below it: the colour scale (when there is one) and a caption."""
    width = canvas.shape[1]
    strip = np.full((_LEGEND_HEIGHT, width, 3), 24, np.uint8)
    text_x = _MARGIN
    bar = min(_LEGEND_BAR, width // 3)
    if scale_bar and bar > 0:
        ramp = np.linspace(0, 255, bar, dtype=np.float32).astype(np.uint8)[None, :]
        coloured = cv2.applyColorMap(
            np.repeat(ramp, _LEGEND_HEIGHT - 2 * _MARGIN, 0), cv2.COLORMAP_INFERNO
        )
        strip[_MARGIN : _LEGEND_HEIGHT - _MARGIN, _MARGIN : _MARGIN + bar] = coloured
        text_x = 2 * _MARGIN + bar
    baseline = _LEGEND_HEIGHT - 7
    cv2.putText(strip, caption, (text_x, baseline), _FONT, _FONT_SCALE, _TEXT, 1, cv2.LINE_AA)
    return np.ascontiguousarray(np.vstack([canvas, strip]))


def encode(canvas: NDArray[np.uint8]) -> bytes:
    posterized = canvas & np.uint8(256 - _POSTERIZE)
    options = [
        cv2.IMWRITE_PNG_COMPRESSION,
        _PNG_COMPRESSION,
        cv2.IMWRITE_PNG_STRATEGY,
        cv2.IMWRITE_PNG_STRATEGY_RLE,
    ]
    ok, encoded = cv2.imencode(".png", posterized, options)
    if not ok:  # pragma: no cover - OpenCV always encodes an 8-bit BGR image
        raise RuntimeError("the heatmap could not be encoded")
    return encoded.tobytes()
