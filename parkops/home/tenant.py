"""The enterprise user's money card on the dashboard: what is due, by when, the latest bill, and
the way to report a payment (their tickets are the tickets domain's card, next to it)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts.identity import CurrentUser
from parkops.accounts.roles import Role
from parkops.billing.tenant_summary import tenant_money
from parkops.core.domain import DashboardCard

TENANTS = frozenset({Role.enterprise_user})


async def money_card(db: AsyncSession, user: CurrentUser) -> dict:
    return {"tenant_money": await tenant_money(db, user)}


MONEY_CARD = DashboardCard(TENANTS, "home/_tenant_money_card.html", money_card)
