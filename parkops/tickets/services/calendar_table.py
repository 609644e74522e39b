"""The working-day calendar's admin table, the WorkCalendar built from it, and recomputing stored
deadlines when the table changes.

Every deadline computation gets its calendar from :func:`load_calendar`, which reads the table
once per database session (one request, one CLI command) and caches the result on the session.
Editing the table drops the cache and recomputes the deadlines that may have changed:

* the provisional ones (they ran through a year nobody knew) whenever a year is filled in or a
  day is edited, since both can settle what was guessed;
* after a day is edited, also the deadlines of open tickets that run to or past that day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts.identity import CurrentUser
from parkops.core import audit
from parkops.core.errors import NotFound, ValidationFailed
from parkops.core.i18n import N_
from parkops.core.rows import get_or_404
from parkops.core.workdays import (
    LIBRARY_YEARS,
    CalendarOverride,
    DaySource,
    OverrideKind,
    Pause,
    WorkCalendar,
)
from parkops.db.base import utcnow
from parkops.tickets.models import CalendarDay, CalendarYear, Ticket, TicketPause
from parkops.tickets.rules import deadlines
from parkops.tickets.rules.states import TERMINAL_STATUSES, TicketStatus
from parkops.tickets.services import elapsed_days

_CACHE_KEY = "parkops.tickets.services.calendar_table"
SHANGHAI = ZoneInfo("Asia/Shanghai")
MIN_YEAR, MAX_YEAR = 2000, 2100


async def load_calendar(db: AsyncSession) -> WorkCalendar:
    """The calendar as the admin table says now, cached on the session (i.e. per request)."""
    cached = db.info.get(_CACHE_KEY)
    if cached is not None:
        return cached
    days = (await db.execute(sa.select(CalendarDay.day, CalendarDay.kind, CalendarDay.note))).all()
    years = (await db.execute(sa.select(CalendarYear.year))).scalars().all()
    calendar = WorkCalendar(
        overrides=[CalendarOverride(r.day, OverrideKind(r.kind), r.note) for r in days],
        filled_years=years,
    )
    db.info[_CACHE_KEY] = calendar
    return calendar


def forget_calendar(db: AsyncSession) -> None:
    db.info.pop(_CACHE_KEY, None)


# --- reading ----------------------------------------------------------------------------------


async def year_view(db: AsyncSession, year: int) -> dict[str, Any]:
    """What the calendar page shows for a year: its status, the admin rows, and every day that is
    not an ordinary weekday/weekend day (holidays, make-up days, closures) with its source."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise NotFound(N_("No such year"))
    calendar = await load_calendar(db)
    rows = (
        await db.execute(
            sa.select(CalendarDay)
            .where(CalendarDay.day >= dt.date(year, 1, 1), CalendarDay.day <= dt.date(year, 12, 31))
            .order_by(CalendarDay.day)
        )
    ).scalars()
    special = []
    day = dt.date(year, 1, 1)
    while day.year == year:
        info = calendar.explain(day)
        weekday = day.weekday() < 5
        if info.working != weekday or info.source in (DaySource.CLOSURE, DaySource.OVERRIDE):
            special.append(info)
        day += dt.timedelta(days=1)
    filled = (await db.execute(sa.select(CalendarYear).where(CalendarYear.year == year))).first()
    return {
        "year": year,
        "status": calendar.year_status(year),
        "in_library": year in LIBRARY_YEARS,
        "filled": filled is not None,
        "rows": list(rows),
        "special_days": special,
    }


async def filled_years(db: AsyncSession) -> list[int]:
    return list(
        (await db.execute(sa.select(CalendarYear.year).order_by(CalendarYear.year))).scalars()
    )


# --- editing ----------------------------------------------------------------------------------


def parse_day(value: Any) -> dt.date | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


async def set_day(
    db: AsyncSession, actor: CurrentUser, data: Mapping[str, Any], *, now: dt.datetime | None = None
) -> CalendarDay:
    """Add or change the admin row of one date, then recompute affected deadlines."""
    errors: dict[str, str] = {}
    day = parse_day(data.get("day"))
    if day is None or not MIN_YEAR <= day.year <= MAX_YEAR:
        errors["day"] = N_("Enter a date (YYYY-MM-DD) between 2000 and 2100")
    kind = str(data.get("kind") or "").strip()
    if kind not in set(OverrideKind):
        errors["kind"] = N_("Choose holiday, working day or park closure")
    note = str(data.get("note") or "").strip()
    if len(note) > 200:
        errors["note"] = N_("At most 200 characters")
    if errors:
        raise ValidationFailed(N_("The calendar was not changed."), field_errors=errors)
    assert day is not None
    row = await db.get(CalendarDay, day)
    before = audit.snapshot(row, "kind", "note") if row else None
    if row is None:
        row = CalendarDay(day=day, kind=kind, note=note, updated_by_id=actor.id)
        db.add(row)
    else:
        row.kind, row.note, row.updated_by_id, row.updated_at = kind, note, actor.id, utcnow()
    await db.flush()
    audit.record(
        db,
        actor=actor,
        action="calendar_day_set",
        entity="calendar_day",
        entity_id=day.isoformat(),
        before=before,
        after={"kind": kind, "note": note},
    )
    await _after_edit(db, since=day, now=now)
    return row


