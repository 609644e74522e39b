"""Pure parts of the ticket statistics: periods, the working-day array, rates and roll-ups."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from parkops.core.workdays import WorkCalendar
from parkops.tickets import statistics as st
from parkops.tickets.services import elapsed_days


def cell(month, department, category, **counts):
    full = dict.fromkeys(st.COUNTS, 0)
    full.update(counts)
    return st.Cell(month, department, category, full)


MAR, APR = dt.date(2026, 3, 1), dt.date(2026, 4, 1)


def test_rollup_sums_cells_and_derives_rates():
    cells = [
        cell(MAR, 1, 10, received=4, accept_on_time=3, accept_judged=4, rated=2, satisfied=1,
             reply_days_sum=6, reply_days_n=3),
        cell(APR, 1, 11, received=2, accept_on_time=2, accept_judged=2, rated=1, satisfied=1,
             reply_days_sum=1, reply_days_n=1),
        cell(MAR, None, 10, received=1),
        cell(APR, 2, 10, received=3, resolve_on_time=1, resolve_judged=3),
    ]  # fmt: skip
    rows, total = st.rollup(cells, "department", labels={1: ("市场", "Market")}, keys=[1, 2, 3])
    assert [r.key for r in rows] == [1, 2, 3, None]
    one = rows[0]
    assert one.label == "市场" and one.label_en == "Market"
    assert (one.received, one.accept_pct) == (6, Decimal("83.3"))  # 5 of 6
    assert one.satisfaction_pct == Decimal("66.7")  # 2 of 3
    assert one.avg_reply_days == Decimal("1.8")  # 7 days over 4 tickets, half up
    assert rows[1].resolve_pct == Decimal("33.3")
    assert rows[2].received == 0 and rows[2].accept_pct is None  # listed, nothing in it
    assert total.received == 10 and total.accept_pct == Decimal("83.3")

    by_month, _ = st.rollup(cells, "month", keys=[MAR, APR])
    assert [(r.key, r.received) for r in by_month] == [(MAR, 5), (APR, 5)]
    by_category, _ = st.rollup(cells, "category")
    assert [(r.key, r.received) for r in by_category] == [(10, 8), (11, 2)]
    with pytest.raises(ValueError):
        st.rollup(cells, "enterprise")


def test_percent_and_average_round_half_up():
    assert st.percent(1, 3) == Decimal("33.3")
    assert st.percent(2, 3) == Decimal("66.7")
    assert st.percent(1, 8) == Decimal("12.5")
    assert st.percent(0, 0) is None
    assert st.average(5, 2) == Decimal("2.5")
    assert st.average(1, 0) is None


def test_as_dict_hides_the_sums():
    row = st.rollup([cell(MAR, 1, 10, received=2, reply_days_sum=3, reply_days_n=2)], "month")[0][0]
    data = row.as_dict()
    assert data["key"] == "2026-03-01" and data["avg_reply_days"] == Decimal("1.5")
    assert "reply_days_sum" not in data and "reply_days_n" not in data


def test_cumulative_working_days_answers_differences():
    calendar = WorkCalendar()
    first, last = dt.date(2026, 4, 1), dt.date(2026, 5, 10)
    start, cum = elapsed_days.cumulative_working_days(calendar, first, last)
    assert start == first - dt.timedelta(days=1)
    assert len(cum) == (last - start).days + 1

    def at(day):
        return cum[(day - start).days]

    # Working days after 3 April up to and including 8 April: Qingming (4-6 April) is off, the
    # 7th and 8th are worked.
    a, b = dt.date(2026, 4, 3), dt.date(2026, 4, 8)
    assert at(b) - at(a) == 2
    # Labour Day 2026: 1-5 May off, Saturday 9 May worked (make-up day).
    assert at(dt.date(2026, 5, 9)) - at(dt.date(2026, 4, 30)) == sum(
        calendar.is_working_day(dt.date(2026, 5, d)) for d in range(1, 10)
    )


def test_periods():
    assert st.add_months(dt.date(2026, 11, 1), 2) == dt.date(2027, 1, 1)
    assert st.add_months(dt.date(2026, 1, 1), -1) == dt.date(2025, 12, 1)
    assert st.parse_month("2026-03") == MAR
    assert st.parse_month("2026-03-17") == MAR
    assert st.parse_month("March") is None
    period = st.Period(MAR, dt.date(2026, 6, 1))
    assert period.months == [MAR, APR, dt.date(2026, 5, 1)]
    assert period.last == dt.date(2026, 5, 1)
    start, end = period.bounds()
    assert start == dt.datetime(2026, 2, 28, 16, tzinfo=dt.UTC)  # midnight in Shanghai
    assert end == dt.datetime(2026, 5, 31, 16, tzinfo=dt.UTC)
