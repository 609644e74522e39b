"""The settlement of an early termination, without a database.

Expected amounts are computed by hand in the comments, not by running the code.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

import pytest

from parkops.leases.rules.schedule import LeaseTerms, PaymentCycle, compute_schedule
from parkops.leases.rules.settlement import settle

YUAN = 100


@dataclass
class Stored:
    """A schedule line as the database keeps it."""

    seq: int
    period_start: date
    period_end: date
    due_date: date
    rent_fen: int
    property_fee_fen: int
    terms_version: int = 1


# 1,000 m² at 10 元/m²·month, monthly, from 2026-01-01 for a year: 10,000 元 a month.
TERMS = LeaseTerms(
    start=date(2026, 1, 1),
    end=date(2027, 1, 1),
    rent_rate=Decimal(10),
    gross_area_m2=Decimal(1000),
    cycle=PaymentCycle.MONTHLY,
)


def stored(terms: LeaseTerms) -> list[Stored]:
    return [
        Stored(ln.index, ln.period_start, ln.period_end, ln.due_date, ln.rent_fen, 0)
        for ln in compute_schedule(terms)
    ]


def cut_at(end: date):
    return lambda _version: replace(TERMS, end=end)


def test_a_cut_inside_a_period_charges_the_days_used_and_supersedes_the_rest():
    end = date(2026, 3, 11)  # last day of use 2026-03-10: 10 of March's 31 days
    result = settle(stored(TERMS), end, 20_000 * YUAN, cut_at(end))
    # January and February whole (10,000 元 each), March 10/31 x 10,000 = 3,225.806... -> 3,225.81
    assert [line["total_fen"] for line in result.lines] == [10_000_00, 10_000_00, 3_225_81]
    assert result.lines[-1]["period_last_day"] == "2026-03-10"
    assert result.charges_due_fen == 23_225_81
    assert result.balance_fen == 20_000_00 - 23_225_81
    assert result.superseded == tuple(range(2, 12))  # March (cut) to December
    assert result.cut is not None and (result.cut.period_start, result.cut.period_end) == (
        date(2026, 3, 1),
        end,
    )
    assert result.cut_version == 1
    statement = result.statement()
    assert (statement["last_day"], statement["lines_superseded"]) == ("2026-03-10", 10)
    assert statement["balance_fen"] == -3_225_81


def test_an_end_on_a_period_boundary_cuts_nothing():
    end = date(2026, 4, 1)  # last day of use 2026-03-31
    result = settle(stored(TERMS), end, 0, cut_at(end))
    assert result.cut is None and result.cut_version is None
    assert result.charges_due_fen == 30_000_00
    assert result.superseded == tuple(range(3, 12))


def test_the_cut_uses_the_terms_version_of_the_line_it_cuts():
    lines = stored(TERMS)
    lines[2].terms_version = 2
    asked = []
    end = date(2026, 3, 11)

    def terms(version):
        asked.append(version)
        return replace(TERMS, end=end)

    result = settle(lines, end, 0, terms)
    assert asked == [2] and result.cut_version == 2


def test_an_end_the_terms_cannot_reach_is_a_value_error():
    """Signed on 2026-03-20, ended on 2026-03-10: a term ending before its signing date has no
    schedule (the service turns this into a field error)."""
    signed = replace(TERMS, signed_on=date(2026, 3, 20))
    end = date(2026, 3, 11)
    with pytest.raises(ValueError):
        settle(stored(TERMS), end, 0, lambda _v: replace(signed, end=end))
