"""Bills follow a contract's schedule when it changes after billing (parkops.billing.corrections).

The contract of the billing factories: 2,000 m² at 18 元/m²·月 plus 3 元 property fee,
quarterly in advance from 2026-01-01: a quarter is 108,000 元 rent + 18,000 元 fee.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from parkops.billing import corrections, deposits
from parkops.billing import service as billing
from parkops.billing.models import Adjustment, BillLine, CreditNote, ScheduleCorrection
from parkops.leases.services import amendments, terminations
from tests.integration.billing.factories import active_contract, bills_of, pay, run_month
from tests.integration.leases.factories import actor

QUARTER = 12_600_000
MONTH_RENT, MONTH_FEE = 3_600_000, 600_000


async def _terminate_on_1_march(db, leasing, contract):
    await terminations.terminate(
        db, leasing, contract.id, {"last_day": "2026-02-28", "reason": "moving out"},
        today=date(2026, 2, 20),
    )  # fmt: skip


async def _rows(db, model, contract_id):
    return list(await db.scalars(sa.select(model).where(model.contract_id == contract_id)))


async def test_an_early_end_credits_the_unused_month_and_never_bills_the_period_again(db):
    leasing = await actor(db, "leasing")
    c = await active_contract(db, leasing=leasing)
    await run_month(db, "2026-01", date(2026, 1, 2))
    await _terminate_on_1_march(db, leasing, c)
    assert [(p.part, p.amount_fen) for p in await corrections.pending(db, c.id)] == [
        (1, -MONTH_RENT),
        (2, -MONTH_FEE),
    ]

    await run_month(db, "2026-03", date(2026, 3, 2))
    q1, march = await bills_of(db, c.id)
    # March is taken off the unpaid quarter's bill, which now asks for January and February.
    notes = list(await db.scalars(sa.select(CreditNote).where(CreditNote.bill_id == q1.id)))
    assert sorted(n.amount_fen for n in notes) == [MONTH_FEE, MONTH_RENT]
    assert all("合同变更调整" in n.reason for n in notes)
    assert q1.open_fen == QUARTER - MONTH_RENT - MONTH_FEE
    # The shortened quarter is not billed a second time: March's bill holds late fees only.
    march_lines = list(await db.scalars(sa.select(BillLine).where(BillLine.bill_id == march.id)))
    assert {line.charge_type for line in march_lines} == {"late_fee"}
    assert await _rows(db, Adjustment, c.id) == []
    assert len(await _rows(db, ScheduleCorrection, c.id)) == 2

    # Made once: later runs and direct calls find nothing more to correct.
    await run_month(db, "2026-04", date(2026, 4, 2))
    assert await corrections.pending(db, c.id) == []
    assert await corrections.apply(db, "test", c.id) == []
    assert len(await _rows(db, ScheduleCorrection, c.id)) == 2


async def test_money_already_paid_for_the_unused_month_becomes_a_credit(db, client, login):
    leasing = await actor(db, "leasing")
    c = await active_contract(db, leasing=leasing)
    await run_month(db, "2026-01", date(2026, 1, 2))
    await pay(db, c.enterprise_id, QUARTER - 1_000_000, date(2026, 1, 2))
    await _terminate_on_1_march(db, leasing, c)
    await login("finance")
    page = (await client.get(f"/billing/deposits/{c.id}")).text
    assert "corrected by -42,000.00 yuan" in page and "pending-credit" not in page
    await corrections.apply(db, "test", c.id)
    page = (await client.get(f"/billing/deposits/{c.id}")).text
    assert "pending-corrections" not in page
    assert "Credit waiting for a next bill: 32,000.00 yuan" in page
    [q1] = await bills_of(db, c.id)
    assert q1.open_fen == 0  # the open 10,000 元 were credited first...
    adjustments = await _rows(db, Adjustment, c.id)
    # ...and the other 32,000 元 of March wait, as a credit, for the next bill.
    assert sum(a.amount_fen for a in adjustments) == -(MONTH_RENT + MONTH_FEE - 1_000_000)

    # No bill follows an ended contract: paid back outside, a matching charge clears it.
    await billing.add_adjustment(db, "test", c.id, {"amount": "32000", "reason": "refunded"})
    await run_month(db, "2026-03", date(2026, 3, 2))
    assert await deposits.pending_credit_fen(db, c.id) == 0
    *_, last = await bills_of(db, c.id)
    assert last.total_fen == 0


async def test_settling_the_deposit_credits_the_unused_period_first(db):
    leasing = await actor(db, "leasing")
    c = await active_contract(db, leasing=leasing)
    await deposits.record_entry(
        db, "test", c.id,
        {"kind": "received", "amount": "72000", "entry_date": "2026-01-02",
         "method": "bank_transfer"},
        today=date(2026, 12, 31),
    )  # fmt: skip
    await run_month(db, "2026-01", date(2026, 1, 2))
    await pay(db, c.enterprise_id, QUARTER - MONTH_RENT - MONTH_FEE, date(2026, 1, 2))
    await _terminate_on_1_march(db, leasing, c)
    done = await deposits.settle(
        db, "test", c.id, {"method": "bank_transfer", "entry_date": "2026-03-02"},
        today=date(2026, 3, 2),
    )  # fmt: skip
    # January and February were paid; March is credited: nothing is taken from the deposit.
    assert done == {"applied_fen": 0, "refunded_fen": 7_200_000, "still_open_fen": 0}


async def test_a_raise_on_a_billed_quarter_is_charged_on_the_next_bill(db):
    leasing = await actor(db, "leasing")
    c = await active_contract(db, leasing=leasing)
    await run_month(db, "2026-04", date(2026, 3, 31))  # Q2 billed in advance
    await amendments.amend_terms(
        db, leasing, c.id, {"effective_from": "2026-04-01", "rent_rate": "20", "note": "review"},
        today=date(2026, 3, 31),
    )  # fmt: skip
    await run_month(db, "2026-05", date(2026, 5, 2))
    *_, may = await bills_of(db, c.id)
    lines = list(await db.scalars(sa.select(BillLine).where(BillLine.bill_id == may.id)))
    # (The April run caught up Q1 as well; both are unpaid, hence also a late fee.)
    [line] = [line for line in lines if line.charge_type != "late_fee"]
    # 2,000 m² x 2 元 more x 3 months.
    assert (line.charge_type, line.amount_fen) == ("adjustment", 1_200_000)
    assert "2026-04-01" in line.description
    assert await corrections.pending(db, c.id) == []
