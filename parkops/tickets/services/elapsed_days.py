"""Stored working days to the first reply and to the resolution, recomputed in bulk in SQL.

Each ticket keeps ``reply_working_days`` (``first_reply_from`` -> ``first_replied_at``) and
``resolve_working_days`` (``resolve_from`` -> ``resolved_at``): the working days elapsed, pauses
excluded, as :meth:`WorkCalendar.working_days_between` counts them, NULL while the event has not
happened. The service fills them whenever it recomputes a ticket's deadlines
(:func:`parkops.tickets.rules.deadlines.elapsed_days`), so the statistics only sum them.

This module recomputes them for many tickets at once with one ``UPDATE``: after the admins edit
a day of the calendar (for the tickets whose spans contain that day), in the migration that added
the columns, and in the benchmark loader. The figures therefore always follow the calendar as it
is now, exactly as when the statistics counted the days on every read.

Working days in SQL
-------------------
The calendar (library + admin table) lives in Python, so the statement receives it as an array:
``cum[i]`` = how many working days there are from the first day of the range up to day ``i``.
With ``D(t)`` the local day number of ``t``, the working days after ``a``'s date up to and
including ``b``'s are ``cum[D(b)] - cum[D(a)]``. ``D(t)`` is arithmetic on the epoch seconds
plus the zone's fixed offset (Asia/Shanghai has no daylight saving time). A pause takes away the
working days whose close of business (17:30) falls inside it (``[paused_at, resumed_at)``):
again a difference of two ``cum`` entries per pause. ``tests/integration/tickets/
test_statistics.py`` checks the SQL against ``working_days_between`` on random pauses.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.core.workdays import CalendarOverride, OverrideKind, WorkCalendar

EPOCH = dt.date(1970, 1, 1)

# (column, clock start, event) for each stored figure.
SPANS = (
    ("reply_working_days", "first_reply_from", "first_replied_at"),
    ("resolve_working_days", "resolve_from", "resolved_at"),
)


def cumulative_working_days(
    calendar: WorkCalendar, first: dt.date, last: dt.date
) -> tuple[dt.date, list[int]]:
    """``(start, cum)``: ``cum[i]`` is the number of working days in ``[start, start + i]``.

    ``start`` is the day before ``first``, so that ``cum`` also answers for it (pauses need the
    day before the first counted one)."""
    start = first - dt.timedelta(days=1)
    cum, total, day = [], 0, start
    while day <= last:
        total += calendar.is_working_day(day)
        cum.append(total)
        day += dt.timedelta(days=1)
    return start, cum


def offset_seconds(calendar: WorkCalendar, first: dt.date, last: dt.date) -> int:
    offsets = {
        calendar.tz.utcoffset(dt.datetime.combine(day, dt.time(12)))
        for day in (first, last, dt.date(first.year, 7, 1), dt.date(first.year, 1, 1))
    }
    if len(offsets) != 1:
        raise ValueError("working days in SQL need a time zone without daylight saving time")
    return int(offsets.pop().total_seconds())


def _day(ts: str) -> str:
    """The local day of ``ts`` as a day number (days since 1970-01-01 in the calendar's zone)."""
    return f"floor((date_part('epoch', {ts}) + :tz_offset) / 86400)::int"


def _after_close(ts: str) -> str:
    """Whether ``ts`` falls after close of business on its local day."""
    return f"(date_part('epoch', {ts}) + :tz_offset - 86400.0 * {_day(ts)} > :close_seconds)"


def _cum(day: str) -> str:
    """Working days from the start of the array up to and including local day number ``day``."""
    return f"(CAST(:cal_cum AS integer[]))[({day}) - :cal_first_day + 1]"


def _elapsed(a: str, b: str) -> str:
    """Working days after ``a``'s local date up to and including ``b``'s."""
    return f"({_cum(_day(b))} - {_cum(_day(a))})"


def _paused_days(a: str, b: str) -> str:
    """Working days in ``(D(a), D(b)]`` lost to the pause ``p``: those whose close of business
    falls inside ``[paused_at, resumed_at)`` (an open pause lasts beyond ``b``)."""
    lo = (
        f"GREATEST({_day(a)} + 1, {_day('p.paused_at')} + "
        f"CASE WHEN {_after_close('p.paused_at')} THEN 1 ELSE 0 END)"
    )
    hi = (
        f"LEAST({_day(b)}, CASE WHEN p.resumed_at IS NULL THEN {_day(b)} "
        f"ELSE {_day('p.resumed_at')} - CASE WHEN {_after_close('p.resumed_at')} THEN 0 ELSE 1 END "
        "END)"
    )
    return f"(CASE WHEN {hi} >= {lo} THEN {_cum(hi)} - {_cum(f'{lo} - 1')} ELSE 0 END)"


def _figure(start: str, event: str) -> str:
    a, b = f"t.{start}", f"t.{event}"
    return (
        f"CASE WHEN {a} IS NOT NULL AND {b} IS NOT NULL THEN GREATEST({_elapsed(a, b)} - "
        f"coalesce((SELECT sum({_paused_days(a, b)}) FROM ticket_pauses p "
        "WHERE p.ticket_id = t.id), 0), 0) END"
    )


def update_sql(where: str) -> str:
    """``UPDATE`` of both stored figures for the tickets ``t`` matching ``where``; only rows
    whose figures change are written."""
    sets = ", ".join(f"{column} = {_figure(start, event)}" for column, start, event in SPANS)
    changed = " OR ".join(
        f"t.{column} IS DISTINCT FROM {_figure(start, event)}" for column, start, event in SPANS
    )
    return f"UPDATE tickets t SET {sets} WHERE ({where}) AND ({changed})"


RANGE_SQL = """
SELECT min(LEAST(t.first_reply_from, t.resolve_from)),
       max(GREATEST(t.first_replied_at, t.resolved_at))
FROM tickets t WHERE ({where})
"""


def calendar_params(calendar: WorkCalendar, first: dt.datetime, last: dt.datetime) -> dict:
    """The statement's calendar parameters for spans between ``first`` and ``last``."""
    first_day = calendar.local_date(first)
    last_day = max(calendar.local_date(last), first_day) + dt.timedelta(days=1)
    start, cum = cumulative_working_days(calendar, first_day, last_day)
    close = calendar.close_of_business
    return {
        "cal_first_day": (start - EPOCH).days,
        "cal_cum": cum,
        "tz_offset": offset_seconds(calendar, start, last_day),
        "close_seconds": close.hour * 3600 + close.minute * 60 + close.second,
    }


async def recompute(
    db: AsyncSession,
    calendar: WorkCalendar,
    where: str = "TRUE",
    params: dict[str, Any] | None = None,
) -> int:
    """Recompute the stored working days of the tickets ``t`` matching ``where`` (SQL text over
    ``tickets t`` with ``params``); returns how many rows changed."""
    params = params or {}
    first, last = (await db.execute(sa.text(RANGE_SQL.format(where=where)), params)).one()
    if first is None or last is None:
        return 0
    statement = sa.text(update_sql(where))
    result = await db.execute(statement, {**params, **calendar_params(calendar, first, last)})
    return result.rowcount or 0


def load_calendar_sync(connection: sa.Connection) -> WorkCalendar:
    """The calendar (library + admin table) read on a synchronous connection, as
    :func:`parkops.tickets.services.calendar_table.load_calendar` builds it."""
    days = connection.execute(sa.text("SELECT day, kind, note FROM work_calendar_days")).all()
    years = connection.execute(sa.text("SELECT year FROM work_calendar_years")).scalars().all()
    return WorkCalendar(
        overrides=[CalendarOverride(r.day, OverrideKind(r.kind), r.note) for r in days],
        filled_years=years,
    )


def recompute_sync(connection: sa.Connection, calendar: WorkCalendar, where: str = "TRUE") -> int:
    """:func:`recompute` on a synchronous connection (migrations)."""
    first, last = connection.execute(sa.text(RANGE_SQL.format(where=where))).one()
    if first is None or last is None:
        return 0
    result = connection.execute(sa.text(update_sql(where)), calendar_params(calendar, first, last))
    return result.rowcount or 0
