"""States, actions and the actor's role on a ticket of the rights-protection desk (pure).

The closed loop (docs/DOMAIN.md): ``submitted`` -> ``accepted`` (or ``rejected`` / ``merged``) ->
``dispatched`` to a lead department (co-handling departments are part of the dispatch data, not
of the state) -> ``in_progress`` -> ``replied`` -> rating / follow-up -> ``closed``. Side paths:
a department returns a ticket it is not responsible for and the desk re-dispatches it; the
ticket waits for the enterprise in ``awaiting_enterprise`` with the SLA clock stopped; the
enterprise may withdraw before the reply; a dissatisfied rating reopens the ticket once for redo.
Which action leads from which state to which is :mod:`parkops.tickets.rules.transitions`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from types import MappingProxyType

from parkops.core.i18n import N_


class TicketStatus(StrEnum):
    """Where a ticket is in the loop. Stored in a CHECK-constrained column; values never change."""

    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    MERGED = "merged"
    DISPATCHED = "dispatched"
    IN_PROGRESS = "in_progress"
    AWAITING_ENTERPRISE = "awaiting_enterprise"
    RETURNED = "returned"
    REPLIED = "replied"
    REOPENED = "reopened"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


STATUS_DESCRIPTIONS: Mapping[TicketStatus, str] = MappingProxyType(
    {
        TicketStatus.SUBMITTED: N_(
            "Filed by the enterprise; waiting for the desk to accept it (受理)."
        ),
        TicketStatus.ACCEPTED: N_(
            "Accepted by the desk; waiting to be dispatched to a department."
        ),
        TicketStatus.REJECTED: N_(
            "Not accepted (不予受理) or no department is responsible; the "
            "reason is in the event note. Final."
        ),
        TicketStatus.MERGED: N_("A duplicate, merged into another ticket (并单). Final."),
        TicketStatus.DISPATCHED: N_(
            "Sent to a lead department (主办), optionally with co-handling "
            "departments (协办); waiting for the lead department to start."
        ),
        TicketStatus.IN_PROGRESS: N_("The lead department is handling it."),
        TicketStatus.AWAITING_ENTERPRISE: N_(
            "Waiting for the enterprise to provide information; the SLA clock is stopped."
        ),
        TicketStatus.RETURNED: N_(
            "Returned by a department that is not responsible (退单); "
            "waiting for the desk to re-dispatch it (改派)."
        ),
        TicketStatus.REPLIED: N_(
            "The department has replied to the enterprise; waiting for the "
            "rating or the desk's follow-up call (回访)."
        ),
        TicketStatus.REOPENED: N_("Rated dissatisfied; to be redone (重办). Happens at most once."),
        TicketStatus.CLOSED: N_("Rated or followed up; the loop is closed. Final."),
        TicketStatus.WITHDRAWN: N_("Withdrawn by the enterprise before the reply. Final."),
    }
)

TERMINAL_STATUSES: frozenset[TicketStatus] = frozenset(
    {TicketStatus.REJECTED, TicketStatus.MERGED, TicketStatus.CLOSED, TicketStatus.WITHDRAWN}
)
"""No action leaves these states."""

OPEN_STATUSES: frozenset[TicketStatus] = frozenset(TicketStatus) - TERMINAL_STATUSES
"""Everything not final, including ``replied`` (the loop closes only after the follow-up)."""

PAUSED_STATUSES: frozenset[TicketStatus] = frozenset({TicketStatus.AWAITING_ENTERPRISE})
"""States in which the SLA clock is stopped because the ticket waits for the enterprise."""


class TicketAction(StrEnum):
    """What someone does to a ticket. Each one is recorded as an event."""

    ACCEPT = "accept"
    REJECT = "reject"
    MERGE = "merge"
    DISPATCH = "dispatch"
    REDISPATCH = "redispatch"
    START = "start"
    REQUEST_INFO = "request_info"
    PROVIDE_INFO = "provide_info"
    RETURN = "return"
    REPLY = "reply"
    REQUEST_EXTENSION = "request_extension"
    APPROVE_EXTENSION = "approve_extension"
    DENY_EXTENSION = "deny_extension"
    RATE_SATISFIED = "rate_satisfied"
    RATE_DISSATISFIED = "rate_dissatisfied"
    CLOSE = "close"
    FOLLOW_UP_CLOSE = "follow_up_close"
    WITHDRAW = "withdraw"


class ActorRole(StrEnum):
    """The actor's role *relative to this ticket*, worked out by the caller.

    An officer of a department is ``lead_department`` only on tickets whose lead department is
    theirs, and ``co_department`` only on tickets their department co-handles; an enterprise user
    is ``enterprise`` only on its own enterprise's tickets. Account roles map as: service_desk ->
    ``desk``, park_admin -> ``admin`` (may do whatever the desk may do, nothing more).
    """

    ENTERPRISE = "enterprise"
    DESK = "desk"
    LEAD_DEPARTMENT = "lead_department"
    CO_DEPARTMENT = "co_department"
    ADMIN = "admin"


def status_values(statuses: Iterable[TicketStatus]) -> list[str]:
    """The statuses as a sorted list of strings, for an SQL array parameter."""
    return sorted(s.value for s in statuses)
