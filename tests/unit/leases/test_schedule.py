"""Rent schedule: hand-computed contracts, validation, and properties over generated terms.

Expected amounts in the worked examples were computed by hand (shown in the comments), not by
running the code.
"""

from __future__ import annotations

import calendar
import dataclasses
import itertools
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parkops.leases.rules.schedule import (
    AreaBasis,
    ChargeKind,
    DepositFixed,
    DepositMonths,
    DueKind,
    DueRule,
    EscalationAnchor,
    LeaseTerms,
    PaymentCycle,
    PercentEscalation,
    Proration,
    QuantityKind,
    RentBasis,
    RentStep,
    ScheduleLine,
    StepEscalation,
    add_months,
    compute_schedule,
    deposit_fen,
    rent_rate_on,
    validate_terms,
)

D = Decimal
YUAN = 100  # fen


def periods(lines: list[ScheduleLine]) -> list[tuple[date, date]]:
    return [(line.period_start, line.period_end) for line in lines]


# --- add_months -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("anchor", "months", "expected"),
    [
        (date(2026, 3, 15), 3, date(2026, 6, 15)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 1, 31), 2, date(2026, 3, 31)),  # from the anchor: no drift after February
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 12, 1), 1, date(2027, 1, 1)),
        (date(2026, 5, 10), 0, date(2026, 5, 10)),
        (date(2026, 5, 10), -5, date(2025, 12, 10)),
    ],
)
def test_add_months(anchor: date, months: int, expected: date) -> None:
    assert add_months(anchor, months) == expected


# --- worked example: quarterly, 3 years, rent-free, +5% from year 2 ----------------------------

# 2,000 m² at 18 元/m²·月 = 36,000 元/month; year 2: 18.9 -> 37,800; year 3: 19.845 -> 39,690.
# Property fee 3 元/m²·月 = 6,000 元/month, also during the two rent-free months.
QUARTERLY = LeaseTerms(
    start=date(2026, 3, 15),
    end=date(2029, 3, 15),
    rent_rate=D("18"),
    gross_area_m2=D("2000.00"),
    property_fee_rate=D("3"),
    rent_start=date(2026, 5, 15),
    cycle=PaymentCycle.QUARTERLY,
    due_rule=DueRule.day_of_month(5),
    escalation=PercentEscalation(D("5"), from_year=2),
    deposit=DepositMonths(3),
)


def test_quarterly_three_year_contract() -> None:
    lines = compute_schedule(QUARTERLY)
    assert len(lines) == 12
    assert periods(lines)[:3] == [
        (date(2026, 3, 15), date(2026, 6, 15)),
        (date(2026, 6, 15), date(2026, 9, 15)),
        (date(2026, 9, 15), date(2026, 12, 15)),
    ]
    assert periods(lines)[-1] == (date(2028, 12, 15), date(2029, 3, 15))
    # first quarter: two rent-free months, one month of rent
    assert [line.rent_fen for line in lines] == [36_000 * YUAN] + [108_000 * YUAN] * 3 + [
        113_400 * YUAN
    ] * 4 + [119_070 * YUAN] * 4
    assert all(line.property_fee_fen == 18_000 * YUAN for line in lines)
    # 10 months at 36,000 + 12 at 37,800 + 12 at 39,690
    assert sum(line.rent_fen for line in lines) == 1_289_880 * YUAN
    # due on the 5th of each period's first month; the first would be 03-05, before the term
    # starts and with no signing date known, so it moves to the start
    assert [line.due_date for line in lines[:3]] == [
        date(2026, 3, 15),
        date(2026, 6, 5),
        date(2026, 9, 5),
    ]
    first = lines[0].breakdown
    assert [p.kind for p in first] == [
        QuantityKind.RENT_FREE,
        QuantityKind.WHOLE_MONTHS,
        QuantityKind.WHOLE_MONTHS,
    ]
    assert (first[0].start, first[0].end, first[0].units) == (
        date(2026, 3, 15),
        date(2026, 5, 15),
        61,
    )
    assert first[2].charge is ChargeKind.PROPERTY_FEE and first[2].units == 3
    # the rate shown on the bill is the exact escalated rate
    assert lines[8].breakdown[0].rate == D("19.845")
    assert lines[8].breakdown[0].describe() == (
        "rent 2028-03-15..2028-06-14: 19.845 元/m²·月 x 2,000.00 m² x 3 months = 119,070.00 元"
    )
    assert deposit_fen(QUARTERLY) == 108_000 * YUAN  # three months at the initial 36,000


