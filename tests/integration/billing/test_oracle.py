"""The real billing, month by month for two years, against the independent oracle
(tests/oracle): random contracts (every payment cycle, rent-free months, escalation, mid-month
starts and ends, several units, per-m² and fixed rents, late approval with catch-up, signing
dates), unit and common-area meters, partial payments on random days. Every bill line, due
date, late fee, allocation and balance must agree fen for fen.

`--hypothesis-profile=thorough` (``make oracle``) runs many more examples."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, Phase, given, settings

from tests.conftest import oracle_examples
from tests.integration.billing import oracle_driver as drv
from tests.oracle import stats
from tests.oracle.cases import cases


@settings(
    max_examples=oracle_examples(5),
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    deadline=None,
)
@given(case=cases())
async def test_bills_payments_and_balances_match_the_oracle(db, case):
    outer = await db.begin_nested()
    try:
        world = await drv.build(db, case)
        await drv.play(world)
        product, oracle = await drv.product_bills(world), drv.oracle_bills(world)
        # What was charged first (a difference there moves every payment after it), then
        # what was paid.
        for got, want in zip(product, oracle, strict=False):
            assert got[:5] == want[:5], drv.explain(got, want)
        for got, want in zip(product, oracle, strict=False):
            assert got == want, drv.explain(got, want)
        assert len(product) == len(oracle)
        end = drv.month(drv.MONTHS)
        for today in (end, date(2026, 7, 1)):
            got_b, want_b = await drv.balances(world, today)
            assert got_b == want_b
        stats.record(
            "billing (database)",
            months=drv.MONTHS,
            contracts=len(case.contracts),
            bills=len(oracle),
            lines=sum(len(b[3]) for b in oracle),
            allocations=sum(len(b[6]) for b in oracle),
            balances=2 * len(case.contracts),
        )
    finally:
        await outer.rollback()
