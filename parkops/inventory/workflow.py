"""Which unit statuses people set, and which follow the unit's contracts and holds.

Pure: the services load the unit and ask these functions; they write the change and its audit
entry in one transaction.

A unit's *occupancy* is derived, never typed: ``leased`` while a signed contract covers today
(``reserved`` while its phase is not operating yet: pre-let, not occupied), ``reserved`` while a
later contract or a live hold takes it, ``available`` otherwise. The leases domain computes it
and writes it through ``inventory.services.statuses.follow_occupancy`` in the same transaction
as every change to a contract or hold, and the daily roll-over moves it along as dates pass.

What people set by hand is only whether the park lets the unit at all: ``unavailable`` with a
reason (maintenance, own use, not handed over, ...) and back to ``available``. The service
refuses that while a contract (pending approval or signed) or a live hold takes the unit today
or later: a unit let from next month cannot go into own use now, and a leased unit cannot be
freed by a click. To free a unit, its contract is terminated or its hold released.
"""

from __future__ import annotations

from enum import StrEnum

from parkops.core.i18n import N_
from parkops.inventory.vocabulary import PhaseStatus, UnitStatus

A, R, L, U = (
    UnitStatus.available,
    UnitStatus.reserved,
    UnitStatus.leased,
    UnitStatus.unavailable,
)

# Set by hand (and by the import, for new units).
MANUAL = (A, U)
# Given by contracts and holds only.
OCCUPIED = frozenset({R, L})

# Offered as suggestions for the reason (people may write any reason).
REASON_SUGGESTIONS = (N_("Maintenance"), N_("Own use"), N_("Not handed over"))

NOT_HANDED_OVER = "not handed over"

NOT_BY_HAND = N_(
    "Leased and reserved are not set by hand: a unit is leased or reserved by its contracts "
    "and holds (see Leases)"
)


class Occupancy(StrEnum):
    """What the leases domain reports about a unit today (None: nothing takes it)."""

    let_now = "let_now"  # a signed contract covers today
    taken_later = "taken_later"  # a signed contract starts later, or a live hold takes it


def followed_status(
    occupancy: Occupancy | str | None, current: UnitStatus | str, phase_status: PhaseStatus | str
) -> UnitStatus:
    """The status a unit's contracts and holds give it.

    Let now: ``leased``, or ``reserved`` while its phase is not operating (pre-let, not
    occupied). Taken later: ``reserved``. Taken by nothing: ``available``, unless the park
    marked it ``unavailable`` (a mark that only people set and lift).
    """
    if occupancy is not None and Occupancy(occupancy) is Occupancy.let_now:
        return L if PhaseStatus(phase_status) is PhaseStatus.operating else R
    if occupancy is not None:
        return R
    return U if UnitStatus(current) is U else A


def manual_status_problem(current: UnitStatus | str | None, new: UnitStatus | str) -> str | None:
    """Why people may not give a unit the status ``new`` (None: they may, subject to what
    covers the unit). ``current`` is None for a unit being created."""
    try:
        new = UnitStatus(new)
    except ValueError:
        return N_("Unknown status")
    if current is not None and UnitStatus(current) is new:
        return None
    if new in OCCUPIED:
        return NOT_BY_HAND
    return None


def reason_problem(new: UnitStatus | str, reason: str | None) -> str | None:
    if UnitStatus(new) is U and not (reason or "").strip():
        return N_("Give the reason the unit is unavailable (e.g. maintenance, not handed over)")
    return None