def test_signing_date_sets_the_floor_of_due_dates() -> None:
    signed_early = dataclasses.replace(QUARTERLY, signed_on=date(2026, 3, 1))
    assert compute_schedule(signed_early)[0].due_date == date(2026, 3, 5)
    signed_late = dataclasses.replace(QUARTERLY, signed_on=date(2026, 3, 10))
    assert compute_schedule(signed_late)[0].due_date == date(2026, 3, 10)


def test_property_fee_can_wait_for_the_rent_start() -> None:
    terms = dataclasses.replace(QUARTERLY, property_fee_during_rent_free=False)
    assert compute_schedule(terms)[0].property_fee_fen == 6_000 * YUAN
    assert compute_schedule(terms)[1].property_fee_fen == 18_000 * YUAN


def test_rent_rate_on() -> None:
    assert rent_rate_on(QUARTERLY, date(2027, 3, 14)) == D("18")
    assert rent_rate_on(QUARTERLY, date(2027, 3, 15)) == D("18.9")
    assert rent_rate_on(QUARTERLY, date(2029, 3, 14)) == D("19.845")


# --- monthly ----------------------------------------------------------------------------------


def test_monthly_contract_from_the_31st_counts_whole_months() -> None:
    # Fixed 10,000 元/month. Contract months 01-31..02-28..03-31..04-30..05-31: each is one whole
    # month whatever its length (28, 31, 30 or 31 days), so each costs exactly 10,000.
    terms = LeaseTerms(
        start=date(2026, 1, 31),
        end=date(2026, 5, 31),
        rent_rate=D("10000"),
        rent_basis=RentBasis.FIXED_MONTHLY,
        cycle=PaymentCycle.MONTHLY,
        due_rule=DueRule.days_before(10),
        signed_on=date(2026, 1, 1),
    )
    lines = compute_schedule(terms)
    assert periods(lines) == [
        (date(2026, 1, 31), date(2026, 2, 28)),
        (date(2026, 2, 28), date(2026, 3, 31)),
        (date(2026, 3, 31), date(2026, 4, 30)),
        (date(2026, 4, 30), date(2026, 5, 31)),
    ]
    assert [line.rent_fen for line in lines] == [10_000 * YUAN] * 4
    assert [line.due_date for line in lines] == [
        date(2026, 1, 21),
        date(2026, 2, 18),
        date(2026, 3, 21),
        date(2026, 4, 20),
    ]
    assert lines[0].breakdown[0].describe() == (
        "rent 2026-01-31..2026-02-27: 10000 元/月 x 1 month = 10,000.00 元"
    )


def test_monthly_with_mid_month_rent_start_and_a_step_inside_a_month() -> None:
    # 2,000 m² at 18 元/m²·月 (36,000/month), from 2026-06-01 at 20 (40,000/month); fee 6,000.
    terms = LeaseTerms(
        start=date(2026, 3, 15),
        end=date(2026, 7, 10),
        rent_rate=D("18"),
        gross_area_m2=D("2000"),
        property_fee_rate=D("3"),
        rent_start=date(2026, 4, 29),
        cycle=PaymentCycle.MONTHLY,
        escalation=StepEscalation((RentStep(date(2026, 6, 1), D("20")),)),
    )
    lines = compute_schedule(terms)
    assert [line.rent_fen for line in lines] == [
        0,
        # rent starts 04-29 in the contract month 04-15..05-15: a partial month by days of each
        # calendar month: 36,000 x 2/30 + 36,000 x 14/31 = 2,400 + 16,258.0645 = 18,658.06
        1_865_806,
        # a whole month 05-15..06-15 (31 days) split by the step on 06-01:
        # 36,000 x 17/31 + 40,000 x 14/31 = 19,741.935 + 18,064.516 = 37,806.45
        3_780_645,
        # last, partial month 06-15..07-10: 40,000 x 16/30 + 40,000 x 9/31
        # = 21,333.333 + 11,612.903 = 32,946.24
        3_294_624,
    ]
    # fee: whole months except the last: 6,000 x 16/30 + 6,000 x 9/31 = 3,200 + 1,741.935
    assert [line.property_fee_fen for line in lines] == [600_000] * 3 + [494_194]
    kinds = [p.kind for p in lines[2].breakdown if p.charge is ChargeKind.RENT]
    assert kinds == [QuantityKind.CONTRACT_MONTH_DAYS] * 2
    assert lines[1].breakdown[1].describe() == (
        "rent 2026-04-29..2026-04-30: 18 元/m²·月 x 2,000.00 m² x 2/30 month (days in 2026-04)"
        " = 2,400.00 元"
    )


