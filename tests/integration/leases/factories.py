"""Lease factories for tests of any domain: plain functions building valid contracts."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts import service as accounts
from parkops.accounts.identity import CurrentUser
from parkops.core.last_day import last_day_of
from parkops.inventory.services import units as inventory
from parkops.leases.models import LeaseContract
from parkops.leases.services import reservations, writing
from tests.integration.enterprises.factories import create_enterprise
from tests.integration.inventory.factories import create_building, create_phase, create_unit
from tests.support import create_user

START = date(2026, 1, 1)
END = date(2029, 1, 1)  # stored half-open: the last day is 2028-12-31
TODAY = date(2026, 3, 10)


async def actor(db: AsyncSession, *roles: str) -> CurrentUser:
    """A new user with ``roles``, as the services see them."""
    user = await create_user(db, *roles)
    return await accounts.get_identity(db, user.id)


async def create_units(
    db: AsyncSession,
    count: int = 1,
    *,
    phase_status: str = "operating",
    handover_date: date | None = None,
    gross_area: str = "2000.00",
    leasable_area: str = "1800.00",
    status: str | None = None,
):
    # A new park each time, so phase number 1 (the inventory factory's running numbers pass the
    # maximum of 99 in a long session).
    phase = await create_phase(
        db,
        number=1,
        status=phase_status,
        handover_date=handover_date.isoformat() if handover_date else None,
    )
    building = await create_building(db, phase)
    if status is None:
        status = "available" if phase_status == "operating" else "unavailable"
    extra = {"unavailable_reason": "not handed over"} if status == "unavailable" else {}
    return [
        await create_unit(
            db,
            building,
            gross_area=gross_area,
            leasable_area=leasable_area,
            status=status,
            **extra,
        )
        for _ in range(count)
    ]


def terms(**overrides: Any) -> dict[str, Any]:
    """Quarterly, 18 元/m²·月 on the gross area, 3 元 property fee, two months' deposit."""
    values: dict[str, Any] = {
        "rent_basis": "per_m2_month",
        "rent_rate": "18",
        "area_basis": "gross",
        "property_fee_rate": "3",
        "cycle": "quarterly",
        "due_kind": "days_before",
        "due_value": "0",
        "proration": "by_days",
        "deposit_kind": "months",
        "deposit_months": "2",
    }
    values.update(overrides)
    return values


def contract_values(enterprise_id: int, unit_ids: list[int], **overrides: Any) -> dict[str, Any]:
    values = {
        "enterprise_id": enterprise_id,
        "unit_ids": unit_ids,
        "start_date": START.isoformat(),
        "last_day": last_day_of(END).isoformat(),
        "purpose": "羽绒服装生产及电商直播",
        **terms(),
    }
    values.update(overrides)
    return values


async def create_contract(
    db: AsyncSession,
    *,
    leasing: CurrentUser | None = None,
    admin: CurrentUser | None = None,
    enterprise=None,
    units=None,
    status: str = "draft",
    today: date = TODAY,
    **overrides: Any,
) -> LeaseContract:
    """A contract in ``status`` draft, pending_approval or active (submitted and approved)."""
    leasing = leasing or await actor(db, "leasing")
    enterprise = enterprise or await create_enterprise(db)
    units = units or await create_units(db)
    contract = await writing.create_contract(
        db, leasing, contract_values(enterprise.id, [u.id for u in units], **overrides), today=today
    )
    if status in ("pending_approval", "active"):
        await writing.transition(db, leasing, contract.id, "submit", today=today)
    if status == "active":
        admin = admin or await actor(db, "park_admin")
        await writing.transition(db, admin, contract.id, "approve", today=today)
    return contract


async def unit_with_status(db: AsyncSession, unit, status: str):
    """``unit`` made to read ``status`` the way the product does it: leased by an active
    contract, reserved by a hold (for a prospect, from ``TODAY``), unavailable by hand."""
    if status == "leased":
        await create_contract(db, units=[unit], status="active")
    elif status == "reserved":
        prospect = await create_enterprise(db, status="prospect")
        await reservations.create_reservation(
            db,
            await actor(db, "leasing"),
            {
                "enterprise_id": prospect.id,
                "unit_ids": [unit.id],
                "held_until": (TODAY + timedelta(days=14)).isoformat(),
            },
            today=TODAY,
        )
    elif status == "unavailable":
        await inventory.set_unit_status(db, "test", unit.id, "unavailable", "not handed over")
    assert unit.status == status, (unit.code, unit.status, status)
    return unit


async def count_rows(db: AsyncSession, *models) -> dict[str, int]:
    return {
        m.__tablename__: await db.scalar(sa.select(sa.func.count()).select_from(m)) for m in models
    }
