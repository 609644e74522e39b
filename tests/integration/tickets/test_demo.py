"""The tickets demo: officers for every department and a year of tickets in every state, loaded
in bulk, deterministically and only once."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from parkops.accounts import demo as accounts_demo
from parkops.accounts.demo import DEMO_PASSWORD
from parkops.accounts.models import User
from parkops.app import DOMAINS
from parkops.demo import demo_logins
from parkops.tickets import demo as tickets_demo
from parkops.tickets import statistics
from parkops.tickets.models import Department, Ticket, TicketEvent
from parkops.tickets.rules.states import TicketStatus

NOW = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC)


async def _snapshot(db):
    rows = await db.execute(
        sa.select(Ticket.number, Ticket.status, Ticket.subject, Ticket.lead_department_id,
                  Ticket.next_due_at, Ticket.rating).order_by(Ticket.number)
    )  # fmt: skip
    return [tuple(r) for r in rows]


async def test_demo_loads_a_year_of_tickets_once(db):
    await accounts_demo.load_demo(db)
    from parkops.enterprises import demo as enterprises_demo

    await enterprises_demo.load_demo(db)
    counts = await tickets_demo.load_demo(db, now=NOW)

    assert counts["tickets"] == tickets_demo.TICKETS
    assert counts["department_officers"] == len(tickets_demo.OFFICERS)
    statuses = dict(
        (await db.execute(sa.select(Ticket.status, sa.func.count()).group_by(Ticket.status))).all()
    )
    assert set(statuses) == {s.value for s in TicketStatus}
    merged = (
        await db.execute(sa.select(Ticket.merged_into_id).where(Ticket.status == "merged"))
    ).scalars()
    assert all(target is not None for target in merged)
    # Officers of the two departments the README names, with their departments.
    officers = dict(
        (
            await db.execute(
                sa.select(User.username, Department.code)
                .join(Department, Department.id == User.department_id)
                .where(User.username.in_(["shichang", "gongdian"]))
            )
        ).all()
    )
    assert officers == {"shichang": "market_supervision", "gongdian": "power_supply"}
    assert ("shichang", DEMO_PASSWORD, "gov_officer") in demo_logins(DOMAINS)
    # Overdue tickets were marked and chased.
    overdue = await db.scalar(sa.select(sa.func.count()).where(Ticket.overdue.is_(True)))
    chased = await db.scalar(sa.select(sa.func.count()).where(TicketEvent.action == "chase"))
    assert overdue > 0 and chased >= counts["tickets_chased"] > 0
    # The statistics show the year.
    period = statistics.Period.default(dt.date(2026, 11, 20))
    report = await statistics.report(db, period, "department", now=NOW)
    assert report.total.received == tickets_demo.TICKETS
    assert report.total.reply_pct is not None and report.total.satisfaction_pct is not None
    assert all(r.received for r in report.trend)

    before = await _snapshot(db)
    assert await tickets_demo.load_demo(db, now=NOW) == {}
    assert await _snapshot(db) == before


async def test_demo_is_deterministic(db):
    await accounts_demo.load_demo(db)
    from parkops.enterprises import demo as enterprises_demo

    await enterprises_demo.load_demo(db)
    snapshots = []
    for _ in range(2):
        savepoint = await db.begin_nested()
        await tickets_demo.load_demo(db, now=NOW)
        snapshots.append(await _snapshot(db))
        await savepoint.rollback()
    assert snapshots[0] == snapshots[1]
    assert len(snapshots[0]) == tickets_demo.TICKETS
