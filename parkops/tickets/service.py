"""Use cases of the rights-protection desk: filing, every workflow action, rating, notes,
attachments, and the ticket page's view.

Each action: load the ticket in the actor's scope with a row lock (404 outside the scope), work
out the actor's role *on this ticket*, ask ``workflow.plan_transition`` (409 for a transition the
table does not allow, 422 for a missing note), validate the action's own input (422), then write
the new state, one event row, attachments, pauses, recomputed deadlines, notifications and the
audit entry, all in the caller's transaction (flush, never commit). Validation happens before the
first write, so bad input leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts.identity import CurrentUser
from parkops.accounts.models import User
from parkops.accounts.roles import Role
from parkops.config import Settings
from parkops.core import audit, blobs
from parkops.core.errors import AppError, Conflict, NotFound, PermissionDenied, ValidationFailed
from parkops.core.i18n import N_, Message
from parkops.core.parsing import optional_int
from parkops.core.workdays import Pause
from parkops.db.base import utcnow
from parkops.enterprises.models import Enterprise
from parkops.tickets import attachments as files_mod
from parkops.tickets import catalogue, deadlines, notifications, repository
from parkops.tickets.models import (
    SUBJECT_MAX,
    Channel,
    Department,
    PreferredContact,
    Ticket,
    TicketAttachment,
    TicketCategory,
    TicketCoDepartment,
    TicketEvent,
    TicketPause,
    Visibility,
)
from parkops.tickets.work_calendar import badge_years, load_calendar
from parkops.tickets.workflow import (
    PAUSED_STATUSES,
    STATUS_DESCRIPTIONS,
    TERMINAL_STATUSES,
    ActorRole,
    TicketAction,
    TicketStatus,
    TransitionContext,
    TransitionError,
    action_for_rating,
    available_actions,
    plan_transition,
)

A = TicketAction
NOTE_MAX = 5000
DESCRIPTION_MAX = 10000
MAX_TOTAL_RESOLVE_DAYS = 30
"""A complex case may take up to 30 working days in all, extensions included."""

RATING_ACTIONS = frozenset({A.RATE_SATISFIED, A.RATE_DISSATISFIED, A.CLOSE})
# Events whose note is for staff and departments only. The enterprise still sees that the
# status changed (it sees the status anyway), never the note.
INTERNAL_ACTIONS = frozenset(
    {A.DISPATCH, A.REDISPATCH, A.RETURN, A.REQUEST_EXTENSION, A.APPROVE_EXTENSION, A.DENY_EXTENSION}
)
FILE_ACTION = "file"
NOTE_ACTION = "note"
ATTACH_ACTION = "attach"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@dataclass(frozen=True, slots=True)
class Upload:
    """One uploaded file as the controller read it (at most MAX_BYTES + 1 bytes)."""

    filename: str | None
    data: bytes


# --- small helpers ------------------------------------------------------------------------------


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value).strip()


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").lower() in ("1", "true", "on", "yes")


def _check_files(uploads: Sequence[Upload]) -> list[tuple[files_mod.CheckedFile, bytes]]:
    uploads = [u for u in uploads if u.filename or u.data]
    if len(uploads) > files_mod.MAX_FILES:
        raise ValidationFailed(
            N_("Nothing was saved."),
            field_errors={
                "attachments": Message(
                    N_("At most %(max)s files at a time"), max=files_mod.MAX_FILES
                )
            },
        )
    checked = []
    for upload in uploads:
        try:
            checked.append((files_mod.check(upload.filename, upload.data), upload.data))
        except files_mod.AttachmentRejected as exc:
            raise ValidationFailed(
                N_("Nothing was saved."), field_errors={"attachments": exc.args[0]}
            ) from None
    return checked


async def _store_files(
    db: AsyncSession,
    settings: Settings,
    ticket: Ticket,
    actor: CurrentUser,
    checked: list[tuple[files_mod.CheckedFile, bytes]],
    *,
    event_id: int | None,
    internal: bool,
) -> list[TicketAttachment]:
    if not checked:
        return []
    folder = files_mod.storage_dir(settings.storage_dir)
    rows = []
    for info, data in checked:
        stored = files_mod.new_stored_name()
        await blobs.save(files_mod.KEY_PREFIX + stored, folder / stored, data)
        row = TicketAttachment(
            ticket_id=ticket.id,
            event_id=event_id,
            uploaded_by_id=actor.id,
            original_name=info.name,
            stored_name=stored,
            content_type=info.content_type,
            size_bytes=info.size,
            sha256=hashlib.sha256(data).hexdigest(),
            internal=internal,
        )
        db.add(row)
        rows.append(row)
    await db.flush()
    return rows


def _app_error(exc: TransitionError, note_field: str = "note") -> AppError:
    if exc.kind == "note":
        return ValidationFailed(N_("Nothing was saved."), field_errors={note_field: exc.message})
    return Conflict(exc.message)


async def _open_pause(db: AsyncSession, ticket_id: int) -> TicketPause | None:
    return (
        await db.execute(
            sa.select(TicketPause).where(
                TicketPause.ticket_id == ticket_id, TicketPause.resumed_at.is_(None)
            )
        )
    ).scalar_one_or_none()


async def _pauses(db: AsyncSession, ticket_id: int) -> list[Pause]:
    rows = await db.execute(
        sa.select(TicketPause.paused_at, TicketPause.resumed_at)
        .where(TicketPause.ticket_id == ticket_id)
        .order_by(TicketPause.paused_at)
    )
    return [Pause(r.paused_at, r.resumed_at) for r in rows]


def _context(
    ticket: Ticket,
    open_pause: TicketPause | None,
    now: dt.datetime,
    *,
    merge_target_id: int | None = None,
) -> TransitionContext:
    def passed(due: dt.datetime | None) -> bool:
        return due is not None and now > due

    return TransitionContext(
        reopen_count=ticket.reopen_count,
        return_deadline_passed=passed(ticket.return_due_at),
        merge_target_id=merge_target_id,
        paused_from=TicketStatus(open_pause.from_status) if open_pause else None,
        rating_window_passed=passed(ticket.follow_up_due_at),
        resolve_deadline_passed=passed(ticket.resolve_due_at),
        extension_pending=ticket.extension_requested_days is not None,
    )


async def refresh_deadlines(db: AsyncSession, ticket: Ticket, now: dt.datetime) -> None:
    """Recompute every deadline of ``ticket`` from its anchors, limits and pauses, and the
    working days it took to the first reply and to the resolution (for the statistics)."""
    calendar = await load_calendar(db)
    open_pause = await _open_pause(db, ticket.id)
    pauses = await _pauses(db, ticket.id)
    values = deadlines.compute(
        ticket,
        calendar,
        pauses,
        now,
        paused_from=TicketStatus(open_pause.from_status) if open_pause else None,
    )
    deadlines.apply(ticket, values | deadlines.working_days(ticket, calendar, pauses))
    # "Overdue" describes the current deadline; a new one (re-dispatch, extension, redo) that
    # lies ahead clears it. The supervision sweep sets it again when it passes.
    if ticket.overdue and (ticket.next_due_at is None or ticket.next_due_at > now):
        ticket.overdue, ticket.overdue_at = False, None


async def _next_number(db: AsyncSession, now: dt.datetime) -> str:
    year = now.astimezone(SHANGHAI).year
    value = await db.scalar(
        sa.text(
            "INSERT INTO ticket_number_counters (year, last_value) VALUES (:year, 1) "
            "ON CONFLICT (year) DO UPDATE SET last_value = ticket_number_counters.last_value + 1 "
            "RETURNING last_value"
        ),
        {"year": year},
    )
    return f"WQ-{year}-{value:06d}"


def _portal_link(ticket: Ticket) -> str:
    return f"/portal/tickets/{ticket.id}"


def _staff_link(ticket: Ticket) -> str:
    return f"/tickets/{ticket.id}"


# --- filing ----------------------------------------------------------------------------------


async def file_ticket(
    db: AsyncSession,
    settings: Settings,
    actor: CurrentUser,
    data: Mapping[str, Any],
    uploads: Sequence[Upload] = (),
    *,
    now: dt.datetime | None = None,
) -> Ticket:
    """An enterprise user files a ticket online, or the desk files one on an enterprise's behalf
    (by phone or at the counter: ``channel``)."""
    now = now or utcnow()
    errors: dict[str, str] = {}
    on_behalf = repository.is_desk(actor)
    if on_behalf:
        enterprise_id = optional_int(data.get("enterprise_id"))
        channel = _text(data, "channel") or Channel.PHONE.value
        if channel not in (Channel.PHONE.value, Channel.WALK_IN.value):
            errors["channel"] = N_("Choose how the enterprise reached the desk: phone or walk-in")
        if enterprise_id is None:
            errors["enterprise_id"] = N_("Choose the enterprise the ticket is filed for")
        elif not await db.scalar(sa.select(sa.func.count()).where(Enterprise.id == enterprise_id)):
            errors["enterprise_id"] = N_("No such enterprise")
    elif Role.enterprise_user in actor.roles and actor.enterprise_id is not None:
        enterprise_id, channel = actor.enterprise_id, Channel.ONLINE.value
    else:
        raise PermissionDenied(N_("Only enterprise users and the service desk file tickets."))

    subject = _text(data, "subject")
    if not subject:
        errors["subject"] = N_("Enter a subject")
    elif len(subject) > SUBJECT_MAX:
        errors["subject"] = Message(
            N_("The subject may have at most %(max)s characters"), max=SUBJECT_MAX
        )
    description = _text(data, "description")
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = Message(
            N_("The description may have at most %(max)s characters"), max=DESCRIPTION_MAX
        )
    category = None
    category_id = optional_int(data.get("category_id"))
    if category_id is not None:
        category = await db.get(TicketCategory, category_id)
    if category is None or not category.is_active:
        errors["category_id"] = N_("Choose a category")
    preferred = _text(data, "preferred_contact") or PreferredContact.IN_APP.value
    if preferred not in set(PreferredContact):
        errors["preferred_contact"] = N_("Choose how you prefer to be contacted")
    contact_name, contact_detail = _text(data, "contact_name"), _text(data, "contact_detail")
    if len(contact_name) > 80:
        errors["contact_name"] = N_("At most 80 characters")
    if len(contact_detail) > 120:
        errors["contact_detail"] = N_("At most 120 characters")
    if preferred in (PreferredContact.PHONE, PreferredContact.EMAIL) and not contact_detail:
        errors["contact_detail"] = N_("Give the phone number or email address to contact")
    try:
        checked = _check_files(uploads)
    except ValidationFailed as exc:
        errors.update(exc.field_errors)
        checked = []
    if errors:
        raise ValidationFailed(N_("The ticket was not filed."), field_errors=errors)
    assert category is not None and enterprise_id is not None

    ticket = Ticket(
        number=await _next_number(db, now),
        enterprise_id=enterprise_id,
        category_id=category.id,
        filed_by_id=actor.id,
        channel=channel,
        subject=subject,
        description=description,
        confidential=_flag(data.get("confidential")),
        preferred_contact=preferred,
        contact_name=contact_name,
        contact_detail=contact_detail,
        status=TicketStatus.SUBMITTED.value,
        accept_days=category.accept_days,
        first_reply_days=category.first_reply_days,
        resolve_days=category.resolve_days,
        return_days=category.return_days,
        follow_up_days=category.follow_up_days,
        submitted_at=now,
        created_at=now,
        updated_at=now,
    )
    db.add(ticket)
    await db.flush()
    event = TicketEvent(
        ticket_id=ticket.id,
        at=now,
        actor_id=actor.id,
        actor_label=actor.display_name,
        actor_role=ActorRole.DESK.value if on_behalf else ActorRole.ENTERPRISE.value,
        action=FILE_ACTION,
        from_status=None,
        to_status=TicketStatus.SUBMITTED.value,
        note=None,
        visibility=Visibility.PUBLIC.value,
        data={"channel": channel},
    )
    db.add(event)
    await db.flush()
    await _store_files(db, settings, ticket, actor, checked, event_id=event.id, internal=False)
    await refresh_deadlines(db, ticket, now)
    await db.flush()
    audit.record(
        db,
        actor=actor,
        action="ticket_filed",
        entity="ticket",
        entity_id=ticket.id,
        after=audit.snapshot(
            ticket, "number", "enterprise_id", "category_id", "channel", "confidential"
        ),
    )
    common = {"ticket_id": ticket.id, "number": ticket.number, "subject": ticket.subject}
    await notifications.notify(
        db,
        settings,
        user_ids=await notifications.desk_recipients(db),
        kind="ticket_filed",
        link=_staff_link(ticket),
        exclude=actor.id,
        **common,
    )
    if on_behalf:
        await notifications.notify(
            db,
            settings,
            user_ids=await notifications.enterprise_recipients(db, enterprise_id),
            kind="ticket_filed",
            link=_portal_link(ticket),
            **common,
        )
    return ticket


# --- workflow actions ------------------------------------------------------------------------


async def _dispatch_targets(
    db: AsyncSession, ticket: Ticket, data: Mapping[str, Any]
) -> tuple[int, list[int]]:
    """Lead and co-handling departments; the category's defaults where none are given."""
    lead = optional_int(data.get("lead_department_id"))
    raw_co = data.get("co_department_ids")
    if lead is None and raw_co is None:
        category = await catalogue.get_category(db, ticket.category_id)
        lead = category.lead_department_id
        co = await catalogue.co_department_ids(db, category.id)
    else:
        values = (
            raw_co if isinstance(raw_co, list | tuple) else ([] if raw_co is None else [raw_co])
        )
        parsed = [optional_int(v) for v in values if v not in (None, "")]
        if any(v is None for v in parsed):
            raise ValidationFailed(
                N_("Nothing was saved."),
                field_errors={"co_department_ids": N_("Choose departments from the list")},
            )
        co = sorted({v for v in parsed if v is not None})
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
        raise ValidationFailed(N_("Nothing was saved."), field_errors=errors)
    assert lead is not None
    return lead, co