# --- day rate ---------------------------------------------------------------------------------


def test_day_rate_contract() -> None:
    # 1.2 元/m²·天 x 500 m² = 600 元 a day; monthly periods; no proration.
    terms = LeaseTerms(
        start=date(2026, 1, 1),
        end=date(2026, 4, 1),
        rent_rate=D("1.2"),
        rent_basis=RentBasis.PER_M2_DAY,
        gross_area_m2=D("500"),
        cycle=PaymentCycle.MONTHLY,
        deposit=DepositMonths(2),
    )
    lines = compute_schedule(terms)
    assert [line.rent_fen for line in lines] == [18_600 * YUAN, 16_800 * YUAN, 18_600 * YUAN]
    assert lines[1].breakdown[0].describe() == (
        "rent 2026-02-01..2026-02-28: 1.2 元/m²·天 x 500.00 m² x 28 days = 16,800.00 元"
    )
    # deposit: two months of 600 x 365/12 = 18,250 元
    assert deposit_fen(terms) == 36_500 * YUAN
    # quarterly: one piece of 90 days
    quarterly = compute_schedule(dataclasses.replace(terms, cycle=PaymentCycle.QUARTERLY))
    assert quarterly[0].rent_fen == 54_000 * YUAN
    assert [(p.kind, p.units) for p in quarterly[0].breakdown] == [(QuantityKind.DAYS, 90)]


# --- proration: by days vs a started month counts whole ---------------------------------------

SHORT_END = LeaseTerms(
    start=date(2026, 1, 10),
    end=date(2026, 4, 25),
    rent_rate=D("10"),
    gross_area_m2=D("100"),  # 1,000 元/month
    cycle=PaymentCycle.MONTHLY,
)


def test_partial_last_month_by_days() -> None:
    lines = compute_schedule(SHORT_END)
    assert periods(lines)[-1] == (date(2026, 4, 10), date(2026, 4, 25))
    assert [line.rent_fen for line in lines] == [1_000 * YUAN] * 3 + [500 * YUAN]  # 15/30


def test_started_month_counts_whole() -> None:
    terms = dataclasses.replace(SHORT_END, proration=Proration.STARTED_MONTH_WHOLE)
    lines = compute_schedule(terms)
    assert [line.rent_fen for line in lines] == [1_000 * YUAN] * 4
    assert lines[-1].breakdown[0].kind is QuantityKind.STARTED_MONTH
    # also for the month in which rent starts mid-month
    late = dataclasses.replace(terms, rent_start=date(2026, 2, 20))
    assert [line.rent_fen for line in compute_schedule(late)] == [0, 1_000 * YUAN] + [
        1_000 * YUAN
    ] * 2


def test_truncated_last_quarter() -> None:
    # 20 元 x 1,000 m² = 20,000 元/month; quarters from 01-01; last period 07-01..08-16:
    # July whole (20,000) + 08-01..08-16 = 15/31 of August (9,677.419) = 29,677.42
    terms = LeaseTerms(
        start=date(2026, 1, 1),
        end=date(2026, 8, 16),
        rent_rate=D("20"),
        gross_area_m2=D("1000"),
    )
    lines = compute_schedule(terms)
    assert periods(lines) == [
        (date(2026, 1, 1), date(2026, 4, 1)),
        (date(2026, 4, 1), date(2026, 7, 1)),
        (date(2026, 7, 1), date(2026, 8, 16)),
    ]
    assert [line.rent_fen for line in lines] == [60_000 * YUAN] * 2 + [2_967_742]


