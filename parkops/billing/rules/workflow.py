"""The lifecycle of a bill, in one table.

::

    draft --issue--> issued --(payments)--> partially_paid --(payments)--> paid
      |                 \\                        \\
      +--delete          +--void (credit note)     (no void: money was received)

* A draft can be edited (adjustment lines added or removed) and deleted; issuing freezes it.
* ``partially_paid`` and ``paid`` are not actions: they follow from the money allocated
  (:func:`status_from_amounts`, mirrored by the SQL function ``billing_bill_status`` that the
  allocation and credit-note triggers use, so the database and this module always agree).
* ``void`` happens only through a credit note for the whole open amount, and only while nothing
  has been paid; a paid or partly paid bill is corrected with a credit note for part of what is
  still open or with an adjustment line on the next bill.
* Overdue is not a stored status: an issued or partly paid bill is overdue from the day after its
  due date (:func:`is_overdue`), so nobody has to run a sweep for it to be true.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from types import MappingProxyType

from parkops.billing.models import BillStatus
from parkops.core.i18n import N_, Message


class BillAction(StrEnum):
    issue = "issue"
    void = "void"
    delete = "delete"
    credit = "credit"  # a credit note for part of the open amount
    waive = "waive"  # waive (part of) a late-fee line: a credit note too


OPEN_STATUSES = frozenset({BillStatus.issued, BillStatus.partially_paid})
SETTLED_STATUSES = frozenset({BillStatus.paid, BillStatus.void})

ALLOWED: MappingProxyType[BillStatus, frozenset[BillAction]] = MappingProxyType(
    {
        BillStatus.draft: frozenset({BillAction.issue, BillAction.delete}),
        BillStatus.issued: frozenset({BillAction.void, BillAction.credit, BillAction.waive}),
        BillStatus.partially_paid: frozenset({BillAction.credit, BillAction.waive}),
        BillStatus.paid: frozenset(),
        BillStatus.void: frozenset(),
    }
)

STATUS_LABELS = MappingProxyType(
    {
        BillStatus.draft: N_("Draft"),
        BillStatus.issued: N_("Issued"),
        BillStatus.partially_paid: N_("Partially paid"),
        BillStatus.paid: N_("Paid"),
        BillStatus.void: N_("Void"),
    }
)

REFUSALS = MappingProxyType(
    {
        (BillStatus.paid, BillAction.void): N_(
            "A paid bill cannot be voided; correct it with an adjustment on the next bill."
        ),
        (BillStatus.partially_paid, BillAction.void): N_(
            "A bill that has received money cannot be "
            "voided; credit what is still open or put an adjustment on the next bill."
        ),
        (BillStatus.void, BillAction.void): N_("The bill is already void."),
    }
)

# The statuses inside a sentence ("A draft bill cannot ...").
_STATUS_LOWER = {
    BillStatus.draft: N_("draft"),
    BillStatus.issued: N_("issued"),
    BillStatus.partially_paid: N_("partially paid"),
    BillStatus.paid: N_("paid"),
    BillStatus.void: N_("void"),
}


class ActionRefused(Exception):
    """The bill's status does not allow the action (the message says why)."""


def check(status: BillStatus | str, action: BillAction | str) -> None:
    status, action = BillStatus(status), BillAction(action)
    if action in ALLOWED[status]:
        return
    message = REFUSALS.get((status, action))
    if message is None:
        message = Message(
            N_("A %(status)s bill cannot be changed that way (%(action)s)."),
            status=Message(_STATUS_LOWER[status]),
            action=action.value,
        )
        if status is not BillStatus.draft and action is BillAction.issue:
            message = N_("The bill is already issued.")
    raise ActionRefused(message)


def status_from_amounts(total_fen: int, paid_fen: int, credited_fen: int) -> BillStatus:
    """The status of a bill that is not a draft, from its money (same rule as the SQL function).

    Nothing open: ``paid`` if money was received or there was nothing to pay, ``void`` if credit
    notes took it all. Something open: ``partially_paid`` once any money arrived, else ``issued``.
    """
    if total_fen - paid_fen - credited_fen == 0:
        return BillStatus.paid if paid_fen > 0 or credited_fen == 0 else BillStatus.void
    return BillStatus.partially_paid if paid_fen > 0 else BillStatus.issued


def is_overdue(status: str, due_date: date, today: date) -> bool:
    """Open and past its due date (the due date itself is still on time)."""
    return BillStatus(status) in OPEN_STATUSES and today > due_date


def days_overdue(due_date: date, today: date) -> int:
    return max(0, (today - due_date).days)