async def _merge_target(db: AsyncSession, ticket: Ticket, raw: Any) -> Ticket:
    text = str(raw or "").strip().upper()
    target = None
    if text:
        number_id = optional_int(text)
        stmt = sa.select(Ticket).where(
            Ticket.number == text if number_id is None else Ticket.id == number_id
        )
        target = (await db.execute(stmt)).scalar_one_or_none()
    if target is None:
        raise ValidationFailed(
            N_("Nothing was saved."),
            field_errors={
                "merge_into": Message(N_("No ticket '%(number)s' was found"), number=text)
            },
        )
    if target.id == ticket.id:
        raise ValidationFailed(
            N_("Nothing was saved."),
            field_errors={"merge_into": N_("A ticket cannot duplicate itself")},
        )
    if TicketStatus(target.status) in TERMINAL_STATUSES:
        raise ValidationFailed(
            N_("Nothing was saved."),
            field_errors={
                "merge_into": Message(
                    N_("Ticket %(number)s is already finished; merge into an open ticket"),
                    number=target.number,
                )
            },
        )
    return target


def _extension_days(ticket: Ticket, data: Mapping[str, Any]) -> int:
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
        raise ValidationFailed(
            N_("Nothing was saved."),
            field_errors={
                "days": Message(
                    N_("Enter a whole number of working days from 1 to %(max)s"), max=room
                )
            },
        )
    return days


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
    try:
        act = TicketAction(str(action))
    except ValueError:
        raise ValidationFailed(field_errors={"action": N_("Unknown action")}) from None
    if act in RATING_ACTIONS:
        raise ValidationFailed(
            field_errors={"action": N_("Rate the reply with a rating from 1 to 5")}
        )

    ticket = await repository.get_visible(db, actor, ticket_id, for_update=True)
    co = await repository.co_departments(db, ticket.id)
    role = repository.actor_role(actor, ticket, co)
    if role is None:
        raise NotFound(N_("No such ticket"))
    note = _text(data, "note")
    if len(note) > NOTE_MAX:
        raise ValidationFailed(
            N_("Nothing was saved."),
            field_errors={"note": Message(N_("At most %(max)s characters"), max=NOTE_MAX)},
        )
    open_pause = await _open_pause(db, ticket.id)
    placeholder = -1 if act is A.MERGE and _text(data, "merge_into") else None
    context = _context(ticket, open_pause, now, merge_target_id=placeholder)
    try:
        row = plan_transition(ticket.status, act, role, note=note, context=context)
    except TransitionError as exc:
        raise _app_error(exc) from None

    # The action's own input, before anything is written.
    checked = _check_files(uploads)
    lead = co_ids = target = days = None
    if act in (A.DISPATCH, A.REDISPATCH):
        lead, co_ids = await _dispatch_targets(db, ticket, data)
    elif act is A.MERGE:
        target = await _merge_target(db, ticket, data.get("merge_into"))
    elif act is A.REQUEST_EXTENSION:
        days = _extension_days(ticket, data)

    from_status = TicketStatus(ticket.status)
    assert row.to_status is not None
    to_status = row.to_status
    event_data: dict[str, Any] = {}
    before = audit.snapshot(ticket, "status", "lead_department_id", "extension_days")

    if act is A.ACCEPT:
        ticket.accepted_at = now
        ticket.first_reply_from = ticket.resolve_from = now
    elif act in (A.DISPATCH, A.REDISPATCH):
        assert lead is not None and co_ids is not None
        event_data = {
            "lead_department_id": lead,
            "co_department_ids": co_ids,
            "previous_lead_department_id": ticket.lead_department_id,
        }
        ticket.lead_department_id = lead
        await db.execute(
            sa.delete(TicketCoDepartment).where(TicketCoDepartment.ticket_id == ticket.id)
        )
        for department_id in co_ids:
            db.add(TicketCoDepartment(ticket_id=ticket.id, department_id=department_id))
        # A fresh department clock: the new department is judged from when it got the ticket.
        ticket.dispatched_at = ticket.first_reply_from = ticket.resolve_from = now
        ticket.first_replied_at = ticket.resolved_at = None
        ticket.extension_days, ticket.extension_requested_days = 0, None
    elif act is A.MERGE:
        assert target is not None
        ticket.merged_into_id = target.id
        ticket.closed_at = now
        event_data = {"merged_into_id": target.id, "merged_into_number": target.number}
    elif act is A.START:
        ticket.first_replied_at = ticket.first_replied_at or now
    elif act is A.REQUEST_INFO:
        db.add(TicketPause(ticket_id=ticket.id, paused_at=now, from_status=from_status.value))
    elif act is A.PROVIDE_INFO:
        assert open_pause is not None
        open_pause.resumed_at = now
        event_data = {"paused_at": open_pause.paused_at.isoformat()}
    elif act is A.REPLY:
        ticket.resolved_at = ticket.replied_at = now
    elif act is A.REQUEST_EXTENSION:
        ticket.extension_requested_days = days
        event_data = {"days": days}
    elif act is A.APPROVE_EXTENSION:
        granted = ticket.extension_requested_days or 0
        ticket.extension_days += granted
        ticket.extension_requested_days = None
        event_data = {"days": granted}
    elif act is A.DENY_EXTENSION:
        event_data = {"days": ticket.extension_requested_days}
        ticket.extension_requested_days = None
    elif act is A.WITHDRAW:
        if open_pause is not None:
            open_pause.resumed_at = now
    if to_status in TERMINAL_STATUSES:
        ticket.closed_at = now
    ticket.status = to_status.value
    ticket.updated_at = now
    await db.flush()

    event = await _add_event(
        db, ticket, actor, role, act.value, from_status, to_status, note, event_data, now
    )
    await _store_files(
        db,
        settings,
        ticket,
        actor,
        checked,
        event_id=event.id,
        internal=event.visibility == Visibility.INTERNAL.value,
    )
    await refresh_deadlines(db, ticket, now)
    await db.flush()
    audit.record(
        db,
        actor=actor,
        action=f"ticket_{act.value}",
        entity="ticket",
        entity_id=ticket.id,
        before=before,
        after={
            **audit.snapshot(ticket, "status", "lead_department_id", "extension_days"),
            **event_data,
        },
    )
    await _notify_after(db, settings, actor, ticket, act, from_status, target=target)
    return ticket


