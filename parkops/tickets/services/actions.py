"""The workflow actions on a ticket, and the enterprise's rating.

Each action: load the ticket in the actor's scope with a row lock (404 outside the scope), work
out the actor's role *on this ticket*, ask ``rules.transitions.plan_transition`` (409 for a
transition the table does not allow, 422 for a missing note), check the action's own input (422),
then write what ``rules.effects`` says it changes: the ticket's columns, one event row,
attachments, pauses, co-handling departments, recomputed deadlines, notifications and the audit
entry, all in the caller's transaction (flush, never commit). Validation happens before the
first write, so bad input leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts.identity import CurrentUser
from parkops.config import Settings
from parkops.core import audit
from parkops.core.errors import AppError, Conflict, ValidationFailed
from parkops.core.i18n import N_, Message
from parkops.core.parsing import optional_int
from parkops.db.base import utcnow
from parkops.tickets import catalogue
from parkops.tickets.models import Ticket, TicketCoDepartment, TicketPause, Visibility
from parkops.tickets.rules.effects import (
    RATING_ACTIONS,
    ActionInput,
    Effects,
    MergeTarget,
    PauseChange,
    apply,
    effects,
    notices,
)
from parkops.tickets.rules.states import TERMINAL_STATUSES, ActorRole, TicketAction, TicketStatus
from parkops.tickets.rules.transitions import (
    Transition,
    TransitionError,
    action_for_rating,
    plan_transition,
)
from parkops.tickets.services.common import (
    NOTHING_SAVED,
    CheckedFiles,
    Upload,
    add_event,
    audit_ticket,
    check_files,
    check_note,
    open_pause,
    refresh_deadlines,
    store_files,
    tell,
    text,
    ticket_for,
    transition_context,
)

A = TicketAction
MAX_TOTAL_RESOLVE_DAYS = 30
"""A complex case may take up to 30 working days in all, extensions included."""
AUDITED = ("status", "lead_department_id", "extension_days")


def _app_error(exc: TransitionError, note_field: str = "note") -> AppError:
    if exc.kind == "note":
        return ValidationFailed(NOTHING_SAVED, field_errors={note_field: exc.message})
    return Conflict(exc.message)


def _co_department_ids(raw: Any) -> list[int]:
    values = raw if isinstance(raw, list | tuple) else ([] if raw is None else [raw])
    parsed = [optional_int(v) for v in values if v not in (None, "")]
    if any(v is None for v in parsed):
        raise ValidationFailed(
            NOTHING_SAVED,
            field_errors={"co_department_ids": N_("Choose departments from the list")},
        )
    return sorted({v for v in parsed if v is not None})


async def _dispatch_targets(
    db: AsyncSession, ticket: Ticket, data: Mapping[str, Any]
) -> ActionInput:
    """Lead and co-handling departments; the category's defaults where none are given."""
    lead = optional_int(data.get("lead_department_id"))
    if lead is None and data.get("co_department_ids") is None:
        category = await catalogue.get_category(db, ticket.category_id)
        lead = category.lead_department_id
        co = await catalogue.co_department_ids(db, category.id)
    else:
        co = _co_department_ids(data.get("co_department_ids"))
    errors: dict[str, str] = {}
    if lead is None:
        errors["lead_department_id"] = N_("Choose the lead department")
    known = await catalogue.active_department_ids(db, {lead, *co} - {None})
    if lead is not None and lead not in known:
        errors["lead_department_id"] = N_("Choose an active department")
    if lead in co:
        errors["co_department_ids"] = N_("The lead department cannot also co-handle the ticket")
    elif set(co) - known:
        errors["co_department_ids"] = N_("Choose active departments only")
    if errors:
        raise ValidationFailed(NOTHING_SAVED, field_errors=errors)
    return ActionInput(lead_department_id=lead, co_department_ids=tuple(co))


def _merge_error(message: str | Message) -> ValidationFailed:
    return ValidationFailed(NOTHING_SAVED, field_errors={"merge_into": message})


