"""A realistic sample lease contract context, for tests, the benchmark and template previews.

It stands for what the leases domain will build from a real contract: a down-apparel maker
renting ten units in phase 3 of the park for three years, two months rent-free, rent paid
quarterly in advance by the 5th, +5% a year from the second lease year, a two-month deposit.
The schedule is computed here in a few lines (month by month, no proration: the sample's periods
are whole months); the real schedule comes from ``parkops.leases.rules.schedule``.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from parkops.documents.contexts import (
    Escalation,
    LeaseContractContext,
    Party,
    PaymentCycle,
    PremisesUnit,
    RentChange,
    ScheduleRow,
)

LESSOR = Party(
    name="庐山市红星羽绒电商产业园运营管理有限公司",
    uscc="91360483MA35LH6R1K",
    address="江西省庐山市横塘镇红星羽绒电商产业园管理中心",
    legal_representative="周建国",
    contact="刘晓敏",
    phone="0792-2660188",
    bank_name="中国工商银行庐山支行",
    bank_account="1507 2100 0920 0168 866",
    name_en="Lushan Red Star Down E-commerce Industrial Park Operation Management Co., Ltd.",
    address_en="Park Management Centre, Red Star Down E-commerce Industrial Park, Hengtang Town, "
    "Lushan, Jiangxi",
)

LESSEE = Party(
    name="江西暖羽童装服饰有限公司",
    uscc="91360483MA7G2WQ83P",
    address="江西省庐山市横塘镇羽绒大道88号",
    legal_representative="陈美华",
    contact="陈伟",
    phone="138 7920 5566",
    name_en="Jiangxi Nuanyu Children's Apparel Co., Ltd.",
    address_en="88 Yurong Avenue, Hengtang Town, Lushan, Jiangxi",
)


def _months_between(a: date, b: date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


def _add_months(d: date, months: int) -> date:
    total = d.month - 1 + months
    return date(d.year + total // 12, total % 12 + 1, 1)


def _fen(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def sample_units(count: int = 10) -> tuple[PremisesUnit, ...]:
    units = []
    for i in range(count):
        building = f"C{i // 4 + 1}"
        floor = "1F" if i % 2 == 0 else "2F"
        area = Decimal("1980.50") + Decimal(37 * i) + Decimal("0.50") * (i % 3)
        rate = Decimal("18.00") if floor == "1F" else Decimal("16.00")
        use, use_en = ("生产/展厅", "production/showroom") if floor == "1F" else ("仓储", "storage")
        units.append(
            PremisesUnit(
                code=f"{building}-{floor[0]}{i // 2 % 2 + 1:02d}",
                building=f"{building}栋",
                floor=floor,
                use=use,
                use_en=use_en,
                area_m2=area,
                rent_rate=rate,
                monthly_rent_fen=_fen(area * rate * 100),
            )
        )
    return tuple(units)


def sample_schedule(
    *,
    term_start: date,
    term_end: date,
    rent_start: date,
    monthly_rent_fen: int,
    monthly_fee_fen: int,
    cycle_months: int,
    escalation_percent: Decimal,
    due_day: int,
) -> tuple[ScheduleRow, ...]:
    rows = []
    total_months = _months_between(term_start, term_end)
    for number, first in enumerate(range(0, total_months, cycle_months), start=1):
        months = range(first, min(first + cycle_months, total_months))
        rent = Decimal(0)
        rent_free = False
        for k in months:
            month = _add_months(term_start, k)
            if month < rent_start:
                rent_free = True
                continue
            year = _months_between(rent_start, month) // 12
            rent += Decimal(monthly_rent_fen) * (1 + escalation_percent / 100) ** year
        start = _add_months(term_start, first)
        rows.append(
            ScheduleRow(
                number=number,
                start=start,
                end=_add_months(term_start, months[-1] + 1),
                due_date=start.replace(day=due_day),
                rent_fen=_fen(rent),
                property_fee_fen=monthly_fee_fen * len(months),
                note="含免租期" if rent_free else "",
                note_en="incl. rent-free" if rent_free else "",
            )
        )
    return tuple(rows)


def sample_lease_contract(
    *, units: int = 10, years: int = 3, cycle: PaymentCycle = PaymentCycle.quarterly
) -> LeaseContractContext:
    """The sample contract: ``units`` units, a term of ``years`` years paid per ``cycle``."""
    unit_rows = sample_units(units)
    term_start = date(2026, 3, 1)
    term_end = date(2026 + years, 3, 1)
    rent_start = date(2026, 5, 1)
    fee_rate = Decimal("2.50")
    total_area = sum((u.area_m2 for u in unit_rows), Decimal(0))
    monthly_rent = sum(u.monthly_rent_fen for u in unit_rows)
    monthly_fee = _fen(total_area * fee_rate * 100)
    escalation = Escalation(percent=Decimal("5"), first_year=2)
    schedule = sample_schedule(
        term_start=term_start,
        term_end=term_end,
        rent_start=rent_start,
        monthly_rent_fen=monthly_rent,
        monthly_fee_fen=monthly_fee,
        cycle_months=cycle.months,
        escalation_percent=escalation.percent,
        due_day=5,
    )
    return LeaseContractContext(
        contract_number="HXYR-ZL-2026-0318",
        signing_date=date(2026, 2, 16),
        signing_place="江西省庐山市横塘镇",
        signing_place_en="Hengtang Town, Lushan, Jiangxi",
        lessor=LESSOR,
        lessee=LESSEE,
        park_name="红星羽绒电商产业园三期",
        park_name_en="Red Star Down E-commerce Industrial Park, Phase 3",
        premises_address="江西省庐山市横塘镇红星羽绒电商产业园三期C区",
        premises_address_en="Zone C, Phase 3, Red Star Down E-commerce Industrial Park, "
        "Hengtang Town, Lushan, Jiangxi",
        units=unit_rows,
        purpose="羽绒服装生产、仓储及电商直播",
        purpose_en="down apparel production, warehousing and e-commerce live streaming",
        term_start=term_start,
        term_end=term_end,
        rent_start=rent_start,
        handover_date=date(2026, 2, 28),
        payment_cycle=cycle,
        due_day=5,
        due_days_before=None,
        property_fee_rate=fee_rate,
        monthly_property_fee_fen=monthly_fee,
        deposit_fen=monthly_rent * 2,
        deposit_months=2,
        late_fee_rate_per_day=Decimal("0.0005"),
        late_fee_cap_percent=Decimal("30"),
        escalation=escalation,
        rent_changes=tuple(
            RentChange(
                _add_months(rent_start, 12 * year),
                (monthly_rent / total_area / 100 * (1 + escalation.percent / 100) ** year).quantize(
                    Decimal("0.0001")
                ),
                _fen(Decimal(monthly_rent) * (1 + escalation.percent / 100) ** year),
            )
            for year in range(1, years)
        ),
        schedule=schedule,
        term_months=_months_between(term_start, term_end),
        term_days=0,
        first_payment=schedule[0],
        deposit_due_date=schedule[0].due_date,
        special_terms=("乙方承租的C1栋屋面可由乙方自费安装分布式光伏设施，具体事宜另行约定。",),
        special_terms_en=(
            "Party B may install rooftop photovoltaic panels on Building C1 at its own cost; "
            "the details will be agreed separately.",
        ),
    )
