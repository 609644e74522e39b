"""Payments: idempotency, allocation orders, partial payments, credit and refunds, bad input,
and what the database refuses whatever the application does."""

from __future__ import annotations

import secrets
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from parkops.billing import payments, service
from parkops.billing.models import Allocation, Bill, BillingParkSettings, Payment, Refund
from parkops.core.errors import Conflict, ValidationFailed
from tests.integration.billing.factories import active_contract, bills_of, pay, run_month

QUARTER = 12_600_000


async def _two_bills(db, **contract):
    """Q1 and Q2 bills of one contract (Q1 left unpaid, so Q2 carries a late fee line too)."""
    c = await active_contract(db, **contract)
    await run_month(db, "2026-01", date(2026, 1, 1))
    await run_month(db, "2026-04", date(2026, 4, 1))
    return c, await bills_of(db, c.id)


async def _counts(db) -> tuple:
    return tuple(
        [
            await db.scalar(sa.select(sa.func.count()).select_from(m))
            for m in (Payment, Allocation, Refund)
        ]
    )


async def test_oldest_bill_is_paid_first_and_the_rest_is_partial(db):
    c, (q1, q2) = await _two_bills(db)
    payment = await pay(db, c.enterprise_id, QUARTER + 1_000_000, date(2026, 4, 2))
    q1, q2 = await bills_of(db, c.id)
    assert (q1.status, q1.paid_fen) == ("paid", QUARTER)
    assert (q2.status, q2.paid_fen) == ("partially_paid", 1_000_000)
    assert payment.allocated_fen == QUARTER + 1_000_000 and payment.unallocated_fen == 0


async def test_current_first_when_the_park_says_so(db):
    c, (q1, q2) = await _two_bills(db)
    db.add(BillingParkSettings(park_id=c.park_id, allocation_policy="current_first"))
    await db.flush()
    await pay(db, c.enterprise_id, q2.total_fen, date(2026, 4, 2), today=date(2026, 4, 2))
    q1, q2 = await bills_of(db, c.id)
    assert q2.status == "paid" and q1.status == "issued"


async def test_overpayment_becomes_credit_used_by_the_next_bill_and_refundable(db):
    c = await active_contract(db)
    await run_month(db, "2026-01", date(2026, 1, 1))
    payment = await pay(db, c.enterprise_id, QUARTER + 500_000, date(2026, 1, 1))
    assert payment.unallocated_fen == 500_000
    assert await payments.credit_fen(db, c.enterprise_id) == 500_000

    await run_month(db, "2026-04", date(2026, 4, 1))  # the run applies the credit
    q1, q2 = await bills_of(db, c.id)
    assert q1.status == "paid"
    assert (q2.status, q2.paid_fen) == ("partially_paid", 500_000)
    assert await payments.credit_fen(db, c.enterprise_id) == 0

    extra = await pay(db, c.enterprise_id, q2.open_fen + 300_000, date(2026, 4, 2))
    assert extra.unallocated_fen == 300_000
    with pytest.raises(ValidationFailed) as exc:
        await payments.refund_credit(
            db,
            "test",
            c.enterprise_id,
            {
                "amount": "3000.01",
                "method": "bank_transfer",
                "refunded_on": "2026-04-03",
                "reason": "overpaid",
            },
            today=date(2026, 4, 3),
        )
    assert "only 3,000.00" in exc.value.field_errors["amount"]
    [refund] = await payments.refund_credit(
        db,
        "test",
        c.enterprise_id,
        {
            "amount": "3000",
            "method": "bank_transfer",
            "refunded_on": "2026-04-03",
            "reason": "overpaid",
        },
        today=date(2026, 4, 3),
    )
    assert refund.amount_fen == 300_000
    assert await payments.credit_fen(db, c.enterprise_id) == 0