async def _merge_target(db: AsyncSession, ticket: Ticket, raw: Any) -> ActionInput:
    wanted = str(raw or "").strip().upper()
    target = None
    if wanted:
        number_id = optional_int(wanted)
        stmt = sa.select(Ticket).where(
            Ticket.number == wanted if number_id is None else Ticket.id == number_id
        )
        target = (await db.execute(stmt)).scalar_one_or_none()
    if target is None:
        raise _merge_error(Message(N_("No ticket '%(number)s' was found"), number=wanted))
    if target.id == ticket.id:
        raise _merge_error(N_("A ticket cannot duplicate itself"))
    if TicketStatus(target.status) in TERMINAL_STATUSES:
        raise _merge_error(
            Message(
                N_("Ticket %(number)s is already finished; merge into an open ticket"),
                number=target.number,
            )
        )
    return ActionInput(merge_target=MergeTarget(target.id, target.number))


def _extension(ticket: Ticket, data: Mapping[str, Any]) -> ActionInput:
    days = optional_int(data.get("days"))
    room = MAX_TOTAL_RESOLVE_DAYS - ticket.resolve_days - ticket.extension_days
    if room < 1:
        raise Conflict(
            Message(
                N_(
                    "This ticket already has %(days)s working days to be resolved; "
                    "no further extension is possible"
                ),
                days=MAX_TOTAL_RESOLVE_DAYS,
            )
        )
    if days is None or not 1 <= days <= room:
        message = Message(N_("Enter a whole number of working days from 1 to %(max)s"), max=room)
        raise ValidationFailed(NOTHING_SAVED, field_errors={"days": message})
    return ActionInput(days=days)


async def _action_input(
    db: AsyncSession, ticket: Ticket, act: TicketAction, data: Mapping[str, Any]
) -> ActionInput:
    if act in (A.DISPATCH, A.REDISPATCH):
        return await _dispatch_targets(db, ticket, data)
    if act is A.MERGE:
        return await _merge_target(db, ticket, data.get("merge_into"))
    if act is A.REQUEST_EXTENSION:
        return _extension(ticket, data)
    return ActionInput()


def _action(action: str) -> TicketAction:
    try:
        act = TicketAction(str(action))
    except ValueError:
        raise ValidationFailed(field_errors={"action": N_("Unknown action")}) from None
    if act in RATING_ACTIONS:
        raise ValidationFailed(
            field_errors={"action": N_("Rate the reply with a rating from 1 to 5")}
        )
    return act


async def _write(
    db: AsyncSession,
    ticket: Ticket,
    change: Effects,
    pause: TicketPause | None,
    now: dt.datetime,
) -> None:
    """The ticket's columns, its pause and its co-handling departments as ``change`` says."""
    from_status = ticket.status
    apply(ticket, change.changes)
    if change.pause is PauseChange.OPEN:
        db.add(TicketPause(ticket_id=ticket.id, paused_at=now, from_status=from_status))
    elif change.pause is PauseChange.RESUME:
        assert pause is not None
        pause.resumed_at = now
    if change.co_department_ids is not None:
        await db.execute(
            sa.delete(TicketCoDepartment).where(TicketCoDepartment.ticket_id == ticket.id)
        )
        for department_id in change.co_department_ids:
            db.add(TicketCoDepartment(ticket_id=ticket.id, department_id=department_id))
    await db.flush()


async def _carry_out(
    db: AsyncSession,
    settings: Settings,
    actor: CurrentUser,
    ticket: Ticket,
    role: ActorRole,
    act: TicketAction,
    to_status: TicketStatus,
    given: ActionInput,
    note: str | None,
    pause: TicketPause | None,
    checked: CheckedFiles,
    now: dt.datetime,
) -> tuple[TicketStatus, Effects]:
    """Write what the allowed ``act`` changes: the ticket, its event and files, its deadlines."""
    from_status = TicketStatus(ticket.status)
    paused_at = pause.paused_at if pause else None
    change = effects(ticket, act, to_status, now, given, paused_at=paused_at)
    await _write(db, ticket, change, pause, now)
    event = await add_event(
        db, ticket, actor, role, act.value, from_status=from_status, note=note,
        data=dict(change.event_data), now=now,
    )  # fmt: skip
    internal = event.visibility == Visibility.INTERNAL.value
    await store_files(db, settings, event, checked, internal=internal)
    await refresh_deadlines(db, ticket, now)
    await db.flush()
    return from_status, change