async def _add_event(
    db: AsyncSession,
    ticket: Ticket,
    actor: CurrentUser,
    role: ActorRole,
    action: str,
    from_status: TicketStatus,
    to_status: TicketStatus,
    note: str | None,
    data: dict | None,
    now: dt.datetime,
    visibility: Visibility | None = None,
) -> TicketEvent:
    if visibility is None:
        internal = action in {a.value for a in INTERNAL_ACTIONS}
        visibility = Visibility.INTERNAL if internal else Visibility.PUBLIC
    event = TicketEvent(
        ticket_id=ticket.id,
        at=now,
        actor_id=actor.id,
        actor_label=actor.display_name,
        actor_role=role.value,
        action=action,
        from_status=from_status.value,
        to_status=to_status.value,
        note=note or None,
        visibility=visibility.value,
        data=data or None,
    )
    db.add(event)
    await db.flush()
    return event


async def _notify_after(
    db: AsyncSession,
    settings: Settings,
    actor: CurrentUser,
    ticket: Ticket,
    act: TicketAction,
    from_status: TicketStatus,
    *,
    target: Ticket | None = None,
) -> None:
    common: dict[str, Any] = {
        "ticket_id": ticket.id,
        "number": ticket.number,
        "subject": ticket.subject,
        "exclude": actor.id,
    }

    async def enterprise(kind: str, **extra: Any) -> None:
        await notifications.notify(
            db,
            settings,
            user_ids=await notifications.enterprise_recipients(db, ticket.enterprise_id),
            kind=kind,
            link=_portal_link(ticket),
            **common,
            **extra,
        )

    async def departments(kind: str, ids: list[int]) -> None:
        await notifications.notify(
            db,
            settings,
            user_ids=await notifications.department_recipients(db, ids),
            kind=kind,
            link=_staff_link(ticket),
            **common,
        )

    async def desk(kind: str, **extra: Any) -> None:
        await notifications.notify(
            db,
            settings,
            user_ids=await notifications.desk_recipients(db),
            kind=kind,
            link=_staff_link(ticket),
            **common,
            **extra,
        )

    lead = [ticket.lead_department_id] if ticket.lead_department_id else []
    if act is A.ACCEPT:
        await enterprise("ticket_accepted")
    elif act is A.REJECT:
        await enterprise("ticket_rejected")
    elif act is A.MERGE:
        assert target is not None
        await enterprise("ticket_merged", target=target.number)
    elif act is A.REQUEST_INFO:
        await enterprise("info_requested")
    elif act is A.PROVIDE_INFO:
        if TicketStatus(ticket.status) is TicketStatus.SUBMITTED or not lead:
            await desk("info_provided")
        else:
            await departments("info_provided", lead)
    elif act in (A.DISPATCH, A.REDISPATCH):
        # A confidential ticket is for the lead department's eyes only: its co-handling
        # departments cannot open it, so they are not told about it either.
        co = [] if ticket.confidential else sorted(await repository.co_departments(db, ticket.id))
        await departments("ticket_dispatched", lead + co)
    elif act is A.RETURN:
        await desk("ticket_returned")
    elif act is A.REPLY:
        await enterprise("ticket_replied")
    elif act is A.REQUEST_EXTENSION:
        await desk("extension_requested")
    elif act is A.APPROVE_EXTENSION:
        await departments("extension_approved", lead)
    elif act is A.DENY_EXTENSION:
        await departments("extension_denied", lead)
    elif act is A.FOLLOW_UP_CLOSE:
        await enterprise("ticket_closed")
    elif act is A.WITHDRAW:
        await desk("ticket_withdrawn")
        if from_status not in (TicketStatus.SUBMITTED, TicketStatus.ACCEPTED):
            await departments("ticket_withdrawn", lead)


