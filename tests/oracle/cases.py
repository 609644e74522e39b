"""Random contracts for the oracle tests (hypothesis strategies) and the contract form's values
for them. Product-independent like the rest of the oracle: the tests turn these into real
contracts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import strategies as st

from tests.oracle.schedule import ONE_DAY, Terms, add_months

FIRST_MONTH = date(2026, 1, 1)
MONTHS = 24


@dataclass(frozen=True)
class ContractCase:
    terms: Terms
    unit_areas: tuple[Decimal, ...]
    approve_after_days: int  # after the start (0: on the start, or before it when negative)
    late_rate: Decimal
    cap_percent: Decimal | None
    change: tuple[str, int, int] | None = None  # (amend/terminate, days after approval, how)


@dataclass(frozen=True)
class Case:
    contracts: tuple[ContractCase, ...]
    run_day: int
    price: Decimal  # 元/kWh
    unit_kwh: tuple[int, ...]  # a unit meter's typical month, per contract (0: no meter)
    common_kwh: int  # the building's common meter's typical month (0: none)
    wobble: tuple[int, ...]  # per month, percent of the typical month (60..140: never flagged)
    payments: tuple[tuple[int, int, int], ...]  # (contract index, day of horizon, percent)


def _money(lo: int, hi: int) -> st.SearchStrategy[Decimal]:
    return st.integers(lo, hi).map(lambda c: Decimal(c) / 100)


@st.composite
def contract_cases(draw) -> ContractCase:
    start = FIRST_MONTH + timedelta(days=draw(st.integers(0, 360)))
    months = draw(st.integers(4, 30))
    last_day = add_months(start, months) - ONE_DAY + timedelta(days=draw(st.integers(-12, 12)))
    last_day = max(last_day, start + timedelta(days=20))
    per_m2 = draw(st.booleans())
    rate = draw(_money(800, 4000) if per_m2 else _money(500_000, 5_000_000))
    areas = tuple(draw(st.lists(_money(5_000, 300_000), min_size=1, max_size=3)))
    due_day = draw(st.none() | st.integers(1, 31))
    esc = draw(st.none() | st.integers(10, 100).map(lambda p: Fraction(p, 10)))
    signed = draw(st.none() | st.integers(-40, 60))
    signed_on = None if signed is None else min(start + timedelta(days=signed), last_day)
    terms = Terms(
        start=start,
        last_day=last_day,
        rent_rate=Fraction(rate),
        per_m2=per_m2,
        area_m2=Fraction(sum(areas)),
        fee_rate=Fraction(draw(st.sampled_from([Decimal(0), Decimal("0.35"), Decimal("3")]))),
        fee_in_rent_free=draw(st.booleans()),
        cycle_months=draw(st.sampled_from([1, 3, 6, 12])),
        rent_free_months=draw(st.integers(0, 3)),
        started_month_whole=draw(st.booleans()),
        escalation_percent=esc,
        escalation_from_year=draw(st.integers(2, 3)),
        due_day_of_month=due_day,
        due_days_before=draw(st.integers(0, 20)) if due_day is None else 0,
        signed_on=signed_on,
    )
    return ContractCase(
        terms=terms,
        unit_areas=areas,
        approve_after_days=draw(st.integers(-30, 150)),
        late_rate=draw(st.sampled_from([Decimal("0.0005"), Decimal("0.0002"), Decimal("0.002")])),
        cap_percent=draw(st.none() | st.sampled_from([Decimal(1), Decimal(10), Decimal("12.5")])),
        change=draw(
            st.none()
            | st.tuples(
                st.sampled_from(["amend", "terminate"]), st.integers(0, 400), st.integers(0, 100)
            )
        ),
    )


@st.composite
def cases(draw) -> Case:
    contracts = tuple(draw(st.lists(contract_cases(), min_size=1, max_size=3)))
    n = len(contracts)
    return Case(
        contracts=contracts,
        run_day=draw(st.integers(1, 5)),
        price=draw(st.sampled_from([Decimal("0.80"), Decimal("0.6532"), Decimal("1.0015")])),
        unit_kwh=tuple(draw(st.lists(st.sampled_from([0, 750, 4321]), min_size=n, max_size=n))),
        common_kwh=draw(st.sampled_from([0, 1000, 777])),
        wobble=tuple(draw(st.lists(st.integers(60, 140), min_size=MONTHS, max_size=MONTHS))),
        payments=tuple(
            draw(
                st.lists(
                    st.tuples(st.integers(0, n - 1), st.integers(0, 729), st.integers(1, 150)),
                    max_size=8,
                )
            )
        ),
    )


def form_values(c: ContractCase) -> dict:
    t = c.terms
    values = {
        "start_date": t.start.isoformat(),
        "last_day": t.last_day.isoformat(),
        "accept_partial_month": "1",
        "rent_basis": "per_m2_month" if t.per_m2 else "fixed_monthly",
        "rent_rate": str(Decimal(t.rent_rate.numerator) / t.rent_rate.denominator),
        "area_basis": "gross",
        "property_fee_rate": str(Decimal(t.fee_rate.numerator) / t.fee_rate.denominator),
        "property_fee_during_rent_free": "1" if t.fee_in_rent_free else "0",
        "rent_free_months": str(t.rent_free_months),
        "cycle": {1: "monthly", 3: "quarterly", 6: "half_yearly", 12: "yearly"}[t.cycle_months],
        "due_kind": "days_before" if t.due_day_of_month is None else "day_of_month",
        "due_value": str(t.due_days_before if t.due_day_of_month is None else t.due_day_of_month),
        "proration": "started_month_whole" if t.started_month_whole else "by_days",
        "escalation_kind": "none",
        "deposit_kind": "none",
        "late_fee_daily_rate": str(c.late_rate),
        "late_fee_cap_percent": "" if c.cap_percent is None else str(c.cap_percent),
        "signed_on": t.signed_on.isoformat() if t.signed_on else "",
    }
    if t.escalation_percent is not None:
        p = t.escalation_percent
        values.update(
            escalation_kind="percent",
            escalation_percent=str(Decimal(p.numerator) / p.denominator),
            escalation_from_year=str(t.escalation_from_year),
        )
    return values
