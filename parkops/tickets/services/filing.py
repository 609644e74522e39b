"""Filing a ticket: online by an enterprise user, or by the desk on an enterprise's behalf (by
phone or at the counter). Validation happens before the first write, so bad input leaves nothing
behind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts.identity import CurrentUser
from parkops.accounts.roles import Role
from parkops.config import Settings
from parkops.core import audit
from parkops.core.errors import PermissionDenied, ValidationFailed
from parkops.core.i18n import N_, Message
from parkops.core.parsing import bool_field, optional_int
from parkops.db.base import utcnow
from parkops.enterprises.models import Enterprise
from parkops.tickets import repository
from parkops.tickets.models import SUBJECT_MAX, Channel, PreferredContact, Ticket, TicketCategory
from parkops.tickets.rules.effects import Audience, Notice
from parkops.tickets.rules.states import ActorRole, TicketStatus
from parkops.tickets.services.common import (
    CheckedFiles,
    Upload,
    add_event,
    audit_ticket,
    check_files,
    refresh_deadlines,
    store_files,
    tell,
    text,
)

DESCRIPTION_MAX = 10000
FILE_ACTION = "file"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@dataclass(frozen=True, slots=True)
class Filing:
    """A checked filing."""

    enterprise_id: int
    channel: str
    category: TicketCategory
    subject: str
    description: str
    confidential: bool
    preferred_contact: str
    contact_name: str
    contact_detail: str
    files: CheckedFiles


async def _enterprise_and_channel(
    db: AsyncSession, actor: CurrentUser, data: Mapping[str, Any], errors: dict[str, Any]
) -> tuple[int | None, str]:
    if not repository.is_desk(actor):
        if Role.enterprise_user in actor.roles and actor.enterprise_id is not None:
            return actor.enterprise_id, Channel.ONLINE.value
        raise PermissionDenied(N_("Only enterprise users and the service desk file tickets."))
    enterprise_id = optional_int(data.get("enterprise_id"))
    channel = text(data, "channel") or Channel.PHONE.value
    if channel not in (Channel.PHONE.value, Channel.WALK_IN.value):
        errors["channel"] = N_("Choose how the enterprise reached the desk: phone or walk-in")
    if enterprise_id is None:
        errors["enterprise_id"] = N_("Choose the enterprise the ticket is filed for")
    elif not await db.scalar(sa.select(sa.func.count()).where(Enterprise.id == enterprise_id)):
        errors["enterprise_id"] = N_("No such enterprise")
    return enterprise_id, channel


def _contact(data: Mapping[str, Any], errors: dict[str, Any]) -> tuple[str, str, str]:
    preferred = text(data, "preferred_contact") or PreferredContact.IN_APP.value
    if preferred not in set(PreferredContact):
        errors["preferred_contact"] = N_("Choose how you prefer to be contacted")
    contact_name, contact_detail = text(data, "contact_name"), text(data, "contact_detail")
    if len(contact_name) > 80:
        errors["contact_name"] = N_("At most 80 characters")
    if len(contact_detail) > 120:
        errors["contact_detail"] = N_("At most 120 characters")
    if preferred in (PreferredContact.PHONE, PreferredContact.EMAIL) and not contact_detail:
        errors["contact_detail"] = N_("Give the phone number or email address to contact")
    return preferred, contact_name, contact_detail


async def check_filing(
    db: AsyncSession, actor: CurrentUser, data: Mapping[str, Any], uploads: Sequence[Upload]
) -> Filing:
    """The filing, or ValidationFailed with every field's error at once."""
    errors: dict[str, Any] = {}
    enterprise_id, channel = await _enterprise_and_channel(db, actor, data, errors)
    subject = text(data, "subject")
    if not subject:
        errors["subject"] = N_("Enter a subject")
    elif len(subject) > SUBJECT_MAX:
        errors["subject"] = Message(
            N_("The subject may have at most %(max)s characters"), max=SUBJECT_MAX
        )
    description = text(data, "description")
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = Message(
            N_("The description may have at most %(max)s characters"), max=DESCRIPTION_MAX
        )
    category_id = optional_int(data.get("category_id"))
    category = None if category_id is None else await db.get(TicketCategory, category_id)
    if category is None or not category.is_active:
        errors["category_id"] = N_("Choose a category")
    preferred, contact_name, contact_detail = _contact(data, errors)
    try:
        files = check_files(uploads)
    except ValidationFailed as exc:
        errors.update(exc.field_errors)
    if errors:
        raise ValidationFailed(N_("The ticket was not filed."), field_errors=errors)
    assert category is not None and enterprise_id is not None
    return Filing(
        enterprise_id,
        channel,
        category,
        subject,
        description,
        bool_field(data.get("confidential"), False),
        preferred,
        contact_name,
        contact_detail,
        files,
    )


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


def _new_ticket(filing: Filing, actor: CurrentUser, number: str, now: dt.datetime) -> Ticket:
    category = filing.category
    return Ticket(
        number=number,
        enterprise_id=filing.enterprise_id,
        category_id=category.id,
        filed_by_id=actor.id,
        channel=filing.channel,
        subject=filing.subject,
        description=filing.description,
        confidential=filing.confidential,
        preferred_contact=filing.preferred_contact,
        contact_name=filing.contact_name,
        contact_detail=filing.contact_detail,
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
    filing = await check_filing(db, actor, data, uploads)
    ticket = _new_ticket(filing, actor, await _next_number(db, now), now)
    db.add(ticket)
    await db.flush()
    on_behalf = filing.channel != Channel.ONLINE.value
    role = ActorRole.DESK if on_behalf else ActorRole.ENTERPRISE
    event = await add_event(
        db,
        ticket,
        actor,
        role,
        FILE_ACTION,
        from_status=None,
        data={"channel": filing.channel},
        now=now,
    )
    await store_files(db, settings, event, filing.files, internal=False)
    await refresh_deadlines(db, ticket, now)
    await db.flush()
    filed = ("number", "enterprise_id", "category_id", "channel", "confidential")
    audit_ticket(db, actor, "ticket_filed", ticket, after=audit.snapshot(ticket, *filed))
    await tell(db, settings, ticket, [Notice(Audience.DESK, "ticket_filed")], exclude=actor.id)
    if on_behalf:
        told = [Notice(Audience.ENTERPRISE, "ticket_filed")]
        await tell(db, settings, ticket, told, exclude=None)
    return ticket


async def enterprise_options(db: AsyncSession) -> list[tuple[int, str]]:
    """Enterprises the desk can file a ticket for (id, name), by name."""
    rows = await db.execute(sa.select(Enterprise.id, Enterprise.name).order_by(Enterprise.name))
    return [(r.id, r.name) for r in rows]
