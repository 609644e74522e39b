"""Geometry of the monthly trend chart on the statistics page, drawn server-side as inline SVG.

Pure: monthly figures in, rectangles, polylines and labels out. Tickets received are bars on the
left axis; the on-time and satisfaction rates are lines on a 0-100% right axis, broken where a
month has no figure (nothing judged or rated). The template (``tickets/_trend_chart.html``) turns
them into ``<rect>``/``<polyline>``/``<text>`` with presentation attributes only, which the CSP
allows (no inline style, no script).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

WIDTH = 760
HEIGHT = 280
LEFT = 46
RIGHT = 46
TOP = 34
BOTTOM = 44
BAR_FILL = "#c9d6e8"
SERIES = (
    ("accept_pct", "#5b6573"),
    ("reply_pct", "#1f5fa8"),
    ("resolve_pct", "#b3261e"),
    ("satisfaction_pct", "#2e7d32"),
)


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str


@dataclass(frozen=True, slots=True)
class Dot:
    x: float
    y: float
    value: Decimal
    label: str


@dataclass
class Line:
    key: str
    color: str
    segments: list[str] = field(default_factory=list)
    """``points`` attributes of the polylines (a gap where a month has no figure)."""
    dots: list[Dot] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Tick:
    y: float
    text: str


@dataclass(frozen=True, slots=True)
class XLabel:
    x: float
    text: str


@dataclass
class TrendChart:
    width: int
    height: int
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    bars: list[Bar]
    lines: list[Line]
    left_ticks: list[Tick]
    right_ticks: list[Tick]
    x_labels: list[XLabel]

    @property
    def empty(self) -> bool:
        return not any(b.value for b in self.bars)


def nice_max(value: int) -> int:
    """A round axis maximum at or above ``value`` whose quarters are round too: 4 x (1, 2 or 5)
    x 10^n (4, 8, 20, 40, 80, 200...)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if value <= 4 * factor * step:
                return 4 * factor * step
        step *= 10


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def trend_chart(months: Sequence[tuple[str, int, dict[str, Decimal | None]]]) -> TrendChart:
    """``months``: (label, tickets received, {series key: percentage or None}) in order."""
    plot_left, plot_right = LEFT, WIDTH - RIGHT
    plot_top, plot_bottom = TOP, HEIGHT - BOTTOM
    plot_h = plot_bottom - plot_top
    n = max(len(months), 1)
    step = (plot_right - plot_left) / n
    top = nice_max(max((received for _l, received, _r in months), default=0))

    bars, labels = [], []
    every = max(1, math.ceil(n / 12))  # at most about 12 month labels
    for i, (label, received, _rates) in enumerate(months):
        height = plot_h * received / top
        x = plot_left + i * step
        bars.append(
            Bar(
                x=round(x + step * 0.15, 1),
                y=round(plot_bottom - height, 1),
                width=round(step * 0.7, 1),
                height=round(height, 1),
                value=received,
                label=label,
            )
        )
        if i % every == 0:
            labels.append(XLabel(round(x + step / 2, 1), label))

    lines = []
    for key, color in SERIES:
        line = Line(key, color)
        current: list[str] = []
        for i, (label, _received, rates) in enumerate(months):
            value = rates.get(key)
            if value is None:
                if current:
                    line.segments.append(" ".join(current))
                current = []
                continue
            x = round(plot_left + i * step + step / 2, 1)
            y = round(plot_bottom - plot_h * min(max(float(value), 0.0), 100.0) / 100, 1)
            current.append(f"{_fmt(x)},{_fmt(y)}")
            line.dots.append(Dot(x, y, value, label))
        if current:
            line.segments.append(" ".join(current))
        lines.append(line)

    left_ticks = [Tick(round(plot_bottom - plot_h * k / 4, 1), str(top * k // 4)) for k in range(5)]
    right_ticks = [Tick(round(plot_bottom - plot_h * k / 4, 1), f"{25 * k}%") for k in range(5)]
    return TrendChart(
        width=WIDTH,
        height=HEIGHT,
        plot_left=plot_left,
        plot_right=plot_right,
        plot_top=plot_top,
        plot_bottom=plot_bottom,
        bars=bars,
        lines=lines,
        left_ticks=left_ticks,
        right_ticks=right_ticks,
        x_labels=labels,
    )
