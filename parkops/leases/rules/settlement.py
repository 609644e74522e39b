"""The settlement of an early termination. Pure: the service loads the schedule lines in force
and the terms, applies the result (supersedes lines, adds the cut one, stores the statement).

The statement sets the deposit held (what the contract asked for at signing, terms version 1;
billing's deposit ledger corrects it for receipts, top-ups and deductions) against the
schedule's charges for the periods up to the end date, the last one cut at the end date and
prorated per the contract. Lines of later periods (and the one cut) are superseded, the cut line
added. Money is settled by billing: payments received are netted there, not here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from parkops.core.last_day import last_day_of
from parkops.leases.rules import schedule as sched


class Charged(Protocol):
    """What a statement line reads of a schedule line (stored or computed)."""

    @property
    def due_date(self) -> date: ...

    @property
    def rent_fen(self) -> int: ...

    @property
    def property_fee_fen(self) -> int: ...


class InForce(Charged, Protocol):
    """A schedule line in force (stored, not superseded)."""

    @property
    def seq(self) -> int: ...

    @property
    def period_start(self) -> date: ...

    @property
    def period_end(self) -> date: ...

    @property
    def terms_version(self) -> int: ...


@dataclass(frozen=True)
class Settlement:
    end: date  # exclusive: the day after the last day of use
    deposit_held_fen: int
    lines: tuple[dict[str, Any], ...]  # the statement's lines: periods charged up to the end
    superseded: tuple[int, ...]  # positions (in the lines given) of the lines no longer in force
    cut: sched.ScheduleLine | None  # the period cut at the end, to add in place of its line
    cut_version: int | None  # the terms version the cut line was computed from

    @property
    def charges_due_fen(self) -> int:
        return sum(line["total_fen"] for line in self.lines)

    @property
    def balance_fen(self) -> int:
        return self.deposit_held_fen - self.charges_due_fen

    def statement(self) -> dict[str, Any]:
        return {
            "last_day": _iso_last_day(self.end),
            "deposit_held_fen": self.deposit_held_fen,
            "charges_due_fen": self.charges_due_fen,
            "balance_fen": self.balance_fen,
            "lines": list(self.lines),
            "lines_superseded": len(self.superseded),
            "note": "Charges per the rent schedule up to the last day of use; payments received "
            "are netted by billing.",
        }


def settle(
    lines: Sequence[InForce],
    end: date,
    deposit_held_fen: int,
    cut_terms: Callable[[int], sched.LeaseTerms],
) -> Settlement:
    """The settlement of a contract ended (exclusive) at ``end``, its schedule ``lines`` in force
    in period order. ``cut_terms(version)`` gives the terms of that version cut short at ``end``.

    Raises ``ValueError`` when the cut period cannot be computed from those terms (a term that
    would end before the contract could ask for anything): nothing can be settled at that end.
    """
    kept: list[dict[str, Any]] = []
    superseded: list[int] = []
    cut: sched.ScheduleLine | None = None
    cut_version: int | None = None
    for position, line in enumerate(lines):
        if line.period_end <= end:
            kept.append(statement_line(line.seq, line.period_start, line.period_end, line))
            continue
        superseded.append(position)
        if line.period_start < end:
            cut = _cut_period(cut_terms(line.terms_version), line.period_start)
            cut_version = line.terms_version
            kept.append(statement_line(cut.index, cut.period_start, cut.period_end, cut))
    return Settlement(end, deposit_held_fen, tuple(kept), tuple(superseded), cut, cut_version)


def _cut_period(terms: sched.LeaseTerms, period_start: date) -> sched.ScheduleLine:
    for line in sched.compute_schedule(terms):
        if line.period_start == period_start:
            return line
    raise ValueError(f"no period from {period_start.isoformat()} in the cut schedule")


def statement_line(seq: int, start: date, end: date, line: Charged) -> dict[str, Any]:
    return {
        "seq": seq,
        "period_start": start.isoformat(),
        "period_last_day": _iso_last_day(end),
        "due_date": line.due_date.isoformat(),
        "rent_fen": line.rent_fen,
        "property_fee_fen": line.property_fee_fen,
        "total_fen": line.rent_fen + line.property_fee_fen,
    }


def _iso_last_day(end: date) -> str:
    last = last_day_of(end)
    assert last is not None  # a date in, a date out
    return last.isoformat()
