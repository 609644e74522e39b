"""Who may see which ticket (as a query condition), the actor's role on a ticket, and the queue.

Scope is always part of the query: a ticket the user may not see is indistinguishable from one
that does not exist (404), and lists never load rows only to drop them afterwards.

* the desk (service_desk) and park admins see every ticket;
* an enterprise user sees the tickets of their enterprise;
* a government officer sees the tickets whose lead department is theirs, and those their
  department co-handles unless the ticket is confidential (only the lead department sees those);
* nobody else sees any ticket.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from parkops.accounts.identity import CurrentUser
from parkops.accounts.roles import Role
from parkops.core.errors import NotFound
from parkops.core.i18n import N_
from parkops.core.pagination import Page, paginate
from parkops.documents.models import Document
from parkops.enterprises.models import Enterprise
from parkops.tickets.models import (
    Department,
    Ticket,
    TicketCategory,
    TicketCoDepartment,
)
from parkops.tickets.rules.states import OPEN_STATUSES, PAUSED_STATUSES, ActorRole, TicketStatus

DESK_ROLES = frozenset({Role.service_desk, Role.park_admin})


def is_desk(user: CurrentUser) -> bool:
    return bool(user.roles & DESK_ROLES)


def visible_clause(user: CurrentUser) -> sa.ColumnElement[bool]:
    """The condition on ``tickets`` that selects exactly what ``user`` may see."""
    if is_desk(user):
        return sa.true()
    conditions = []
    if Role.enterprise_user in user.roles and user.enterprise_id is not None:
        conditions.append(Ticket.enterprise_id == user.enterprise_id)
    if Role.gov_officer in user.roles and user.department_id is not None:
        conditions.append(Ticket.lead_department_id == user.department_id)
        conditions.append(
            sa.and_(
                Ticket.confidential.is_(False),
                sa.exists().where(
                    TicketCoDepartment.ticket_id == Ticket.id,
                    TicketCoDepartment.department_id == user.department_id,
                ),
            )
        )
    return sa.or_(*conditions) if conditions else sa.false()


def actor_role(user: CurrentUser, ticket: Ticket, co_department_ids: set[int]) -> ActorRole | None:
    """The user's role on this ticket (``rules.states.ActorRole``), None if they have none."""
    if Role.service_desk in user.roles:
        return ActorRole.DESK
    if Role.park_admin in user.roles:
        return ActorRole.ADMIN
    if Role.enterprise_user in user.roles and user.enterprise_id == ticket.enterprise_id:
        return ActorRole.ENTERPRISE
    if Role.gov_officer in user.roles and user.department_id is not None:
        if ticket.lead_department_id == user.department_id:
            return ActorRole.LEAD_DEPARTMENT
        if user.department_id in co_department_ids and not ticket.confidential:
            return ActorRole.CO_DEPARTMENT
    return None


async def get_visible(
    db: AsyncSession, user: CurrentUser, ticket_id: int, *, for_update: bool = False
) -> Ticket:
    stmt = sa.select(Ticket).where(Ticket.id == ticket_id, visible_clause(user))
    if for_update:
        stmt = stmt.with_for_update()
    ticket = (await db.execute(stmt)).scalar_one_or_none()
    if ticket is None:
        raise NotFound(N_("No such ticket"))
    return ticket


async def co_departments(db: AsyncSession, ticket_id: int) -> set[int]:
    rows = await db.execute(
        sa.select(TicketCoDepartment.department_id).where(TicketCoDepartment.ticket_id == ticket_id)
    )
    return set(rows.scalars())


# --- the queue --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueFilters:
    status: str | None = None
    """A TicketStatus value, "open" (default), "all", or "paused"."""
    category_id: int | None = None
    department_id: int | None = None
    overdue: bool = False
    q: str | None = None
    """Ticket number or words of the subject."""
    newest_first: bool = False
    """Order by filing time (the enterprise's list) instead of by the next deadline."""


def overdue_clause(now: dt.datetime) -> sa.ColumnElement[bool]:
    """Overdue: marked by the sweep, or the current deadline has passed while the clock runs."""
    return sa.and_(
        Ticket.status.in_([s.value for s in OPEN_STATUSES - PAUSED_STATUSES]),
        sa.or_(Ticket.overdue.is_(True), Ticket.next_due_at < now),
    )


async def queue(
    db: AsyncSession,
    user: CurrentUser,
    filters: QueueFilters,
    *,
    now: dt.datetime,
    page: int = 1,
    page_size: int = 20,
) -> Page:
    lead = aliased(Department)
    stmt = (
        sa.select(
            Ticket.id,
            Ticket.number,
            Ticket.subject,
            Ticket.status,
            Ticket.confidential,
            Ticket.channel,
            Ticket.submitted_at,
            Ticket.next_due_at,
            Ticket.resolve_due_at,
            Ticket.resolve_due_provisional,
            Ticket.overdue,
            Ticket.rating,
            Ticket.enterprise_id,
            Ticket.lead_department_id,
            Enterprise.name.label("enterprise_name"),
            TicketCategory.name.label("category_name"),
            TicketCategory.name_en.label("category_name_en"),
            lead.name.label("lead_department_name"),
            lead.name_en.label("lead_department_name_en"),
            overdue_clause(now).label("is_overdue"),
        )
        .join(Enterprise, Enterprise.id == Ticket.enterprise_id)
        .join(TicketCategory, TicketCategory.id == Ticket.category_id)
        .outerjoin(lead, lead.id == Ticket.lead_department_id)
        .where(visible_clause(user))
    )
    status = filters.status or "open"
    if status == "open":
        stmt = stmt.where(Ticket.status.in_([s.value for s in OPEN_STATUSES]))
    elif status == "paused":
        stmt = stmt.where(Ticket.status.in_([s.value for s in PAUSED_STATUSES]))
    elif status in set(TicketStatus):
        stmt = stmt.where(Ticket.status == status)
    if filters.category_id:
        stmt = stmt.where(Ticket.category_id == filters.category_id)
    if filters.department_id:
        stmt = stmt.where(
            sa.or_(
                Ticket.lead_department_id == filters.department_id,
                sa.exists().where(
                    TicketCoDepartment.ticket_id == Ticket.id,
                    TicketCoDepartment.department_id == filters.department_id,
                ),
            )
        )
    if filters.overdue:
        stmt = stmt.where(overdue_clause(now))
    if filters.q:
        text = filters.q.strip()
        stmt = stmt.where(
            sa.or_(Ticket.number == text.upper(), Ticket.subject.ilike(f"%{_like(text)}%"))
        )
    if filters.newest_first:
        stmt = stmt.order_by(Ticket.submitted_at.desc(), Ticket.id.desc())
    else:
        stmt = stmt.order_by(Ticket.next_due_at.asc().nulls_last(), Ticket.id.desc())
    return await paginate(db, stmt, page=page, page_size=page_size)


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def records_for_lead_department(user: CurrentUser) -> sa.ColumnElement[bool] | None:
    """Officers may download the handling records of the tickets their department leads (a
    ``DocumentGrant`` of the tickets domain)."""
    if Role.gov_officer not in user.roles or user.department_id is None:
        return None
    return sa.and_(
        Document.entity == "ticket",
        Document.entity_id.in_(
            sa.select(Ticket.id).where(Ticket.lead_department_id == user.department_id)
        ),
    )
