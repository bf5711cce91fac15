"""The public page's charts, drawn on the server as SVG: no script, nothing from another
origin, readable with the styles off.

Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` (its text
alternative); the page puts a table of the same numbers beneath it. Every text is
XML-escaped here, so a chart is a string that can be put into a page as it is. A count too
small to publish arrives as words ("fewer than 5"): it is drawn as a hatched stub with those
words, never as a length that would give the number away.

Colours are presentation attributes, not ``style``: the pages' Content-Security-Policy
allows no inline style.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Final

#: A count as published: exact, or words standing for a small one.
Value = int | str

_FONT: Final = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif"
_INK: Final = "#1c2026"
_INK_SOFT: Final = "#4a515c"
_LINE: Final = "#c9ced6"
#: Blue and orange stay apart for the common colour blindnesses.
COLOURS: Final = ("#1f5fbf", "#b3541e", "#0e5a2c", "#6b3fa0")
#: How long a hatched stub is: short, and the same for every small count.
_STUB: Final = 22
#: The shortest bar of a count above zero, so that it stays visible.
_THINNEST: Final = 2.0
#: Gridlines above the baseline, at most.
_GRIDLINES: Final = 4


@dataclass(frozen=True, slots=True)
class Series:
    """One row of bars in a chart over time: its name and a value per interval."""

    name: str
    values: Sequence[Value]


def text(value: object) -> str:
    """Escaped for XML text and attribute values alike."""
    return escape(str(value), quote=True)


def horizontal_bars(
    chart_id: str, title: str, desc: str, bars: Sequence[tuple[str, Value]], *, unit: str = ""
) -> str:
    """One bar per row, its label above it and its value at its end."""
    width, row, top = 480, 46, 8
    height = top + row * max(len(bars), 1) + 8
    numbers = [value for _, value in bars if isinstance(value, int)]
    largest = max(numbers, default=0)
    label_room = 100  # for the value's words after the longest bar
    span = width - label_room
    parts = [_open(chart_id, title, desc, width, height), _hatch(chart_id)]
    if not bars:
        parts.append(_words(8, top + 24, "Nothing to show for this period", _INK_SOFT))
    for index, (label, value) in enumerate(bars):
        y = top + index * row
        parts.append(f'<g class="bar" data-label="{text(label)}" data-value="{text(value)}">')
        parts.append(_words(0, y + 13, label, _INK))
        if isinstance(value, int):
            length = round(span * value / largest, 1) if largest else 0.0
            if value:
                length = max(length, _THINNEST)
            parts.append(
                f'<rect x="0" y="{y + 19}" width="{length}" height="18" fill="{COLOURS[0]}">'
                f"<title>{text(label)}: {text(_number(value, unit))}</title></rect>"
            )
            parts.append(_words(length + 6, y + 33, _number(value, unit), _INK, "value"))
        else:
            parts.append(_stub(chart_id, (0, y + 19, _STUB, 18), f"{label}: {value}"))
            parts.append(_words(_STUB + 6, y + 33, value, _INK, "value"))
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def bars_over_time(
    chart_id: str, title: str, desc: str, labels: Sequence[str], series: Sequence[Series]
) -> str:
    """Grouped vertical bars, one group per interval (day or week), one bar per series;
    a legend on top, and some of the intervals named beneath."""
    width, height = 720, 280
    left, right, top, bottom = 44, 8, 34, 42
    plot_w, plot_h = width - left - right, height - top - bottom
    numbers = [v for one in series for v in one.values if isinstance(v, int)]
    hidden = next((v for one in series for v in one.values if isinstance(v, str)), None)
    step, ceiling = _ticks(max(numbers, default=0))
    parts = [_open(chart_id, title, desc, width, height), _hatch(chart_id)]
    parts.append(_legend(chart_id, series, hidden))
    for tick in range(0, ceiling + 1, step):
        y = top + plot_h - plot_h * tick / ceiling
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{_LINE}" stroke-width="1"/>'
        )
        parts.append(_words(left - 6, y + 4, f"{tick:,}", _INK_SOFT, anchor="end"))
    count = max(len(labels), 1)
    group = plot_w / count
    bar = max(min(group * 0.8 / max(len(series), 1), 28.0), 1.0)
    every = math.ceil(count / 10)  # about ten names beneath, never crowded
    for index, label in enumerate(labels):
        x0 = left + index * group + (group - bar * len(series)) / 2
        for number, one in enumerate(series):
            value = one.values[index]
            x = x0 + number * bar
            tip = f"{label} · {one.name}: {value if isinstance(value, str) else f'{value:,}'}"
            parts.append(
                f'<g class="bar" data-label="{text(label)}" data-series="{text(one.name)}" '
                f'data-value="{text(value)}">'
            )
            if isinstance(value, int):
                tall = plot_h * value / ceiling
                if value:
                    tall = max(tall, _THINNEST)
                y = top + plot_h - tall
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{tall:.1f}" '
                    f'fill="{COLOURS[number % len(COLOURS)]}"><title>{text(tip)}</title></rect>'
                )
            else:
                parts.append(_stub(chart_id, (x, top + plot_h - 8, bar, 8), tip))
            parts.append("</g>")
        if index % every == 0:
            parts.append(
                _words(left + (index + 0.5) * group, height - bottom + 16, label, _INK_SOFT,
                       anchor="middle")
            )  # fmt: skip
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" '
        f'stroke="{_INK_SOFT}" stroke-width="1"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _open(chart_id: str, title: str, desc: str, width: int, height: int) -> str:
    ident = text(chart_id)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{ident}" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{ident}-title {ident}-desc" font-family="{text(_FONT)}" '
        f'font-size="13">'
        f'<title id="{ident}-title">{text(title)}</title>'
        f'<desc id="{ident}-desc">{text(desc)}</desc>'
    )


def _hatch(chart_id: str) -> str:
    """The pattern of a hidden count: diagonal lines, one per chart (ids are page-wide)."""
    return (
        f'<defs><pattern id="{text(chart_id)}-hatch" width="6" height="6" '
        f'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="#ffffff"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{_INK_SOFT}" stroke-width="2"/>'
        f"</pattern></defs>"
    )


def _stub(chart_id: str, box: tuple[float, float, float, float], tip: str) -> str:
    x, y, width, height = box
    return (
        f'<rect class="hidden-count" x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" '
        f'height="{height:.1f}" fill="url(#{text(chart_id)}-hatch)" stroke="{_INK_SOFT}" '
        f'stroke-width="1"><title>{text(tip)}</title></rect>'
    )


def _legend(chart_id: str, series: Sequence[Series], hidden: str | None) -> str:
    parts, x = [], 44.0
    for number, one in enumerate(series):
        colour = COLOURS[number % len(COLOURS)]
        parts.append(f'<rect x="{x:.1f}" y="8" width="14" height="14" fill="{colour}"/>')
        parts.append(_words(x + 20, 20, one.name, _INK))
        x += 20 + 7.5 * len(one.name) + 24
    if hidden is not None:
        parts.append(_stub(chart_id, (x, 8, 14, 14), hidden))
        parts.append(_words(x + 20, 20, hidden, _INK))
    return "".join(parts)


def _words(
    x: float, y: float, words: str, colour: str, kind: str = "", *, anchor: str = "start"
) -> str:
    attributes = f' class="{kind}"' if kind else ""
    if anchor != "start":
        attributes += f' text-anchor="{anchor}"'
    return f'<text x="{x:.1f}" y="{y:.1f}" fill="{colour}"{attributes}>{text(words)}</text>'


def _number(value: int, unit: str) -> str:
    return f"{value:,}{unit}"


def _ticks(largest: int) -> tuple[int, int]:
    """A round step (1, 2 or 5 times a power of ten) giving at most five gridlines, and
    the top of the scale: a multiple of it at or above ``largest``."""
    if largest <= 0:
        return 1, 1
    magnitude = 1
    while True:
        for step in (magnitude, 2 * magnitude, 5 * magnitude):
            if math.ceil(largest / step) <= _GRIDLINES:
                return step, step * math.ceil(largest / step)
        magnitude *= 10
