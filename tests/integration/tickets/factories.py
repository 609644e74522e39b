"""Ticket factories for tests of any domain: the seeded catalogue, people, and tickets moved
through the workflow by the real service."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts import service as accounts
from parkops.accounts.identity import CurrentUser
from parkops.config import Settings
from parkops.tickets.models import Department, Ticket, TicketCategory, TicketEvent
from parkops.tickets.services import actions, filing
from tests.integration.enterprises.factories import create_enterprise
from tests.support import create_user

SH = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=SH)


async def department_id(db: AsyncSession, code: str) -> int:
    return await db.scalar(sa.select(Department.id).where(Department.code == code))


async def category(db: AsyncSession, code: str = "ip_counterfeit") -> TicketCategory:
    return (
        await db.execute(sa.select(TicketCategory).where(TicketCategory.code == code))
    ).scalar_one()


async def identity(db: AsyncSession, user) -> CurrentUser:
    return await accounts.get_identity(db, user.id)


@dataclass
class People:
    """An enterprise with one user, the desk, and officers of the ip_counterfeit category's
    lead department (market supervision) and co-handling department (economic crime unit)."""

    enterprise_id: int
    enterprise: CurrentUser
    desk: CurrentUser
    lead: CurrentUser
    co: CurrentUser
    lead_department_id: int
    co_department_id: int
    enterprise_user: Any
    desk_user: Any
    lead_user: Any
    co_user: Any


async def people(db: AsyncSession) -> People:
    enterprise = await create_enterprise(db)
    lead_dept = await department_id(db, "market_supervision")
    co_dept = await department_id(db, "public_security_economic")
    ent_user = await create_user(db, "enterprise_user", enterprise_id=enterprise.id)
    desk_user = await create_user(db, "service_desk")
    lead_user = await create_user(db, "gov_officer", department_id=lead_dept)
    co_user = await create_user(db, "gov_officer", department_id=co_dept)
    return People(
        enterprise_id=enterprise.id,
        enterprise=await identity(db, ent_user),
        desk=await identity(db, desk_user),
        lead=await identity(db, lead_user),
        co=await identity(db, co_user),
        lead_department_id=lead_dept,
        co_department_id=co_dept,
        enterprise_user=ent_user,
        desk_user=desk_user,
        lead_user=lead_user,
        co_user=co_user,
    )


async def file(
    db: AsyncSession,
    settings: Settings,
    actor: CurrentUser,
    *,
    now: dt.datetime | None = None,
    uploads=(),
    **overrides: Any,
) -> Ticket:
    data = {
        "category_id": (await category(db)).id,
        "subject": "Counterfeit jackets with our brand on a marketplace",
        "description": "Shop X sells fakes of our 2026 winter line.",
        **overrides,
    }
    return await filing.file_ticket(db, settings, actor, data, uploads, now=now)


async def dispatched(
    db: AsyncSession, settings: Settings, p: People, *, now: dt.datetime | None = None, **kw
) -> Ticket:
    """Filed by the enterprise, accepted and dispatched to the category's departments."""
    ticket = await file(db, settings, p.enterprise, now=now, **kw)
    await actions.perform(db, settings, p.desk, ticket.id, "accept", now=now)
    await actions.perform(db, settings, p.desk, ticket.id, "dispatch", now=now)
    return ticket


async def event_count(db: AsyncSession, ticket_id: int | None = None) -> int:
    stmt = sa.select(sa.func.count()).select_from(TicketEvent)
    if ticket_id is not None:
        stmt = stmt.where(TicketEvent.ticket_id == ticket_id)
    return await db.scalar(stmt)


async def ticket_count(db: AsyncSession) -> int:
    return await db.scalar(sa.select(sa.func.count()).select_from(Ticket))
