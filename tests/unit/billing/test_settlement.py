"""Which lines of a bill its money paid: the rule late fees and dunning letters rely on."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from parkops.billing.rules.settlement import Credit, Line, settle

JUNE, JULY, AUGUST = date(2026, 6, 1), date(2026, 7, 1), date(2026, 8, 1)


def test_a_payment_fills_the_oldest_due_line_first_then_by_line_order():
    lines = [Line(3, JULY, 1_000), Line(1, JUNE, 1_000), Line(2, JULY, 1_000)]
    accounts = settle(lines, payments=[(date(2026, 9, 10), 1_500)])
    assert accounts[1].payments == [(date(2026, 9, 10), 1_000)]
    assert accounts[2].payments == [(date(2026, 9, 10), 500)]  # same due date: lower id first
    assert accounts[3].payments == []
    assert [accounts[i].open_fen for i in (1, 2, 3)] == [0, 500, 1_000]


def test_principal_is_paid_before_late_fee_lines_whatever_their_dates():
    lines = [Line(1, AUGUST, 1_000), Line(2, JUNE, 300, late_fee=True)]
    accounts = settle(lines, payments=[(date(2026, 9, 1), 1_100)])
    assert (accounts[1].open_fen, accounts[2].open_fen) == (0, 200)


def test_payments_are_applied_by_the_day_the_money_counts_from():
    lines = [Line(1, JUNE, 1_000), Line(2, JULY, 1_000)]
    # Recorded in this order, but the money of 5 September arrived first: it pays June.
    accounts = settle(lines, payments=[(date(2026, 9, 9), 1_000), (date(2026, 9, 5), 1_000)])
    assert accounts[1].payments == [(date(2026, 9, 5), 1_000)]
    assert accounts[2].payments == [(date(2026, 9, 9), 1_000)]


def test_credits_count_from_the_start_named_ones_on_their_line():
    lines = [Line(1, JUNE, 1_000), Line(2, JULY, 1_000), Line(3, JULY, -300)]
    accounts = settle(
        lines,
        credits=[Credit(400, line_id=2), Credit(100)],
        payments=[(date(2026, 9, 1), 700)],
    )
    # The negative line (300) and the general credit (100) take June's first 400; July's
    # named credit takes 400 of July. The payment then pays June's 600 and 100 of July.
    assert (accounts[1].credited_fen, accounts[2].credited_fen) == (400, 400)
    assert (accounts[1].open_fen, accounts[2].open_fen) == (0, 500)
    assert accounts[3].principal_fen == 0


def test_a_named_credit_larger_than_its_line_passes_the_rest_on():
    accounts = settle([Line(1, JUNE, 1_000), Line(2, JULY, 1_000)], credits=[Credit(1_500, 2)])
    assert (accounts[1].credited_fen, accounts[2].credited_fen) == (500, 1_000)


lines_strategy = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=60),
        st.integers(min_value=-5_000, max_value=100_000),
        st.booleans(),
    ),
    min_size=1,
    max_size=8,
).map(
    lambda rows: [
        Line(i + 1, JUNE + timedelta(days=d), amount, late_fee=fee and amount > 0)
        for i, (d, amount, fee) in enumerate(rows)
    ]
)


@given(
    lines_strategy,
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=90), st.integers(min_value=1, max_value=10**5)
        ),
        max_size=6,
    ),
    st.lists(st.integers(min_value=1, max_value=50_000), max_size=3),
)
def test_money_is_conserved_and_never_skips_an_older_line(lines, paid, credits):
    payments = [(JUNE + timedelta(days=d), fen) for d, fen in paid]
    accounts = settle(lines, [Credit(c) for c in credits], payments)
    owed = sum(max(ln.amount_fen, 0) for ln in lines)
    reductions = sum(credits) + sum(-ln.amount_fen for ln in lines if ln.amount_fen < 0)
    given_out = sum(a.credited_fen + a.paid_fen for a in accounts.values())
    assert given_out == min(owed, reductions + sum(fen for _, fen in payments))
    for account in accounts.values():
        assert 0 <= account.open_fen <= account.amount_fen
    # Rule 3: a line got money only once every line before it in the order is settled.
    order = sorted(
        (ln for ln in lines if ln.amount_fen > 0),
        key=lambda ln: (ln.late_fee, ln.due_date, ln.line_id),
    )
    for earlier, later in pairwise(order):
        got = accounts[later.line_id].credited_fen + accounts[later.line_id].paid_fen
        if got:
            assert accounts[earlier.line_id].open_fen == 0
    # Payments keep their dates and come in date order on each line.
    for account in accounts.values():
        days = [d for d, _ in account.payments]
        assert days == sorted(days)
