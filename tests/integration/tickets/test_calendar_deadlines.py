"""Deadlines against the admin calendar: provisional in an unknown year, recomputed when the admins
fill the year in; closures; the calendar page and API."""

from __future__ import annotations

import sqlalchemy as sa

from parkops.core.audit import AuditEntry
from parkops.tickets.models import CalendarDay, CalendarYear
from parkops.tickets.services import calendar_table, reading
from tests.integration.tickets.factories import at, dispatched, file, people
from tests.support import post_form, sign_in

# chinesecalendar knows 2004-2026; 2030 is a year nobody knows yet (see tests/unit/core).
UNKNOWN = 2030


async def test_deadline_in_an_unknown_year_is_provisional_until_the_year_is_filled(
    db, test_settings
):
    p = await people(db)
    # Monday 30 September 2030. With Monday-Friday guessed, day 1 is Tuesday 1 October.
    ticket = await file(db, test_settings, p.enterprise, now=at(UNKNOWN, 9, 30, 10))
    assert ticket.accept_due_at == at(UNKNOWN, 10, 1, 17, 30)
    assert ticket.accept_due_provisional is True
    view = await reading.ticket_view(db, p.desk, ticket.id, now=at(UNKNOWN, 9, 30, 11))
    accept = next(d for d in view["deadlines"] if d["key"] == "accept")
    assert accept["provisional"] and accept["years"] == [UNKNOWN]

    # The State Council notice arrives: 1-7 October off. Entering days alone keeps the year
    # unknown (other holidays may still be missing), so the deadline moves but stays provisional.
    for day in range(1, 8):
        await calendar_table.set_day(
            db, p.desk, {"day": f"{UNKNOWN}-10-0{day}", "kind": "holiday", "note": "国庆节"}
        )
    assert ticket.accept_due_at == at(UNKNOWN, 10, 8, 17, 30)
    assert ticket.accept_due_provisional is True

    changed = await calendar_table.set_year_filled(db, p.desk, UNKNOWN, True)
    assert changed == 1
    assert ticket.accept_due_at == at(UNKNOWN, 10, 8, 17, 30)
    assert ticket.accept_due_provisional is False
    assert ticket.next_due_at == ticket.accept_due_at


async def test_recompute_provisional_deadlines_is_idempotent(db, test_settings):
    p = await people(db)
    await file(db, test_settings, p.enterprise, now=at(UNKNOWN, 9, 30, 10))
    assert await calendar_table.recompute_provisional_deadlines(db) == 0


async def test_a_park_closure_moves_running_deadlines(db, test_settings):
    p = await people(db)
    ticket = await dispatched(db, test_settings, p, now=at(2026, 10, 8, 9))
    assert ticket.first_reply_due_at == at(2026, 10, 12, 17, 30)
    # The park shuts on the make-up Saturday (power cut): one working day fewer.
    await calendar_table.set_day(
        db, p.desk, {"day": "2026-10-10", "kind": "closure", "note": "Power cut"}
    )
    assert ticket.first_reply_due_at == at(2026, 10, 13, 17, 30)
    await calendar_table.delete_day(db, p.desk, at(2026, 10, 10).date())
    assert ticket.first_reply_due_at == at(2026, 10, 12, 17, 30)


async def test_bad_calendar_input_changes_nothing(db, test_settings):
    p = await people(db)
    count = sa.select(sa.func.count()).select_from(CalendarDay)
    before = await db.scalar(count)
    import pytest

    from parkops.core.errors import ValidationFailed

    for data in (
        {"day": "2026-02-30", "kind": "holiday"},
        {"day": "2026-10-01", "kind": "party"},
        {"day": "1990-01-01", "kind": "holiday"},
    ):
        with pytest.raises(ValidationFailed):
            await calendar_table.set_day(db, p.desk, data)
    assert await db.scalar(count) == before


async def test_calendar_page_and_filling_a_year_through_the_pages(client, db, test_settings):
    p = await people(db)
    ticket = await file(db, test_settings, p.enterprise, now=at(UNKNOWN, 9, 30, 10))
    client.cookies.set("parkops_lang", "en")
    await sign_in(client, db, test_settings, p.enterprise_user)
    own = await client.get(f"/portal/tickets/{ticket.id}")
    assert f"provisional (calendar for {UNKNOWN} not yet published)" in own.text

    await sign_in(client, db, test_settings, p.desk_user)
    page = await client.get(f"/tickets/calendar?year={UNKNOWN}")
    assert page.status_code == 200 and "not yet published" in page.text
    bad = await post_form(client, "/tickets/calendar/days", {"day": "nope", "kind": "holiday"})
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.text
    ok = await post_form(
        client,
        "/tickets/calendar/days",
        {"day": f"{UNKNOWN}-10-01", "kind": "holiday", "note": "国庆"},
    )
    assert ok.status_code == 303
    filled = await post_form(
        client, "/tickets/calendar/years", {"year": str(UNKNOWN), "filled": "1"}
    )
    assert filled.status_code == 303
    assert await db.scalar(
        sa.select(sa.func.count()).select_from(CalendarYear).where(CalendarYear.year == UNKNOWN)
    )
    await db.refresh(ticket)
    assert ticket.accept_due_at == at(UNKNOWN, 10, 2, 17, 30)
    assert ticket.accept_due_provisional is False
    page = await client.get(f"/tickets/calendar?year={UNKNOWN}")
    assert "filled in" in page.text and "国庆" in page.text
    detail = await client.get(f"/tickets/{ticket.id}")
    assert "provisional (calendar" not in detail.text
    assert (
        await db.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action.in_(["calendar_day_set", "calendar_year_filled"]))
        )
        == 2
    )


async def test_calendar_api(client, db, test_settings):
    p = await people(db)
    await sign_in(client, db, test_settings, p.desk_user)
    headers = {"x-csrf-token": _csrf(client)}
    r = await client.put(
        f"/api/v1/tickets/calendar/days/{UNKNOWN}-05-01",
        json={"kind": "holiday", "note": "Labour Day"},
        headers=headers,
    )
    assert r.status_code == 200 and r.json()["kind"] == "holiday"
    r = await client.put(f"/api/v1/tickets/calendar/years/{UNKNOWN}", headers=headers)
    assert r.status_code == 200 and r.json() == {"tickets_recomputed": 0}
    year = (await client.get(f"/api/v1/tickets/calendar?year={UNKNOWN}")).json()
    assert year["status"] == "admin" and year["filled"] is True
    assert [d["day"] for d in year["rows"]] == [f"{UNKNOWN}-05-01"]
    official = (await client.get("/api/v1/tickets/calendar?year=2026")).json()
    assert official["status"] == "official"
    assert any(d["day"] == "2026-10-10" and d["working"] for d in official["special_days"])
    bad = await client.put(
        "/api/v1/tickets/calendar/days/2026-13-01", json={"kind": "holiday"}, headers=headers
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    gone = await client.delete(f"/api/v1/tickets/calendar/days/{UNKNOWN}-05-01", headers=headers)
    assert gone.status_code == 204
    # Enterprises do not edit the calendar.
    await sign_in(client, db, test_settings, p.enterprise_user)
    refused = await client.put(
        f"/api/v1/tickets/calendar/days/{UNKNOWN}-05-02", json={"kind": "holiday"}, headers=headers
    )
    assert refused.status_code == 403


def _csrf(client):
    from tests.support import csrf

    return csrf(client)
