"""Internal notes and files on a ticket, and downloading an attachment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts.identity import CurrentUser
from parkops.config import Settings
from parkops.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from parkops.core.i18n import N_
from parkops.db.base import utcnow
from parkops.tickets import attachments as files_mod
from parkops.tickets import repository
from parkops.tickets.models import TicketAttachment, TicketEvent, Visibility
from parkops.tickets.rules.states import TERMINAL_STATUSES, ActorRole, TicketStatus
from parkops.tickets.services.common import (
    NOTHING_SAVED,
    Upload,
    add_event,
    audit_ticket,
    check_files,
    check_note,
    store_files,
    ticket_for,
)

NOTE_ACTION = "note"
ATTACH_ACTION = "attach"


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
    ticket, role, _co = await ticket_for(db, actor, ticket_id, for_update=True)
    if role is ActorRole.ENTERPRISE:
        raise PermissionDenied(N_("Internal notes are for the desk and the departments."))
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(NOTHING_SAVED, field_errors={"note": N_("Write the note")})
    check_note(note)
    checked = check_files(uploads)
    status = TicketStatus(ticket.status)
    event = await add_event(
        db,
        ticket,
        actor,
        role,
        NOTE_ACTION,
        from_status=status,
        note=note,
        now=now,
        visibility=Visibility.INTERNAL,
    )
    await store_files(db, settings, event, checked, internal=True)
    ticket.updated_at = now
    await db.flush()
    audit_ticket(db, actor, "ticket_note", ticket)
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
    ticket, role, _co = await ticket_for(db, actor, ticket_id, for_update=True)
    if TicketStatus(ticket.status) in TERMINAL_STATUSES:
        raise Conflict(N_("This ticket is finished; no more files can be added"))
    checked = check_files(uploads)
    if not checked:
        raise ValidationFailed(
            NOTHING_SAVED, field_errors={"attachments": N_("Choose at least one file")}
        )
    internal = internal and role is not ActorRole.ENTERPRISE
    event = await add_event(
        db,
        ticket,
        actor,
        role,
        ATTACH_ACTION,
        from_status=TicketStatus(ticket.status),
        data={"files": [info.name for info, _data in checked]},
        now=now,
        visibility=Visibility.INTERNAL if internal else Visibility.PUBLIC,
    )
    rows = await store_files(db, settings, event, checked, internal=internal)
    ticket.updated_at = now
    await db.flush()
    audit_ticket(
        db, actor, "ticket_files_added", ticket, after={"attachments": [r.id for r in rows]}
    )
    return rows


async def get_attachment(
    db: AsyncSession, settings: Settings, user: CurrentUser, ticket_id: int, attachment_id: int
) -> tuple[TicketAttachment, Path]:
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
