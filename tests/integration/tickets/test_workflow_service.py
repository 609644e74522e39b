"""The ticket workflow through the service, end to end, and every kind of refused action.

Deadlines are hand-worked from the State Council notice for 2026 (National Day + Mid-Autumn:
1-7 October off, Saturday 10 October worked) where a case depends on them.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from parkops.core import mail
from parkops.core.audit import AuditEntry
from parkops.core.errors import Conflict, NotFound, ValidationFailed
from parkops.tickets.models import Notification, Ticket, TicketEvent, TicketPause
from parkops.tickets.services import actions, notes, reading
from tests.integration.tickets.factories import (
    at,
    dispatched,
    event_count,
    file,
    people,
    ticket_count,
)


async def notifications_of(db, user_id) -> list[str]:
    rows = await db.execute(
        sa.select(Notification.kind)
        .where(Notification.user_id == user_id)
        .order_by(Notification.id)
    )
    return list(rows.scalars())


async def test_file_accept_dispatch_start_reply_rate(db, test_settings):
    p = await people(db)
    s = test_settings
    mail.OUTBOX.clear()
    ticket = await file(db, s, p.enterprise, now=at(2026, 9, 30, 10))
    assert ticket.number.startswith("WQ-2026-") and len(ticket.number) == 14
    assert ticket.status == "submitted" and ticket.channel == "online"
    # Day 1 is the first working day after 30 September: 8 October (1-7 October are off).
    assert ticket.accept_due_at == at(2026, 10, 8, 17, 30)
    assert ticket.next_due_at == ticket.accept_due_at
    assert not ticket.accept_due_provisional

    await actions.perform(db, s, p.desk, ticket.id, "accept", now=at(2026, 10, 8, 9))
    assert ticket.status == "accepted" and ticket.accepted_at == at(2026, 10, 8, 9)
    await actions.perform(db, s, p.desk, ticket.id, "dispatch", now=at(2026, 10, 8, 9, 30))
    assert ticket.status == "dispatched"
    assert ticket.lead_department_id == p.lead_department_id  # the category's default
    # 9 Oct (1), Saturday 10 Oct is a make-up working day (2), 12 Oct (3).
    assert ticket.first_reply_due_at == at(2026, 10, 12, 17, 30)
    assert ticket.return_due_at == at(2026, 10, 10, 17, 30)
    assert ticket.resolve_due_at == at(2026, 10, 28, 17, 30)

    await actions.perform(db, s, p.lead, ticket.id, "start", now=at(2026, 10, 9, 11))
    assert ticket.status == "in_progress" and ticket.first_replied_at == at(2026, 10, 9, 11)
    assert ticket.next_due_at == ticket.resolve_due_at
    await actions.perform(
        db,
        s,
        p.lead,
        ticket.id,
        "reply",
        {"note": "The shop was closed and the goods seized."},
        now=at(2026, 10, 20, 15),
    )
    assert ticket.status == "replied" and ticket.resolved_at == at(2026, 10, 20, 15)
    assert ticket.follow_up_due_at == at(2026, 10, 27, 17, 30)
    await actions.rate(
        db, s, p.enterprise, ticket.id, 5, "Fast and effective", now=at(2026, 10, 21)
    )
    assert ticket.status == "closed" and ticket.rating == 5 and ticket.closed_at is not None
    assert ticket.next_due_at is None

    history = (
        await db.execute(
            sa.select(TicketEvent.action, TicketEvent.from_status, TicketEvent.to_status)
            .where(TicketEvent.ticket_id == ticket.id)
            .order_by(TicketEvent.id)
        )
    ).all()
    assert [tuple(a) for a in history] == [
        ("file", None, "submitted"),
        ("accept", "submitted", "accepted"),
        ("dispatch", "accepted", "dispatched"),
        ("start", "dispatched", "in_progress"),
        ("reply", "in_progress", "replied"),
        ("rate_satisfied", "replied", "closed"),
    ]
    assert await notifications_of(db, p.enterprise.id) == ["ticket_accepted", "ticket_replied"]
    assert await notifications_of(db, p.lead.id) == ["ticket_dispatched", "ticket_rated"]
    assert await notifications_of(db, p.co.id) == ["ticket_dispatched"]  # co-handling
    assert await notifications_of(db, p.desk.id) == ["ticket_filed", "ticket_rated"]
    audited = await db.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.entity == "ticket", AuditEntry.entity_id == str(ticket.id))
    )
    assert audited == 6


async def test_notifications_are_emailed_when_the_user_has_an_address(db, test_settings):
    p = await people(db)
    p.enterprise_user.email = "boss@example.cn"
    await db.flush()
    mail.OUTBOX.clear()
    ticket = await file(db, test_settings, p.enterprise)
    await actions.perform(db, test_settings, p.desk, ticket.id, "accept")
    sent = [m for m in mail.OUTBOX if m.to == "boss@example.cn"]
    assert len(sent) == 1 and ticket.number in sent[0].subject
    assert f"/portal/tickets/{ticket.id}" in sent[0].body


async def test_ticket_numbers_are_unique_and_count_per_year(db, test_settings):
    p = await people(db)
    a = await file(db, test_settings, p.enterprise, now=at(2026, 12, 31, 23))
    b = await file(db, test_settings, p.enterprise, now=at(2026, 12, 31, 23, 30))
    c = await file(db, test_settings, p.enterprise, now=at(2027, 1, 1, 0, 30))
    assert int(b.number[-6:]) == int(a.number[-6:]) + 1
    assert c.number.startswith("WQ-2027-")


async def test_desk_files_on_behalf_of_an_enterprise(db, test_settings):
    p = await people(db)
    ticket = await file(db, test_settings, p.desk, enterprise_id=p.enterprise_id, channel="walk_in")
    assert ticket.channel == "walk_in" and ticket.filed_by_id == p.desk.id
    assert await notifications_of(db, p.enterprise.id) == ["ticket_filed"]
    with pytest.raises(ValidationFailed) as exc:
        await file(db, test_settings, p.desk)
    assert "enterprise_id" in exc.value.field_errors


@pytest.mark.parametrize(
    ("subject", "field"),
    [("", "subject"), ("   ", "subject"), ("x" * 201, "subject")],
)
async def test_bad_subject_files_nothing(db, test_settings, subject, field):
    p = await people(db)
    before = (await ticket_count(db), await event_count(db))
    with pytest.raises(ValidationFailed) as exc:
        await file(db, test_settings, p.enterprise, subject=subject)
    assert field in exc.value.field_errors
    assert (await ticket_count(db), await event_count(db)) == before


async def test_subject_of_200_characters_is_accepted(db, test_settings):
    p = await people(db)
    ticket = await file(db, test_settings, p.enterprise, subject="羽" * 200)
    assert len(ticket.subject) == 200


async def test_a_transition_the_table_does_not_allow_is_409_and_writes_nothing(db, test_settings):
    p = await people(db)
    ticket = await file(db, test_settings, p.enterprise)
    before = await event_count(db, ticket.id)
    # The desk cannot start handling; nobody can reply to a ticket that is only submitted.
    with pytest.raises(Conflict, match="cannot be started"):
        await actions.perform(db, test_settings, p.desk, ticket.id, "start")
    with pytest.raises(Conflict, match="Only the service desk"):
        await actions.perform(db, test_settings, p.enterprise, ticket.id, "accept")
    # A department the ticket was never dispatched to cannot even see it.
    with pytest.raises(NotFound):
        await actions.perform(db, test_settings, p.lead, ticket.id, "start")
    assert ticket.status == "submitted"
    assert await event_count(db, ticket.id) == before


async def test_a_missing_note_is_a_field_error(db, test_settings):
    p = await people(db)
    ticket = await file(db, test_settings, p.enterprise)
    with pytest.raises(ValidationFailed) as exc:
        await actions.perform(db, test_settings, p.desk, ticket.id, "reject", {"note": " "})
    assert exc.value.field_errors == {"note": "A reason is required to reject a ticket"}
    assert ticket.status == "submitted"


@pytest.mark.parametrize("rating", [0, 6, -1, "five", None, ""])
async def test_rating_outside_1_to_5_is_refused(db, test_settings, rating):
    p = await people(db)
    ticket = await dispatched(db, test_settings, p)
    await actions.perform(db, test_settings, p.lead, ticket.id, "start")
    await actions.perform(db, test_settings, p.lead, ticket.id, "reply", {"note": "Done"})
    before = await event_count(db, ticket.id)
    with pytest.raises(ValidationFailed) as exc:
        await actions.rate(db, test_settings, p.enterprise, ticket.id, rating, "x")
    assert "rating" in exc.value.field_errors
    assert ticket.status == "replied" and ticket.rating is None
    assert await event_count(db, ticket.id) == before


async def test_dissatisfied_rating_reopens_once_then_closes(db, test_settings):
    s = test_settings
    p = await people(db)
    ticket = await dispatched(db, s, p)
    await actions.perform(db, s, p.lead, ticket.id, "start")
    await actions.perform(db, s, p.lead, ticket.id, "reply", {"note": "Done"})
    with pytest.raises(ValidationFailed) as exc:  # a low rating must say what is wrong
        await actions.rate(db, s, p.enterprise, ticket.id, 2, "")
    assert "comment" in exc.value.field_errors
    await actions.rate(db, s, p.enterprise, ticket.id, 2, "The fakes are still on sale")
    assert ticket.status == "reopened" and ticket.reopen_count == 1
    assert ticket.resolved_at is None and ticket.next_due_at == ticket.resolve_due_at
    await actions.perform(db, s, p.lead, ticket.id, "start")
    await actions.perform(db, s, p.lead, ticket.id, "reply", {"note": "Removed again"})
    await actions.rate(db, s, p.enterprise, ticket.id, 1, "Still there")
    assert ticket.status == "closed" and ticket.rating == 1


async def test_return_within_the_limit_and_redispatch_with_a_fresh_deadline(db, test_settings):
    s = test_settings
    p = await people(db)
    ticket = await dispatched(db, s, p, now=at(2026, 10, 8, 9))
    assert ticket.return_due_at == at(2026, 10, 10, 17, 30)
    with pytest.raises(ValidationFailed):  # a reason is required
        await actions.perform(db, s, p.lead, ticket.id, "return", now=at(2026, 10, 9))
    await actions.perform(
        db,
        s,
        p.lead,
        ticket.id,
        "return",
        {"note": "Trademark case: not ours"},
        now=at(2026, 10, 9),
    )
    assert ticket.status == "returned"
    assert await notifications_of(db, p.desk.id) == ["ticket_filed", "ticket_returned"]
    tax = await _dept(db, "tax")
    await actions.perform(
        db,
        s,
        p.desk,
        ticket.id,
        "redispatch",
        {"lead_department_id": tax, "co_department_ids": [], "note": "Tax matter"},
        now=at(2026, 10, 12, 9),
    )
    assert ticket.status == "dispatched" and ticket.lead_department_id == tax
    # Fresh clock from 12 October: 13, 14, 15 -> first reply; 13, 14 -> return limit.
    assert ticket.first_reply_due_at == at(2026, 10, 15, 17, 30)
    assert ticket.return_due_at == at(2026, 10, 14, 17, 30)
    # The market supervision officer lost sight of it with the re-dispatch.
    with pytest.raises(NotFound):
        await reading.ticket_view(db, p.lead, ticket.id)


async def _dept(db, code):
    from tests.integration.tickets.factories import department_id

    return await department_id(db, code)


async def test_return_after_the_return_limit_is_refused(db, test_settings):
    s = test_settings
    p = await people(db)
    ticket = await dispatched(db, s, p, now=at(2026, 10, 8, 9))
    before = await event_count(db, ticket.id)
    with pytest.raises(Conflict, match="time limit for returning"):
        await actions.perform(
            db, s, p.lead, ticket.id, "return", {"note": "Not ours"}, now=at(2026, 10, 12, 9)
        )
    assert ticket.status == "dispatched"
    assert await event_count(db, ticket.id) == before


async def test_extension_before_the_deadline_extends_by_working_days(db, test_settings):
    s = test_settings
    p = await people(db)
    ticket = await dispatched(db, s, p, now=at(2026, 10, 8, 9))
    await actions.perform(db, s, p.lead, ticket.id, "start", now=at(2026, 10, 9))
    assert ticket.resolve_due_at == at(2026, 10, 28, 17, 30)
    with pytest.raises(ValidationFailed) as exc:
        await actions.perform(
            db,
            s,
            p.lead,
            ticket.id,
            "request_extension",
            {"note": "Complex", "days": 20},
            now=at(2026, 10, 19),
        )
    assert "days" in exc.value.field_errors  # 15 + 20 > 30 working days
    await actions.perform(
        db,
        s,
        p.lead,
        ticket.id,
        "request_extension",
        {"note": "Needs a lab test", "days": "5"},
        now=at(2026, 10, 20),
    )
    assert ticket.extension_requested_days == 5
    assert ticket.resolve_due_at == at(2026, 10, 28, 17, 30)  # not before approval
    with pytest.raises(Conflict, match="already waiting"):
        await actions.perform(
            db,
            s,
            p.lead,
            ticket.id,
            "request_extension",
            {"note": "again", "days": 1},
            now=at(2026, 10, 20, 11),
        )
    await actions.perform(db, s, p.desk, ticket.id, "approve_extension", now=at(2026, 10, 21))
    assert ticket.extension_days == 5 and ticket.extension_requested_days is None
    # 29, 30 October, 2, 3, 4 November.
    assert ticket.resolve_due_at == at(2026, 11, 4, 17, 30)
    assert await notifications_of(db, p.lead.id) == ["ticket_dispatched", "extension_approved"]


async def test_extension_after_the_deadline_is_refused(db, test_settings):
    s = test_settings
    p = await people(db)
    ticket = await dispatched(db, s, p, now=at(2026, 10, 8, 9))
    await actions.perform(db, s, p.lead, ticket.id, "start", now=at(2026, 10, 9))
    before = await event_count(db, ticket.id)
    with pytest.raises(Conflict, match="before the deadline"):
        await actions.perform(
            db,
            s,
            p.lead,
            ticket.id,
            "request_extension",
            {"note": "Late", "days": 5},
            now=at(2026, 10, 28, 17, 31),
        )
    assert ticket.extension_requested_days is None
    assert await event_count(db, ticket.id) == before


async def test_pause_for_information_moves_the_deadline(db, test_settings):
    s = test_settings
    p = await people(db)
    ticket = await dispatched(db, s, p, now=at(2026, 10, 8, 9))
    await actions.perform(db, s, p.lead, ticket.id, "start", now=at(2026, 10, 9))
    assert ticket.resolve_due_at == at(2026, 10, 28, 17, 30)
    await actions.perform(
        db,
        s,
        p.lead,
        ticket.id,
        "request_info",
        {"note": "Send the trademark certificate"},
        now=at(2026, 10, 13, 10),
    )
    assert ticket.status == "awaiting_enterprise" and ticket.next_due_at is None
    assert await notifications_of(db, p.enterprise.id) == ["ticket_accepted", "info_requested"]
    # Paused at close of business on 13, 14 and 15 October: three working days lost.
    await actions.perform(
        db,
        s,
        p.enterprise,
        ticket.id,
        "provide_info",
        {"note": "Attached"},
        now=at(2026, 10, 16, 9),
    )
    assert ticket.status == "in_progress"
    assert ticket.resolve_due_at == at(2026, 11, 2, 17, 30)  # 29, 30 Oct, 2 Nov
    pause = (
        await db.execute(sa.select(TicketPause).where(TicketPause.ticket_id == ticket.id))
    ).scalar_one()
    assert pause.from_status == "in_progress" and pause.resumed_at == at(2026, 10, 16, 9)
    # The first-reply deadline was met before the pause and stays where it was.
    assert ticket.first_reply_due_at == at(2026, 10, 12, 17, 30)


async def test_merge_into_an_open_ticket(db, test_settings):
    s = test_settings
    p = await people(db)
    original = await file(db, s, p.enterprise)
    duplicate = await file(db, s, p.enterprise)
    with pytest.raises(Conflict, match="Choose the ticket"):
        await actions.perform(db, s, p.desk, duplicate.id, "merge")
    with pytest.raises(ValidationFailed) as exc:
        await actions.perform(
            db, s, p.desk, duplicate.id, "merge", {"merge_into": "WQ-1999-000001"}
        )
    assert "merge_into" in exc.value.field_errors
    await actions.perform(
        db, s, p.desk, duplicate.id, "merge", {"merge_into": original.number.lower()}
    )
    assert duplicate.status == "merged" and duplicate.merged_into_id == original.id
    with pytest.raises(ValidationFailed, match="Nothing"):
        await actions.perform(
            db,
            s,
            p.desk,
            (await file(db, s, p.enterprise)).id,
            "merge",
            {"merge_into": duplicate.number},
        )


async def test_withdraw_before_reply_only(db, test_settings):
    s = test_settings
    p = await people(db)
    ticket = await dispatched(db, s, p)
    await actions.perform(db, s, p.enterprise, ticket.id, "withdraw")
    assert ticket.status == "withdrawn" and ticket.closed_at is not None
    assert "ticket_withdrawn" in await notifications_of(db, p.lead.id)

    replied = await dispatched(db, s, p)
    await actions.perform(db, s, p.lead, replied.id, "start")
    await actions.perform(db, s, p.lead, replied.id, "reply", {"note": "Done"})
    with pytest.raises(Conflict, match="only before it is replied to"):
        await actions.perform(db, s, p.enterprise, replied.id, "withdraw")
    assert replied.status == "replied"


async def test_internal_notes_are_hidden_from_the_enterprise(db, test_settings):
    s = test_settings
    p = await people(db)
    ticket = await dispatched(db, s, p)
    await notes.add_note(db, s, p.co, ticket.id, "Our unit raided the warehouse last year")
    with pytest.raises(ValidationFailed):
        await notes.add_note(db, s, p.co, ticket.id, "   ")
    staff = await reading.ticket_view(db, p.lead, ticket.id)
    assert any(e["note"] == "Our unit raided the warehouse last year" for e in staff["timeline"])
    own = await reading.ticket_view(db, p.enterprise, ticket.id)
    assert all(e["action"] != "note" for e in own["timeline"])
    # The dispatch happened (status change) but its internal details are not shown.
    dispatch = next(e for e in own["timeline"] if e["action"] == "dispatch")
    assert dispatch["note"] is None and dispatch["data"] is None


async def test_redispatch_clears_a_stale_overdue_mark(db, test_settings):
    s = test_settings
    p = await people(db)
    ticket = await dispatched(db, s, p, now=at(2026, 10, 8, 9))
    ticket.overdue, ticket.overdue_at = True, at(2026, 10, 13)  # as the sweep would
    await db.flush()
    await actions.perform(
        db,
        s,
        p.desk,
        ticket.id,
        "redispatch",
        {"lead_department_id": p.lead_department_id, "note": "Chase"},
        now=at(2026, 10, 14),
    )
    assert ticket.overdue is False and ticket.next_due_at > at(2026, 10, 14)


async def test_rows_in_the_database_match_the_service(db, test_settings):
    p = await people(db)
    ticket = await dispatched(db, test_settings, p, now=at(2026, 10, 8, 9))
    ticket_id = ticket.id
    db.expire_all()
    row = (await db.execute(sa.select(Ticket).where(Ticket.id == ticket_id))).scalar_one()
    assert row.status == "dispatched"
    assert row.resolve_due_at == at(2026, 10, 28, 17, 30)
    assert row.resolve_due_at.utcoffset() == dt.timedelta(0)  # stored in UTC


async def test_follow_up_call_closes_only_after_the_rating_period(db, test_settings):
    s = test_settings
    p = await people(db)
    ticket = await dispatched(db, s, p, now=at(2026, 10, 8, 9))
    await actions.perform(db, s, p.lead, ticket.id, "start", now=at(2026, 10, 9))
    await actions.perform(
        db, s, p.lead, ticket.id, "reply", {"note": "Done"}, now=at(2026, 10, 20, 15)
    )
    assert ticket.follow_up_due_at == at(2026, 10, 27, 17, 30)
    note = {"note": "Called: the enterprise is satisfied"}
    with pytest.raises(Conflict, match="can still rate"):
        await actions.perform(
            db, s, p.desk, ticket.id, "follow_up_close", note, now=at(2026, 10, 27, 17)
        )
    await actions.perform(
        db, s, p.desk, ticket.id, "follow_up_close", note, now=at(2026, 10, 27, 17, 31)
    )
    assert ticket.status == "closed" and ticket.rating is None
    assert (await notifications_of(db, p.enterprise.id))[-1] == "ticket_closed"


async def test_desk_asks_for_missing_information_before_accepting(db, test_settings):
    s = test_settings
    p = await people(db)
    ticket = await file(db, s, p.enterprise, now=at(2026, 9, 29, 10))
    assert ticket.accept_due_at == at(2026, 9, 30, 17, 30)
    await actions.perform(
        db, s, p.desk, ticket.id, "request_info", {"note": "Which shop?"}, now=at(2026, 9, 29, 11)
    )
    view = await reading.ticket_view(db, p.enterprise, ticket.id, now=at(2026, 9, 29, 12))
    assert view["actions"] == ["provide_info", "withdraw"] and view["paused"]
    await actions.perform(
        db, s, p.enterprise, ticket.id, "provide_info", {"note": "Shop X"}, now=at(2026, 10, 8, 9)
    )
    assert ticket.status == "submitted"
    # Paused at close of 29 and 30 September; 1-7 October are off; day 1 is 8 October.
    assert ticket.accept_due_at == at(2026, 10, 8, 17, 30)
    assert (await notifications_of(db, p.desk.id))[-1] == "info_provided"