# --- rating ----------------------------------------------------------------------------------


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
    ticket = await repository.get_visible(db, actor, ticket_id, for_update=True)
    role = repository.actor_role(actor, ticket, await repository.co_departments(db, ticket.id))
    if role is None:
        raise NotFound(N_("No such ticket"))
    value = optional_int(rating)
    if value is None or not 1 <= value <= 5:
        raise ValidationFailed(
            N_("The rating was not saved."),
            field_errors={"rating": N_("Choose a rating from 1 to 5")},
        )
    comment = (comment or "").strip()
    if len(comment) > NOTE_MAX:
        raise ValidationFailed(
            N_("The rating was not saved."),
            field_errors={"comment": Message(N_("At most %(max)s characters"), max=NOTE_MAX)},
        )
    act = action_for_rating(value, ticket.reopen_count)
    context = _context(ticket, None, now)
    try:
        row = plan_transition(ticket.status, act, role, note=comment, context=context)
    except TransitionError as exc:
        raise _app_error(exc, note_field="comment") from None
    assert row.to_status is not None
    from_status = TicketStatus(ticket.status)
    ticket.rating, ticket.rating_comment, ticket.rated_at = value, comment or None, now
    if act is A.RATE_DISSATISFIED:
        # Redo (重办): a fresh resolve clock for the lead department.
        ticket.reopen_count += 1
        ticket.resolve_from = now
        ticket.resolved_at = None
        ticket.extension_days, ticket.extension_requested_days = 0, None
    else:
        ticket.closed_at = now
    ticket.status = row.to_status.value
    ticket.updated_at = now
    await db.flush()
    await _add_event(
        db,
        ticket,
        actor,
        role,
        act.value,
        from_status,
        row.to_status,
        comment,
        {"rating": value},
        now,
    )
    await refresh_deadlines(db, ticket, now)
    await db.flush()
    audit.record(
        db,
        actor=actor,
        action="ticket_rated",
        entity="ticket",
        entity_id=ticket.id,
        after={"rating": value, "status": ticket.status},
    )
    common = {"ticket_id": ticket.id, "number": ticket.number, "subject": ticket.subject}
    lead_officers = await notifications.department_recipients(
        db, [ticket.lead_department_id] if ticket.lead_department_id else []
    )
    desk_users = await notifications.desk_recipients(db)
    kind = "ticket_reopened" if act is A.RATE_DISSATISFIED else "ticket_rated"
    await notifications.notify(
        db,
        settings,
        user_ids=[*desk_users, *lead_officers],
        kind=kind,
        link=_staff_link(ticket),
        exclude=actor.id,
        rating=value,
        **common,
    )
    return ticket