async def test_the_same_idempotency_key_records_one_payment(db):
    c, _bills = await _two_bills(db)
    key = secrets.token_urlsafe(12)
    first = await pay(db, c.enterprise_id, 1_000_000, date(2026, 4, 2), key=key)
    before = await _counts(db)
    again = await pay(db, c.enterprise_id, 1_000_000, date(2026, 4, 2), key=key)
    assert again.id == first.id
    assert await _counts(db) == before
    with pytest.raises(Conflict):
        await pay(db, c.enterprise_id, 2_000_000, date(2026, 4, 2), key=key)
    assert await _counts(db) == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount_fen": 0}, "amount"),
        ({"amount_fen": -100}, "amount"),
        ({"method": "bitcoin"}, "method"),
        ({"received_on": "2099-01-01"}, "received_on"),
        ({"idempotency_key": "short"}, "idempotency_key"),
        ({"enterprise_id": 987654}, "enterprise_id"),
    ],
)
async def test_bad_payments_are_refused_and_nothing_is_written(db, changes, field):
    c, _bills = await _two_bills(db)
    before = await _counts(db)
    raw = {
        "enterprise_id": c.enterprise_id,
        "amount_fen": 100,
        "method": "cash",
        "received_on": "2026-04-02",
        "idempotency_key": secrets.token_urlsafe(12),
        **changes,
    }
    with pytest.raises(ValidationFailed) as exc:
        await payments.record_payment(db, "test", raw, today=date(2026, 4, 3))
    assert field in exc.value.field_errors
    assert await _counts(db) == before


async def test_an_allocation_above_what_is_open_is_refused(db):
    c, (q1, _q2) = await _two_bills(db)
    before = await _counts(db)
    with pytest.raises(ValidationFailed) as exc:
        await pay(
            db, c.enterprise_id, 30_000_000, date(2026, 4, 2), allocations={q1.id: QUARTER + 1}
        )
    assert f"allocations.{q1.id}" in exc.value.field_errors
    assert await _counts(db) == before
    assert (await bills_of(db, c.id))[0].paid_fen == 0


async def test_explicit_allocation_leaves_the_rest_as_credit(db):
    c, (q1, q2) = await _two_bills(db)
    payment = await pay(
        db, c.enterprise_id, 2_000_000, date(2026, 4, 2), allocations={q2.id: 1_500_000}
    )
    q1, q2 = await bills_of(db, c.id)
    assert q1.paid_fen == 0 and q2.paid_fen == 1_500_000
    assert payment.unallocated_fen == 500_000


async def test_the_database_refuses_over_allocation_whatever_the_application_does(db):
    c, (q1, _q2) = await _two_bills(db)
    payment = await pay(db, c.enterprise_id, QUARTER, date(2026, 4, 2), allocations={q1.id: 1})
    # The payment has QUARTER - 1 left, the bill QUARTER - 1 open: one fen more is refused.
    for row in (
        {"payment_id": payment.id, "bill_id": q1.id, "amount_fen": QUARTER},
        {"payment_id": payment.id, "bill_id": q1.id, "amount_fen": 0},
    ):
        with pytest.raises(DBAPIError):
            async with db.begin_nested():
                await db.execute(
                    sa.insert(Allocation).values(
                        effective_on=date(2026, 4, 2), source="payment", **row
                    )
                )
    for statement in (
        "UPDATE billing_allocations SET amount_fen = 2",
        "DELETE FROM billing_allocations",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            async with db.begin_nested():
                await db.execute(sa.text(statement))
    with pytest.raises(DBAPIError, match="cannot be changed"):
        async with db.begin_nested():
            await db.execute(
                sa.text(f"UPDATE billing_payments SET amount_fen = 1 WHERE id = {payment.id}")
            )
    bill = await service.get_bill(db, None, q1.id)
    assert bill.paid_fen == 1


async def test_bills_of_another_enterprise_cannot_be_paid(db):
    _c, (q1, _q2) = await _two_bills(db)
    other = await active_contract(db)
    before = await _counts(db)
    with pytest.raises(ValidationFailed):
        await pay(db, other.enterprise_id, 100, date(2026, 4, 2), allocations={q1.id: 100})
    assert await _counts(db) == before
    assert (await db.get(Bill, q1.id)).paid_fen == 0
