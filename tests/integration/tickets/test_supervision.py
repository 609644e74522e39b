"""The supervision sweep (督办): marks exactly the overdue tickets, chases each passed deadline
once, escalates long-overdue ones to park leadership, and never runs twice at the same time."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
import sqlalchemy as sa

from parkops.core import mail
from parkops.tickets.models import Notification, Ticket, TicketEvent
from parkops.tickets.services import actions, supervision
from tests.integration.tickets.factories import at, dispatched, file, people
from tests.support import create_user, sign_in, with_committed_session

T0 = at(2026, 3, 2, 10)  # Monday; March 2026 has no holidays
# accept within 1 working day: due Tue 3 March 17:30; first reply within 3: Thu 5 March 17:30.
FRIDAY = at(2026, 3, 6, 10)


async def _scenario(db, settings):
    """A: filed, never accepted (accept overdue, the desk's). B: dispatched, not started (first
    reply overdue, the lead department's). C: dispatched and started (resolve not due). D: filed
    on Friday (not due). E: dispatched then paused for the enterprise (clock stopped)."""
    p = await people(db)
    a = await file(db, settings, p.enterprise, now=T0, subject="A never accepted")
    b = await dispatched(db, settings, p, now=T0, subject="B not started")
    c = await dispatched(db, settings, p, now=T0, subject="C started")
    await actions.perform(db, settings, p.lead, c.id, "start", now=T0)
    d = await file(db, settings, p.enterprise, now=at(2026, 3, 6, 9), subject="D fresh")
    e = await dispatched(db, settings, p, now=T0, subject="E paused")
    await actions.perform(db, settings, p.lead, e.id, "start", now=T0)
    await actions.perform(
        db, settings, p.lead, e.id, "request_info", {"note": "Send the invoice"}, now=T0
    )
    return p, {"A": a.id, "B": b.id, "C": c.id, "D": d.id, "E": e.id}


async def _events(db, action, ticket_ids=None):
    stmt = sa.select(TicketEvent.ticket_id, TicketEvent.data).where(TicketEvent.action == action)
    if ticket_ids is not None:
        stmt = stmt.where(TicketEvent.ticket_id.in_(ticket_ids))
    return (await db.execute(stmt.order_by(TicketEvent.id))).all()


async def _notifications(db, kind):
    rows = await db.execute(
        sa.select(Notification.user_id, Notification.ticket_id)
        .where(Notification.kind == kind)
        .order_by(Notification.id)
    )
    return [tuple(r) for r in rows]


async def _overdue_ids(db, ids):
    rows = await db.execute(
        sa.select(Ticket.id).where(Ticket.id.in_(ids), Ticket.overdue.is_(True)).order_by(Ticket.id)
    )
    return list(rows.scalars())


async def test_sweep_marks_and_chases_exactly_the_overdue_deadlines(db, test_settings):
    p, ids = await _scenario(db, test_settings)
    all_ids = list(ids.values())
    assert await _overdue_ids(db, all_ids) == []

    result = await supervision.run_sweep(db, test_settings, now=FRIDAY)

    assert not result.skipped
    assert await _overdue_ids(db, all_ids) == sorted([ids["A"], ids["B"]])
    chases = await _events(db, "chase", all_ids)
    assert [(t, d["deadline"], d["responsible"]) for t, d in chases] == [
        (ids["A"], "accept", "desk"),
        (ids["B"], "first_reply", "department"),
    ]
    a, b = await db.get(Ticket, ids["A"]), await db.get(Ticket, ids["B"])
    assert dt.datetime.fromisoformat(chases[0][1]["due_at"]) == a.accept_due_at
    assert dt.datetime.fromisoformat(chases[1][1]["due_at"]) == b.first_reply_due_at
    # The desk is chased for A, the lead department's officer for B; the co-handling department
    # and the enterprise are not chased.
    chased = await _notifications(db, "ticket_chased")
    assert sorted(chased) == sorted([(p.desk_user.id, ids["A"]), (p.lead_user.id, ids["B"])])
    assert result.chased == 2 and result.marked == 2 and result.notifications == 2
    assert result.escalated == 0  # due Tuesday/Thursday: not 3 working days overdue on Friday


async def test_sweep_is_idempotent(db, test_settings):
    _p, _ids = await _scenario(db, test_settings)
    first = await supervision.run_sweep(db, test_settings, now=FRIDAY)
    events = len(await _events(db, "chase"))
    notes = await db.scalar(sa.select(sa.func.count()).select_from(Notification))

    again = await supervision.run_sweep(db, test_settings, now=FRIDAY + dt.timedelta(hours=2))

    assert first.chased == 2
    assert (again.marked, again.chased, again.escalated, again.notifications) == (0, 0, 0, 0)
    assert again.mails == []
    assert len(await _events(db, "chase")) == events
    assert await db.scalar(sa.select(sa.func.count()).select_from(Notification)) == notes


async def test_a_new_deadline_is_chased_again_and_a_met_one_unmarks(db, test_settings):
    p, ids = await _scenario(db, test_settings)
    await supervision.run_sweep(db, test_settings, now=FRIDAY)
    # The lead department starts B: first reply met; the resolve deadline lies ahead.
    await actions.perform(db, test_settings, p.lead, ids["B"], "start", now=FRIDAY)
    result = await supervision.run_sweep(db, test_settings, now=FRIDAY + dt.timedelta(minutes=5))
    assert ids["B"] not in await _overdue_ids(db, [ids["B"]])
    assert result.chased == 0
    # Weeks later the resolve deadline (15 working days from Monday 2 March) has passed too.
    later = at(2026, 3, 24, 10)
    result = await supervision.run_sweep(db, test_settings, now=later)
    resolve_chases = [d for t, d in await _events(db, "chase", [ids["B"]]) if t == ids["B"]]
    assert [d["deadline"] for d in resolve_chases] == ["first_reply", "resolve"]
    assert ids["B"] in await _overdue_ids(db, [ids["B"]])


async def test_escalates_after_n_working_days_to_park_admins_once(db, test_settings):
    p, ids = await _scenario(db, test_settings)
    leader = await create_user(db, "park_admin")
    a = await db.get(Ticket, ids["A"])
    # A was due Tuesday 3 March 17:30; 3 working days later is Friday 6 March 17:30.
    assert a.accept_due_at == at(2026, 3, 3, 17, 30)

    before = await supervision.run_sweep(db, test_settings, now=at(2026, 3, 6, 17, 29))
    assert before.escalated == 0
    assert await _notifications(db, "ticket_escalated") == []

    after = await supervision.run_sweep(db, test_settings, now=at(2026, 3, 6, 17, 31))
    escalations = await _events(db, "escalate")
    assert [(t, d["deadline"], d["working_days"]) for t, d in escalations] == [
        (ids["A"], "accept", 3)
    ]
    assert after.escalated == 1
    assert await _notifications(db, "ticket_escalated") == [(leader.id, ids["A"])]
    # B (due Thursday 5 March) is escalated on Tuesday evening, not before; A not again.
    await supervision.run_sweep(db, test_settings, now=at(2026, 3, 10, 17, 0))
    assert len(await _events(db, "escalate")) == 1
    await supervision.run_sweep(db, test_settings, now=at(2026, 3, 10, 17, 31))
    assert [t for t, _d in await _events(db, "escalate")] == [ids["A"], ids["B"]]
    assert sorted(await _notifications(db, "ticket_escalated")) == [
        (leader.id, ids["A"]),
        (leader.id, ids["B"]),
    ]
    assert p.lead_user.id not in {u for u, _t in await _notifications(db, "ticket_escalated")}


async def test_escalation_days_is_a_setting(db, test_settings):
    _p, ids = await _scenario(db, test_settings)
    one_day = test_settings.model_copy(update={"ticket_escalation_days": 1})
    # A due Tuesday 17:30; one working day later is Wednesday 17:30.
    result = await supervision.run_sweep(db, one_day, now=at(2026, 3, 4, 18))
    assert result.escalated == 1
    assert [t for t, _d in await _events(db, "escalate")] == [ids["A"]]


async def test_email_digest_per_recipient_after_delivery(db, test_settings):
    p, ids = await _scenario(db, test_settings)
    p.lead_user.email = "officer@example.cn"
    p.desk_user.email = "desk@example.cn"
    await db.flush()
    mail.OUTBOX.clear()
    result = await supervision.run_sweep(db, test_settings, now=FRIDAY)
    assert len(mail.OUTBOX) == 0  # nothing leaves before the caller commits
    sent = await supervision.deliver(test_settings, result)
    assert sent == 2
    by_address = {m.to: m for m in mail.OUTBOX}
    assert set(by_address) == {"officer@example.cn", "desk@example.cn"}
    b = await db.get(Ticket, ids["B"])
    assert b.number in by_address["officer@example.cn"].body
    assert f"/tickets/{ids['B']}" in by_address["officer@example.cn"].body
    assert b.number not in by_address["desk@example.cn"].body


async def test_supervision_page_lists_overdue_and_due_soon_per_department(
    client, db, test_settings
):
    p, ids = await _scenario(db, test_settings)
    desk = p.desk_user
    await sign_in(client, db, test_settings, desk)
    client.cookies.set("parkops_lang", "en")
    # The page works on the real clock: put B's first-reply deadline in the past and C's resolve
    # deadline within the next two working days.
    now = dt.datetime.now(dt.UTC)
    b, c = await db.get(Ticket, ids["B"]), await db.get(Ticket, ids["C"])
    b.next_due_at = b.first_reply_due_at = now - dt.timedelta(hours=1)
    c.next_due_at = c.resolve_due_at = now + dt.timedelta(minutes=30)
    a = await db.get(Ticket, ids["A"])
    a.next_due_at = a.accept_due_at = now + dt.timedelta(days=30)
    await db.flush()

    r = await client.get("/tickets/supervision")
    assert r.status_code == 200
    page = r.text
    assert b.number in page and c.number in page
    assert a.number not in page  # due in a month
    department = page.split(f'id="owner-{p.lead_department_id}"')[1].split("</section>")[0]
    assert "Market Supervision Administration" in department
    overdue = department.split('data-list="overdue"')[1].split("</table>")[0]
    soon = department.split('data-list="soon"')[1].split("</table>")[0]
    assert b.number in overdue and c.number not in overdue
    assert c.number in soon and b.number not in soon
    # D (filed in March, never accepted) waits for the desk, in the desk's section.
    d = await db.get(Ticket, ids["D"])
    desk_section = page.split('id="owner-desk"')[1].split("</section>")[0]
    assert d.number in desk_section and d.number not in department


async def test_sweep_button_runs_the_sweep(client, db, test_settings):
    from tests.support import post_form

    _p, ids = await _scenario(db, test_settings)
    b = await db.get(Ticket, ids["B"])
    b.next_due_at = b.first_reply_due_at = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    await db.flush()
    desk = await create_user(db, "service_desk")
    await sign_in(client, db, test_settings, desk)
    assert await _events(db, "chase") == []
    r = await post_form(client, "/tickets/supervision/sweep")
    assert r.status_code == 303 and r.headers["location"] == "/tickets/supervision"
    # On the real clock B's first-reply (moved above) and resolve (March) deadlines have passed.
    chased = {d["deadline"] for _t, d in await _events(db, "chase", [ids["B"]])}
    assert chased == {"first_reply", "resolve"}


# --- one sweep at a time --------------------------------------------------------------------


@pytest.mark.slow
async def test_advisory_lock_keeps_a_second_sweep_out(committed_database_url, test_settings):
    from parkops.db.engine import create_engine, session_factory

    url = committed_database_url

    async def setup(db):
        _p, ids = await _scenario(db, test_settings)
        return ids

    await with_committed_session(url, setup)
    engine = create_engine(url, pool_size=4)
    maker = session_factory(engine)
    try:
        # A first sweep holds its transaction open; a second one, meanwhile, is turned away.
        async with maker() as first, first.begin():
            result = await supervision.run_sweep(first, test_settings, now=FRIDAY)
            assert result.chased == 2
            async with maker() as second, second.begin():
                blocked = await supervision.run_sweep(second, test_settings, now=FRIDAY)
            assert blocked.skipped and blocked.chased == 0
        # Two sweeps racing after the first committed: the lock lets one in at a time, and the
        # one that runs second finds everything chased.
        later = at(2026, 3, 10, 17, 31)
        results = await asyncio.gather(
            supervision.sweep_once(maker, test_settings, now=later),
            supervision.sweep_once(maker, test_settings, now=later),
        )
        async with maker() as db:
            chases = (
                await db.execute(
                    sa.select(TicketEvent.ticket_id, TicketEvent.data["deadline"].astext).where(
                        TicketEvent.action == "chase"
                    )
                )
            ).all()
            escalations = await db.scalar(
                sa.select(sa.func.count()).where(TicketEvent.action == "escalate")
            )
            chased_notes = await db.scalar(
                sa.select(sa.func.count()).where(Notification.kind == "ticket_chased")
            )
    finally:
        await engine.dispose()
    # D (filed Friday) became accept-overdue on Monday: chased once, by one of the two sweeps.
    assert len(chases) == len(set(chases)) == 3
    assert chased_notes == 3
    assert sorted(r.chased for r in results) == [0, 1]
    # A and B are both 3 working days overdue now: escalated once each, by one of the two.
    assert escalations == 2
    assert sorted(r.escalated for r in results) == [0, 2]


# --- the CLI (the periodic sweep is a worker's job: tests/integration/jobs) -------------------


async def _chase_count(url):
    async def count(db):
        return await db.scalar(sa.select(sa.func.count()).where(TicketEvent.action == "chase"))

    return await with_committed_session(url, count)


@pytest.mark.slow
async def test_cli_sweep(committed_database_url, test_settings):
    import os
    import subprocess
    import sys

    url = committed_database_url

    async def setup(db):
        await _scenario(db, test_settings)

    await with_committed_session(url, setup)
    env = {**os.environ, "PARKOPS_DATABASE_URL": url}

    def run():
        return subprocess.run(
            [sys.executable, "-m", "parkops.cli", "tickets", "sweep"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    # On the real clock every March deadline has passed: A, B, C, D overdue (E is paused);
    # chased: A accept, B first reply and resolve, C resolve, D accept.
    first = await asyncio.to_thread(run)
    assert first.returncode == 0, first.stderr
    assert "sweep done: marked 4, unmarked 0, chased 5, escalated 5" in first.stdout
    chased = await _chase_count(url)
    assert chased > 0
    second = await asyncio.to_thread(run)
    assert "marked 0, unmarked 0, chased 0, escalated 0, notifications 0" in second.stdout
    assert await _chase_count(url) == chased