# --- notes -----------------------------------------------------------------------------------


async def add_note(
    db: AsyncSession,
    settings: Settings,
    actor: CurrentUser,
    ticket_id: int,
    note: str,
    uploads: Sequence[Upload] = (),
    *,
    now: dt.datetime | None = None,
) -> TicketEvent:
    """An internal note (a co-handling department's opinion, the desk's remark): staff and the
    departments involved see it, the enterprise does not."""
    now = now or utcnow()
    ticket = await repository.get_visible(db, actor, ticket_id, for_update=True)
    role = repository.actor_role(actor, ticket, await repository.co_departments(db, ticket.id))
    if role is None:
        raise NotFound(N_("No such ticket"))
    if role is ActorRole.ENTERPRISE:
        raise PermissionDenied(N_("Internal notes are for the desk and the departments."))
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(
            N_("Nothing was saved."), field_errors={"note": N_("Write the note")}
        )
    if len(note) > NOTE_MAX:
        raise ValidationFailed(
            N_("Nothing was saved."),
            field_errors={"note": Message(N_("At most %(max)s characters"), max=NOTE_MAX)},
        )
    checked = _check_files(uploads)
    status = TicketStatus(ticket.status)
    event = await _add_event(
        db, ticket, actor, role, NOTE_ACTION, status, status, note, None, now, Visibility.INTERNAL
    )
    await _store_files(db, settings, ticket, actor, checked, event_id=event.id, internal=True)
    ticket.updated_at = now
    await db.flush()
    audit.record(db, actor=actor, action="ticket_note", entity="ticket", entity_id=ticket.id)
    return event


