"""Geometry of the server-side occupancy chart."""

from __future__ import annotations

from decimal import Decimal

from parkops.inventory import chart


def test_bar_width_is_proportional_and_clamped():
    assert chart.bar_width(Decimal("50.0"), 400) == 200.0
    assert chart.bar_width(Decimal("0"), 400) == 0.0
    assert chart.bar_width(Decimal("100"), 400) == 400.0
    assert chart.bar_width(Decimal("120"), 400) == 400.0
    assert chart.bar_width(Decimal("-3"), 400) == 0.0
    assert chart.bar_width(None, 400) == 0.0
    assert chart.bar_width(Decimal("33.3"), 420) == 139.9


def test_chart_rows_stack_down_with_level_colours():
    rows = [
        {"label": "Park", "occupancy_pct": Decimal("89.5"), "level": "park"},
        {"label": "一期", "occupancy_pct": Decimal("91.0"), "level": "phase"},
        {"label": "A1", "occupancy_pct": None, "level": "building"},
    ]
    c = chart.occupancy_chart(rows)
    assert [b.label for b in c.bars] == ["Park", "一期", "A1"]
    ys = [b.y for b in c.bars]
    assert ys == sorted(ys) and len(set(ys)) == 3
    assert ys[1] - ys[0] == chart.ROW_HEIGHT
    assert c.height >= ys[-1] + chart.BAR_HEIGHT
    assert c.bars[0].fill != c.bars[2].fill
    assert c.bars[0].value_text == "89.5%" and c.bars[2].value_text == "—"
    assert c.bars[2].width == 0.0
    assert c.bars[2].indent > c.bars[1].indent > c.bars[0].indent - 1
    assert [t[1] for t in c.ticks] == ["0%", "25%", "50%", "75%", "100%"]
    assert c.ticks[-1][0] == chart.LABEL_WIDTH + chart.BAR_AREA


def test_empty_chart():
    c = chart.occupancy_chart([])
    assert c.bars == [] and c.height > 0
