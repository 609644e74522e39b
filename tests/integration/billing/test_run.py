"""The billing run inside one transaction: what it bills, idempotency, and refusals."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from parkops.billing.models import Bill, BillingRun, BillLine
from parkops.core.errors import ValidationFailed
from tests.integration.billing.factories import (
    active_contract,
    bills_of,
    lines_of,
    pay,
    run_month,
)


async def test_run_bills_the_quarter_due_in_the_month(db):
    contract = await active_contract(db)
    result = await run_month(db, "2026-01", date(2026, 1, 2))
    assert result.bills == 1
    [bill] = await bills_of(db, contract.id)
    assert bill.status == "issued"
    assert bill.total_fen == 10_800_000 + 1_800_000
    assert bill.due_date == date(2026, 1, 1)
    assert bill.rounding_policy == "half_up_fen"
    lines = await lines_of(db, bill.id)
    assert [(ln.charge_type, ln.amount_fen) for ln in lines] == [
        ("rent", 10_800_000),
        ("property_fee", 1_800_000),
    ]
    assert lines[0].period_start == date(2026, 1, 1) and lines[0].period_end == date(2026, 4, 1)


async def test_running_the_same_month_twice_creates_nothing_new(db):
    contract = await active_contract(db)
    await run_month(db, "2026-01", date(2026, 1, 2))
    second = await run_month(db, "2026-01", date(2026, 1, 2))
    assert second.bills == 0 and second.lines == 0
    assert len(await bills_of(db, contract.id)) == 1
    runs = (await db.execute(sa.select(BillingRun.status))).scalars().all()
    assert runs == ["completed", "completed"]


async def test_months_without_a_due_line_create_no_bill(db):
    contract = await active_contract(db)
    await run_month(db, "2026-01", date(2026, 1, 2))
    await pay(db, contract.enterprise_id, 12_600_000, date(2026, 1, 1))
    result = await run_month(db, "2026-02", date(2026, 2, 2))
    assert result.bills == 0
    assert len(await bills_of(db, contract.id)) == 1


async def test_a_month_too_far_ahead_is_refused(db):
    await active_contract(db)
    before = await db.scalar(sa.select(sa.func.count()).select_from(BillingRun))
    with pytest.raises(ValidationFailed) as exc:
        await run_month(db, "2026-05", date(2026, 3, 10))
    assert "at most one month ahead" in exc.value.field_errors["month"]
    assert await db.scalar(sa.select(sa.func.count()).select_from(BillingRun)) == before
    assert await db.scalar(sa.select(sa.func.count()).select_from(Bill)) == 0
    assert await db.scalar(sa.select(sa.func.count()).select_from(BillLine)) == 0


async def test_an_unpaid_bill_gets_a_late_fee_line_per_line_on_the_next_run(db):
    contract = await active_contract(db)
    await run_month(db, "2026-01", date(2026, 1, 2))
    await run_month(db, "2026-02", date(2026, 2, 2))
    first, second = await bills_of(db, contract.id)
    rent, property_fee = await lines_of(db, first.id)
    fees = await lines_of(db, second.id)
    # 108,000.00 and 18,000.00 x 0.05% x 30 days (2 to 31 January; 1 January was the due date
    # itself): 1,620.00 + 270.00 = 1,890.00, one late-fee line per overdue line.
    assert [(f.charge_type, f.amount_fen) for f in fees] == [
        ("late_fee", 162_000),
        ("late_fee", 27_000),
    ]
    assert {(f.period_start, f.period_end) for f in fees} == {(date(2026, 1, 2), date(2026, 2, 1))}
    assert [(f.source_kind, f.source_id) for f in fees] == [
        ("overdue_line", rent.id),
        ("overdue_line", property_fee.id),
    ]
    assert rent.due_date == property_fee.due_date == first.due_date == date(2026, 1, 1)
    # Lines outside the schedule: the run date + the park's 10 days; the bill the same.
    assert {f.due_date for f in fees} == {second.due_date} == {date(2026, 2, 12)}


def _pdftotext(data: bytes) -> str:
    import subprocess

    return subprocess.run(
        ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


async def test_a_late_fee_reads_in_the_readers_language_and_in_chinese_on_the_notice(
    db, client, login
):
    import shutil

    from parkops.billing import pdf
    from parkops.documents.render import render_pdf

    contract = await active_contract(db)
    await run_month(db, "2026-01", date(2026, 1, 2))
    await run_month(db, "2026-02", date(2026, 2, 2))
    _first, second = await bills_of(db, contract.id)
    await login("finance")
    client.cookies.set("parkops_lang", "zh")
    zh = (await client.get(f"/billing/bills/{second.id}")).text
    assert (
        "租金 2026-01-01至2026-03-31（2026-01-01到期）：108,000.00 × 0.05% × 30天"
        "（2026-01-02至2026-01-31）"
    ) in zh
    client.cookies.set("parkops_lang", "en")
    en = (await client.get(f"/billing/bills/{second.id}")).text
    assert (
        "Rent 2026-01-01 to 2026-03-31 (due 2026-01-01): 108,000.00 × 0.05% × 30 days "
        "(2026-01-02 to 2026-01-31)"
    ) in en

    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils is not installed")
    notice = render_pdf("billing_notice", await pdf.notice_context(db, second.id)).pdf
    text = _pdftotext(notice)
    flat = "".join(text.split())
    context = await pdf.notice_context(db, second.id)
    assert [ln.detail for ln in context.lines] == [
        "租金 2026-01-01至2026-03-31（2026-01-01到期）：108,000.00 × 0.05% × 30天"
        "（2026-01-02至2026-01-31） = 1,620.00",
        "物业管理费 2026-01-01至2026-03-31（2026-01-01到期）：18,000.00 × 0.05% × 30天"
        "（2026-01-02至2026-01-31） = 270.00",
    ]
    assert "108,000.00×0.05%×30天" in flat and "days" not in text