async def attach_files(
    db: AsyncSession,
    settings: Settings,
    actor: CurrentUser,
    ticket_id: int,
    uploads: Sequence[Upload],
    *,
    internal: bool = False,
    now: dt.datetime | None = None,
) -> list[TicketAttachment]:
    """Add files to an open ticket. The enterprise's files are always visible to it; staff may
    add internal ones."""
    now = now or utcnow()
    ticket = await repository.get_visible(db, actor, ticket_id, for_update=True)
    role = repository.actor_role(actor, ticket, await repository.co_departments(db, ticket.id))
    if role is None:
        raise NotFound(N_("No such ticket"))
    if TicketStatus(ticket.status) in TERMINAL_STATUSES:
        raise Conflict(N_("This ticket is finished; no more files can be added"))
    checked = _check_files(uploads)
    if not checked:
        raise ValidationFailed(
            N_("Nothing was saved."), field_errors={"attachments": N_("Choose at least one file")}
        )
    internal = internal and role is not ActorRole.ENTERPRISE
    status = TicketStatus(ticket.status)
    event = await _add_event(
        db,
        ticket,
        actor,
        role,
        ATTACH_ACTION,
        status,
        status,
        None,
        {"files": [info.name for info, _data in checked]},
        now,
        Visibility.INTERNAL if internal else Visibility.PUBLIC,
    )
    rows = await _store_files(
        db, settings, ticket, actor, checked, event_id=event.id, internal=internal
    )
    ticket.updated_at = now
    await db.flush()
    audit.record(
        db,
        actor=actor,
        action="ticket_files_added",
        entity="ticket",
        entity_id=ticket.id,
        after={"attachments": [r.id for r in rows]},
    )
    return rows