async def _tell(
    db: AsyncSession,
    settings: Settings,
    actor: CurrentUser,
    ticket: Ticket,
    act: TicketAction,
    from_status: TicketStatus,
    to_status: TicketStatus,
    given: ActionInput,
) -> None:
    told = notices(act, from_status, to_status, has_lead=bool(ticket.lead_department_id))
    target = given.merge_target.number if given.merge_target else None
    await tell(db, settings, ticket, told, exclude=actor.id, target=target, rating=given.rating)


async def _plan(
    db: AsyncSession,
    actor: CurrentUser,
    ticket_id: int,
    act: TicketAction,
    data: Mapping[str, Any],
    now: dt.datetime,
) -> tuple[Ticket, ActorRole, TicketPause | None, Transition, str]:
    ticket, role, _co = await ticket_for(db, actor, ticket_id, for_update=True)
    note = check_note(text(data, "note"))
    pause = await open_pause(db, ticket.id)
    placeholder = -1 if act is A.MERGE and text(data, "merge_into") else None
    context = transition_context(ticket, pause, now, merge_target_id=placeholder)
    try:
        row = plan_transition(ticket.status, act, role, note=note, context=context)
    except TransitionError as exc:
        raise _app_error(exc) from None
    return ticket, role, pause, row, note


async def perform(
    db: AsyncSession,
    settings: Settings,
    actor: CurrentUser,
    ticket_id: int,
    action: str,
    data: Mapping[str, Any] | None = None,
    uploads: Sequence[Upload] = (),
    *,
    now: dt.datetime | None = None,
) -> Ticket:
    """Do one workflow action (anything but rating, see :func:`rate`)."""
    now = now or utcnow()
    data = data or {}
    act = _action(action)
    ticket, role, pause, row, note = await _plan(db, actor, ticket_id, act, data, now)
    # The action's own input, before anything is written.
    checked = check_files(uploads)
    given = await _action_input(db, ticket, act, data)

    assert row.to_status is not None
    before = audit.snapshot(ticket, *AUDITED)
    from_status, change = await _carry_out(
        db, settings, actor, ticket, role, act, row.to_status, given, note, pause, checked, now
    )
    after = {**audit.snapshot(ticket, *AUDITED), **change.event_data}
    audit_ticket(db, actor, f"ticket_{act.value}", ticket, before=before, after=after)
    await _tell(db, settings, actor, ticket, act, from_status, row.to_status, given)
    return ticket


def _rating_input(rating: Any, comment: str | None) -> ActionInput:
    value = optional_int(rating)
    if value is None or not 1 <= value <= 5:
        raise ValidationFailed(
            N_("The rating was not saved."),
            field_errors={"rating": N_("Choose a rating from 1 to 5")},
        )
    comment = check_note(
        (comment or "").strip(), field="comment", message=N_("The rating was not saved.")
    )
    return ActionInput(rating=value, comment=comment)


async def rate(
    db: AsyncSession,
    settings: Settings,
    actor: CurrentUser,
    ticket_id: int,
    rating: Any,
    comment: str | None = None,
    *,
    now: dt.datetime | None = None,
) -> Ticket:
    """The enterprise rates the reply 1-5; 1-2 reopens the ticket for redo, once."""
    now = now or utcnow()
    ticket, role, _co = await ticket_for(db, actor, ticket_id, for_update=True)
    given = _rating_input(rating, comment)
    assert given.rating is not None
    act = action_for_rating(given.rating, ticket.reopen_count)
    context = transition_context(ticket, None, now)
    try:
        row = plan_transition(ticket.status, act, role, note=given.comment, context=context)
    except TransitionError as exc:
        raise _app_error(exc, note_field="comment") from None
    assert row.to_status is not None
    from_status, _change = await _carry_out(
        db, settings, actor, ticket, role, act, row.to_status, given, given.comment, None, [], now
    )
    after = {"rating": given.rating, "status": ticket.status}
    audit_ticket(db, actor, "ticket_rated", ticket, after=after)
    await _tell(db, settings, actor, ticket, act, from_status, row.to_status, given)
    return ticket
