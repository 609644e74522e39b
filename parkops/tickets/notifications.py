"""The in-app notification centre, and the email copy of each notification.

Every change that concerns somebody notifies them: the enterprise (accepted, replied, asked for
information, closed...), the departments' officers (dispatched, chased...), the desk (new ticket,
returned, rated...). The text is written in the recipient's language when it is created. The
email goes out through :mod:`parkops.core.mail`; a mail server that refuses does not undo the
change (the in-app notification is there either way), it is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts.identity import CurrentUser
from parkops.accounts.models import User, UserRole
from parkops.accounts.roles import Role
from parkops.config import Settings
from parkops.core import i18n, mail
from parkops.core.errors import NotFound
from parkops.core.i18n import N_
from parkops.core.pagination import Page, paginate
from parkops.db.base import utcnow
from parkops.tickets.models import Notification

log = logging.getLogger(__name__)

# kind -> message (English source; {number} {subject} and kind-specific fields are filled in).
MESSAGES: dict[str, str] = {
    "ticket_filed": N_("New ticket {number}: {subject}"),
    "ticket_accepted": N_("Your ticket {number} was accepted: {subject}"),
    "ticket_rejected": N_("Your ticket {number} was not accepted: {subject}"),
    "ticket_merged": N_("Your ticket {number} was merged into ticket {target}"),
    "info_requested": N_("Ticket {number} needs more information from you: {subject}"),
    "info_provided": N_("The enterprise answered on ticket {number}: {subject}"),
    "ticket_dispatched": N_("Ticket {number} was dispatched to your department: {subject}"),
    "ticket_returned": N_("Ticket {number} was returned by a department: {subject}"),
    "ticket_replied": N_("Ticket {number} has a reply: {subject}"),
    "extension_requested": N_("An extension is requested for ticket {number}"),
    "extension_approved": N_("The extension for ticket {number} was approved"),
    "extension_denied": N_("The extension for ticket {number} was refused"),
    "ticket_rated": N_("Ticket {number} was rated {rating}/5"),
    "ticket_reopened": N_("Ticket {number} was rated dissatisfied and reopened for redo"),
    "ticket_closed": N_("Ticket {number} was closed"),
    "ticket_withdrawn": N_("Ticket {number} was withdrawn by the enterprise"),
    "ticket_chased": N_("Ticket {number} is overdue; please handle it now"),
}


async def enterprise_recipients(db: AsyncSession, enterprise_id: int) -> list[int]:
    return await _users_with_role(db, Role.enterprise_user, User.enterprise_id == enterprise_id)


async def department_recipients(db: AsyncSession, department_ids: Iterable[int]) -> list[int]:
    ids = list(department_ids)
    if not ids:
        return []
    return await _users_with_role(db, Role.gov_officer, User.department_id.in_(ids))


async def desk_recipients(db: AsyncSession) -> list[int]:
    return await _users_with_role(db, Role.service_desk, sa.true())


async def _users_with_role(db: AsyncSession, role: Role, where) -> list[int]:
    rows = await db.execute(
        sa.select(User.id)
        .where(
            User.is_active.is_(True),
            where,
            sa.exists().where(UserRole.user_id == User.id, UserRole.role == role.value),
        )
        .order_by(User.id)
    )
    return list(rows.scalars())


async def notify(
    db: AsyncSession,
    settings: Settings,
    *,
    user_ids: Iterable[int],
    kind: str,
    ticket_id: int | None = None,
    link: str | None = None,
    exclude: int | None = None,
    **params: object,
) -> int:
    """Notify each user once (in-app and by email); returns how many were notified."""
    ids = sorted({uid for uid in user_ids if uid != exclude})
    if not ids:
        return 0
    users = (
        await db.execute(sa.select(User.id, User.email, User.language).where(User.id.in_(ids)))
    ).all()
    template = MESSAGES[kind]
    outgoing = []
    for user in users:
        lang = user.language if user.language in i18n.LANGUAGES else settings.default_language
        text = i18n.translations(lang).gettext(template).format(**params)[:500]
        db.add(Notification(user_id=user.id, ticket_id=ticket_id, kind=kind, text=text))
        if user.email:
            outgoing.append((user.email, text))
    await db.flush()
    for address, text in outgoing:
        body = text + (f"\n\n{link}" if link else "") + "\n\n-- ParkOps"
        try:
            subject = f"[ParkOps] {text}"[:200]
            await mail.send_mail(settings, to=address, subject=subject, body=body, db=db)
        except mail.MailNotSent:
            log.warning("notification email to %s not sent (%s)", address, kind)
    return len(users)


# --- reading --------------------------------------------------------------------------------


async def unread_count(db: AsyncSession, user_id: int) -> int:
    return (
        await db.scalar(
            sa.select(sa.func.count()).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


async def list_for_user(
    db: AsyncSession, user: CurrentUser, *, unread_only: bool = False, page: int = 1
) -> Page:
    stmt = (
        sa.select(
            Notification.id,
            Notification.ticket_id,
            Notification.kind,
            Notification.text,
            Notification.created_at,
            Notification.read_at,
        )
        .where(Notification.user_id == user.id)
        .order_by(Notification.id.desc())
    )
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return await paginate(db, stmt, page=page, page_size=30)


async def mark_read(db: AsyncSession, user: CurrentUser, notification_id: int) -> Notification:
    row = (
        await db.execute(
            sa.select(Notification).where(
                Notification.id == notification_id, Notification.user_id == user.id
            )
        )
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(N_("No such notification"))
    if row.read_at is None:
        row.read_at = utcnow()
        await db.flush()
    return row


async def mark_all_read(db: AsyncSession, user: CurrentUser) -> int:
    result = await db.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount or 0