async def delete_day(
    db: AsyncSession, actor: CurrentUser, day: dt.date, *, now: dt.datetime | None = None
) -> None:
    row = await get_or_404(db, CalendarDay, day, N_("That date has no entry in the calendar table"))
    before = audit.snapshot(row, "kind", "note")
    await db.delete(row)
    await db.flush()
    audit.record(
        db,
        actor=actor,
        action="calendar_day_deleted",
        entity="calendar_day",
        entity_id=day.isoformat(),
        before=before,
    )
    await _after_edit(db, since=day, now=now)


async def set_year_filled(
    db: AsyncSession,
    actor: CurrentUser,
    year: int,
    filled: bool,
    *,
    now: dt.datetime | None = None,
) -> int:
    """Declare a year's table complete (or take that back); returns the tickets recomputed."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationFailed(field_errors={"year": N_("Enter a year between 2000 and 2100")})
    row = await db.get(CalendarYear, year)
    if filled and row is None:
        db.add(CalendarYear(year=year, filled_by_id=actor.id))
    elif not filled and row is not None:
        await db.delete(row)
    else:
        return 0
    await db.flush()
    audit.record(
        db,
        actor=actor,
        action="calendar_year_filled" if filled else "calendar_year_unfilled",
        entity="calendar_year",
        entity_id=year,
    )
    forget_calendar(db)
    if filled:
        return await recompute_provisional_deadlines(db, now=now)
    # A year taken back becomes a guess again: deadlines running through it turn provisional.
    return await _recompute(db, _open_tickets_reaching(dt.date(year, 1, 1)), now=now or utcnow())


async def _after_edit(db: AsyncSession, *, since: dt.date, now: dt.datetime | None) -> None:
    forget_calendar(db)
    await recompute_provisional_deadlines(db, now=now)
    await _recompute(db, _open_tickets_reaching(since), now=now or utcnow())
    await recompute_elapsed_days(db, since)


async def recompute_elapsed_days(db: AsyncSession, day: dt.date) -> int:
    """Recompute the stored working days to first reply / resolution of every ticket, open or
    closed, whose counted span contains ``day`` (the statistics follow the calendar as it is)."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=SHANGHAI)
    return await elapsed_days.recompute(
        db,
        await load_calendar(db),
        "(t.first_replied_at >= :day_start AND t.first_reply_from < :day_end)"
        " OR (t.resolved_at >= :day_start AND t.resolve_from < :day_end)",
        {"day_start": start, "day_end": start + dt.timedelta(days=1)},
    )


# --- recomputing ------------------------------------------------------------------------------

_DUE_COLUMNS = (
    Ticket.accept_due_at,
    Ticket.first_reply_due_at,
    Ticket.resolve_due_at,
    Ticket.return_due_at,
    Ticket.follow_up_due_at,
)
_PROVISIONAL_COLUMNS = (
    Ticket.accept_due_provisional,
    Ticket.first_reply_due_provisional,
    Ticket.resolve_due_provisional,
    Ticket.return_due_provisional,
    Ticket.follow_up_due_provisional,
)


def _open_tickets_reaching(day: dt.date) -> sa.ColumnElement[bool]:
    start = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC) - dt.timedelta(hours=8)
    return sa.and_(
        Ticket.status.not_in([s.value for s in TERMINAL_STATUSES]),
        sa.or_(*(column >= start for column in _DUE_COLUMNS)),
    )


async def recompute_provisional_deadlines(
    db: AsyncSession, *, now: dt.datetime | None = None
) -> int:
    """Recompute every provisional deadline with the current calendar (call after the calendar
    table changes). Closed tickets are included: their on-time figures depend on the deadline.
    Returns how many tickets changed."""
    forget_calendar(db)
    return await _recompute(db, sa.or_(*(c.is_(True) for c in _PROVISIONAL_COLUMNS)), now=now)


async def _recompute(
    db: AsyncSession, where: sa.ColumnElement[bool], *, now: dt.datetime | None
) -> int:
    now = now or utcnow()
    calendar = await load_calendar(db)
    tickets = list(
        (await db.execute(sa.select(Ticket).where(where).order_by(Ticket.id).with_for_update()))
        .scalars()
        .all()
    )
    if not tickets:
        return 0
    pauses: dict[int, list[TicketPause]] = defaultdict(list)
    rows = await db.execute(
        sa.select(TicketPause)
        .where(TicketPause.ticket_id.in_([t.id for t in tickets]))
        .order_by(TicketPause.paused_at)
    )
    for pause in rows.scalars():
        pauses[pause.ticket_id].append(pause)
    changed = 0
    for ticket in tickets:
        ticket_pauses = pauses.get(ticket.id, [])
        open_pause = next((p for p in ticket_pauses if p.resumed_at is None), None)
        values = deadlines.compute(
            ticket,
            calendar,
            [Pause(p.paused_at, p.resumed_at) for p in ticket_pauses],
            now,
            paused_from=TicketStatus(open_pause.from_status) if open_pause else None,
        )
        if deadlines.apply(ticket, values):
            changed += 1
    await db.flush()
    return changed


def badge_years(
    calendar: WorkCalendar, anchor: dt.datetime | None, due_at: dt.datetime | None
) -> list[int]:
    """The unknown years a provisional deadline was counted through, for the badge on the page."""
    if due_at is None:
        return []
    due = calendar.local_date(due_at)
    start = calendar.local_date(anchor) if anchor is not None else due
    years = calendar.unknown_years(min(start, due), due)
    return sorted(years) or [due.year]