def test_partial_month_never_costs_more_than_the_whole_month() -> None:
    # Contract month 2027-01-29..02-28 has 30 days. Cut at 02-27, by calendar days it would be
    # 3/31 + 26/28 = 1.0253 months: capped at the one month it is part of.
    terms = LeaseTerms(
        start=date(2027, 1, 29),
        end=date(2027, 2, 27),
        rent_rate=D("1000"),
        rent_basis=RentBasis.FIXED_MONTHLY,
        cycle=PaymentCycle.MONTHLY,
    )
    [line] = compute_schedule(terms)
    assert line.rent_fen == 1_000 * YUAN
    assert line.breakdown[-1].kind is QuantityKind.PARTIAL_MONTH_CAP
    assert sum(p.exact_fen for p in line.breakdown) == 1_000 * YUAN


# --- escalation that straddles a period -------------------------------------------------------


def test_anniversary_counted_from_rent_start_splits_a_month() -> None:
    # Rent-free 45 days: rent starts 2026-04-29; +5% each rent year, so 18 -> 18.9 on 2027-04-29,
    # inside the period 2027-03-15..06-15 and inside its contract month 04-15..05-15 (30 days):
    #   03-15..04-15 whole month at 36,000                     36,000
    #   04-15..04-29 14/30 at 36,000 + 04-29..05-15 16/30 at 37,800 = 16,800 + 20,160
    #   05-15..06-15 whole month at 37,800                     37,800
    #                                                         110,760
    terms = dataclasses.replace(
        QUARTERLY,
        rent_start=date(2026, 4, 29),
        escalation=PercentEscalation(D("5"), anchor=EscalationAnchor.RENT_START),
    )
    line = compute_schedule(terms)[4]
    assert (line.period_start, line.period_end) == (date(2027, 3, 15), date(2027, 6, 15))
    assert line.rent_fen == 110_760 * YUAN
    rent = [(p.kind, p.units, p.per_days, p.rate) for p in line.breakdown if p.charge == "rent"]
    assert rent == [
        (QuantityKind.WHOLE_MONTHS, 1, None, D("18")),
        (QuantityKind.CONTRACT_MONTH_DAYS, 14, 30, D("18")),
        (QuantityKind.CONTRACT_MONTH_DAYS, 16, 30, D("18.9")),
        (QuantityKind.WHOLE_MONTHS, 1, None, D("18.9")),
    ]


def test_flat_two_years_then_ten_percent_once() -> None:
    terms = LeaseTerms(
        start=date(2026, 1, 1),
        end=date(2031, 1, 1),
        rent_rate=D("50000"),
        rent_basis=RentBasis.FIXED_MONTHLY,
        cycle=PaymentCycle.YEARLY,
        escalation=PercentEscalation(D("10"), from_year=3, max_increases=1),
    )
    assert [line.rent_fen for line in compute_schedule(terms)] == [
        600_000 * YUAN,
        600_000 * YUAN,
        660_000 * YUAN,
        660_000 * YUAN,
        660_000 * YUAN,
    ]


def test_leasable_area_and_fee_on_gross() -> None:
    terms = LeaseTerms(
        start=date(2026, 1, 1),
        end=date(2026, 4, 1),
        rent_rate=D("20"),
        gross_area_m2=D("1000.00"),
        leasable_area_m2=D("812.35"),
        area_basis=AreaBasis.LEASABLE,
        property_fee_rate=D("1.5"),
        property_fee_area_basis=AreaBasis.GROSS,
        deposit=DepositMonths(2, include_property_fee=True),
    )
    [line] = compute_schedule(terms)
    assert line.rent_fen == 3 * 16_247 * YUAN  # 20 x 812.35 = 16,247 a month
    assert line.property_fee_fen == 3 * 1_500 * YUAN
    assert deposit_fen(terms) == 2 * (16_247 + 1_500) * YUAN
    assert deposit_fen(dataclasses.replace(terms, deposit=DepositFixed(5_000_000))) == 5_000_000
    assert deposit_fen(dataclasses.replace(terms, deposit=None)) == 0


def test_rounding_once_per_line() -> None:
    # 18.333 x 123.45 = 2,263.20885 元 a month: per month that would round to 2,263.21, three
    # times = 6,789.63; the line rounds 6,789.62655 once to 6,789.63 -- and a line of 7 months
    # shows the difference: 15,842.46195 -> 15,842.46, not 7 x 2,263.21 = 15,842.47.
    terms = LeaseTerms(
        start=date(2026, 1, 1),
        end=date(2026, 8, 1),
        rent_rate=D("18.333"),
        gross_area_m2=D("123.45"),
        cycle=PaymentCycle.YEARLY,
    )
    [line] = compute_schedule(terms)
    assert line.rent_fen == 1_584_246


