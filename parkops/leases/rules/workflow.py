"""The lifecycle of a lease contract: its states, the actions that move it, and who may act.

Pure: no database, no HTTP. This table is the one place that says which transitions exist. The
service loads the contract, asks :func:`plan` for the transition (which checks the state and the
actor's roles), then writes the new status and one event row (actor, time, from, to, note) in
the same transaction.

::

    draft --submit--> pending_approval --approve--> active --expire--> expired
      ^                    |                          |  \\--terminate--> terminated
      +------reject--------+                          +----mark_renewed--> renewed
    draft --cancel--> cancelled                   expired --mark_renewed--> renewed

* Leasing officers (and park admins) draft and submit; only a park admin approves, or rejects
  back to draft with a note saying why.
* ``expire`` and ``mark_renewed`` are done by the system: the daily roll-over (``parkops leases
  refresh-status``) expires contracts whose term is over, and approving a renewal marks its
  predecessor ``renewed`` (also when the predecessor has already expired: renewals are often
  signed late).
* ``cancel`` drops a draft that will not be signed (it stays for the record; nothing is deleted).
* Amendments, renewal drafts and document generation are not status changes; they are
  recorded as events with ``from_status == to_status``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from parkops.accounts.roles import Role
from parkops.core.i18n import N_, Message


class ContractStatus(StrEnum):
    draft = "draft"
    pending_approval = "pending_approval"
    active = "active"
    expired = "expired"
    terminated = "terminated"
    renewed = "renewed"
    cancelled = "cancelled"


class ContractAction(StrEnum):
    submit = "submit"
    approve = "approve"
    reject = "reject"
    cancel = "cancel"
    expire = "expire"
    terminate = "terminate"
    mark_renewed = "mark_renewed"


STATUS_LABELS = MappingProxyType(
    {
        ContractStatus.draft: N_("Draft"),
        ContractStatus.pending_approval: N_("Pending approval"),
        ContractStatus.active: N_("Active"),
        ContractStatus.expired: N_("Expired"),
        ContractStatus.terminated: N_("Terminated"),
        ContractStatus.renewed: N_("Renewed"),
        ContractStatus.cancelled: N_("Cancelled"),
    }
)

ACTION_LABELS = MappingProxyType(
    {
        ContractAction.submit: N_("Submit for approval"),
        ContractAction.approve: N_("Approve"),
        ContractAction.reject: N_("Reject (back to draft)"),
        ContractAction.cancel: N_("Cancel draft"),
        ContractAction.expire: N_("Expire"),
        ContractAction.terminate: N_("Terminate"),
        ContractAction.mark_renewed: N_("Mark renewed"),
    }
)

D, P, A, E, T, R, C = (
    ContractStatus.draft,
    ContractStatus.pending_approval,
    ContractStatus.active,
    ContractStatus.expired,
    ContractStatus.terminated,
    ContractStatus.renewed,
    ContractStatus.cancelled,
)

LEASING = frozenset({Role.leasing, Role.park_admin})
APPROVERS = frozenset({Role.park_admin})
SYSTEM: frozenset[Role] = frozenset()  # nobody by hand: the system does it


@dataclass(frozen=True)
class Transition:
    action: ContractAction
    source: ContractStatus
    target: ContractStatus
    roles: frozenset[Role]  # empty: only the system
    note_required: bool = False


TRANSITIONS: MappingProxyType[tuple[ContractStatus, ContractAction], Transition] = MappingProxyType(
    {
        (t.source, t.action): t
        for t in (
            Transition(ContractAction.submit, D, P, LEASING),
            Transition(ContractAction.cancel, D, C, LEASING),
            Transition(ContractAction.approve, P, A, APPROVERS),
            Transition(ContractAction.reject, P, D, APPROVERS, note_required=True),
            Transition(ContractAction.expire, A, E, SYSTEM),
            Transition(ContractAction.terminate, A, T, LEASING, note_required=True),
            Transition(ContractAction.mark_renewed, A, R, SYSTEM),
            Transition(ContractAction.mark_renewed, E, R, SYSTEM),
        )
    }
)

# States in which a contract holds its units (the occupancy rows are active): from submission
# on. A terminated contract holds them up to its early end date, an expired or renewed one up to
# its end, which is in the past or is where the successor starts.
OCCUPYING = frozenset({P, A, E, T, R})
# States in which the contract binds the parties (shown to the enterprise, billed).
BINDING = frozenset({A, E, T, R})
FINAL = frozenset({E, T, R, C})


class TransitionNotAllowed(Exception):
    """The contract's state has no such action."""


class RoleNotAllowed(Exception):
    """The action exists but the actor's roles may not take it."""


def plan(
    status: ContractStatus | str,
    action: ContractAction | str,
    roles: Iterable[Role | str],
    *,
    system: bool = False,
) -> Transition:
    """The transition ``action`` takes from ``status``, checked against the actor's roles.

    Raises ``TransitionNotAllowed`` (the lifecycle has no such step) before ``RoleNotAllowed``:
    telling someone they lack the role for an impossible step would mislead them.
    """
    try:
        key = (ContractStatus(status), ContractAction(action))
    except ValueError:
        raise TransitionNotAllowed(f"unknown status or action: {status!r}, {action!r}") from None
    transition = TRANSITIONS.get(key)
    if transition is None:
        raise TransitionNotAllowed(
            Message(
                N_("A %(status)s contract cannot be %(action)s%(hint)s"),
                status=Message(_STATUS_LOWER[key[0]]),
                action=Message(_past(key[1])),
                hint=_hint(key[0]),
            )
        )
    if not system and not (transition.roles & {Role(r) for r in roles}):
        raise RoleNotAllowed(
            N_("Only a park administrator may do this")
            if transition.roles == APPROVERS
            else N_("Your role may not do this")
        )
    return transition


# The statuses as they read inside a sentence ("A draft contract cannot be ...").
_STATUS_LOWER = {
    ContractStatus.draft: N_("draft"),
    ContractStatus.pending_approval: N_("pending approval"),
    ContractStatus.active: N_("active"),
    ContractStatus.expired: N_("expired"),
    ContractStatus.terminated: N_("terminated"),
    ContractStatus.renewed: N_("renewed"),
    ContractStatus.cancelled: N_("cancelled"),
}


def _past(action: ContractAction) -> str:
    return {
        ContractAction.submit: N_("submitted"),
        ContractAction.approve: N_("approved"),
        ContractAction.reject: N_("rejected"),
        ContractAction.cancel: N_("cancelled"),
        ContractAction.expire: N_("expired"),
        ContractAction.terminate: N_("terminated"),
        ContractAction.mark_renewed: N_("marked renewed"),
    }[action]


def _hint(status: ContractStatus) -> Message:
    allowed = [a for (s, a) in TRANSITIONS if s is status]
    if not allowed:
        return Message(N_(" (it is final)"))
    return Message(N_(" (possible: %(actions)s)"), actions=", ".join(a.value for a in allowed))


def available_actions(status: ContractStatus | str, roles: Iterable[Role | str]) -> list[str]:
    """Actions a person with ``roles`` can take by hand on a contract in ``status``."""
    have = {Role(r) for r in roles}
    status = ContractStatus(status)
    return [a.value for (s, a), t in TRANSITIONS.items() if s is status and t.roles & have]
