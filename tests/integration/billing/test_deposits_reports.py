"""Deposits (ledger, deductions, settlement at termination) and the finance reports."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from parkops.billing import deposits, reports
from parkops.billing.models import DepositEntry, Payment
from parkops.core.errors import ValidationFailed
from parkops.leases.services import terminations
from tests.integration.billing.factories import active_contract, bills_of, pay, run_month
from tests.integration.leases.factories import actor

QUARTER = 12_600_000
DEPOSIT = 7_200_000  # two months of rent: 2,000 m² x 18 元 x 2
MARCH = 4_200_000  # a month of rent and property fee


async def _entry(db, contract_id, kind, amount, **extra):
    return await deposits.record_entry(
        db,
        "test",
        contract_id,
        {
            "kind": kind,
            "amount": amount,
            "entry_date": "2026-01-02",
            "method": "bank_transfer",
            **extra,
        },
        today=date(2026, 12, 31),
    )


async def test_deposit_ledger_deductions_and_top_up(db):
    c = await active_contract(db)
    assert await deposits.required_fen(db, c.id) == DEPOSIT
    await _entry(db, c.id, "received", "72000")
    await _entry(db, c.id, "deducted_damages", "1000", reason="broken door")
    await _entry(db, c.id, "topped_up", "1000")
    assert await deposits.held_fen(db, c.id) == DEPOSIT
    before = await db.scalar(sa.select(sa.func.count()).select_from(DepositEntry))
    with pytest.raises(ValidationFailed) as exc:
        await _entry(db, c.id, "refunded", "72000.01")
    assert "Only 72,000.00" in exc.value.field_errors["amount"]
    with pytest.raises(ValidationFailed) as exc:
        await _entry(db, c.id, "deducted_damages", "10")
    assert "reason" in exc.value.field_errors
    assert await db.scalar(sa.select(sa.func.count()).select_from(DepositEntry)) == before
    with pytest.raises(DBAPIError):  # the database keeps the balance >= 0 on its own
        async with db.begin_nested():
            db.add(
                DepositEntry(
                    contract_id=c.id,
                    enterprise_id=c.enterprise_id,
                    kind="refunded",
                    amount_fen=DEPOSIT + 1,
                    entry_date=date(2026, 1, 3),
                )
            )
            await db.flush()

    await run_month(db, "2026-01", date(2026, 1, 2))
    await _entry(db, c.id, "deducted_arrears", "50000")
    [bill] = await bills_of(db, c.id)
    assert bill.paid_fen == 5_000_000
    payment = await db.scalar(sa.select(Payment).where(Payment.method == "deposit"))
    assert payment.amount_fen == 5_000_000 and payment.allocated_fen == 5_000_000
    assert await deposits.held_fen(db, c.id) == DEPOSIT - 5_000_000


async def test_settlement_at_termination(db):
    leasing = await actor(db, "leasing")
    c = await active_contract(db, leasing=leasing)
    await _entry(db, c.id, "received", "72000")
    await run_month(db, "2026-01", date(2026, 1, 2))
    # Paid all but 20,000 元 of January and February (March is not used: the lease ends 1 March).
    await pay(db, c.enterprise_id, QUARTER - MARCH - 2_000_000, date(2026, 1, 2))
    await terminations.terminate(
        db,
        leasing,
        c.id,
        {"last_day": "2026-02-28", "reason": "moving out"},
        today=date(2026, 2, 20),
    )
    ledger = await deposits.ledger(db, c.id)
    assert ledger["termination"]["end_date"] == date(2026, 3, 1)
    assert ledger["open_fen"] == MARCH + 2_000_000
    assert ledger["pending_corrections_fen"] == -MARCH  # credited when the deposit is settled
    done = await deposits.settle(
        db,
        "test",
        c.id,
        {"method": "bank_transfer", "entry_date": "2026-03-02"},
        today=date(2026, 3, 2),
    )
    assert done == {
        "applied_fen": 2_000_000,
        "refunded_fen": DEPOSIT - 2_000_000,
        "still_open_fen": 0,
    }
    assert await deposits.held_fen(db, c.id) == 0
    [bill] = await bills_of(db, c.id)
    assert bill.status == "paid"


async def test_reports_aggregate_open_amounts_collection_and_revenue(db):
    a = await active_contract(db)
    b = await active_contract(db)
    await run_month(db, "2026-01", date(2026, 1, 2))
    await pay(db, a.enterprise_id, QUARTER, date(2026, 1, 2))
    await pay(db, b.enterprise_id, 2_600_000, date(2026, 1, 2))

    aging = await reports.aging(db, date(2026, 3, 15))  # 73 days after 1 January
    [row] = aging
    assert row["enterprise_id"] == b.enterprise_id
    assert (row["d61_90_fen"], row["total_fen"], row["not_due_fen"]) == (10_000_000, 10_000_000, 0)

    [total, *phases] = [r for r in await reports.collection(db) if r["month"] == "2026-01"]
    assert total["phase"] == "" and total["billed_fen"] == 2 * QUARTER
    assert total["collected_fen"] == QUARTER + 2_600_000
    assert str(total["rate_percent"]) == "60.3"
    assert sum(p["billed_fen"] for p in phases) == 2 * QUARTER

    revenue = {(r["month"], r["charge_type"]): r["amount_fen"] for r in await reports.revenue(db)}
    assert revenue[("2026-01", "rent")] == 2 * 10_800_000

    # The dashboard's totals, against the bills themselves.
    bills = (await db.execute(sa.text("SELECT * FROM billing_bills"))).mappings().all()
    open_ = {
        r["id"]: (r["total_fen"] - r["paid_fen"] - r["credited_fen"], r["due_date"])
        for r in bills
        if r["status"] in ("issued", "partially_paid")
    }
    for as_of in (date(2026, 3, 15), date(2026, 6, 1)):
        assert await reports.open_totals(db, as_of) == {
            "open_fen": sum(a for a, _ in open_.values()),
            "overdue_90_fen": sum(a for a, d in open_.values() if (as_of - d).days > 90),
        }

    arrears = await reports.arrears(db, 60, date(2026, 3, 15))
    assert [r["contract_id"] for r in arrears] == [b.id]
    assert await reports.arrears(db, 90, date(2026, 3, 15)) == []

    roll = await reports.rent_roll(db, date(2026, 2, 1))
    assert {r["contract_id"] for r in roll} == {a.id, b.id}
    assert roll[0]["rent_fen"] == 10_800_000

    columns, rows = await reports.report(db, "late-fees", as_of=date(2026, 2, 1))
    # b's 26,000.00 paid the rent line first (oldest due line first, then line order): 30 days
    # on the 82,000.00 of rent and the 18,000.00 of property fee still open, one row each.
    assert [(r["charge_type"], r["days"], r["amount_fen"]) for r in rows] == [
        ("rent", 30, 8_200_000 * 5 // 10_000 * 30),
        ("property_fee", 30, 1_800_000 * 5 // 10_000 * 30),
    ]
    assert sum(r["amount_fen"] for r in rows) == 10_000_000 * 5 // 10_000 * 30
    assert all(r["amount_yuan"] is not None for r in rows)
    assert columns is reports.LATE_FEE_COLUMNS