# --- validation -------------------------------------------------------------------------------

BASE = LeaseTerms(
    start=date(2026, 1, 1),
    end=date(2027, 1, 1),
    rent_rate=D("20"),
    gross_area_m2=D("1000"),
)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"end": date(2026, 1, 1)}, "end"),
        ({"end": date(2025, 12, 31)}, "end"),
        ({"end": date(2046, 1, 2)}, "end"),
        ({"rent_start": date(2025, 12, 31)}, "rent_start"),
        ({"rent_start": date(2027, 1, 1)}, "rent_start"),
        ({"rent_rate": D("-1")}, "rent_rate"),
        ({"rent_rate": 18.5}, "rent_rate"),
        ({"rent_rate": D("NaN")}, "rent_rate"),
        ({"property_fee_rate": D("-0.01")}, "property_fee_rate"),
        ({"gross_area_m2": D("-5")}, "gross_area_m2"),
        ({"gross_area_m2": D("0")}, "gross_area_m2"),
        ({"gross_area_m2": D("100.001")}, "gross_area_m2"),
        ({"area_basis": AreaBasis.LEASABLE}, "leasable_area_m2"),
        ({"leasable_area_m2": D("1000.01")}, "leasable_area_m2"),
        ({"cycle": "fortnightly"}, "cycle"),
        ({"escalation": PercentEscalation(D("0"))}, "escalation.percent"),
        ({"escalation": PercentEscalation(D("-3"))}, "escalation.percent"),
        ({"escalation": PercentEscalation(D("100.01"))}, "escalation.percent"),
        ({"escalation": PercentEscalation(D("5"), from_year=1)}, "escalation.from_year"),
        ({"escalation": PercentEscalation(D("5"), max_increases=0)}, "escalation.max_increases"),
        ({"escalation": StepEscalation(())}, "escalation.steps"),
        (
            {"escalation": StepEscalation((RentStep(date(2027, 2, 1), D("22")),))},
            "escalation.steps[0].effective_from",
        ),
        (
            {
                "escalation": StepEscalation(
                    (RentStep(date(2026, 6, 1), D("22")), RentStep(date(2026, 6, 1), D("23")))
                )
            },
            "escalation.steps[1].effective_from",
        ),
        (
            {"escalation": StepEscalation((RentStep(date(2026, 6, 1), D("-22")),))},
            "escalation.steps[0].rate",
        ),
        ({"due_rule": DueRule.day_of_month(0)}, "due_rule.value"),
        ({"due_rule": DueRule.day_of_month(32)}, "due_rule.value"),
        ({"due_rule": DueRule.days_before(-1)}, "due_rule.value"),
        ({"deposit": DepositMonths(0)}, "deposit.months"),
        ({"deposit": DepositFixed(-1)}, "deposit.amount_fen"),
        ({"signed_on": date(2027, 1, 1)}, "signed_on"),
    ],
)
def test_invalid_terms(changes: dict[str, object], field: str) -> None:
    terms = dataclasses.replace(BASE, **changes)  # type: ignore[arg-type]
    errors = validate_terms(terms)
    assert field in [f for f, _ in errors], errors
    with pytest.raises(ValueError, match="invalid lease terms"):
        compute_schedule(terms)
    with pytest.raises(ValueError, match="invalid lease terms"):
        deposit_fen(terms)


def test_valid_terms_have_no_errors() -> None:
    assert validate_terms(BASE) == []
    assert validate_terms(QUARTERLY) == []
    # a fixed monthly rent needs no area; escalation of 100% is allowed
    fixed = dataclasses.replace(
        BASE,
        rent_basis=RentBasis.FIXED_MONTHLY,
        gross_area_m2=D("0"),
        escalation=PercentEscalation(D("100")),
    )
    assert validate_terms(fixed) == []


def test_several_errors_at_once() -> None:
    terms = dataclasses.replace(BASE, rent_rate=D("-1"), gross_area_m2=D("-1"))
    assert {f for f, _ in validate_terms(terms)} == {"rent_rate", "gross_area_m2"}


# --- properties -------------------------------------------------------------------------------

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

money = st.integers(min_value=0, max_value=100_000).map(lambda n: Decimal(n) / 100)
area = st.integers(min_value=1, max_value=1_000_000).map(lambda n: Decimal(n) / 100)


