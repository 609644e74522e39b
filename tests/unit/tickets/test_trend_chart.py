"""Geometry of the statistics trend chart (inline SVG)."""

from __future__ import annotations

from decimal import Decimal

from parkops.tickets import trend_chart as tc


def test_nice_axis_maximum():
    assert [tc.nice_max(v) for v in (0, 3, 7, 10, 11, 38, 41, 180, 201)] == [
        4, 4, 8, 20, 20, 40, 80, 200, 400,
    ]  # fmt: skip


def test_bars_scale_to_the_axis_and_lines_break_where_a_month_has_no_figure():
    months = [
        ("2026-01", 10, {"accept_pct": Decimal("100.0"), "reply_pct": None}),
        ("2026-02", 20, {"accept_pct": Decimal("50.0"), "reply_pct": Decimal("80")}),
        ("2026-03", 0, {"accept_pct": None, "reply_pct": None}),
        ("2026-04", 5, {"accept_pct": Decimal("0"), "reply_pct": Decimal("120")}),
    ]
    chart = tc.trend_chart(months)
    plot_h = chart.plot_bottom - chart.plot_top
    # Axis 0..20: February's bar fills the plot, January's half of it, March has none.
    assert tc.nice_max(20) == 20
    heights = [b.height for b in chart.bars]
    assert heights == [round(plot_h / 2, 1), round(plot_h, 1), 0.0, round(plot_h / 4, 1)]
    assert all(b.y + b.height == chart.plot_bottom for b in chart.bars)
    assert [t.text for t in chart.left_ticks] == ["0", "5", "10", "15", "20"]
    accept = next(line for line in chart.lines if line.key == "accept_pct")
    assert len(accept.segments) == 2  # broken at March
    assert [d.label for d in accept.dots] == ["2026-01", "2026-02", "2026-04"]
    assert accept.dots[0].y == chart.plot_top  # 100 %
    assert accept.dots[2].y == chart.plot_bottom  # 0 %
    reply = next(line for line in chart.lines if line.key == "reply_pct")
    assert reply.dots[-1].y == chart.plot_top  # clamped to 100 %
    satisfaction = next(line for line in chart.lines if line.key == "satisfaction_pct")
    assert satisfaction.segments == [] and satisfaction.dots == []
    assert not chart.empty
    assert tc.trend_chart([("2026-01", 0, {})]).empty


def test_month_labels_thin_out_for_long_periods():
    chart = tc.trend_chart([(f"m{i}", i, {}) for i in range(36)])
    assert len(chart.bars) == 36
    assert len(chart.x_labels) == 12
