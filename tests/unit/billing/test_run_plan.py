"""What a run puts on a bill, decided purely."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from parkops.billing import late_fees
from parkops.billing import run_plan as rp
from parkops.billing.utilities import ShareBasis

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


def test_late_fee_line_charges_from_the_day_after_the_due_date_on_principal_only():
    overdue = rp.OverdueBill(
        bill_id=55,
        contract_id=1,
        due_date=date(2026, 10, 5),
        principal_fen=1_000_000,
        payments=((date(2026, 10, 20), 400_000),),
        already_charged_fen=0,
        charged_to=None,
        rate=Decimal("0.0005"),
        cap_percent=None,
    )
    fee = rp.late_fee_line(overdue, date(2026, 11, 1))
    # 6..19 Oct: 14 days on 10,000 yuan; 20..31 Oct: 12 days on 6,000 yuan
    assert fee.amount_fen == 14 * 500 + 12 * 300
    assert (fee.period_start, fee.period_end) == (date(2026, 10, 6), date(2026, 11, 1))
    assert fee.source_part == date(2026, 10, 6).toordinal()
    later = rp.OverdueBill(
        **{
            **overdue.__dict__,
            "charged_to": date(2026, 11, 1),
            "already_charged_fen": fee.amount_fen,
        }
    )
    assert rp.late_fee_line(later, date(2026, 11, 1)) is None
    capped = rp.OverdueBill(**{**overdue.__dict__, "cap_percent": Decimal("1")})
    assert rp.late_fee_line(capped, date(2026, 11, 1)).amount_fen == 10_000


def test_a_late_fee_line_reads_in_chinese_and_english_from_its_detail():
    overdue = rp.OverdueBill(
        55, 1, date(2026, 10, 5), 1_000_000, ((date(2026, 10, 20), 400_000),), 0, None,
        Decimal("0.0005"), None,
    )  # fmt: skip
    fee = rp.late_fee_line(overdue, date(2026, 11, 1))
    assert late_fees.describe(fee.detail, "zh") == (
        "2026-10-05 到期账单：10,000.00 × 0.05% × 14天（2026-10-06至2026-10-19） + "
        "6,000.00 × 0.05% × 12天（2026-10-20至2026-10-31） = 106.00"
    )
    assert late_fees.describe(fee.detail, "en") == (
        "Bill due 2026-10-05: 10,000.00 × 0.05% × 14 days (2026-10-06 to 2026-10-19) + "
        "6,000.00 × 0.05% × 12 days (2026-10-20 to 2026-10-31) = 106.00"
    )
    capped = rp.late_fee_line(
        rp.OverdueBill(**{**overdue.__dict__, "cap_percent": Decimal("1")}), date(2026, 11, 1)
    )
    assert late_fees.describe(capped.detail, "zh").endswith("；上限 100.00，已计 0.00，本次 100.00")
    assert late_fees.describe(capped.detail, "en").endswith(
        "; capped at 100.00, 0.00 already charged: 100.00"
    )
    # Lines stored before the detail carried segments keep their description.
    assert (
        late_fees.describe({"basis": "old"}, "zh") is None
        and late_fees.describe(None, "en") is None
    )


def test_payments_beyond_the_principal_do_not_break_the_late_fee():
    overdue = rp.OverdueBill(
        55,
        1,
        date(2026, 10, 5),
        1_000,
        ((date(2026, 10, 10), 1_500),),
        0,
        None,
        Decimal("0.001"),
        None,
    )
    fee = rp.late_fee_line(overdue, date(2026, 11, 1))
    assert fee.amount_fen == 4  # 1 fen a day, 6..9 October


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