# --- reading ---------------------------------------------------------------------------------


async def _names(db: AsyncSession, ids: set[int]) -> dict[int, Department]:
    if not ids:
        return {}
    rows = await db.execute(sa.select(Department).where(Department.id.in_(ids)))
    return {d.id: d for d in rows.scalars()}


def _deadline_rows(ticket: Ticket, calendar, now: dt.datetime) -> list[dict]:
    rows = []
    # key, due, provisional, met at, anchor (for the badge's years)
    specs = (
        (
            "accept",
            ticket.accept_due_at,
            ticket.accept_due_provisional,
            ticket.accepted_at,
            ticket.submitted_at,
        ),
        (
            "first_reply",
            ticket.first_reply_due_at,
            ticket.first_reply_due_provisional,
            ticket.first_replied_at,
            ticket.first_reply_from,
        ),
        (
            "resolve",
            ticket.resolve_due_at,
            ticket.resolve_due_provisional,
            ticket.resolved_at,
            ticket.resolve_from,
        ),
        (
            "follow_up",
            ticket.follow_up_due_at,
            ticket.follow_up_due_provisional,
            ticket.closed_at,
            ticket.replied_at,
        ),
    )
    for key, due, provisional, met, anchor in specs:
        if due is None:
            continue
        rows.append(
            {
                "key": key,
                "due_at": due,
                "met_at": met,
                "provisional": provisional,
                "years": badge_years(calendar, anchor, due) if provisional else [],
                "late": (met or now) > due,
            }
        )
    return rows


def _event_departments(event: TicketEvent, departments: dict[int, Department]) -> list[dict]:
    """The departments a dispatch event sent the ticket to (lead first), for the timeline."""
    if event.action not in (A.DISPATCH.value, A.REDISPATCH.value) or not event.data:
        return []
    ids = [(event.data.get("lead_department_id"), True)] + [
        (d, False) for d in event.data.get("co_department_ids") or []
    ]
    return [{"department": departments[d], "lead": lead} for d, lead in ids if d in departments]


