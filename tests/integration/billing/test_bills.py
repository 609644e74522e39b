"""Bill lifecycle: issued bills are frozen, voiding only through a credit note, credit notes,
late-fee waivers, drafts, adjustments on the next bill."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from parkops.billing import service
from parkops.billing.models import Bill, BillLine, CreditNote
from parkops.core.audit import AuditEntry
from parkops.core.errors import Conflict, ValidationFailed
from tests.integration.billing.factories import (
    active_contract,
    bills_of,
    lines_of,
    pay,
    run_month,
)

QUARTER = 12_600_000


async def _issued(db):
    c = await active_contract(db)
    await run_month(db, "2026-01", date(2026, 1, 2))
    [bill] = await bills_of(db, c.id)
    return c, bill


async def test_an_issued_bill_cannot_be_edited_in_the_database(db):
    _c, bill = await _issued(db)
    [rent, _fee] = await lines_of(db, bill.id)
    for statement in (
        f"UPDATE billing_bills SET total_fen = 1 WHERE id = {bill.id}",
        f"UPDATE billing_bills SET due_date = '2030-01-01' WHERE id = {bill.id}",
        f"UPDATE billing_bills SET status = 'draft' WHERE id = {bill.id}",
        f"DELETE FROM billing_bills WHERE id = {bill.id}",
        f"UPDATE billing_bill_lines SET amount_fen = 1 WHERE id = {rent.id}",
        f"DELETE FROM billing_bill_lines WHERE id = {rent.id}",
        f"UPDATE billing_bill_lines SET due_date = '2030-01-01' WHERE id = {rent.id}",
        f"INSERT INTO billing_bill_lines (bill_id, charge_type, description, quantity, amount_fen,"
        f" source_part, due_date) VALUES ({bill.id}, 'adjustment', 'x', 1, 5, 0, '2026-01-01')",
    ):
        with pytest.raises(DBAPIError, match="issued"):
            async with db.begin_nested():
                await db.execute(sa.text(statement))
    assert (await service.get_bill(db, None, bill.id)).total_fen == QUARTER


async def test_issuing_a_draft_whose_total_differs_from_its_lines_is_refused_by_the_database(db):
    c = await active_contract(db)
    await run_month(db, "2026-01", date(2026, 1, 2), issue=False)
    [draft] = await bills_of(db, c.id)
    assert draft.status == "draft"
    with pytest.raises(DBAPIError, match="sum of its lines"):
        async with db.begin_nested():
            await db.execute(
                sa.text(
                    "UPDATE billing_bills SET status = 'issued', total_fen = 1 "
                    f"WHERE id = {draft.id}"
                )
            )


async def test_drafts_can_be_adjusted_then_issued(db):
    c = await active_contract(db)
    await run_month(db, "2026-01", date(2026, 1, 2), issue=False)
    [draft] = await bills_of(db, c.id)
    await service.add_draft_line(
        db, "test", draft.id, {"amount": "-100", "description": "goodwill"}
    )
    issued = await service.issue_bill(db, "test", draft.id, today=date(2026, 1, 2))
    assert issued.status == "issued" and issued.total_fen == QUARTER - 10_000
    with pytest.raises(Conflict):
        await service.add_draft_line(db, "test", draft.id, {"amount": "1", "description": "late"})
    with pytest.raises(Conflict):
        await service.issue_bill(db, "test", draft.id)


async def test_void_only_by_credit_note_and_never_a_paid_bill(db):
    _c, bill = await _issued(db)
    note = await service.void_bill(db, "test", bill.id, {"reason": "wrong tenant"})
    assert note.kind == "void" and note.amount_fen == QUARTER
    voided = await service.get_bill(db, None, bill.id)
    assert voided.status == "void" and voided.open_fen == 0
    assert (
        await db.scalar(
            sa.select(sa.func.count()).where(AuditEntry.action == "billing_credit_note_void")
        )
        == 1
    )

    c2, paid = await _issued(db)
    await pay(db, c2.enterprise_id, QUARTER, date(2026, 1, 2))
    notes_before = await db.scalar(sa.select(sa.func.count()).select_from(CreditNote))
    with pytest.raises(Conflict, match="paid bill cannot be voided"):
        await service.void_bill(db, "test", paid.id, {"reason": "oops"})
    assert await db.scalar(sa.select(sa.func.count()).select_from(CreditNote)) == notes_before
    assert (await service.get_bill(db, None, paid.id)).status == "paid"


async def test_credit_notes_never_exceed_what_is_open(db):
    c, bill = await _issued(db)
    await pay(db, c.enterprise_id, QUARTER - 100_000, date(2026, 1, 2))
    with pytest.raises(ValidationFailed, match="No credit note"):
        await service.credit_bill(db, "test", bill.id, {"amount": "1000.01", "reason": "x"})
    await service.credit_bill(db, "test", bill.id, {"amount": "1000", "reason": "discount"})
    bill = await service.get_bill(db, None, bill.id)
    assert (bill.status, bill.open_fen, bill.credited_fen) == ("paid", 0, 100_000)
    # and the database refuses a credit note beyond the bill, whatever the application does
    with pytest.raises(DBAPIError):
        async with db.begin_nested():
            db.add(
                CreditNote(
                    bill_id=bill.id,
                    enterprise_id=bill.enterprise_id,
                    kind="correction",
                    amount_fen=1,
                    reason="x",
                )
            )
            await db.flush()


async def test_late_fee_waiver_is_a_credit_note_with_a_reason(db):
    c = await active_contract(db)
    await run_month(db, "2026-01", date(2026, 1, 2))
    await run_month(db, "2026-02", date(2026, 2, 2))
    _q1, feebill = await bills_of(db, c.id)
    [fee, fee_pf] = await lines_of(db, feebill.id)  # on the rent line and the property fee's
    assert (fee.amount_fen, fee_pf.amount_fen) == (162_000, 27_000)
    with pytest.raises(ValidationFailed):
        await service.waive_late_fee(db, "test", fee.id, {"reason": ""})
    [rent, _pf] = await lines_of(db, _q1.id)
    with pytest.raises(ValidationFailed, match="Only late fees"):
        await service.waive_late_fee(db, "test", rent.id, {"reason": "no"})
    note = await service.waive_late_fee(
        db, "test", fee.id, {"amount": "500", "reason": "first time"}
    )
    assert note.kind == "late_fee_waiver" and note.bill_line_id == fee.id
    with pytest.raises(ValidationFailed) as exc:
        await service.waive_late_fee(db, "test", fee.id, {"amount": "1120.01", "reason": "x"})
    assert exc.value.field_errors["amount"] == "At most 1,120.00 yuan can be waived."
    await service.waive_late_fee(db, "test", fee.id, {"reason": "rest"})
    assert (await service.get_bill(db, None, feebill.id)).status == "issued"
    await service.waive_late_fee(db, "test", fee_pf.id, {"reason": "all of it"})
    feebill = await service.get_bill(db, None, feebill.id)
    assert feebill.status == "void" and feebill.credited_fen == 189_000


async def test_adjustments_land_on_the_next_bill(db):
    c = await active_contract(db)
    await run_month(db, "2026-01", date(2026, 1, 2))
    await pay(db, c.enterprise_id, QUARTER, date(2026, 1, 2))
    await service.add_adjustment(db, "test", c.id, {"amount": "-200", "reason": "overcharged Q1"})
    await service.add_adjustment(db, "test", c.id, {"amount": "50", "reason": "key replacement"})
    with pytest.raises(ValidationFailed):
        await service.add_adjustment(db, "test", c.id, {"amount": "0", "reason": "x"})
    await run_month(db, "2026-04", date(2026, 4, 1))
    _q1, q2 = await bills_of(db, c.id)
    lines = await lines_of(db, q2.id)
    assert [(ln.charge_type, ln.amount_fen) for ln in lines][-2:] == [
        ("adjustment", -20_000),
        ("adjustment", 5_000),
    ]
    assert q2.total_fen == QUARTER - 15_000
    # billed once: the next run does not repeat them
    await run_month(db, "2026-07", date(2026, 7, 1))
    q3 = (await bills_of(db, c.id))[-1]
    assert all(ln.charge_type != "adjustment" for ln in await lines_of(db, q3.id))


async def test_paid_late_gets_the_late_days_charged_once(db):
    c = await active_contract(db)
    await run_month(db, "2026-01", date(2026, 1, 2))
    await pay(db, c.enterprise_id, QUARTER, date(2026, 1, 11))  # 10 days late
    await run_month(db, "2026-02", date(2026, 2, 2))
    _q1, feebill = await bills_of(db, c.id)
    fees = await lines_of(db, feebill.id)  # one per line of the quarter's bill
    assert [f.amount_fen for f in fees] == [
        10_800_000 * 5 // 10_000 * 9,  # rent, 2 to 10 January: 9 days
        1_800_000 * 5 // 10_000 * 9,  # property fee, the same days
    ]
    assert sum(f.amount_fen for f in fees) == QUARTER * 5 // 10_000 * 9
    await run_month(db, "2026-03", date(2026, 3, 2))
    assert len(await bills_of(db, c.id)) == 2
    assert (
        await db.scalar(sa.select(sa.func.count()).where(BillLine.charge_type == "late_fee")) == 2
    )


async def test_bill_numbers(db):
    _c, bill = await _issued(db)
    assert service.bill_number(bill.id, bill.run_month).startswith("ZD-202601-")
    assert isinstance(await db.get(Bill, bill.id), Bill)
