"""Bills, payments, late fees and balances of one park, replayed event by event.

The caller feeds what happened in date order (``approve``, ``run``, ``pay``) and reads the
bills and balances back. Everything is integer fen; the rules are DOMAIN.md's, with the
choices of ``choices.py`` where it leaves one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction

from tests.oracle import choices
from tests.oracle.money import half_up, largest_remainder
from tests.oracle.schedule import ONE_DAY, Period, add_months

CATCH_UP_MONTHS = 12


@dataclass
class Line:
    kind: str
    period_start: date | None
    period_end: date | None  # exclusive
    due: date
    amount: int
    source: tuple  # what it charges, for order on the bill and double-charge checks
    paid: list[tuple[date, int]] = field(default_factory=list)
    fee_charged: int = 0
    fee_to: date | None = None
    no: int = 0  # position in the park's ledger (the product's line id order)

    @property
    def principal(self) -> bool:
        return self.kind != "late_fee"

    def unpaid_on(self, day: date) -> int:
        """Unpaid at the end of ``day`` (a payment counts from the day it was received)."""
        return self.amount - sum(fen for d, fen in self.paid if d <= day)

    @property
    def open(self) -> int:
        return self.amount - sum(fen for _, fen in self.paid)


@dataclass
class Bill:
    no: int
    contract: int
    month: date
    lines: list[Line]

    @property
    def due(self) -> date:
        return min(ln.due for ln in self.lines)

    @property
    def total(self) -> int:
        return sum(ln.amount for ln in self.lines)

    @property
    def open(self) -> int:
        return sum(ln.open for ln in self.lines)

    def pay(self, day: date, fen: int) -> None:
        """Fill the lines: principal by (due date, position), late fees after all principal."""
        for ln in sorted(self.lines, key=lambda ln: (not ln.principal, ln.due, ln.no)):
            part = min(fen, ln.open)
            if part > 0:
                ln.paid.append((day, part))
                fen -= part


@dataclass
class Contract:
    key: int
    enterprise: int
    periods: Callable[[], list[Period]]  # the current schedule (amendments, termination)
    start: date
    last_day: Callable[[], date]
    units: list[tuple[int, Fraction]]  # (unit key, gross area)
    late_rate: Fraction
    cap_percent: Fraction | None
    approved_on: date | None = None
    order: int = 0  # when it was drawn up (the product's contract id order)
    billed_periods: set[date] = field(default_factory=set)
    billed_months: set[date] = field(default_factory=set)

    def binding(self, day: date) -> bool:
        return self.approved_on is not None and self.approved_on <= day

    def days_in(self, month: date) -> int:
        end = min(add_months(month, 1), self.last_day() + ONE_DAY)
        return max(0, (end - max(month, self.start)).days)


@dataclass(frozen=True)
class Reading:
    no: int  # creation order (the product's reading id order)
    kind: str  # electricity / water
    month: date
    quantity: Fraction
    unit: int | None = None  # a unit meter's unit; None: a common meter of the building


class Park:
    def __init__(self, prices: dict[str, Fraction], utility_due_days: int = 10) -> None:
        self.prices = prices  # fen per kWh / m³
        self.due_days = utility_due_days
        self.contracts: list[Contract] = []
        self.readings: list[Reading] = []
        self.bills: list[Bill] = []
        self.credit: dict[int, int] = {}  # enterprise -> unallocated money
        self.reading_billed: set[tuple[int, int]] = set()  # (reading, contract)
        self.common_split: dict[int, dict[int, int]] = {}  # reading -> contract -> fen
        self._line_no = 0

    # --- events -----------------------------------------------------------------------------

    def run(self, month: date, day: date) -> None:
        cutoff = min(month, day)
        other_due = day + timedelta(days=self.due_days)
        for c in sorted(self.contracts, key=lambda c: c.order):
            if not c.binding(day) or month in c.billed_months:
                continue
            lines = self._schedule_lines(c, month)
            lines += self._utility_lines(c, month, day, other_due)
            lines += self._late_fees(c, cutoff, other_due)
            if not lines:
                continue
            lines.sort(key=lambda ln: (choices.LINE_ORDER.index(ln.kind), ln.source))
            for ln in lines:
                self._line_no += 1
                ln.no = self._line_no
            c.billed_months.add(month)
            self.bills.append(Bill(len(self.bills) + 1, c.key, month, lines))
        for enterprise in sorted(self.credit):
            self._allocate(enterprise, day, 0)

    def pay(self, enterprise: int, day: date, fen: int) -> None:
        self._allocate(enterprise, day, fen)

    # --- what a run bills ---------------------------------------------------------------------

    def _schedule_lines(self, c: Contract, month: date) -> list[Line]:
        out = []
        window = add_months(month, -CATCH_UP_MONTHS)
        for p in c.periods():
            if p.start in c.billed_periods or not window <= p.due < add_months(month, 1):
                continue
            if p.rent_fen == 0 and p.fee_fen == 0:
                continue
            c.billed_periods.add(p.start)
            end = p.last_day + ONE_DAY
            for kind, fen in (("rent", p.rent_fen), ("property_fee", p.fee_fen)):
                out.append(Line(kind, p.start, end, p.due, fen, (p.start,)))
        return out

    def _utility_lines(self, c: Contract, month: date, day: date, due: date) -> list[Line]:
        out = []
        window = add_months(month, -CATCH_UP_MONTHS)
        units = {u for u, _ in c.units}
        for r in self.readings:
            if not window <= r.month < month or (r.no, c.key) in self.reading_billed:
                continue
            if r.unit is not None:
                if r.unit not in units or c.days_in(r.month) == 0:
                    continue
                fen = half_up(r.quantity * self.prices[r.kind])
                kind = r.kind
            else:
                split = self._split(r, day)
                if c.key not in split:
                    continue
                fen, kind = split[c.key], f"common_{r.kind}"
            self.reading_billed.add((r.no, c.key))
            end = add_months(r.month, 1)
            out.append(Line(kind, r.month, end, due, fen, (r.no, c.key)))
        return out

    def _split(self, r: Reading, day: date) -> dict[int, int]:
        """The building's charge for a common reading, divided once by leased area x days."""
        if r.no not in self.common_split:
            weights = {
                c.key: sum(a for _, a in c.units) * c.days_in(r.month)
                for c in self.contracts
                if c.binding(day) and c.days_in(r.month) > 0
            }
            if not weights:
                return {}
            keys = sorted(weights, key=lambda k: self.contracts[k].order)
            whole = half_up(r.quantity * self.prices[r.kind])
            parts = largest_remainder(whole, [Fraction(weights[k]) for k in keys])
            self.common_split[r.no] = dict(zip(keys, parts, strict=True))
        return self.common_split[r.no]

    def _late_fees(self, c: Contract, cutoff: date, due: date) -> list[Line]:
        out = []
        for bill in self.bills:
            if bill.contract != c.key:
                continue
            for ln in bill.lines:
                if not ln.principal or ln.amount <= 0:
                    continue
                first = max(ln.due + ONE_DAY, ln.fee_to or date.min)
                if first >= cutoff:
                    continue
                exact, day = Fraction(0), first
                while day < cutoff:
                    exact += ln.unpaid_on(day) * c.late_rate
                    day += ONE_DAY
                fee = half_up(exact)
                if c.cap_percent is not None:
                    cap = half_up(ln.unpaid_on(ln.due + ONE_DAY) * c.cap_percent / 100)
                    fee = min(fee, max(0, cap - ln.fee_charged))
                if fee <= 0:
                    continue
                ln.fee_charged += fee
                ln.fee_to = cutoff
                out.append(Line("late_fee", first, cutoff, due, fee, (ln.no, first)))
        return out

    # --- money ------------------------------------------------------------------------------------

    def _allocate(self, enterprise: int, day: date, fen: int) -> None:
        """New money (or the credit held) pays the enterprise's open bills, oldest due first."""
        fen += self.credit.pop(enterprise, 0)
        owner = {c.key: c.enterprise for c in self.contracts}
        for bill in sorted(self.bills, key=lambda b: (b.due, b.no)):
            if owner[bill.contract] != enterprise or fen <= 0:
                continue
            part = min(fen, bill.open)
            if part > 0:
                bill.pay(day, part)
                fen -= part
        if fen:
            self.credit[enterprise] = fen

    def balance(self, enterprise: int, today: date) -> dict[str, int]:
        owner = {c.key: c.enterprise for c in self.contracts}
        mine = [b for b in self.bills if owner[b.contract] == enterprise]
        return {
            "open_fen": sum(b.open for b in mine),
            "overdue_fen": sum(b.open for b in mine if b.due < today),
            "credit_fen": self.credit.get(enterprise, 0),
        }
