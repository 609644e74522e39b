"""Inclusive last days at the edges, half-open ranges inside.

People write and read the last day of a term ("自2027年1月1日起至2029年12月31日止"); the database,
the schedule and every computation keep half-open ranges ``[start, end)``, whose ``end`` is the
day after the last day. Forms, pages, CSV files, PDFs and the API convert with these helpers,
once, where a date comes in or goes out; nothing else adds or takes away that day.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlalchemy as sa

_ONE_DAY = timedelta(days=1)


def end_after(last_day: date) -> date:
    """The exclusive end of a range whose last day is ``last_day`` (2029-12-31 -> 2030-01-01)."""
    return last_day + _ONE_DAY


def end_after_or_none(last_day: date | None) -> date | None:
    """``end_after``, keeping ``None`` (an open-ended range) as it is."""
    return None if last_day is None else end_after(last_day)


def last_day_of(end: date | None) -> date | None:
    """The last day of a range that ends (exclusive) at ``end`` (2030-01-01 -> 2029-12-31);
    ``None`` for an open-ended range."""
    return None if end is None else end - _ONE_DAY


def last_day_sql(end: sa.ColumnElement) -> sa.ColumnElement:
    """``last_day_of`` in SQL, for a ``date`` column or expression."""
    import sqlalchemy as sa  # here, so that the pure modules using the rest do not load it

    return sa.cast(end - sa.literal(1, sa.Integer), sa.Date)
