"""Which availability changes a unit may go through, and the phase rule on occupation.

Pure: the service loads the unit and its phase status, asks :func:`status_change_problem`, and
writes the change plus an audit entry in one transaction.

Leases come later; until then ``leased`` is set by hand. A unit of a phase that is not yet
operating cannot be *occupied* (``leased``); it can be pre-let, which for now means
``reserved``. ``unavailable`` always carries a reason (maintenance, not handed over, ...).
"""

from __future__ import annotations

from types import MappingProxyType

from parkops.core.i18n import N_, Message
from parkops.inventory.vocabulary import UNIT_STATUS_LABELS, PhaseStatus, UnitStatus

A, R, L, U = (
    UnitStatus.available,
    UnitStatus.reserved,
    UnitStatus.leased,
    UnitStatus.unavailable,
)

TRANSITIONS: MappingProxyType[UnitStatus, frozenset[UnitStatus]] = MappingProxyType(
    {
        A: frozenset({R, L, U}),
        R: frozenset({A, L, U}),
        # A leased unit is released first (the lease ends); maintenance during a lease is the
        # tenant's business and does not make the unit unavailable to the park.
        L: frozenset({A}),
        # Pre-letting a unit that is not handed over yet: unavailable -> reserved.
        U: frozenset({A, R}),
    }
)

NOT_HANDED_OVER = "not handed over"


def can_change(current: UnitStatus | str, new: UnitStatus | str) -> bool:
    return UnitStatus(new) in TRANSITIONS[UnitStatus(current)]


def transition_problem(current: UnitStatus | str | None, new: UnitStatus | str) -> str | None:
    """None when ``current`` may become ``new`` (staying put and creating are always fine)."""
    if current is None or UnitStatus(current) == UnitStatus(new) or can_change(current, new):
        return None
    return Message(
        N_("A unit cannot go from %(current)s to %(new)s"),
        current=Message(UNIT_STATUS_LABELS[UnitStatus(current)]),
        new=Message(UNIT_STATUS_LABELS[UnitStatus(new)]),
    )


def occupation_problem(new: UnitStatus | str, phase_status: PhaseStatus | str) -> str | None:
    """Units of a phase that is not operating may not be occupied."""
    if UnitStatus(new) is L and PhaseStatus(phase_status) is not PhaseStatus.operating:
        return N_(
            "A unit in a phase that is not operating cannot be leased "
            "(it can be reserved for pre-letting)"
        )
    return None


def reason_problem(new: UnitStatus | str, reason: str | None) -> str | None:
    if UnitStatus(new) is U and not (reason or "").strip():
        return N_("Give the reason the unit is unavailable (e.g. maintenance, not handed over)")
    return None


def status_change_problem(
    current: UnitStatus | str | None,
    new: UnitStatus | str,
    phase_status: PhaseStatus | str,
    reason: str | None = None,
) -> str | None:
    """Why the unit may not go from ``current`` to ``new`` (None: it may).

    ``current`` is None for a unit being created: any status is a valid start, subject to the
    phase and reason rules.
    """
    try:
        new = UnitStatus(new)
    except ValueError:
        return N_("Unknown status")
    return (
        transition_problem(current, new)
        or occupation_problem(new, phase_status)
        or reason_problem(new, reason)
    )