@st.composite
def lease_terms(
    draw: st.DrawFn,
    *,
    escalate: bool = True,
    whole_months: bool = False,
    rent_free: bool = True,
    basis: RentBasis | None = None,
    proration: Proration | None = None,
) -> LeaseTerms:
    start = draw(st.dates(date(2020, 1, 1), date(2035, 12, 31)))
    months = draw(st.integers(min_value=0 if not whole_months else 1, max_value=60))
    extra = 0 if whole_months else draw(st.integers(min_value=0, max_value=40))
    end = add_months(start, months) + timedelta(days=extra)
    if end <= start:
        end = start + timedelta(days=1)
    rent_start = None
    if rent_free and draw(st.booleans()):
        rent_start = min(start + timedelta(days=draw(st.integers(0, 120))), end - timedelta(days=1))
    escalation = None
    if escalate:
        escalation = draw(
            st.one_of(
                st.none(),
                st.builds(
                    PercentEscalation,
                    percent=st.integers(1, 2000).map(lambda n: Decimal(n) / 100),
                    from_year=st.integers(2, 4),
                    max_increases=st.none() | st.integers(1, 3),
                    anchor=st.sampled_from(EscalationAnchor),
                ),
            )
        )
        if escalation is None and (end - start).days > 2 and draw(st.booleans()):
            days = sorted(
                draw(st.sets(st.integers(1, (end - start).days - 1), min_size=1, max_size=3))
            )
            escalation = StepEscalation(
                tuple(RentStep(start + timedelta(days=d), draw(money)) for d in days)
            )
    return LeaseTerms(
        start=start,
        end=end,
        rent_rate=draw(money),
        rent_basis=basis or draw(st.sampled_from(RentBasis)),
        gross_area_m2=draw(area),
        property_fee_rate=draw(money),
        rent_start=rent_start,
        property_fee_during_rent_free=draw(st.booleans()),
        cycle=draw(st.sampled_from(PaymentCycle)),
        due_rule=draw(
            st.builds(DueRule.day_of_month, st.integers(1, 31))
            | st.builds(DueRule.days_before, st.integers(0, 60))
        ),
        proration=proration or draw(st.sampled_from(Proration)),
        escalation=escalation,
        deposit=draw(st.none() | st.builds(DepositMonths, st.integers(1, 3), st.booleans())),
    )


@FAST
@given(lease_terms())
def test_periods_tile_the_term_and_amounts_add_up(terms: LeaseTerms) -> None:
    assert validate_terms(terms) == []
    lines = compute_schedule(terms)
    rent_start = terms.rent_start or terms.start
    assert lines[0].period_start == terms.start
    assert lines[-1].period_end == terms.end
    for before, after in itertools.pairwise(lines):
        assert before.period_end == after.period_start
    for i, line in enumerate(lines, start=1):
        assert line.index == i
        assert line.period_start < line.period_end
        assert line.rent_fen >= 0 and line.property_fee_fen >= 0
        # whole periods are exactly `cycle` contract months long
        assert line.period_start == add_months(terms.start, terms.cycle.months * (i - 1))
        if line is not lines[-1]:
            assert line.period_end == add_months(terms.start, terms.cycle.months * i)
        rent = [p for p in line.breakdown if p.charge is ChargeKind.RENT]
        fee = [p for p in line.breakdown if p.charge is ChargeKind.PROPERTY_FEE]
        # rent pieces (with the rent-free one) tile the period; fee pieces tile what is charged
        ranges = [(p.start, p.end) for p in rent if p.kind is not QuantityKind.PARTIAL_MONTH_CAP]
        assert ranges[0][0] == line.period_start and ranges[-1][1] == line.period_end
        assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
        fee_from = max(
            line.period_start,
            terms.start if terms.property_fee_during_rent_free else rent_start,
        )
        assert bool(fee) == (terms.property_fee_rate > 0 and fee_from < line.period_end)
        if fee:
            assert (fee[0].start, fee[-1].end) == (fee_from, line.period_end)
        # the line is its pieces' exact sum, rounded once
        for pieces, amount in ((rent, line.rent_fen), (fee, line.property_fee_fen)):
            exact = sum((p.exact_fen for p in pieces), Fraction(0))
            assert abs(exact - amount) <= Fraction(1, 2)
        for piece in line.breakdown:
            assert piece.describe()
    assert deposit_fen(terms) >= 0


