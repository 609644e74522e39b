"""What the ticket use cases share: loading a ticket with the actor's role on it, checking and
storing uploaded files, writing an event row, recomputing the deadlines, telling people."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts.identity import CurrentUser
from parkops.config import Settings
from parkops.core import audit, blobs
from parkops.core.errors import NotFound, ValidationFailed
from parkops.core.i18n import N_, Message
from parkops.core.workdays import Pause
from parkops.tickets import attachments as files_mod
from parkops.tickets import notifications, repository
from parkops.tickets.models import Ticket, TicketAttachment, TicketEvent, TicketPause, Visibility
from parkops.tickets.rules import deadlines
from parkops.tickets.rules.effects import Audience, Notice, is_internal
from parkops.tickets.rules.states import ActorRole, TicketStatus
from parkops.tickets.rules.transitions import TransitionContext
from parkops.tickets.services.calendar_table import load_calendar

NOTE_MAX = 5000
NOTHING_SAVED = N_("Nothing was saved.")

CheckedFiles = list[tuple[files_mod.CheckedFile, bytes]]


@dataclass(frozen=True, slots=True)
class Upload:
    """One uploaded file as the controller read it (at most MAX_BYTES + 1 bytes)."""

    filename: str | None
    data: bytes


def text(data: Any, key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value).strip()


def check_note(note: str, *, field: str = "note", message: str = NOTHING_SAVED) -> str:
    if len(note) > NOTE_MAX:
        raise ValidationFailed(
            message, field_errors={field: Message(N_("At most %(max)s characters"), max=NOTE_MAX)}
        )
    return note


async def ticket_for(
    db: AsyncSession, actor: CurrentUser, ticket_id: int, *, for_update: bool = False
) -> tuple[Ticket, ActorRole, set[int]]:
    """The ticket in the actor's scope (404 outside it), the actor's role on it and its
    co-handling departments."""
    ticket = await repository.get_visible(db, actor, ticket_id, for_update=for_update)
    co = await repository.co_departments(db, ticket.id)
    role = repository.actor_role(actor, ticket, co)
    if role is None:
        raise NotFound(N_("No such ticket"))
    return ticket, role, co


def check_files(uploads: Sequence[Upload]) -> CheckedFiles:
    uploads = [u for u in uploads if u.filename or u.data]
    if len(uploads) > files_mod.MAX_FILES:
        too_many = Message(N_("At most %(max)s files at a time"), max=files_mod.MAX_FILES)
        raise ValidationFailed(NOTHING_SAVED, field_errors={"attachments": too_many})
    checked = []
    for upload in uploads:
        try:
            checked.append((files_mod.check(upload.filename, upload.data), upload.data))
        except files_mod.AttachmentRejected as exc:
            raise ValidationFailed(
                NOTHING_SAVED, field_errors={"attachments": exc.args[0]}
            ) from None
    return checked


async def store_files(
    db: AsyncSession,
    settings: Settings,
    event: TicketEvent,
    checked: CheckedFiles,
    *,
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
            ticket_id=event.ticket_id,
            event_id=event.id,
            uploaded_by_id=event.actor_id,
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


async def add_event(
    db: AsyncSession,
    ticket: Ticket,
    actor: CurrentUser,
    role: ActorRole,
    action: str,
    to_status: TicketStatus | None = None,
    *,
    from_status: TicketStatus | None,
    note: str | None = None,
    data: dict | None = None,
    now: dt.datetime,
    visibility: Visibility | None = None,
) -> TicketEvent:
    """One event row; internal when the action's notes are (``rules.effects.INTERNAL_ACTIONS``)
    unless ``visibility`` says otherwise."""
    if visibility is None:
        visibility = Visibility.INTERNAL if is_internal(action) else Visibility.PUBLIC
    event = TicketEvent(
        ticket_id=ticket.id,
        at=now,
        actor_id=actor.id,
        actor_label=actor.display_name,
        actor_role=role.value,
        action=action,
        from_status=from_status.value if from_status else None,
        to_status=(to_status or TicketStatus(ticket.status)).value,
        note=note or None,
        visibility=visibility.value,
        data=data or None,
    )
    db.add(event)
    await db.flush()
    return event


async def open_pause(db: AsyncSession, ticket_id: int) -> TicketPause | None:
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


def transition_context(
    ticket: Ticket,
    pause: TicketPause | None,
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
        paused_from=TicketStatus(pause.from_status) if pause else None,
        rating_window_passed=passed(ticket.follow_up_due_at),
        resolve_deadline_passed=passed(ticket.resolve_due_at),
        extension_pending=ticket.extension_requested_days is not None,
    )


async def refresh_deadlines(db: AsyncSession, ticket: Ticket, now: dt.datetime) -> None:
    """Recompute every deadline of ``ticket`` from its anchors, limits and pauses, and the
    working days it took to the first reply and to the resolution (for the statistics)."""
    calendar = await load_calendar(db)
    pause = await open_pause(db, ticket.id)
    pauses = await _pauses(db, ticket.id)
    values = deadlines.compute(
        ticket,
        calendar,
        pauses,
        now,
        paused_from=TicketStatus(pause.from_status) if pause else None,
    )
    deadlines.apply(ticket, values | deadlines.elapsed_days(ticket, calendar, pauses))
    # "Overdue" describes the current deadline; a new one (re-dispatch, extension, redo) that
    # lies ahead clears it. The supervision sweep sets it again when it passes.
    if ticket.overdue and (ticket.next_due_at is None or ticket.next_due_at > now):
        ticket.overdue, ticket.overdue_at = False, None


def audit_ticket(
    db: AsyncSession, actor: CurrentUser, action: str, ticket: Ticket, **changes: Any
) -> None:
    """The audit entry of a change to ``ticket`` (``changes``: ``before``/``after``)."""
    audit.record(db, actor=actor, action=action, entity="ticket", entity_id=ticket.id, **changes)


def portal_link(ticket: Ticket) -> str:
    return f"/portal/tickets/{ticket.id}"


def staff_link(ticket: Ticket) -> str:
    return f"/tickets/{ticket.id}"


async def _recipients(db: AsyncSession, ticket: Ticket, audience: Audience) -> list[int]:
    lead = [ticket.lead_department_id] if ticket.lead_department_id else []
    if audience is Audience.ENTERPRISE:
        return await notifications.enterprise_recipients(db, ticket.enterprise_id)
    if audience is Audience.DESK:
        return await notifications.desk_recipients(db)
    if audience is Audience.DEPARTMENTS and not ticket.confidential:
        lead += sorted(await repository.co_departments(db, ticket.id))
    return await notifications.department_recipients(db, lead)


async def tell(
    db: AsyncSession,
    settings: Settings,
    ticket: Ticket,
    told: Sequence[Notice],
    *,
    exclude: int | None,
    **extra: Any,
) -> None:
    """Notify the audiences of ``told``; staff audiences told the same thing get it once."""
    by_kind: dict[tuple[str, bool], list[int]] = {}
    for notice in told:
        portal = notice.audience is Audience.ENTERPRISE
        users = await _recipients(db, ticket, notice.audience)
        by_kind.setdefault((notice.kind, portal), []).extend(users)
    for (kind, portal), user_ids in by_kind.items():
        await notifications.notify(
            db,
            settings,
            user_ids=user_ids,
            kind=kind,
            link=portal_link(ticket) if portal else staff_link(ticket),
            exclude=exclude,
            ticket_id=ticket.id,
            number=ticket.number,
            subject=ticket.subject,
            **extra,
        )
