"""Geometry of the occupancy bar chart, drawn server-side as inline SVG.

Pure: rows in, rectangles and labels out. The template turns them into ``<rect>``/``<text>``
with SVG presentation attributes (``fill=``, ``x=``), which the CSP allows, unlike inline
``style`` attributes or scripts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

LABEL_WIDTH = 170
BAR_AREA = 420
VALUE_WIDTH = 70
ROW_HEIGHT = 22
BAR_HEIGHT = 14
AXIS_HEIGHT = 22
FILLS = {"park": "#8c1d17", "phase": "#b3261e", "building": "#e0837d", "total": "#5b6573"}
EMPTY_FILL = "#eef1f5"


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    y: int
    text_y: int
    width: float
    fill: str
    indent: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    label_width: int
    bar_area: int
    bar_height: int
    bars: list[Bar]
    ticks: list[tuple[float, str]]


def bar_width(pct: Decimal | float | None, area: int = BAR_AREA) -> float:
    """Width of a bar for a percentage, clamped to [0, 100] and rounded to 0.1 px."""
    if pct is None:
        return 0.0
    clamped = min(max(float(pct), 0.0), 100.0)
    return round(area * clamped / 100, 1)


def occupancy_chart(rows: list[dict]) -> Chart:
    """One bar per row (``label``, ``occupancy_pct``, ``level``) in the order given."""
    indents = {"total": 0, "park": 0, "phase": 12, "building": 24}
    bars = []
    for i, row in enumerate(rows):
        y = AXIS_HEIGHT + i * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) // 2
        pct = row.get("occupancy_pct")
        bars.append(
            Bar(
                label=str(row["label"]),
                value_text="—" if pct is None else f"{pct}%",
                y=y,
                text_y=y + BAR_HEIGHT - 3,
                width=bar_width(pct),
                fill=FILLS.get(row.get("level", "building"), FILLS["building"]),
                indent=indents.get(row.get("level", "building"), 24),
            )
        )
    ticks = [(LABEL_WIDTH + bar_width(p), f"{p}%") for p in (0, 25, 50, 75, 100)]
    return Chart(
        width=LABEL_WIDTH + BAR_AREA + VALUE_WIDTH,
        height=AXIS_HEIGHT + len(rows) * ROW_HEIGHT + 4,
        label_width=LABEL_WIDTH,
        bar_area=BAR_AREA,
        bar_height=BAR_HEIGHT,
        bars=bars,
        ticks=ticks,
    )
