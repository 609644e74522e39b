"""The billing oracle itself: independent of the code it checks, and right on examples worked
out by hand from the lease terms (issue 10's figures)."""

from __future__ import annotations

import ast
from datetime import date
from fractions import Fraction
from pathlib import Path

from tests.oracle import ledger
from tests.oracle.money import half_up, largest_remainder
from tests.oracle.schedule import Terms, schedule

ORACLE = Path(__file__).resolve().parents[2] / "oracle"
FORBIDDEN = ("parkops.billing", "parkops.leases")


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names.append(node.module or "")
            names += [f"{node.module}.{a.name}" for a in node.names]
    return names


def test_the_oracle_imports_nothing_from_billing_or_leases():
    modules = sorted(ORACLE.glob("*.py"))
    assert len(modules) >= 4
    for path in modules:
        for name in _imports(path):
            assert not name.startswith(FORBIDDEN), f"{path.name} imports {name}"
            # Nothing of the product at all: its arithmetic is what the oracle checks.
            assert not name.startswith("parkops"), f"{path.name} imports {name}"


def test_half_up_and_largest_remainder():
    assert [half_up(Fraction(x, 2)) for x in (1, 3, 5)] == [1, 2, 3]
    assert half_up(Fraction(149, 100)) == 1
    assert largest_remainder(10_000, [Fraction(1)] * 3) == [3_334, 3_333, 3_333]
    assert largest_remainder(70_000, [Fraction(1)] * 3) == [23_334, 23_333, 23_333]
    assert sum(largest_remainder(99_999, [Fraction(7), Fraction(3), Fraction(11)])) == 99_999


def test_a_quarterly_schedule_by_hand():
    """2,000 m² at 18 元/m²·月 + 3 元 fee, quarterly, 2026-01-01 to 2026-08-15: three whole
    quarters except the last, cut after 15 of August's 31 days."""
    t = Terms(date(2026, 1, 1), date(2026, 8, 15), Fraction(18), True, Fraction(2000),
              fee_rate=Fraction(3))  # fmt: skip
    lines = [(p.start, p.last_day, p.due, p.rent_fen, p.fee_fen) for p in schedule(t)]
    assert lines == [
        (date(2026, 1, 1), date(2026, 3, 31), date(2026, 1, 1), 10_800_000, 1_800_000),
        (date(2026, 4, 1), date(2026, 6, 30), date(2026, 4, 1), 10_800_000, 1_800_000),
        # July whole, then 15/31 of August: 36,000 x (1 + 15/31) = 53,419.35...
        (date(2026, 7, 1), date(2026, 8, 15), date(2026, 7, 1), 5_341_935, 890_323),
    ]


def test_the_issue_10_catch_up_late_fees_of_1505():
    """10,000.00 a month due on the 1st from 2026-06-01, approved 2026-08-20, first run in
    September: 121 + 91 + 60 + 29 days on 10,000.00 at 0.05% = 1,505.00, charged in October."""
    t = Terms(date(2026, 6, 1), date(2027, 5, 31), Fraction(10_000), False, Fraction(100),
              cycle_months=1, due_day_of_month=1)  # fmt: skip
    park = ledger.Park({"electricity": Fraction(100)})
    park.contracts.append(
        ledger.Contract(0, 0, lambda: schedule(t), t.start, lambda: t.last_day, [],
                        Fraction(5, 10_000), Fraction(10), approved_on=date(2026, 8, 20))
    )  # fmt: skip
    park.run(date(2026, 9, 1), date(2026, 9, 1))
    park.run(date(2026, 10, 1), date(2026, 10, 1))
    fees = [ln.amount for ln in park.bills[1].lines if ln.kind == "late_fee"]
    assert fees == [60_500, 45_500, 30_000, 14_500]
    assert {ln.due for ln in park.bills[1].lines if ln.kind == "late_fee"} == {date(2026, 10, 11)}
