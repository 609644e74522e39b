"""Late fees: hand-computed examples, the split-charge guarantee, and properties."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parkops.billing.rules.late_fees import (
    DEFAULT_DAILY_RATE,
    LateFeeCap,
    LateFeeLine,
    PrincipalChange,
    late_fee_for_period,
    principal_schedule,
)
from parkops.core.money import round_half_up_to_fen

fast = settings(max_examples=100, deadline=None)

DUE = date(2024, 4, 5)
FIRST_OVERDUE = date(2024, 4, 6)
D = timedelta(days=1)
YUAN_100K = 10_000_000  # 100,000.00 元 in fen


def fee(
    principal: int | list[tuple[date, int]],
    from_date: date,
    to_date: date,
    **kwargs: object,
) -> LateFeeLine:
    events = [(DUE, principal)] if isinstance(principal, int) else principal
    return late_fee_for_period(DUE, events, from_date=from_date, to_date=to_date, **kwargs)  # type: ignore[arg-type]


class TestHandComputed:
    def test_thirty_days_at_the_default_rate(self) -> None:
        # 100,000.00 元 x 0.05% x 30 days = 1,500.00 元.
        line = fee(YUAN_100K, FIRST_OVERDUE, FIRST_OVERDUE + 30 * D)
        assert line.days == 30
        assert line.amount_fen == 150_000
        assert line.uncapped_fen == 150_000
        assert line.rate == DEFAULT_DAILY_RATE == Decimal("0.0005")
        assert line.cap_fen is None
        assert line.basis == ("100,000.00 × 0.05% × 30 days (2024-04-06 to 2024-05-05) = 1,500.00")

    def test_range_starting_before_the_due_date_is_clipped(self) -> None:
        line = fee(YUAN_100K, date(2024, 1, 1), FIRST_OVERDUE + 30 * D)
        assert (line.days, line.amount_fen) == (30, 150_000)
        # The line still reports the requested range; the next charge starts at its end.
        assert (line.from_date, line.to_date) == (date(2024, 1, 1), date(2024, 5, 6))
        assert line.segments[0].start == FIRST_OVERDUE

    def test_higher_contract_rate(self) -> None:
        # 100,000.00 元 x 0.2% x 10 days = 2,000.00 元.
        line = fee(YUAN_100K, FIRST_OVERDUE, FIRST_OVERDUE + 10 * D, rate=Decimal("0.002"))
        assert line.amount_fen == 200_000
        assert "× 0.2% ×" in line.basis

    def test_partial_payment_midway(self) -> None:
        # 40,000.00 元 received on 21 April: 15 days on 100,000.00 and 15 days on 60,000.00.
        # 15 x 50.00 + 15 x 30.00 = 750.00 + 450.00 = 1,200.00 元.
        history = principal_schedule(YUAN_100K, [(date(2024, 4, 21), 4_000_000)], start=DUE)
        assert history == (
            PrincipalChange(DUE, 10_000_000),
            PrincipalChange(date(2024, 4, 21), 6_000_000),
        )
        line = fee(list(history), FIRST_OVERDUE, FIRST_OVERDUE + 30 * D)
        assert line.days == 30
        assert line.amount_fen == 120_000
        assert [(s.days, s.principal_fen) for s in line.segments] == [
            (15, 10_000_000),
            (15, 6_000_000),
        ]
        assert line.basis == (
            "100,000.00 × 0.05% × 15 days (2024-04-06 to 2024-04-20)"
            " + 60,000.00 × 0.05% × 15 days (2024-04-21 to 2024-05-05) = 1,200.00"
        )

    def test_money_received_on_a_day_stops_that_days_fee(self) -> None:
        history = [(DUE, YUAN_100K), (FIRST_OVERDUE, 0)]
        line = fee(history, FIRST_OVERDUE, FIRST_OVERDUE + 10 * D)
        assert (line.days, line.amount_fen, line.segments) == (0, 0, ())

    def test_payment_on_the_due_date_is_on_time(self) -> None:
        history = principal_schedule(YUAN_100K, [(DUE, YUAN_100K)], start=DUE)
        assert history == (PrincipalChange(DUE, 0),)
        assert fee(list(history), DUE, DUE + 60 * D).amount_fen == 0

    def test_fully_paid_midway_stops_accruing(self) -> None:
        history = principal_schedule(YUAN_100K, [(date(2024, 4, 16), YUAN_100K)], start=DUE)
        line = fee(list(history), FIRST_OVERDUE, FIRST_OVERDUE + 30 * D)
        assert (line.days, line.amount_fen) == (10, 50_000)

    def test_half_a_fen_rounds_up_once_per_line(self) -> None:
        # 10.00 元 x 0.05% = 0.5 fen a day.
        assert fee(1_000, FIRST_OVERDUE, FIRST_OVERDUE + 1 * D).amount_fen == 1
        assert fee(1_000, FIRST_OVERDUE, FIRST_OVERDUE + 3 * D).amount_fen == 2  # 1.5 -> 2
        line = fee(1_000, FIRST_OVERDUE, FIRST_OVERDUE + 4 * D)
        assert (line.exact_fen, line.amount_fen) == (Decimal(2), 2)  # not 4 x round(0.5)


class TestNoFee:
    def test_nothing_on_or_before_the_due_date(self) -> None:
        line = fee(YUAN_100K, DUE - 30 * D, DUE + D)  # ends before the first overdue day
        assert (line.days, line.amount_fen, line.uncapped_fen) == (0, 0, 0)
        assert line.basis == "No overdue days with an open principal in this period."

    def test_the_first_fee_day_is_the_day_after_the_due_date(self) -> None:
        assert fee(YUAN_100K, DUE, DUE + 2 * D).days == 1

    def test_empty_range(self) -> None:
        assert fee(YUAN_100K, FIRST_OVERDUE + 5 * D, FIRST_OVERDUE + 5 * D).amount_fen == 0

    def test_zero_principal(self) -> None:
        line = fee(0, FIRST_OVERDUE, FIRST_OVERDUE + 365 * D, cap=LateFeeCap(Decimal("0.2")))
        assert (line.days, line.amount_fen, line.cap_fen) == (0, 0, 0)

    def test_zero_rate(self) -> None:
        assert fee(YUAN_100K, DUE, DUE + 99 * D, rate=Decimal(0)).amount_fen == 0


class TestCap:
    PRINCIPAL = 1_000_000  # 10,000.00 元: 5.00 元 a day, a 20% cap of 2,000.00 元 after 400 days

    def test_fraction_cap_reached(self) -> None:
        line = fee(self.PRINCIPAL, DUE, FIRST_OVERDUE + 500 * D, cap=LateFeeCap(Decimal("0.2")))
        assert line.uncapped_fen == 250_000
        assert line.cap_fen == 200_000
        assert line.amount_fen == 200_000
        assert line.capped
        assert line.basis.endswith(
            "= 2,500.00; capped at 2,000.00 (20% of the overdue principal), "
            "0.00 already charged: 2,000.00"
        )

    def test_cap_not_reached(self) -> None:
        line = fee(self.PRINCIPAL, DUE, FIRST_OVERDUE + 400 * D, cap=LateFeeCap(Decimal("0.2")))
        assert (line.amount_fen, line.capped) == (200_000, False)

    def test_earlier_charges_use_up_the_cap(self) -> None:
        cap = LateFeeCap(Decimal("0.2"))
        start = FIRST_OVERDUE + 300 * D
        line = fee(self.PRINCIPAL, start, start + 200 * D, cap=cap, already_charged_fen=150_000)
        assert line.uncapped_fen == 100_000
        assert line.amount_fen == 50_000

    def test_cap_already_exceeded_gives_zero_not_negative(self) -> None:
        # E.g. the contract's cap was lowered after earlier charges.
        line = fee(
            self.PRINCIPAL,
            DUE,
            DUE + 10 * D,
            cap=LateFeeCap(Decimal("0.2")),
            already_charged_fen=250_000,
        )
        assert line.amount_fen == 0

    def test_absolute_cap_and_both_caps(self) -> None:
        to = FIRST_OVERDUE + 500 * D
        assert fee(self.PRINCIPAL, DUE, to, cap=LateFeeCap(max_fen=30_000)).amount_fen == 30_000
        both = LateFeeCap(Decimal("0.2"), max_fen=300_000)
        assert fee(self.PRINCIPAL, DUE, to, cap=both).cap_fen == 200_000
        both = LateFeeCap(Decimal("0.2"), max_fen=30_000)
        line = fee(self.PRINCIPAL, DUE, to, cap=both)
        assert (line.cap_fen, line.amount_fen) == (30_000, 30_000)
        assert "(20% of the overdue principal, at most 300.00)" in line.basis

    def test_empty_cap_caps_nothing(self) -> None:
        line = fee(self.PRINCIPAL, DUE, FIRST_OVERDUE + 500 * D, cap=LateFeeCap())
        assert (line.cap_fen, line.amount_fen) == (None, 250_000)

    def test_cap_is_on_the_principal_that_fell_overdue(self) -> None:
        # Paying 90% of the arrears on day 11 does not shrink the cap to 20% of what is left.
        history = [(DUE, self.PRINCIPAL), (FIRST_OVERDUE + 10 * D, 100_000)]
        start = FIRST_OVERDUE + 100 * D
        line = fee(history, start, start + 10 * D, cap=LateFeeCap(Decimal("0.2")))
        assert line.cap_fen == 200_000

    def test_cap_fraction_is_rounded_half_up(self) -> None:
        # 20% of 3.33 元 = 66.6 fen -> 67 fen.
        line = fee(333, DUE, DUE + 10_000 * D, cap=LateFeeCap(Decimal("0.2")))
        assert (line.cap_fen, line.amount_fen) == (67, 67)


class TestSplitCharges:
    def test_split_equals_one_line_when_lines_round_exactly(self) -> None:
        one = fee(YUAN_100K, DUE, FIRST_OVERDUE + 30 * D).amount_fen
        first = fee(YUAN_100K, DUE, FIRST_OVERDUE + 15 * D)
        second = fee(YUAN_100K, first.to_date, FIRST_OVERDUE + 30 * D)
        assert first.amount_fen + second.amount_fen == one == 150_000

    def test_split_can_differ_by_one_fen(self) -> None:
        # 123.45 元 x 0.05% = 6.1725 fen a day. One 3-day line: 18.5175 -> 19 fen.
        # A 1-day line (6.1725 -> 6) then a 2-day line (12.345 -> 12): 18 fen.
        one = fee(12_345, FIRST_OVERDUE, FIRST_OVERDUE + 3 * D).amount_fen
        first = fee(12_345, FIRST_OVERDUE, FIRST_OVERDUE + 1 * D).amount_fen
        second = fee(12_345, FIRST_OVERDUE + 1 * D, FIRST_OVERDUE + 3 * D).amount_fen
        assert (one, first, second) == (19, 6, 12)

    def test_split_reaches_the_same_cap(self) -> None:
        cap = LateFeeCap(Decimal("0.2"))
        one = fee(1_000_000, DUE, FIRST_OVERDUE + 500 * D, cap=cap).amount_fen
        first = fee(1_000_000, DUE, FIRST_OVERDUE + 300 * D, cap=cap)
        second = fee(
            1_000_000,
            first.to_date,
            FIRST_OVERDUE + 500 * D,
            cap=cap,
            already_charged_fen=first.amount_fen,
        )
        assert (first.amount_fen, second.amount_fen) == (150_000, 50_000)
        assert first.amount_fen + second.amount_fen == one == 200_000


class TestValidation:
    def test_float_rate_is_refused(self) -> None:
        with pytest.raises(TypeError):
            fee(YUAN_100K, DUE, DUE + 9 * D, rate=0.0005)

    def test_negative_rate_is_refused(self) -> None:
        with pytest.raises(ValueError):
            fee(YUAN_100K, DUE, DUE + 9 * D, rate=Decimal("-0.0005"))

    def test_history_must_cover_the_first_overdue_day(self) -> None:
        with pytest.raises(ValueError, match="fell overdue is unknown"):
            fee([(FIRST_OVERDUE + D, YUAN_100K)], DUE, DUE + 9 * D)
        # Starting exactly on the first overdue day is enough.
        assert fee([(FIRST_OVERDUE, YUAN_100K)], DUE, DUE + 3 * D).days == 2

    def test_history_problems(self) -> None:
        with pytest.raises(ValueError, match="empty"):
            fee([], DUE, DUE + 9 * D)
        with pytest.raises(ValueError, match="two principal values"):
            fee([(DUE, 1), (DUE, 2)], DUE, DUE + 9 * D)
        with pytest.raises(ValueError, match="negative"):
            fee([(DUE, -1)], DUE, DUE + 9 * D)
        with pytest.raises(TypeError):
            fee([(DUE, 100.0)], DUE, DUE + 9 * D)  # type: ignore[list-item]

    def test_reversed_range(self) -> None:
        with pytest.raises(ValueError):
            fee(YUAN_100K, DUE + 9 * D, DUE)

    def test_bad_cap_or_charged(self) -> None:
        with pytest.raises(TypeError):
            LateFeeCap(0.2)  # type: ignore[arg-type]
        with pytest.raises(ValueError):
            LateFeeCap(max_fen=-1)
        with pytest.raises(ValueError):
            fee(YUAN_100K, DUE, DUE + 9 * D, already_charged_fen=-1)

    def test_payments_above_principal(self) -> None:
        with pytest.raises(ValueError, match="exceed"):
            principal_schedule(100, [(DUE, 60), (FIRST_OVERDUE, 60)], start=DUE)

    def test_schedule_folds_early_payments_and_keeps_reversals(self) -> None:
        history = principal_schedule(
            1_000,
            [(DUE + 3 * D, 200), (DUE - 9 * D, 100), (DUE + 5 * D, -200), (DUE + 3 * D, 50)],
            start=DUE,
        )
        assert history == (
            PrincipalChange(DUE, 900),
            PrincipalChange(DUE + 3 * D, 650),
            PrincipalChange(DUE + 5 * D, 850),
        )


# --- properties --------------------------------------------------------------------------------

rates = st.sampled_from([Decimal("0.0005"), Decimal("0.002"), Decimal("0.0003"), Decimal(0)])
offsets = st.integers(-30, 500)
caps = st.one_of(
    st.none(),
    st.builds(
        LateFeeCap,
        st.one_of(st.none(), st.sampled_from([Decimal("0.2"), Decimal("0.1"), Decimal("0.05")])),
        st.one_of(st.none(), st.integers(0, 500_000)),
    ),
)


@st.composite
def histories(draw: st.DrawFn, *, non_increasing: bool = False) -> list[tuple[date, int]]:
    """A principal history starting on the due date, with up to five later changes."""
    principal = draw(st.integers(0, 50_000_000))
    days = draw(st.lists(st.integers(1, 400), unique=True, max_size=5))
    events = [(DUE, principal)]
    for day in sorted(days):
        if non_increasing:
            principal = draw(st.integers(0, principal))
        else:
            principal = draw(st.integers(0, 50_000_000))
        events.append((DUE + day * D, principal))
    return events


def brute_force_exact(
    events: list[tuple[date, int]], start: date, end: date, rate: Decimal
) -> Decimal:
    """Day by day, the way a person with a calendar would do it."""
    total = Decimal(0)
    day = start
    while day < end:
        if day > DUE:
            _, principal = max((d, p) for d, p in events if d <= day)
            total += principal * rate
        day += D
    return total


@fast
@given(histories(), offsets, st.integers(0, 200), rates)
def test_matches_a_day_by_day_computation(
    events: list[tuple[date, int]], start: int, length: int, rate: Decimal
) -> None:
    from_date, to_date = DUE + start * D, DUE + (start + length) * D
    line = late_fee_for_period(DUE, events, from_date=from_date, to_date=to_date, rate=rate)
    expected = brute_force_exact(events, from_date, to_date, rate)
    assert line.exact_fen == expected
    assert line.uncapped_fen == line.amount_fen == round_half_up_to_fen(expected)
    assert line.days == sum(s.days for s in line.segments) <= length


@fast
@given(histories(), offsets, st.integers(0, 300), st.integers(0, 300), rates, caps)
def test_monotonic_in_days_and_never_negative(
    events: list[tuple[date, int]],
    start: int,
    length: int,
    extra: int,
    rate: Decimal,
    cap: LateFeeCap | None,
) -> None:
    from_date = DUE + start * D
    shorter = late_fee_for_period(
        DUE, events, from_date=from_date, to_date=from_date + length * D, rate=rate, cap=cap
    )
    longer = late_fee_for_period(
        DUE,
        events,
        from_date=from_date,
        to_date=from_date + (length + extra) * D,
        rate=rate,
        cap=cap,
    )
    assert 0 <= shorter.amount_fen <= longer.amount_fen
    assert 0 <= shorter.days <= longer.days


@fast
@given(histories(), offsets, st.integers(0, 500), rates, caps, st.integers(0, 600_000))
def test_never_exceeds_the_cap(
    events: list[tuple[date, int]],
    start: int,
    length: int,
    rate: Decimal,
    cap: LateFeeCap | None,
    charged: int,
) -> None:
    from_date = DUE + start * D
    line = late_fee_for_period(
        DUE,
        events,
        from_date=from_date,
        to_date=from_date + length * D,
        rate=rate,
        cap=cap,
        already_charged_fen=charged,
    )
    assert 0 <= line.amount_fen <= line.uncapped_fen
    if line.cap_fen is not None:
        assert line.amount_fen <= max(0, line.cap_fen - charged)
        overdue = [p for d, p in events if d <= DUE + (start + length) * D]
        if cap is not None and cap.fraction is not None:
            assert line.cap_fen <= round_half_up_to_fen(max(overdue, default=0) * cap.fraction)


@fast
@given(
    histories(non_increasing=True),
    st.lists(st.integers(1, 120), min_size=1, max_size=6),
    rates,
    caps,
)
def test_split_charges_are_within_half_a_fen_per_line_of_one_charge(
    events: list[tuple[date, int]], lengths: list[int], rate: Decimal, cap: LateFeeCap | None
) -> None:
    """The documented guarantee for n consecutive lines over a non-rising principal."""
    start = DUE  # the first charge starts on the due date, as a billing run would
    end = start + sum(lengths) * D
    one = late_fee_for_period(DUE, events, from_date=start, to_date=end, rate=rate, cap=cap)

    charged = 0
    own_rounded = 0
    from_date = start
    for length in lengths:
        line = late_fee_for_period(
            DUE,
            events,
            from_date=from_date,
            to_date=from_date + length * D,
            rate=rate,
            cap=cap,
            already_charged_fen=charged,
        )
        charged += line.amount_fen
        own_rounded += line.uncapped_fen
        from_date = line.to_date

    n = len(lengths)
    assert abs(charged - one.amount_fen) <= n // 2
    room = one.cap_fen if one.cap_fen is not None else own_rounded
    assert charged == min(own_rounded, room)
    if one.cap_fen is not None:
        assert charged <= one.cap_fen


@fast
@given(offsets, st.integers(0, 500), rates, caps)
def test_zero_principal_means_zero(
    start: int, length: int, rate: Decimal, cap: LateFeeCap | None
) -> None:
    from_date = DUE + start * D
    line = late_fee_for_period(
        DUE, [(DUE, 0)], from_date=from_date, to_date=from_date + length * D, rate=rate, cap=cap
    )
    assert (line.amount_fen, line.days) == (0, 0)
