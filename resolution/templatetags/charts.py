"""Small server-rendered SVG charts: stacked bars, lines and horizontal bars.

The geometry is computed here in plain Python (so it can be tested without a browser) and
drawn by the templates in `templates/resolution/charts/`. Colours come from CSS classes,
not inline styles, and every chart ships its numbers as a table for screen readers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import count
from typing import Any

from django import template

register = template.Library()

# Chart sizes in SVG user units. The SVG scales to its container, so these are picked to keep
# the text near its CSS size: wide charts span the page, compact ones half of it. On phones
# the wide ones scroll sideways rather than shrink their text to nothing (see agent.css).
WIDTH = 960
HEIGHT = 280
COMPACT_WIDTH = 520
COMPACT_HEIGHT = 240
MARGIN_LEFT = 44
MARGIN_RIGHT = 12
MARGIN_TOP = 12
MARGIN_BOTTOM = 28
MAX_X_LABELS = 8

_chart_ids = count(1)


def _new_id(prefix: str) -> str:
    # Unique per process; ids only need to be unique within one page.
    return f"{prefix}-{next(_chart_ids)}"


def nice_ceiling(value: float) -> int:
    """The smallest of 5, 10, 20, 50, 100, 200, … at least `value`.

    Each divides into five equal integer steps, so a count axis never shows "2.5 tickets".
    """
    if value <= 5:
        return 5
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return int(step * magnitude)
    return int(10 * magnitude)  # pragma: no cover - the loop always returns


def day_label(day: date) -> str:
    return f"{day.day} {day:%b}"


@dataclass
class Tick:
    y: float
    label: str


@dataclass
class XLabel:
    x: float
    label: str


@dataclass
class Frame:
    """The axes of a bar or line chart: the plot area inside the margins, and the labels."""

    width: int = WIDTH
    height: int = HEIGHT
    left: int = MARGIN_LEFT
    top: int = MARGIN_TOP
    ticks: list[Tick] = field(default_factory=list)
    x_labels: list[XLabel] = field(default_factory=list)

    @property
    def right(self) -> int:
        return self.width - MARGIN_RIGHT

    @property
    def bottom(self) -> int:
        return self.height - MARGIN_BOTTOM

    @property
    def plot_width(self) -> float:
        return self.right - self.left

    @property
    def plot_height(self) -> float:
        return self.bottom - self.top

    def y_for(self, value: float, ceiling: float) -> float:
        return round(self.bottom - self.plot_height * (value / ceiling), 2)


def _frame(
    days: Sequence[date],
    ceiling: float,
    fmt: Callable[[float], str],
    *,
    centred: bool,
    floor: float = 0,
    steps: int = 4,
    compact: bool = False,
) -> Frame:
    frame = Frame(width=COMPACT_WIDTH, height=COMPACT_HEIGHT) if compact else Frame()
    for i in range(steps + 1):
        value = floor + (ceiling - floor) * i / steps
        frame.ticks.append(Tick(y=frame.y_for(value - floor, ceiling - floor), label=fmt(value)))
    n = len(days)
    every = max(1, math.ceil(n / (MAX_X_LABELS // 2 if compact else MAX_X_LABELS)))
    for i in range(0, n, every):
        x = _x_position(frame, i, n, centred=centred)
        frame.x_labels.append(XLabel(x=x, label=day_label(days[i])))
    return frame


def _x_position(frame: Frame, index: int, n: int, *, centred: bool) -> float:
    if centred:  # bars: the middle of the index-th slot
        return round(frame.left + frame.plot_width * (index + 0.5) / n, 2)
    if n == 1:  # lines: first point on the left edge, last on the right
        return round(frame.left + frame.plot_width / 2, 2)
    return round(frame.left + frame.plot_width * index / (n - 1), 2)


def _count_label(value: float) -> str:
    return f"{value:.0f}"


def _percent_label(value: float) -> str:
    return f"{value * 100:.0f}%"


@dataclass
class Segment:
    series: str
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


def stacked_bars_geometry(
    rows: Sequence[dict[str, Any]], series: Sequence[tuple[str, str]]
) -> dict[str, Any]:
    """One bar per row ({date, values: {key: count}}), stacked by series.

    `series` is [(key, label), …], bottom first.
    """
    days = [row["date"] for row in rows]
    totals = [sum(row["values"].get(key, 0) for key, _ in series) for row in rows]
    ceiling = nice_ceiling(max(totals, default=0))
    frame = _frame(days, ceiling, _count_label, centred=True, steps=5)
    n = max(len(rows), 1)
    slot = frame.plot_width / n
    bar_width = round(max(slot * 0.72, 1), 2)
    bars = []
    for i, row in enumerate(rows):
        x = round(frame.left + slot * i + (slot - bar_width) / 2, 2)
        base = 0
        segments = []
        for key, label in series:
            value = row["values"].get(key, 0)
            if value:
                top = frame.y_for(base + value, ceiling)
                segments.append(
                    Segment(key, label, value, x, top, bar_width, frame.y_for(base, ceiling) - top)
                )
            base += value
        bars.append(
            {
                "label": day_label(row["date"]),
                "total": totals[i],
                "values": [row["values"].get(key, 0) for key, _ in series],
                "segments": segments,
            }
        )
    return {"frame": frame, "bars": bars, "series": series}


def line_geometry(
    points: Sequence[tuple[date, float | None]],
    *,
    ceiling: float,
    fmt: Callable[[float], str],
    floor: float = 0,
    compact: bool = False,
    tick_fmt: Callable[[float], str] | None = None,
) -> dict[str, Any]:
    """A line through the points, broken where a value is missing (None)."""
    days = [day for day, _ in points]
    frame = _frame(days, ceiling, tick_fmt or fmt, centred=False, floor=floor, compact=compact)
    n = len(points)
    paths: list[str] = []
    dots = []
    current: list[str] = []
    for i, (day, value) in enumerate(points):
        if value is None:
            if current:
                paths.append(" ".join(current))
            current = []
            continue
        x = _x_position(frame, i, n, centred=False)
        y = frame.y_for(value - floor, ceiling - floor)
        current.append(f"{'M' if not current else 'L'}{x},{y}")
        dots.append({"x": x, "y": y, "label": day_label(day), "value": fmt(value)})
    if current:
        paths.append(" ".join(current))
    return {"frame": frame, "paths": paths, "dots": dots}


HBAR_WIDTH = 440
HBAR_LABEL_WIDTH = 160
HBAR_VALUE_WIDTH = 52
HBAR_ROW = 30
HBAR_LABEL_CHARS = 26


def hbars_geometry(
    items: Sequence[dict[str, Any]], *, maximum: float | None = None, percent: bool = False
) -> dict[str, Any]:
    """Horizontal bars for [{label, value}, …]; `maximum` fixes the scale (e.g. 1 for rates)."""
    top = maximum if maximum is not None else max((item["value"] or 0 for item in items), default=0)
    top = top or 1
    span = HBAR_WIDTH - HBAR_LABEL_WIDTH - HBAR_VALUE_WIDTH
    rows = []
    for i, item in enumerate(items):
        value = item["value"]
        label = str(item["label"])
        short = label if len(label) <= HBAR_LABEL_CHARS else label[: HBAR_LABEL_CHARS - 1] + "…"
        rows.append(
            {
                "label": label,
                "short_label": short,
                "value": value,
                "display": "–" if value is None else (_percent_label(value) if percent else value),
                "y": i * HBAR_ROW,
                "bar_y": i * HBAR_ROW + 6,
                "width": round(span * (value or 0) / top, 2),
                "text_y": i * HBAR_ROW + HBAR_ROW / 2 + 4,
            }
        )
    return {
        "rows": rows,
        "width": HBAR_WIDTH,
        "height": max(len(rows), 1) * HBAR_ROW,
        "bar_x": HBAR_LABEL_WIDTH,
        "value_x": HBAR_WIDTH - HBAR_VALUE_WIDTH + 6,
        "span": span,
    }


@register.inclusion_tag("resolution/charts/stacked_bars.html")
def stacked_bars_chart(
    rows: Sequence[dict[str, Any]], series: Sequence[tuple[str, str]], title: str, description: str
) -> dict[str, Any]:
    """`rows`: [{date, values: {series key: count}}]; `series`: [(key, label)], bottom first."""
    return {
        **stacked_bars_geometry(rows, series),
        "id": _new_id("chart"),
        "title": title,
        "description": description,
    }


@register.inclusion_tag("resolution/charts/line.html")
def line_chart(
    points: Sequence[tuple[date, float | None]],
    title: str,
    description: str,
    kind: str = "rate",
    compact: bool = False,
) -> dict[str, Any]:
    """`kind` "rate": values in [0, 1] shown as percentages; "rating": values 1–5.

    `compact` draws it for half the page's width.
    """
    if kind == "rating":
        geometry = line_geometry(
            points,
            ceiling=5,
            floor=1,
            fmt=lambda v: f"{v:.1f}",
            tick_fmt=_count_label,
            compact=compact,
        )
    else:
        geometry = line_geometry(points, ceiling=1, fmt=_percent_label, compact=compact)
    return {
        **geometry,
        "id": _new_id("chart"),
        "title": title,
        "description": description,
        "kind": kind,
        "compact": compact,
    }


@register.inclusion_tag("resolution/charts/hbars.html")
def hbars_chart(
    items: Sequence[dict[str, Any]], title: str, description: str, percent: bool = False
) -> dict[str, Any]:
    """`items`: [{label, value}]; with `percent`, values are rates in [0, 1]."""
    return {
        **hbars_geometry(items, maximum=1 if percent else None, percent=percent),
        "id": _new_id("chart"),
        "title": title,
        "description": description,
        "percent": percent,
    }


@register.filter
def percent(value: float | None, digits: int = 0) -> str:
    """0.8234 -> "82%"; None -> "–" (nothing to show)."""
    if value is None or value == "":
        return "–"
    return f"{float(value) * 100:.{int(digits)}f}%"
