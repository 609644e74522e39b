"""The one conversion between the inclusive last day people read and the half-open end kept."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from parkops.core.last_day import end_after, end_after_or_none, last_day_of, last_day_sql


def test_last_day_and_end_are_one_day_apart_across_month_and_year_ends():
    for last in (date(2029, 12, 31), date(2028, 2, 29), date(2026, 2, 28), date(2026, 6, 15)):
        assert last_day_of(end_after(last)) == last
    assert end_after(date(2029, 12, 31)) == date(2030, 1, 1)
    assert end_after(date(2028, 2, 28)) == date(2028, 2, 29)
    assert last_day_of(date(2026, 3, 1)) == date(2026, 2, 28)


def test_open_ended_ranges_stay_open():
    assert last_day_of(None) is None
    assert end_after_or_none(None) is None


def test_the_sql_form_subtracts_one_day():
    sql = str(
        last_day_sql(sa.column("end_date", sa.Date)).compile(
            dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
        )
    )
    assert sql == "CAST(end_date - 1 AS DATE)"
