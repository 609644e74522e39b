"""What a run puts on a bill, decided purely."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from parkops.billing.rules import late_fees, settlement
from parkops.billing.rules import run_plan as rp
from parkops.billing.rules.utilities import ShareBasis

M = date(2026, 12, 1)
C1 = rp.ContractInfo(1, 10, 100)
C2 = rp.ContractInfo(2, 20, 100)
ELEC = rp.TariffInfo(100, "electricity", date(2026, 1, 1), None, Decimal("85"))


def line(contract_id=1, line_id=7, due=date(2026, 12, 5), rent=3_000_000, fee=500_000):
    return rp.ScheduleItem(
        line_id, contract_id, date(2026, 12, 1), date(2027, 3, 1), due, rent, fee
    )


def reading(contract_id=1, rid=70, quantity="100"):
    return rp.UnitReading(
        rid,
        contract_id,
        100,
        "electricity",
        5,
        "A-101",
        "E-1",
        date(2026, 11, 1),
        Decimal("0"),
        Decimal(quantity),
        Decimal(1),
        Decimal(quantity),
    )


def test_months_parse_and_step():
    assert rp.parse_month("2026-12") == M == rp.parse_month("2026-12-01")
    assert rp.add_months(M, 1) == date(2027, 1, 1) and rp.add_months(M, -12) == date(2025, 12, 1)
    for bad in ("2026-13", "26-1", "2026-12-05", "", "december"):
        with pytest.raises(ValueError):
            rp.parse_month(bad)


def test_cutoff_never_charges_the_future():
    assert rp.late_fee_cutoff(M, date(2026, 12, 3)) == M
    assert rp.late_fee_cutoff(M, date(2026, 11, 25)) == date(2026, 11, 25)


def test_one_bill_per_contract_with_rent_fee_and_utilities_in_order():
    [b1, b2] = rp.plan_bills(
        month=M,
        run_date=date(2026, 12, 2),
        contracts={1: C1, 2: C2},
        schedule=[line(), line(2, 8, fee=0)],
        unit_readings=[reading()],
        tariffs=[ELEC],
    )
    assert [ln.charge_type for ln in b1.lines] == ["rent", "property_fee", "electricity"]
    assert b1.total_fen == 3_000_000 + 500_000 + 8_500
    assert b1.due_date == date(2026, 12, 5)
    assert [ln.amount_fen for ln in b2.lines] == [3_000_000, 0]
    assert {(ln.source_kind, ln.source_id, ln.source_part) for ln in b1.lines} == {
        ("schedule", 7, 1),
        ("schedule", 7, 2),
        ("reading", 70, 0),
    }


def test_contracts_not_planned_are_ignored_and_nothing_makes_no_bill():
    assert rp.plan_bills(month=M, run_date=M, contracts={2: C2}, schedule=[line()]) == []
    assert (
        rp.plan_bills(month=M, run_date=M, contracts={1: C1}, schedule=[line(rent=0, fee=0)]) == []
    )


def test_missing_tariff_is_an_error():
    with pytest.raises(rp.MissingTariff, match="No electricity tariff"):
        rp.plan_bills(month=M, run_date=M, contracts={1: C1}, unit_readings=[reading()])


def test_utility_only_bill_is_due_after_the_park_s_days():
    [bill] = rp.plan_bills(
        month=M,
        run_date=date(2026, 12, 2),
        contracts={1: C1},
        unit_readings=[reading()],
        tariffs=[ELEC],
        utility_due_days=lambda park: 7,
    )
    assert bill.due_date == date(2026, 12, 9)


def test_common_share_lines_name_their_basis_and_skip_billed_contracts():
    common = rp.CommonReading(
        90,
        100,
        "A3",
        "electricity",
        "CE-A3",
        date(2026, 11, 1),
        Decimal("3000"),
        (ShareBasis(1, Decimal("2000"), 30), ShareBasis(2, Decimal("1000"), 30)),
        billed_contract_ids=frozenset({2}),
    )
    [bill] = rp.plan_bills(
        month=M, run_date=M, contracts={1: C1, 2: C2}, common_readings=[common], tariffs=[ELEC]
    )
    [share] = bill.lines
    assert (bill.contract_id, share.charge_type, share.amount_fen) == (
        1,
        "common_electricity",
        170_000,
    )
    assert share.quantity == Decimal("2000.0000") and "66.6667%" in share.description
    assert (share.source_kind, share.source_id, share.source_part) == ("common_share", 90, 1)


def charged_line(line_id, due, amount, charge="rent", start=None, end=None):
    end = end or date(due.year, due.month, 28)
    return rp.ChargedLine(line_id, charge, start or due, end, due, amount)


def overdue_bill(
    lines, *, payments=(), credits=(), charged=None, cap=None, legacy=None, rate="0.0005"
):
    return rp.OverdueBill(
        bill_id=55,
        contract_id=1,
        lines=tuple(lines),
        credits=tuple(credits),
        payments=tuple(payments),
        charged=charged or {},
        rate=Decimal(rate),
        cap_percent=None if cap is None else Decimal(cap),
        legacy=legacy,
    )


DUE_LATER = date(2026, 11, 11)  # due date of the late-fee lines the run writes


def test_a_late_fee_line_per_overdue_line_from_its_own_due_date_on_its_unpaid_principal():
    bill = overdue_bill(
        [charged_line(1, date(2026, 10, 5), 1_000_000)],
        payments=[(date(2026, 10, 20), 400_000)],
    )
    [fee] = rp.late_fee_lines(bill, date(2026, 11, 1), due_date=DUE_LATER)
    # 6..19 Oct: 14 days on 10,000 yuan; 20..31 Oct: 12 days on 6,000 yuan
    assert fee.amount_fen == 14 * 500 + 12 * 300
    assert (fee.period_start, fee.period_end) == (date(2026, 10, 6), date(2026, 11, 1))
    assert (fee.source_kind, fee.source_id, fee.source_part) == (
        "overdue_line",
        1,
        date(2026, 10, 6).toordinal(),
    )
    assert fee.due_date == DUE_LATER
    charged = {1: rp.FeesCharged(fee.amount_fen, date(2026, 11, 1))}
    assert (
        rp.late_fee_lines(
            overdue_bill(bill.lines, payments=bill.payments, charged=charged),
            date(2026, 11, 1),
            due_date=DUE_LATER,
        )
        == []
    )
    capped = overdue_bill(bill.lines, payments=bill.payments, cap="1")
    assert [
        f.amount_fen for f in rp.late_fee_lines(capped, date(2026, 11, 1), due_date=DUE_LATER)
    ] == [10_000]


def test_a_catch_up_bill_charges_each_period_from_its_own_due_date():
    lines = [charged_line(i, date(2026, m, 1), 1_000_000) for i, m in enumerate((6, 7, 8, 9), 1)]
    fees = rp.late_fee_lines(overdue_bill(lines, cap="10"), date(2026, 10, 1), due_date=DUE_LATER)
    assert [(f.source_id, int(f.quantity), f.amount_fen) for f in fees] == [
        (1, 121, 60_500),
        (2, 91, 45_500),
        (3, 60, 30_000),
        (4, 29, 14_500),
    ]
    # The cap is a share of each line: 1% of 10,000.00 is 100.00 per line.
    capped = rp.late_fee_lines(overdue_bill(lines, cap="1"), date(2026, 10, 1), due_date=DUE_LATER)
    assert [f.amount_fen for f in capped] == [10_000] * 4


def test_late_fee_lines_and_zero_lines_accrue_nothing_and_money_fills_principal_first():
    lines = [
        charged_line(1, date(2026, 6, 1), 1_000_000),
        charged_line(2, date(2026, 6, 1), 0, "property_fee"),
        charged_line(3, date(2026, 6, 11), 5_000, "late_fee"),
        charged_line(4, date(2026, 7, 1), 1_000_000),
    ]
    # 1,005,000 on 11 June: June's rent (1,000,000), then July's, then the late fee.
    fees = rp.late_fee_lines(
        overdue_bill(lines, payments=[(date(2026, 6, 11), 1_005_000)]),
        date(2026, 7, 3),
        due_date=DUE_LATER,
    )
    assert [(f.source_id, f.amount_fen) for f in fees] == [
        (1, 9 * 500),  # 2..10 June
        (4, 498),  # 2 July, on the 9,950.00 still open: 497.5 fen, half up
    ]


def test_named_credits_reduce_their_line_and_others_the_oldest_first():
    lines = [
        charged_line(1, date(2026, 6, 1), 1_000_000),
        charged_line(2, date(2026, 7, 1), 1_000_000),
    ]
    named = rp.late_fee_lines(
        overdue_bill(lines, credits=[settlement.Credit(1_000_000, 2)]),
        date(2026, 7, 3),
        due_date=DUE_LATER,
    )
    assert [f.source_id for f in named] == [1]  # July's rent was credited in full
    general = rp.late_fee_lines(
        overdue_bill(lines, credits=[settlement.Credit(1_000_000)]),
        date(2026, 7, 3),
        due_date=DUE_LATER,
    )
    assert [f.source_id for f in general] == [2]  # a general credit takes the oldest line


def test_a_bill_charged_whole_before_per_line_fees_carries_on_from_where_that_stopped():
    lines = [
        charged_line(1, date(2026, 6, 1), 1_000_000),
        charged_line(2, date(2026, 7, 1), 3_000_000),
    ]
    legacy = rp.FeesCharged(40_000, date(2026, 7, 1))  # per bill, up to 30 June
    fees = rp.late_fee_lines(
        overdue_bill(lines, cap="2", legacy=legacy), date(2026, 8, 1), due_date=DUE_LATER
    )
    # From 2 July (July's own) and 1 July (where the bill's charge stopped).
    assert [(f.source_id, f.period_start) for f in fees] == [
        (1, date(2026, 7, 1)),
        (2, date(2026, 7, 2)),
    ]
    # The 400.00 already charged counts against the caps by principal: 100.00 and 300.00;
    # caps 200.00 and 600.00 leave 100.00 and 300.00.
    assert [f.amount_fen for f in fees] == [10_000, 30_000]
    assert fees[0].detail["already_charged_fen"] == 10_000


def test_a_late_fee_line_reads_in_chinese_and_english_from_its_detail():
    bill = overdue_bill(
        [
            charged_line(
                1, date(2026, 10, 5), 1_000_000, start=date(2026, 10, 1), end=date(2027, 1, 1)
            )
        ],
        payments=[(date(2026, 10, 20), 400_000)],
    )
    [fee] = rp.late_fee_lines(bill, date(2026, 11, 1), due_date=DUE_LATER)
    assert late_fees.describe(fee.detail, "zh") == (
        "租金 2026-10-01至2026-12-31（2026-10-05到期）：10,000.00 × 0.05% × 14天"
        "（2026-10-06至2026-10-19） + 6,000.00 × 0.05% × 12天（2026-10-20至2026-10-31） = 106.00"
    )
    assert late_fees.describe(fee.detail, "en") == (
        "Rent 2026-10-01 to 2026-12-31 (due 2026-10-05): 10,000.00 × 0.05% × 14 days "
        "(2026-10-06 to 2026-10-19) + 6,000.00 × 0.05% × 12 days (2026-10-20 to 2026-10-31) "
        "= 106.00"
    )
    [capped] = rp.late_fee_lines(
        overdue_bill(bill.lines, payments=bill.payments, cap="1"),
        date(2026, 11, 1),
        due_date=DUE_LATER,
    )
    assert late_fees.describe(capped.detail, "zh").endswith("；上限 100.00，已计 0.00，本次 100.00")
    assert late_fees.describe(capped.detail, "en").endswith(
        "; capped at 100.00, 0.00 already charged: 100.00"
    )
    # Lines charged per bill before lines had due dates still read as before.
    legacy_detail = {**fee.detail}
    del legacy_detail["line_id"]
    assert late_fees.describe(legacy_detail, "zh").startswith("2026-10-05 到期账单：10,000.00")
    # Lines stored before the detail carried segments keep their description.
    assert (
        late_fees.describe({"basis": "old"}, "zh") is None
        and late_fees.describe(None, "en") is None
    )


def test_payments_beyond_the_principal_do_not_break_the_late_fee():
    bill = overdue_bill(
        [charged_line(1, date(2026, 10, 5), 1_000)],
        payments=[(date(2026, 10, 10), 1_500)],
        rate="0.001",
    )
    [fee] = rp.late_fee_lines(bill, date(2026, 11, 1), due_date=DUE_LATER)
    assert fee.amount_fen == 4  # 1 fen a day, 6..9 October


def test_each_line_is_due_on_its_own_date_and_the_bill_on_the_earliest():
    [bill] = rp.plan_bills(
        month=M,
        run_date=date(2026, 12, 2),
        contracts={1: C1},
        schedule=[line(line_id=7, due=date(2026, 11, 1)), line(line_id=8, due=date(2026, 12, 5))],
        unit_readings=[reading()],
        tariffs=[ELEC],
        adjustments=[rp.PendingAdjustment(1, 1, 100, "charge")],
        utility_due_days=lambda park: 7,
    )
    assert [(ln.charge_type, ln.source_id, ln.due_date) for ln in bill.lines] == [
        ("rent", 7, date(2026, 11, 1)),
        ("rent", 8, date(2026, 12, 5)),
        ("property_fee", 7, date(2026, 11, 1)),
        ("property_fee", 8, date(2026, 12, 5)),
        ("electricity", 70, date(2026, 12, 9)),
        ("adjustment", 1, date(2026, 12, 9)),
    ]
    assert bill.due_date == date(2026, 11, 1)


def test_adjustments_never_make_a_bill_negative():
    adjustments = [
        rp.PendingAdjustment(1, 1, -5_000_000, "big credit"),
        rp.PendingAdjustment(2, 1, 100, "charge"),
        rp.PendingAdjustment(3, 1, -200, "small credit"),
    ]
    [bill] = rp.plan_bills(
        month=M,
        run_date=M,
        contracts={1: C1},
        schedule=[line(rent=1_000, fee=0)],
        adjustments=adjustments,
    )
    assert [
        (ln.source_id, ln.amount_fen) for ln in bill.lines if ln.charge_type == "adjustment"
    ] == [(2, 100), (3, -200)]
    assert bill.total_fen == 900


def _common(kind: str, quantity: str, reading_id: int) -> rp.CommonReading:
    equal = tuple(ShareBasis(cid, Decimal("1800.00"), 30) for cid in (1, 2, 3))
    return rp.CommonReading(
        reading_id, 100, "A3", kind, f"C-{kind}", date(2026, 11, 1), Decimal(quantity), equal
    )


def test_common_area_shares_add_up_exactly_to_the_building_charge():
    water = rp.TariffInfo(100, "water", date(2026, 1, 1), None, Decimal("400"))
    bills = rp.plan_bills(
        month=M,
        run_date=M,
        contracts={1: C1, 2: C2, 3: rp.ContractInfo(3, 30, 100)},
        common_readings=[_common("electricity", "100", 90), _common("water", "175", 91)],
        tariffs=[rp.TariffInfo(100, "electricity", date(2026, 1, 1), None, Decimal("100")), water],
    )
    by_kind: dict[str, list[int]] = {}
    for bill in bills:
        for ln in bill.lines:
            by_kind.setdefault(ln.charge_type, []).append(ln.amount_fen)
    # 100.00 over three equal tenants: 33.34 + 33.33 + 33.33 (not 3 x 33.33 = 99.99); the
    # extra fen goes to the lowest contract id.
    assert by_kind["common_electricity"] == [3_334, 3_333, 3_333]
    assert by_kind["common_water"] == [23_334, 23_333, 23_333]  # 700.00, not 699.99