async def ticket_view(
    db: AsyncSession, user: CurrentUser, ticket_id: int, *, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Everything the ticket page and the API detail show, filtered for the user's role."""
    now = now or utcnow()
    ticket = await repository.get_visible(db, user, ticket_id)
    co = await repository.co_departments(db, ticket.id)
    role = repository.actor_role(user, ticket, co)
    if role is None:
        raise NotFound(N_("No such ticket"))
    enterprise_view = role is ActorRole.ENTERPRISE
    category = await db.get(TicketCategory, ticket.category_id)
    enterprise_name = await db.scalar(
        sa.select(Enterprise.name).where(Enterprise.id == ticket.enterprise_id)
    )
    departments = await _names(db, co | ({ticket.lead_department_id} - {None}))
    filed_by = await db.scalar(sa.select(User.display_name).where(User.id == ticket.filed_by_id))

    events = list(
        (
            await db.execute(
                sa.select(TicketEvent)
                .where(TicketEvent.ticket_id == ticket.id)
                .order_by(TicketEvent.at, TicketEvent.id)
            )
        ).scalars()
    )
    stmt = sa.select(TicketAttachment).where(TicketAttachment.ticket_id == ticket.id)
    if enterprise_view:
        stmt = stmt.where(TicketAttachment.internal.is_(False))
    attachments = list((await db.execute(stmt.order_by(TicketAttachment.id))).scalars())
    by_event: dict[int | None, list[TicketAttachment]] = {}
    for attachment in attachments:
        by_event.setdefault(attachment.event_id, []).append(attachment)

    all_departments = {d.id: d for d in (await db.execute(sa.select(Department))).scalars()}
    timeline = []
    for event in events:
        internal = event.visibility == Visibility.INTERNAL.value
        if enterprise_view and internal and event.from_status == event.to_status:
            continue
        hide_note = enterprise_view and internal
        timeline.append(
            {
                "id": event.id,
                "at": event.at,
                "actor": event.actor_label,
                "actor_role": event.actor_role,
                "action": event.action,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "note": None if hide_note else event.note,
                "data": None if hide_note else event.data,
                # The enterprise sees an internal event only as a status change, unlabelled.
                "internal": internal and not enterprise_view,
                "attachments": [] if hide_note else by_event.get(event.id, []),
                "departments": [] if hide_note else _event_departments(event, all_departments),
            }
        )

    open_pause = await _open_pause(db, ticket.id)
    context = _context(ticket, open_pause, now)
    actions = available_actions(ticket.status, role, context)
    calendar = await load_calendar(db)
    merged_into = None
    if ticket.merged_into_id:
        merged_into = await db.scalar(
            sa.select(Ticket.number).where(Ticket.id == ticket.merged_into_id)
        )
    return {
        "ticket": ticket,
        "role": role,
        "category": category,
        "enterprise_name": enterprise_name,
        "filed_by": filed_by,
        "lead_department": departments.get(ticket.lead_department_id),
        "co_departments": [departments[d] for d in sorted(co) if d in departments],
        "timeline": timeline,
        "attachments": attachments,
        "actions": [a for a in actions if a not in RATING_ACTIONS],
        "can_rate": any(a in RATING_ACTIONS for a in actions),
        "can_note": role is not ActorRole.ENTERPRISE,
        "paused": TicketStatus(ticket.status) in PAUSED_STATUSES,
        "paused_since": open_pause.paused_at if open_pause else None,
        "deadlines": _deadline_rows(ticket, calendar, now),
        "status_description": STATUS_DESCRIPTIONS[TicketStatus(ticket.status)],
        "merged_into_number": merged_into,
        "is_overdue": bool(
            ticket.overdue or (ticket.next_due_at is not None and ticket.next_due_at < now)
        ),
    }


async def get_attachment(
    db: AsyncSession, settings: Settings, user: CurrentUser, ticket_id: int, attachment_id: int
) -> tuple[TicketAttachment, Any]:
    """An attachment the user may download (404 otherwise) and its path on disk."""
    ticket = await repository.get_visible(db, user, ticket_id)
    role = repository.actor_role(user, ticket, await repository.co_departments(db, ticket.id))
    stmt = sa.select(TicketAttachment).where(
        TicketAttachment.id == attachment_id, TicketAttachment.ticket_id == ticket.id
    )
    if role is ActorRole.ENTERPRISE:
        stmt = stmt.where(TicketAttachment.internal.is_(False))
    attachment = (await db.execute(stmt)).scalar_one_or_none()
    if attachment is None or role is None:
        raise NotFound(N_("No such attachment"))
    return attachment, files_mod.stored_path(settings.storage_dir, attachment.stored_name)


async def enterprise_options(db: AsyncSession) -> list[tuple[int, str]]:
    """Enterprises the desk can file a ticket for (id, name), by name."""
    rows = await db.execute(sa.select(Enterprise.id, Enterprise.name).order_by(Enterprise.name))
    return [(r.id, r.name) for r in rows]
