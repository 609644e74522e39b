"""The contract PDF states every date and amount as the schedule and the terms have them: the
term and its last day, the first payment and its due date, the rent-free period, the rent start
date, each rent rise, the deposit and when it is due, the payment cycle, the late fee. Contracts
with varied terms are rendered and their text (pdftotext) is checked against the frozen
schedule, not against the template's own context."""

from __future__ import annotations

import subprocess
from datetime import date, timedelta

import pytest

from parkops.core.money import fen_to_chinese_capitals, format_fen
from parkops.documents.render import cn_date, en_date, render_pdf
from parkops.leases import contract_document
from parkops.leases.services import reading
from tests.integration.leases.factories import actor, create_contract


def pdf_text(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def amount(fen: int) -> str:
    return f"人民币{format_fen(fen)}元（大写：{fen_to_chinese_capitals(fen)}）"


MONTHLY_18 = 18 * 2000 * 100  # 18 元/m²·月 on the factory unit's 2,000 m², in fen

CASES = {
    # Signed a month before the start; due 15 days before each quarter: the first payment is
    # due on 2026-02-14, not "within five working days of signing".
    "quarterly_days_before": dict(
        terms=dict(
            start_date="2026-03-01",
            last_day="2029-02-28",
            signed_on="2026-02-01",
            due_kind="days_before",
            due_value="15",
        ),
        term="共3年",
        cycle="按季度支付",
        first_due=date(2026, 2, 14),
        rises=[],
    ),
    # Two rent-free months without the property fee: nothing is asked for until March.
    "monthly_rent_free_no_fee": dict(
        terms=dict(
            start_date="2026-01-01",
            last_day="2026-12-31",
            signed_on="2025-12-20",
            cycle="monthly",
            due_kind="day_of_month",
            due_value="5",
            rent_free_months="2",
            property_fee_during_rent_free="0",
        ),
        term="共1年",
        cycle="按月支付",
        first_due=date(2026, 3, 5),
        rises=[],
    ),
    # Mid-month start, no signing date (nothing falls due before the start), +5% a year.
    "half_yearly_mid_month_escalation": dict(
        terms=dict(
            start_date="2026-03-15",
            last_day="2029-03-14",
            cycle="half_yearly",
            due_kind="day_of_month",
            due_value="10",
            escalation_kind="percent",
            escalation_percent="5",
            late_fee_cap_percent="12.5",
        ),
        term="共3年",
        cycle="按半年支付",
        first_due=date(2026, 3, 15),
        rises=[(date(2027, 3, 15), 37_800_00), (date(2028, 3, 15), 39_690_00)],
    ),
    # Yearly, explicit rent steps, a fixed deposit, bilingual.
    "yearly_steps_bilingual": dict(
        terms=dict(
            start_date="2026-07-01",
            last_day="2031-06-30",
            signed_on="2026-05-20",
            cycle="yearly",
            due_kind="days_before",
            due_value="30",
            escalation_kind="steps",
            escalation_steps="2028-07-01=20; 2030-07-01=22",
            deposit_kind="fixed",
            deposit_amount="50000",
            language="zh_en",
        ),
        term="共5年",
        cycle="按年支付",
        first_due=date(2026, 6, 1),
        rises=[(date(2028, 7, 1), 40_000_00), (date(2030, 7, 1), 44_000_00)],
    ),
    # A term of a year and fifteen days (confirmed), a rent start date, one rise that falls
    # after the end (so none in the term).
    "quarterly_partial_month_rent_start": dict(
        terms=dict(
            start_date="2026-04-16",
            last_day="2027-04-30",
            accept_partial_month="1",
            signed_on="2026-04-01",
            due_kind="day_of_month",
            due_value="1",
            rent_start="2026-06-01",
            escalation_kind="percent",
            escalation_percent="3",
            escalation_max_increases="1",
            escalation_anchor="rent_start",
        ),
        term="共1年15天",
        cycle="按季度支付",
        first_due=date(2026, 4, 1),
        rises=[],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
async def test_contract_text_agrees_with_the_schedule(db, name):
    case = CASES[name]
    leasing = await actor(db, "leasing")
    contract = await create_contract(db, leasing=leasing, status="active", **case["terms"])
    view = await reading.contract_view(db, leasing, contract.id)
    lines = view["schedule"]
    assert view["schedule_frozen"]
    context = await contract_document.build_context(db, contract)
    text = pdf_text(render_pdf("lease_contract", context, language=contract.language).pdf)
    flat = "".join(text.split())

    assert "签订之日起五个工作日" not in flat  # the old fixed wording of 4.4 and 5.1
    start, last_day = contract.start_date, contract.end_date - timedelta(days=1)
    assert f"租赁期限自{cn_date(start)}起至{cn_date(last_day)}止，{case['term']}。" in flat
    assert case["cycle"] in flat

    # The first payment: the first line that asks for money, its amount and its due date.
    first = next(line for line in lines if line["total_fen"])
    assert first["due_date"] == case["first_due"]
    assert f"首期款项{amount(first['total_fen'])}应于{cn_date(first['due_date'])}前付清" in flat

    # Every line of the schedule, with its period, due date and amounts.
    for line in lines:
        assert f"{line['period_start']}至{line['last_day']}" in flat
        row = "".join(
            [
                line["due_date"].isoformat(),
                format_fen(line["rent_fen"]),
                format_fen(line["property_fee_fen"]),
                format_fen(line["total_fen"]),
            ]
        )
        assert row in flat, line
    total = sum(line["total_fen"] for line in lines)
    assert f"租赁期内租金及物业管理费合计{amount(total)}" in flat

    # Rent-free period and rent start date.
    rent_start = view["terms"].rent_start or start
    assert f"起租日为{cn_date(rent_start)}" in flat
    if rent_start > start:
        days = (rent_start - start).days
        free = f"自{cn_date(start)}起至{cn_date(rent_start - timedelta(days=1))}止共{days}天"
        assert free in flat
        fee_free = case["terms"].get("property_fee_during_rent_free") == "0"
        assert ("免收租金及物业管理费" in flat) == fee_free
        assert ("物业管理费照常计收" in flat) == (not fee_free)

    # Each rent rise, on its date, with the monthly rent it makes.
    for when, monthly in case["rises"]:
        assert f"自{cn_date(when)}起月租金为人民币{format_fen(monthly)}元" in flat
    if not case["rises"]:
        assert "租赁期内租金不作调整" in flat

    # The deposit, due with the first payment.
    deposit = view["deposit_fen"]
    assert deposit == (50_000_00 if "deposit_amount" in case["terms"] else 2 * MONTHLY_18)
    deposit_text = f"应于{cn_date(first['due_date'])}前（与首期款项同时）向甲方支付租赁保证金"
    assert f"{deposit_text}{amount(deposit)}" in flat

    # The late fee and its cap as agreed.
    assert "万分之五" in flat
    cap = case["terms"].get("late_fee_cap_percent")
    if cap:
        assert f"滞纳金总额以逾期金额的{cap}%为限" in flat
    else:
        assert "滞纳金总额以" not in flat

    if contract.language == "zh_en":
        words = " ".join(text.split())
        assert f"from {en_date(start)} to {en_date(last_day)} inclusive" in words
        due = en_date(first["due_date"])
        assert f"The first payment, RMB {format_fen(first['total_fen'])}" in words
        assert f"is due by {due}" in words
        assert f"deposit of RMB {format_fen(deposit)}" in words
