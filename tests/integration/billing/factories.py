"""Billing factories: contracts to bill (through the leases factories), tariffs, meters and
readings (through the billing services), and a helper to run a month inside the test's
transaction."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.billing import run as billing_run
from parkops.billing.models import Bill, BillLine
from tests.integration.leases.factories import create_contract, create_units  # noqa: F401


async def active_contract(db: AsyncSession, **overrides: Any):
    """An approved contract: 2,000 m² at 18 元/m²·月 + 3 元 property fee, quarterly from
    2026-01-01, due on the first day of each quarter, 0.05% a day late fee."""
    return await create_contract(db, status="active", **overrides)


async def run_month(db: AsyncSession, month: str, today: date, **kwargs: Any):
    """A billing run inside the test's transaction (each batch a savepoint)."""
    return await billing_run.run_month(
        billing_run.savepoints(db), "test", month, today=today, **kwargs
    )


async def bills_of(db: AsyncSession, contract_id: int) -> list[Bill]:
    return list(
        (
            await db.execute(
                sa.select(Bill)
                .where(Bill.contract_id == contract_id)
                .order_by(Bill.run_month)
                .execution_options(populate_existing=True)
            )
        ).scalars()
    )


async def lines_of(db: AsyncSession, bill_id: int) -> list[BillLine]:
    return list(
        (
            await db.execute(
                sa.select(BillLine).where(BillLine.bill_id == bill_id).order_by(BillLine.id)
            )
        ).scalars()
    )


async def pay(db: AsyncSession, enterprise_id: int, amount_fen: int, received_on: date, **extra):
    """Record a bank transfer (allocated oldest-first unless ``allocations`` are given)."""
    import secrets

    from parkops.billing import payments

    payment, _created = await payments.record_payment(
        db,
        "test",
        {
            "enterprise_id": enterprise_id,
            "amount_fen": amount_fen,
            "method": "bank_transfer",
            "received_on": received_on.isoformat(),
            "reference": "TEST",
            "idempotency_key": extra.pop("key", None) or secrets.token_urlsafe(12),
            **extra,
        },
        today=extra.pop("today", None) or max(received_on, date(2026, 12, 31)),
    )
    return payment


async def tariff(
    db: AsyncSession,
    park_id: int,
    kind: str = "electricity",
    price: str = "0.80",
    valid_from: str = "2025-01-01",
    **extra: Any,
):
    from parkops.billing import meters

    return await meters.create_tariff(
        db,
        "test",
        {"park_id": park_id, "kind": kind, "price": price, "valid_from": valid_from, **extra},
    )


async def meter(
    db: AsyncSession,
    *,
    unit=None,
    building_id: int | None = None,
    kind: str = "electricity",
    code: str | None = None,
    **extra: Any,
):
    import secrets

    from parkops.billing import meters

    raw = {
        "kind": kind,
        "scope": "unit" if unit is not None else "common",
        "unit_id": getattr(unit, "id", None),
        "building_id": building_id,
        "code": code or f"M-{secrets.token_hex(3)}",
        "installed_on": "2025-01-01",
        **extra,
    }
    return await meters.create_meter(db, "test", raw)


async def reading(db: AsyncSession, meter_id: int, month: str, value: str, **extra: Any):
    from parkops.billing import meters

    return await meters.record_reading(
        db,
        "test",
        meter_id,
        {"reading_month": month, "value": value, "read_on": "2026-01-01", **extra},
        today=date(2026, 12, 31),
    )
