"""Which lines of a bill its money settled, and when: the unpaid principal of each line, per day.

Payments are allocated to *bills* (``allocation.py``); late fees accrue per *line*, each from the
day after its own due date, on what is still unpaid of that line (DOMAIN.md, "Billing
arithmetic"). This pure module attributes a bill's money to its lines by one fixed rule, so that
every line has a principal history to charge late fees on, and a person can see what is still
open of each line.

**The rule.**

1. *Credits come first and count from the start.* A credit note takes an amount off the bill as
   if it had never been charged (so no late fee ever accrues on it), and a negative line on the
   bill (a credit adjustment) does the same. A credit note that names its line (a late-fee
   waiver names the late-fee line; a schedule correction's credit note the line that charged the
   corrected period) reduces that line; every other credit (a void, a correction typed by
   finance, a negative line) reduces the lines in the order of rule 3.
2. *Payments in the order the money arrived.* The bill's allocations (payments and credit used
   on it) are taken by effective date, then in the order they were recorded.
3. *Oldest due line first, principal before late fees.* Each amount fills the lines completely,
   one after the other: first the principal lines (every line but late fees) by due date, then
   by their position on the bill (line id); then the late-fee lines in the same order. Paying
   principal first keeps what accrues late fees as small as possible; late-fee lines never
   accrue late fees themselves.

Money beyond every line (which the database's checks make impossible) is ignored rather than
raising: a bill must stay readable. Amounts are integer fen; nothing is rounded here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class Line:
    """A bill line as attribution sees it. ``late_fee`` lines are paid after all principal."""

    line_id: int
    due_date: date
    amount_fen: int
    late_fee: bool = False


@dataclass(frozen=True, slots=True)
class Credit:
    """Money taken off the bill from the start: a credit note (``line_id`` when it names its
    line) or a negative line's amount (as a positive number)."""

    amount_fen: int
    line_id: int | None = None


@dataclass
class LineAccount:
    """What became of one line: its principal after credits, and the payments that paid it."""

    line_id: int
    due_date: date
    amount_fen: int
    credited_fen: int = 0
    payments: list[tuple[date, int]] = field(default_factory=list)  # (effective date, fen)

    @property
    def principal_fen(self) -> int:
        """The amount less credits: what was ever owed on the line."""
        return self.amount_fen - self.credited_fen

    @property
    def paid_fen(self) -> int:
        return sum(fen for _, fen in self.payments)

    @property
    def open_fen(self) -> int:
        return self.principal_fen - self.paid_fen


def payment_order(lines: Iterable[Line]) -> list[Line]:
    """The order money fills a bill's lines: principal by (due date, line id), then late fees."""
    return sorted(lines, key=lambda ln: (ln.late_fee, ln.due_date, ln.line_id))


def settle(
    lines: Sequence[Line],
    credits: Iterable[Credit] = (),
    payments: Iterable[tuple[date, int]] = (),
) -> dict[int, LineAccount]:
    """Attribute a bill's credits and payments to its lines; line id -> :class:`LineAccount`.

    ``lines`` are all the bill's lines; negative ones are turned into credits (their own account
    stays at zero). ``payments`` are ``(effective date, fen)`` allocations to the bill in the
    order they were recorded; they are applied by date, that order breaking ties.
    """
    accounts = {
        ln.line_id: LineAccount(ln.line_id, ln.due_date, max(ln.amount_fen, 0)) for ln in lines
    }
    charges = [ln for ln in lines if ln.amount_fen > 0]
    ordered = [accounts[ln.line_id] for ln in payment_order(charges)]
    general = [Credit(-ln.amount_fen) for ln in lines if ln.amount_fen < 0]
    for credit in credits:
        named = accounts.get(credit.line_id) if credit.line_id is not None else None
        if named is None:
            general.append(credit)
            continue
        part = min(credit.amount_fen, named.open_fen)
        named.credited_fen += part
        if credit.amount_fen > part:
            general.append(Credit(credit.amount_fen - part))
    for credit in general:
        _fill(ordered, credit.amount_fen, None)
    # sorted() is stable: allocations of one day stay in the order they were recorded.
    for day, fen in sorted(payments, key=lambda p: p[0]):
        _fill(ordered, fen, day)
    return accounts


def _fill(ordered: Sequence[LineAccount], amount: int, day: date | None) -> None:
    """Fill the lines in order with ``amount``: a credit (``day`` None) or a payment."""
    for account in ordered:
        if amount <= 0:
            return
        part = min(amount, account.open_fen)
        if part <= 0:
            continue
        if day is None:
            account.credited_fen += part
        else:
            account.payments.append((day, part))
        amount -= part
