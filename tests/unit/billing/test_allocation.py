"""Payment and credit allocation: worked examples, request validation, and invariants."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parkops.billing.rules.allocation import (
    Allocation,
    AllocationError,
    AllocationPlan,
    AllocationPolicy,
    OpenBill,
    allocate_payment,
    apply_credit,
    current_due_date,
    order_bills,
)

OLDEST = AllocationPolicy.OLDEST_DUE_FIRST
CURRENT = AllocationPolicy.CURRENT_FIRST

# deadline=None: the first example pays for imports, and a timing flake helps nobody.
fast = settings(max_examples=100, deadline=None)

# An enterprise with quarterly rent in arrears: Q1 unpaid, Q2 current, Q3 issued ahead, plus a
# March electricity bill due on the same day as the Q2 rent.
Q1 = OpenBill(bill_id=11, due_date=date(2024, 1, 5), open_fen=3_000_000)
Q2 = OpenBill(bill_id=12, due_date=date(2024, 4, 5), open_fen=3_000_000)
ELEC = OpenBill(bill_id=13, due_date=date(2024, 4, 5), open_fen=45_678)
Q3 = OpenBill(bill_id=14, due_date=date(2024, 7, 5), open_fen=3_090_000)
BILLS = [Q3, ELEC, Q1, Q2]  # deliberately not in any order
TODAY = date(2024, 5, 20)


class TestOrdering:
    def test_oldest_first_orders_by_due_date_then_id(self) -> None:
        assert [b.bill_id for b in order_bills(BILLS)] == [11, 12, 13, 14]

    def test_current_due_date_is_latest_fallen_due(self) -> None:
        assert current_due_date(BILLS, TODAY) == date(2024, 4, 5)

    def test_current_due_date_on_the_due_day_itself(self) -> None:
        assert current_due_date(BILLS, date(2024, 7, 5)) == date(2024, 7, 5)

    def test_current_due_date_when_nothing_has_fallen_due(self) -> None:
        # Bills issued ahead only: the next one to fall due is current, not the furthest one.
        assert current_due_date([Q3, Q2], date(2024, 3, 1)) == date(2024, 4, 5)

    def test_current_due_date_without_bills(self) -> None:
        assert current_due_date([], TODAY) is None

    def test_current_first_puts_the_current_group_first(self) -> None:
        ordered = order_bills(BILLS, CURRENT, today=TODAY)
        assert [b.bill_id for b in ordered] == [12, 13, 11, 14]

    def test_current_first_needs_today(self) -> None:
        with pytest.raises(ValueError, match="today"):
            order_bills(BILLS, CURRENT)

    def test_policy_may_be_given_as_its_stored_value(self) -> None:
        ordered = order_bills(BILLS, "current_first", today=TODAY)  # type: ignore[arg-type]
        assert ordered == order_bills(BILLS, CURRENT, today=TODAY)
        with pytest.raises(ValueError):
            order_bills(BILLS, "newest_first")  # type: ignore[arg-type]

    def test_duplicate_bill_is_a_caller_bug(self) -> None:
        with pytest.raises(ValueError, match="twice"):
            allocate_payment(100, [Q1, Q1])


class TestAutomaticAllocation:
    def test_oldest_first_pays_arrears_before_the_current_quarter(self) -> None:
        plan = allocate_payment(4_000_000, BILLS)
        assert plan == AllocationPlan(
            (Allocation(11, 3_000_000), Allocation(12, 1_000_000)), unallocated_fen=0
        )

    def test_current_first_pays_this_period_then_arrears(self) -> None:
        plan = allocate_payment(4_000_000, BILLS, CURRENT, today=TODAY)
        assert plan.allocations == (
            Allocation(12, 3_000_000),
            Allocation(13, 45_678),
            Allocation(11, 954_322),
        )
        assert plan.unallocated_fen == 0

    def test_overpayment_leaves_credit(self) -> None:
        total_open = sum(b.open_fen for b in BILLS)
        plan = allocate_payment(total_open + 12_345, BILLS)
        assert plan.allocated_fen == total_open
        assert plan.unallocated_fen == 12_345
        assert plan.total_fen == total_open + 12_345

    def test_no_open_bills_means_all_credit(self) -> None:
        assert allocate_payment(500, []) == AllocationPlan((), 500)

    def test_exact_payment_of_one_bill(self) -> None:
        plan = allocate_payment(3_000_000, BILLS)
        assert plan.as_dict() == {11: 3_000_000}
        assert plan.unallocated_fen == 0

    @pytest.mark.parametrize("amount", [0, -1])
    def test_payment_must_be_positive(self, amount: int) -> None:
        with pytest.raises(AllocationError) as err:
            allocate_payment(amount, BILLS)
        assert err.value.errors == (("amount_fen", "The payment must be a positive amount."),)

    def test_payment_in_yuan_float_is_rejected(self) -> None:
        with pytest.raises(AllocationError):
            allocate_payment(12.5, BILLS)  # type: ignore[arg-type]


class TestApplyCredit:
    def test_credit_is_used_like_a_payment(self) -> None:
        plan = apply_credit(3_045_678, BILLS, CURRENT, today=TODAY)
        assert plan.as_dict() == {12: 3_000_000, 13: 45_678}
        assert plan.unallocated_fen == 0

    def test_zero_credit_allocates_nothing(self) -> None:
        assert apply_credit(0, BILLS) == AllocationPlan((), 0)

    def test_remaining_credit(self) -> None:
        plan = apply_credit(10_000, [OpenBill(1, date(2024, 1, 1), 4_000)])
        assert plan == AllocationPlan((Allocation(1, 4_000),), 6_000)

    def test_negative_credit_is_rejected(self) -> None:
        with pytest.raises(ValueError):
            apply_credit(-1, BILLS)


class TestOpenBill:
    def test_open_amount_must_be_positive(self) -> None:
        with pytest.raises(ValueError):
            OpenBill(1, date(2024, 1, 1), 0)

    def test_open_amount_must_be_fen(self) -> None:
        with pytest.raises(TypeError):
            OpenBill(1, date(2024, 1, 1), 10.0)  # type: ignore[arg-type]


class TestRequestedAllocation:
    def test_valid_request_is_followed_exactly_and_remainder_is_credit(self) -> None:
        plan = allocate_payment(
            4_000_000, BILLS, requested={13: 45_678, 11: 1_000_000}, today=TODAY
        )
        # Listed in (due date, id) order, not in the order the person typed them.
        assert plan.allocations == (Allocation(11, 1_000_000), Allocation(13, 45_678))
        assert plan.unallocated_fen == 4_000_000 - 1_045_678

    def test_policy_is_ignored_for_a_request(self) -> None:
        a = allocate_payment(100, BILLS, OLDEST, requested={14: 100})
        b = allocate_payment(100, BILLS, CURRENT, requested={14: 100}, today=TODAY)
        assert a == b == AllocationPlan((Allocation(14, 100),), 0)

    def test_all_problems_are_reported_at_once(self) -> None:
        with pytest.raises(AllocationError) as err:
            allocate_payment(
                1_000,
                BILLS,
                requested={99: 10, 11: 0, 12: -5, 13: 45_679, 14: 1.5},  # type: ignore[dict-item]
            )
        fields = [f for f, _ in err.value.errors]
        assert fields == [
            "allocations.11",
            "allocations.12",
            "allocations.13",
            "allocations.14",
            "allocations.99",
            "allocations",
        ]
        messages = dict(err.value.errors)
        assert "not an open bill" in messages["allocations.99"]
        assert "positive" in messages["allocations.11"]
        assert "positive" in messages["allocations.12"]
        assert "45678 fen open" in messages["allocations.13"]
        assert "whole number" in messages["allocations.14"]
        assert "more than the payment" in messages["allocations"]
        assert "allocations.99" in str(err.value)

    def test_total_above_payment(self) -> None:
        with pytest.raises(AllocationError) as err:
            allocate_payment(1_000, BILLS, requested={11: 600, 12: 600})
        assert err.value.errors == (
            ("allocations", "The amounts add up to 1200 fen, more than the payment."),
        )

    def test_empty_request(self) -> None:
        with pytest.raises(AllocationError) as err:
            allocate_payment(1_000, BILLS, requested={})
        assert [f for f, _ in err.value.errors] == ["allocations"]

    def test_whole_payment_to_one_bill(self) -> None:
        plan = allocate_payment(45_678, BILLS, requested={13: 45_678})
        assert plan == AllocationPlan((Allocation(13, 45_678),), 0)


# --- properties --------------------------------------------------------------------------------

BASE = date(2024, 1, 1)


@st.composite
def open_bills(draw: st.DrawFn) -> list[OpenBill]:
    ids = draw(st.lists(st.integers(1, 10_000), unique=True, max_size=12))
    # Few distinct due dates so that ties on the due date are common.
    return [
        OpenBill(
            bill_id=i,
            due_date=BASE + timedelta(days=30 * draw(st.integers(0, 6))),
            open_fen=draw(st.integers(1, 5_000_000)),
        )
        for i in ids
    ]


policies = st.sampled_from(list(AllocationPolicy))
todays = st.dates(min_value=BASE - timedelta(days=40), max_value=BASE + timedelta(days=250))
amounts = st.integers(1, 40_000_000)


def _check_plan(plan: AllocationPlan, amount: int, bills: list[OpenBill]) -> None:
    by_id = {b.bill_id: b for b in bills}
    assert plan.allocated_fen + plan.unallocated_fen == amount
    assert plan.unallocated_fen >= 0
    ids = [a.bill_id for a in plan.allocations]
    assert len(ids) == len(set(ids))
    for a in plan.allocations:
        assert a.amount_fen > 0
        assert a.amount_fen <= by_id[a.bill_id].open_fen


@fast
@given(open_bills(), amounts, policies, todays)
def test_automatic_allocation_invariants(
    bills: list[OpenBill], amount: int, policy: AllocationPolicy, today: date
) -> None:
    plan = allocate_payment(amount, bills, policy, today=today)
    _check_plan(plan, amount, bills)
    # Money is only left over when every bill is paid in full.
    if plan.unallocated_fen > 0:
        assert plan.as_dict() == {b.bill_id: b.open_fen for b in bills}
    # Bills are filled one at a time in policy order: a prefix fully paid, then at most one
    # partly paid bill, then nothing.
    ordered = order_bills(bills, policy, today=today)
    paid = plan.as_dict()
    assert [a.bill_id for a in plan.allocations] == [b.bill_id for b in ordered[: len(paid)]]
    for bill in ordered[: len(paid) - 1]:
        assert paid[bill.bill_id] == bill.open_fen


@fast
@given(open_bills(), amounts)
def test_oldest_first_never_leaves_an_older_bill_partly_open(
    bills: list[OpenBill], amount: int
) -> None:
    paid = allocate_payment(amount, bills).as_dict()
    for newer in bills:
        if newer.bill_id not in paid:
            continue
        for older in bills:
            if (older.due_date, older.bill_id) < (newer.due_date, newer.bill_id):
                assert paid.get(older.bill_id) == older.open_fen


@fast
@given(open_bills(), amounts, todays)
def test_current_first_pays_current_bills_before_any_other(
    bills: list[OpenBill], amount: int, today: date
) -> None:
    paid = allocate_payment(amount, bills, CURRENT, today=today).as_dict()
    current = current_due_date(bills, today)
    if any(b.due_date != current and b.bill_id in paid for b in bills):
        for b in bills:
            if b.due_date == current:
                assert paid[b.bill_id] == b.open_fen


@fast
@given(open_bills(), amounts, policies, todays, st.randoms(use_true_random=False))
def test_allocation_is_deterministic_whatever_the_input_order(
    bills: list[OpenBill], amount: int, policy: AllocationPolicy, today: date, rnd: random.Random
) -> None:
    shuffled = bills[:]
    rnd.shuffle(shuffled)
    first = allocate_payment(amount, bills, policy, today=today)
    assert allocate_payment(amount, shuffled, policy, today=today) == first
    assert allocate_payment(amount, bills, policy, today=today) == first


@fast
@given(st.integers(0, 40_000_000), open_bills(), policies, todays)
def test_apply_credit_matches_automatic_payment(
    credit: int, bills: list[OpenBill], policy: AllocationPolicy, today: date
) -> None:
    plan = apply_credit(credit, bills, policy, today=today)
    _check_plan(plan, credit, bills)
    if credit > 0:
        assert plan == allocate_payment(credit, bills, policy, today=today)


@st.composite
def valid_requests(draw: st.DrawFn) -> tuple[list[OpenBill], dict[int, int], int]:
    bills = draw(open_bills().filter(bool))
    chosen = draw(st.lists(st.sampled_from(bills), unique=True, min_size=1))
    requested = {b.bill_id: draw(st.integers(1, b.open_fen)) for b in chosen}
    payment = sum(requested.values()) + draw(st.integers(0, 1_000_000))
    return bills, requested, payment


@fast
@given(valid_requests())
def test_valid_request_is_honoured(case: tuple[list[OpenBill], dict[int, int], int]) -> None:
    bills, requested, payment = case
    plan = allocate_payment(payment, bills, requested=requested)
    _check_plan(plan, payment, bills)
    assert plan.as_dict() == requested


@fast
@given(open_bills(), amounts, st.dictionaries(st.integers(-5, 10_005), st.integers(-10, 6_000_000)))
def test_any_request_is_either_valid_or_rejected_with_field_errors(
    bills: list[OpenBill], amount: int, requested: dict[int, int]
) -> None:
    try:
        plan = allocate_payment(amount, bills, requested=requested)
    except AllocationError as err:
        assert err.errors
        assert all(f == "allocations" or f.startswith("allocations.") for f, _ in err.errors)
    else:
        _check_plan(plan, amount, bills)
        assert plan.as_dict() == requested
