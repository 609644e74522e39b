"""Property: whatever sequence of payments, explicit allocations, credit notes, refunds and even
raw allocation rows is thrown at an enterprise's bills, the sums stay consistent and no bill or
payment is ever over-allocated (the application refuses; where it does not look, the database
does)."""

from __future__ import annotations

import secrets
from datetime import date

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import DBAPIError

from parkops.billing import payments, service
from parkops.billing.models import Allocation
from parkops.core.errors import AppError
from tests.integration.billing.factories import active_contract, bills_of, run_month

amounts = st.integers(min_value=-5, max_value=14_000_000)
ops = st.one_of(
    st.tuples(st.just("pay"), amounts, st.none()),
    st.tuples(st.just("pay"), amounts, st.tuples(st.integers(0, 2), amounts)),
    st.tuples(st.just("credit"), st.integers(0, 2), amounts),
    st.tuples(st.just("refund"), amounts, st.none()),
    st.tuples(st.just("raw"), st.integers(0, 2), amounts),
)


@pytest.fixture
async def three_bills(db):
    c = await active_contract(db)
    for month, today in (
        ("2026-01", date(2026, 1, 1)),
        ("2026-04", date(2026, 4, 1)),
        ("2026-07", date(2026, 7, 1)),
    ):
        await run_month(db, month, today)
    return c.enterprise_id, [b.id for b in await bills_of(db, c.id)]


async def _check(db, enterprise_id: int) -> None:
    bad_bills = (
        await db.execute(
            sa.text(
                """
                SELECT b.id FROM billing_bills b
                 WHERE b.enterprise_id = :e AND (
                       b.paid_fen <> COALESCE((SELECT sum(a.amount_fen) FROM billing_allocations a
                                                WHERE a.bill_id = b.id), 0)
                    OR b.credited_fen <> COALESCE((SELECT sum(n.amount_fen)
                                                     FROM billing_credit_notes n
                                                    WHERE n.bill_id = b.id), 0)
                    OR b.paid_fen + b.credited_fen > b.total_fen
                    OR b.status <> billing_bill_status(b.total_fen, b.paid_fen, b.credited_fen))
                """
            ),
            {"e": enterprise_id},
        )
    ).all()
    bad_payments = (
        await db.execute(
            sa.text(
                """
                SELECT p.id FROM billing_payments p
                 WHERE p.enterprise_id = :e AND (
                       p.allocated_fen <> COALESCE((SELECT sum(a.amount_fen)
                                                      FROM billing_allocations a
                                                     WHERE a.payment_id = p.id), 0)
                    OR p.refunded_fen <> COALESCE((SELECT sum(r.amount_fen) FROM billing_refunds r
                                                    WHERE r.payment_id = p.id), 0)
                    OR p.allocated_fen + p.refunded_fen > p.amount_fen)
                """
            ),
            {"e": enterprise_id},
        )
    ).all()
    assert bad_bills == [] and bad_payments == []


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sequence=st.lists(ops, min_size=1, max_size=7))
async def test_sums_never_exceed_payments_or_bills(db, three_bills, sequence):
    enterprise_id, bill_ids = three_bills
    outer = await db.begin_nested()
    try:
        for op, a, b in sequence:
            step = await db.begin_nested()
            try:
                if op == "pay":
                    raw = {
                        "enterprise_id": enterprise_id,
                        "amount_fen": a,
                        "method": "cash",
                        "received_on": "2026-07-02",
                        "idempotency_key": secrets.token_urlsafe(12),
                    }
                    if b is not None:
                        raw["allocations"] = {bill_ids[b[0]]: b[1]}
                    await payments.record_payment(db, "test", raw, today=date(2026, 7, 2))
                elif op == "credit":
                    await service.credit_bill(
                        db, "test", bill_ids[a], {"amount_fen": b, "reason": "property test"}
                    )
                elif op == "refund":
                    await payments.refund_credit(
                        db,
                        "test",
                        enterprise_id,
                        {
                            "amount_fen": a,
                            "method": "cash",
                            "refunded_on": "2026-07-02",
                            "reason": "property test",
                        },
                        today=date(2026, 7, 2),
                    )
                else:  # a raw row, as a buggy caller might write it
                    payment_id = await db.scalar(
                        sa.text(
                            "SELECT id FROM billing_payments WHERE enterprise_id = :e "
                            "ORDER BY id DESC LIMIT 1"
                        ),
                        {"e": enterprise_id},
                    )
                    if payment_id is None:
                        await step.rollback()
                        continue
                    await db.execute(
                        sa.insert(Allocation).values(
                            payment_id=payment_id,
                            bill_id=bill_ids[a],
                            amount_fen=b,
                            effective_on=date(2026, 7, 2),
                            source="payment",
                        )
                    )
                await step.commit()
            except (AppError, DBAPIError):
                await step.rollback()
            await _check(db, enterprise_id)
    finally:
        await outer.rollback()