@FAST
@given(
    lease_terms(escalate=False, whole_months=True, rent_free=False, proration=Proration.BY_DAYS),
    st.integers(min_value=0, max_value=3),
)
def test_flat_rent_over_whole_months_is_monthly_rent_times_months(
    terms: LeaseTerms, free_months: int
) -> None:
    months = 0
    while add_months(terms.start, months) < terms.end:
        months += 1
    free_months = min(free_months, months - 1)
    terms = dataclasses.replace(terms, rent_start=add_months(terms.start, free_months))
    lines = compute_schedule(terms)
    if terms.rent_basis is RentBasis.PER_M2_DAY:
        daily = Fraction(terms.rent_rate * terms.gross_area_m2 * 100)
        expected = daily * (terms.end - terms.effective_rent_start).days
    else:
        area = 1 if terms.rent_basis is RentBasis.FIXED_MONTHLY else terms.gross_area_m2
        monthly = Fraction(terms.rent_rate * area * 100)
        expected = monthly * (months - free_months)
    exact = sum(
        (p.exact_fen for line in lines for p in line.breakdown if p.charge is ChargeKind.RENT),
        Fraction(0),
    )
    assert exact == expected
    total = sum(line.rent_fen for line in lines)
    assert abs(total - expected) <= Fraction(len(lines), 2)  # at most half a fen per line
    if terms.rent_basis is not RentBasis.PER_M2_DAY and monthly.denominator == 1:
        assert total == expected  # whole fen a month: nothing to round


@FAST
@given(lease_terms())
def test_due_dates_are_in_advance(terms: LeaseTerms) -> None:
    rule = terms.due_rule
    for line in compute_schedule(terms):
        ps = line.period_start
        assert line.due_date >= terms.start  # no signing date: never before the term
        if rule.kind is DueKind.DAYS_BEFORE:
            assert line.due_date == max(ps - timedelta(days=rule.value), terms.start)
            assert line.due_date <= ps
        else:
            last = calendar.monthrange(ps.year, ps.month)[1]
            on_rule = ps.replace(day=min(rule.value, last))
            assert line.due_date == max(on_rule, terms.start)
            if ps.day >= rule.value:
                assert line.due_date <= ps


@FAST
@given(lease_terms(escalate=False))
def test_a_started_month_never_costs_less_than_by_days(terms: LeaseTerms) -> None:
    by_days = compute_schedule(dataclasses.replace(terms, proration=Proration.BY_DAYS))
    whole = compute_schedule(dataclasses.replace(terms, proration=Proration.STARTED_MONTH_WHOLE))
    for a, b in zip(by_days, whole, strict=True):
        assert a.rent_fen <= b.rent_fen
        assert a.property_fee_fen <= b.property_fee_fen


@FAST
@given(lease_terms(basis=RentBasis.PER_M2_MONTH))
def test_percent_escalation_never_lowers_the_rate(terms: LeaseTerms) -> None:
    if not isinstance(terms.escalation, PercentEscalation):
        return
    rates = [
        p.rate
        for line in compute_schedule(terms)
        for p in line.breakdown
        if p.charge is ChargeKind.RENT
        and p.kind is not QuantityKind.RENT_FREE
        and p.kind is not QuantityKind.PARTIAL_MONTH_CAP
    ]
    assert rates == sorted(rates)


@FAST
@given(
    st.dates(date(2020, 1, 1), date(2030, 1, 1)),
    st.integers(-400, 400),
    st.integers(-400, 400),
    st.integers(-5, 5),
    st.sampled_from([D("-1"), D("0"), D("1.005"), D("20"), D("NaN"), D("1e40")]),
)
def test_validation_never_crashes(
    start: date, end_days: int, rent_start_days: int, area_sign: int, rate: Decimal
) -> None:
    terms = LeaseTerms(
        start=start,
        end=start + timedelta(days=end_days),
        rent_rate=rate,
        gross_area_m2=D(area_sign) * D("10.5"),
        rent_start=start + timedelta(days=rent_start_days),
        escalation=PercentEscalation(rate),
        deposit=DepositMonths(area_sign),
    )
    errors = validate_terms(terms)
    if errors:
        with pytest.raises(ValueError):
            compute_schedule(terms)
    else:
        assert compute_schedule(terms)
