"""The rent schedule of the product (pure, no database) against the billing oracle's, for
hundreds of random contracts a second: every period, due date, rent and property fee, fen for
fen, also after an early end. The integration test (tests/integration/billing/test_oracle.py)
runs fewer, whole contracts through the database; this one covers the arithmetic widely."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from parkops.core.last_day import end_after
from parkops.leases.rules import schedule as sched
from parkops.leases.rules import terms as t
from parkops.leases.rules.cut_short import cut_short
from tests.conftest import oracle_examples
from tests.oracle import stats
from tests.oracle.cases import ContractCase, contract_cases, form_values
from tests.oracle.schedule import schedule


def product_schedule(case: ContractCase, last_day=None) -> list[tuple]:
    errors: dict = {}
    terms = t.parse_terms(form_values(case), errors)
    assert terms is not None and not errors, errors
    start, end = case.terms.start, end_after(last_day or case.terms.last_day)
    area = sum(case.unit_areas, Decimal(0))
    lt = t.lease_terms(cut_short(terms, start, end), start, end, area, area)
    return [
        (ln.period_start, ln.period_end - timedelta(days=1), ln.due_date, ln.rent_fen,
         ln.property_fee_fen)
        for ln in sched.compute_schedule(lt)
    ]  # fmt: skip


def oracle_schedule(case: ContractCase, last_day=None) -> list[tuple]:
    terms = case.terms.until(last_day) if last_day else case.terms
    return [(p.start, p.last_day, p.due, p.rent_fen, p.fee_fen) for p in schedule(terms)]


@settings(max_examples=oracle_examples(200), deadline=None)
@given(case=contract_cases(), cut=st.integers(0, 100))
def test_the_schedule_matches_the_oracle_also_after_an_early_end(case, cut):
    want = oracle_schedule(case)
    assert product_schedule(case) == want
    compared = len(want)
    days = (case.terms.last_day - case.terms.start).days
    last_day = case.terms.start + timedelta(days=days * cut // 100)
    # Not before the signing date: the product refuses such terms (a gap, see the README).
    last_day = max(last_day, case.terms.signed_on or last_day)
    if last_day < case.terms.last_day:
        want = oracle_schedule(case, last_day)
        assert product_schedule(case, last_day) == want
        compared += len(want)
    stats.record("schedule (pure)", periods=compared)
