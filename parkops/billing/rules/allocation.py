"""Payment allocation: which open bills a payment (or an enterprise's credit) settles, and how much.

A pure module: it receives the enterprise's open bills as plain values and returns a plan; the
billing service records the allocation rows and, for ``unallocated_fen``, the enterprise credit.
Nothing here touches the database or knows about HTTP.

Three ways to allocate, all returning an :class:`AllocationPlan`:

* ``oldest_due_first`` (the default): bills in order of due date, oldest first. Each bill is paid
  in full before the next one receives anything, so an older bill is never left partly open while
  a newer one got money.
* ``current_first``: the bills of the *current* period first (defined in
  :func:`current_due_date`), then the rest oldest-first. Tenants who pay "this quarter's rent"
  and dispute an old bill expect this.
* explicit: a finance officer types how much goes to which bill. The request is validated as a
  whole and every problem is reported as a ``(field, message)`` pair at once; nothing is
  allocated automatically on top of it, the remainder becomes credit.

Ordering must be deterministic (the same payment against the same bills must give the same plan
whichever order the database returned them in), so every tie is broken by due date, then by bill
id. Bill ids are database identities, so id order is creation order: among bills due the same
day, the one issued first is paid first.

Amounts are integer fen. No rounding happens here: allocation only splits whole fen.

Allocation stops at the bill. Which of a bill's lines its money paid (what late fees accrue on,
line by line) follows one fixed rule in ``settlement.py``: oldest due line first, then line
order, principal before late fees.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import NamedTuple

from parkops.core.i18n import N_, Message


class AllocationPolicy(StrEnum):
    """How a payment or credit is spread over open bills when nobody says where it goes."""

    OLDEST_DUE_FIRST = "oldest_due_first"
    CURRENT_FIRST = "current_first"


@dataclass(frozen=True, slots=True)
class OpenBill:
    """What allocation needs to know about one open bill.

    ``open_fen`` is what is still owed on the bill (its total less earlier allocations and credit
    notes) and must be positive: a bill with nothing open is not an open bill, and letting zero
    through would produce zero-fen allocation rows.
    """

    bill_id: int
    due_date: date
    open_fen: int

    def __post_init__(self) -> None:
        # Guard the "money is integer fen" rule at the boundary: a float or Decimal here means a
        # caller converted yuan somewhere it should not have.
        if not _is_fen(self.open_fen):
            raise TypeError(f"bill {self.bill_id}: open_fen must be an int number of fen")
        if self.open_fen <= 0:
            raise ValueError(f"bill {self.bill_id}: open_fen must be positive, got {self.open_fen}")


class Allocation(NamedTuple):
    """``amount_fen`` of a payment or credit applied to bill ``bill_id``."""

    bill_id: int
    amount_fen: int


@dataclass(frozen=True, slots=True)
class AllocationPlan:
    """The result: allocations in the order they were applied, and what is left over.

    ``unallocated_fen`` is never negative; when positive the caller records it as enterprise
    credit (for a payment) or leaves it as remaining credit (for :func:`apply_credit`).
    """

    allocations: tuple[Allocation, ...]
    unallocated_fen: int

    @property
    def allocated_fen(self) -> int:
        return sum(a.amount_fen for a in self.allocations)

    @property
    def total_fen(self) -> int:
        """The payment or credit that was allocated: allocated plus unallocated."""
        return self.allocated_fen + self.unallocated_fen

    def as_dict(self) -> dict[int, int]:
        """Bill id -> amount, for callers that look allocations up by bill."""
        return {a.bill_id: a.amount_fen for a in self.allocations}


class AllocationError(ValueError):
    """An explicit allocation request was invalid.

    ``errors`` holds every problem found as ``(field, message)``, so a form can show them all at
    once next to the right inputs. Field names: ``"amount_fen"`` for the payment itself,
    ``"allocations"`` for the request as a whole, ``"allocations.<bill_id>"`` for one bill's
    amount. The service turns this into the application's user-facing error type.
    """

    def __init__(self, errors: Iterable[tuple[str, str]]) -> None:
        self.errors: tuple[tuple[str, str], ...] = tuple(errors)
        super().__init__("; ".join(f"{f}: {m}" for f, m in self.errors))


def current_due_date(bills: Iterable[OpenBill], today: date) -> date | None:
    """The due date that identifies the *current* bills, or ``None`` when there are no bills.

    Current means: the latest due date that is on or before ``today``. Bills are billed in
    advance, so the bill that most recently fell due is the one for the period the tenant is in
    now (a quarterly rent bill due 5 April is "current" from 5 April until the July bill falls
    due); older due dates are arrears, later ones are bills issued ahead of their period.

    If no open bill has fallen due yet (all are issued ahead), the earliest upcoming due date is
    current: the next bill to fall due is the one the tenant is paying, and preferring a later
    one would pay a period in the future before an earlier one.

    Several bills can share the current due date (rent, property fee and utilities of the same
    period); all of them are current.
    """
    dues = sorted({b.due_date for b in bills})
    if not dues:
        return None
    fallen_due = [d for d in dues if d <= today]
    return fallen_due[-1] if fallen_due else dues[0]


def order_bills(
    bills: Iterable[OpenBill],
    policy: AllocationPolicy = AllocationPolicy.OLDEST_DUE_FIRST,
    *,
    today: date | None = None,
) -> list[OpenBill]:
    """The bills in the order automatic allocation pays them (also useful to show to a person).

    ``oldest_due_first``: by ``(due_date, bill_id)``. ``current_first``: the bills with the
    :func:`current_due_date` first (by bill id), then the others by ``(due_date, bill_id)``; this
    needs ``today``.
    """
    policy = AllocationPolicy(policy)  # accepts the stored string value too; unknown -> ValueError
    bills = _checked_bills(bills)
    by_age = sorted(bills, key=lambda b: (b.due_date, b.bill_id))
    if policy is AllocationPolicy.OLDEST_DUE_FIRST:
        return by_age
    # current_first
    if today is None:
        raise ValueError("current_first allocation needs today's date")
    current = current_due_date(by_age, today)
    # A stable partition of the age-sorted list keeps both halves in (due_date, bill_id) order.
    return [b for b in by_age if b.due_date == current] + [
        b for b in by_age if b.due_date != current
    ]


def allocate_payment(
    amount_fen: int,
    bills: Iterable[OpenBill],
    policy: AllocationPolicy = AllocationPolicy.OLDEST_DUE_FIRST,
    *,
    today: date | None = None,
    requested: Mapping[int, int] | None = None,
) -> AllocationPlan:
    """Allocate a payment of ``amount_fen`` (> 0) to ``bills``.

    Without ``requested``, the payment fills bills completely, one after the other, in
    :func:`order_bills` order for ``policy``; whatever is left once every bill is paid is
    ``unallocated_fen``.

    With ``requested`` (bill id -> fen, as typed by a person), exactly those amounts are
    allocated, listed in ``(due_date, bill_id)`` order, and ``policy`` is ignored. The request is
    rejected with :class:`AllocationError` if any amount is not a positive whole number of fen,
    names a bill that is not open, exceeds what is open on its bill, or if the amounts add up to
    more than the payment. The remainder is not spread automatically: the person decided where the
    money goes, so what they did not assign becomes credit.

    Raises :class:`AllocationError` (field ``amount_fen``) if the payment is not positive.
    """
    if not _is_fen(amount_fen) or amount_fen <= 0:
        raise AllocationError((("amount_fen", N_("The payment must be a positive amount.")),))
    bills = _checked_bills(bills)
    if requested is not None:
        return _allocate_requested(amount_fen, bills, requested)
    return _fill_in_order(amount_fen, order_bills(bills, policy, today=today))


def apply_credit(
    credit_fen: int,
    bills: Iterable[OpenBill],
    policy: AllocationPolicy = AllocationPolicy.OLDEST_DUE_FIRST,
    *,
    today: date | None = None,
) -> AllocationPlan:
    """Use an enterprise's credit balance (>= 0) on its open bills, e.g. when new bills are issued.

    Same rules as an automatic :func:`allocate_payment`; ``unallocated_fen`` is the credit that
    remains. Zero credit is allowed (and allocates nothing) because callers run this after every
    billing run whether or not the enterprise has credit.
    """
    if not _is_fen(credit_fen) or credit_fen < 0:
        raise ValueError(f"credit_fen must be a non-negative int, got {credit_fen!r}")
    return _fill_in_order(credit_fen, order_bills(bills, policy, today=today))


# --- internals ---------------------------------------------------------------------------------


def _is_fen(value: object) -> bool:
    # bool is an int subclass; True fen is always a bug.
    return isinstance(value, int) and not isinstance(value, bool)


def _checked_bills(bills: Iterable[OpenBill]) -> list[OpenBill]:
    bills = list(bills)
    seen: set[int] = set()
    for bill in bills:
        if bill.bill_id in seen:
            # Two entries for one bill would let it be paid twice; that is a caller bug.
            raise ValueError(f"bill {bill.bill_id} is listed twice")
        seen.add(bill.bill_id)
    return bills


def _fill_in_order(amount_fen: int, ordered: Sequence[OpenBill]) -> AllocationPlan:
    remaining = amount_fen
    allocations: list[Allocation] = []
    for bill in ordered:
        if remaining == 0:
            break
        part = min(remaining, bill.open_fen)
        allocations.append(Allocation(bill.bill_id, part))
        remaining -= part
    return AllocationPlan(tuple(allocations), remaining)


def _allocate_requested(
    amount_fen: int, bills: Sequence[OpenBill], requested: Mapping[int, int]
) -> AllocationPlan:
    by_id = {b.bill_id: b for b in bills}
    errors: list[tuple[str, str]] = []
    if not requested:
        errors.append(("allocations", N_("Say how much goes to at least one bill.")))
    # Sorting the ids makes the error list itself deterministic.
    for bill_id in sorted(requested):
        amount = requested[bill_id]
        name = f"allocations.{bill_id}"
        bill = by_id.get(bill_id)
        if bill is None:
            errors.append(
                (
                    name,
                    Message(N_("Bill %(id)s is not an open bill of this enterprise."), id=bill_id),
                )
            )
        elif not _is_fen(amount):
            errors.append((name, N_("The amount must be a whole number of fen.")))
        elif amount <= 0:
            errors.append((name, N_("The amount must be positive.")))
        elif amount > bill.open_fen:
            errors.append(
                (
                    name,
                    Message(
                        N_("The amount is more than the %(fen)s fen open on this bill."),
                        fen=bill.open_fen,
                    ),
                )
            )
    # The total is checked even when single amounts are wrong, so a person sees every problem
    # in one round trip; only well-typed amounts are summed.
    total = sum(a for a in requested.values() if _is_fen(a))
    if total > amount_fen:
        errors.append(
            (
                "allocations",
                Message(N_("The amounts add up to %(fen)s fen, more than the payment."), fen=total),
            )
        )
    if errors:
        raise AllocationError(tuple(errors))
    ordered = sorted((by_id[i] for i in requested), key=lambda b: (b.due_date, b.bill_id))
    allocations = tuple(Allocation(b.bill_id, requested[b.bill_id]) for b in ordered)
    return AllocationPlan(allocations, amount_fen - total)
