"""The tickets card on the dashboard: what waits for this user, in one query."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts.identity import CurrentUser
from parkops.accounts.roles import Role
from parkops.db.base import utcnow
from parkops.tickets import notifications, repository
from parkops.tickets.models import Ticket
from parkops.tickets.rules.states import OPEN_STATUSES, TicketStatus

S = TicketStatus


def _count(condition) -> sa.ColumnElement[int]:
    return sa.func.count().filter(condition)


async def card(db: AsyncSession, user: CurrentUser) -> dict:
    now = utcnow()
    is_open = Ticket.status.in_([s.value for s in OPEN_STATUSES])
    columns = {
        "open": _count(is_open),
        "overdue": _count(repository.overdue_clause(now)),
        "submitted": _count(Ticket.status == S.SUBMITTED),
        "accepted": _count(Ticket.status == S.ACCEPTED),
        "returned": _count(Ticket.status == S.RETURNED),
        "extensions": _count(Ticket.extension_requested_days.is_not(None) & is_open),
        "dispatched": _count(Ticket.status == S.DISPATCHED),
        "in_progress": _count(Ticket.status.in_([S.IN_PROGRESS, S.REOPENED])),
        "awaiting": _count(Ticket.status == S.AWAITING_ENTERPRISE),
        "replied": _count(Ticket.status == S.REPLIED),
    }
    row = (
        await db.execute(
            sa.select(*(c.label(k) for k, c in columns.items())).where(
                repository.visible_clause(user)
            )
        )
    ).one()
    if repository.is_desk(user):
        kind = "desk"
    elif Role.gov_officer in user.roles:
        kind = "officer"
    else:
        kind = "enterprise"
    return {
        "kind": kind,
        "counts": dict(row._mapping),
        "latest": await _latest_open(db, user, is_open) if kind == "enterprise" else None,
        "unread": await notifications.unread_count(db, user.id),
    }


async def _latest_open(db: AsyncSession, user: CurrentUser, is_open) -> sa.Row | None:
    """The enterprise's most recently filed open ticket, named on its home page."""
    return (
        await db.execute(
            sa.select(Ticket.id, Ticket.number, Ticket.subject, Ticket.status)
            .where(repository.visible_clause(user), is_open)
            .order_by(Ticket.submitted_at.desc(), Ticket.id.desc())
            .limit(1)
        )
    ).first()


async def dashboard_card(db: AsyncSession, user: CurrentUser) -> dict:
    """The dashboard card's context (``DashboardCard.load``)."""
    return {"tickets": await card(db, user)}
