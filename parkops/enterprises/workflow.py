"""Where an enterprise stands with the park, and which changes of that standing make sense.

Pure: no database, no HTTP. The service checks an edit's status change with
:func:`transition_problem` and records it in the audit log in the same transaction.

``prospect`` is a firm the leasing team is talking to; ``tenant`` rents (or has pre-let) space;
``former_tenant`` has moved out. A prospect that never signed simply stays a prospect (or is
edited away); it cannot become a *former* tenant. A former tenant may come back, or be courted
again as a prospect. Rows created by import or demo data may start in any status, because they
describe firms that already exist.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType

from parkops.core.i18n import N_


class EnterpriseStatus(StrEnum):
    prospect = "prospect"
    tenant = "tenant"
    former_tenant = "former_tenant"


STATUS_LABELS = MappingProxyType(
    {
        EnterpriseStatus.prospect: N_("Prospect"),
        EnterpriseStatus.tenant: N_("Tenant"),
        EnterpriseStatus.former_tenant: N_("Former tenant"),
    }
)

TRANSITIONS: MappingProxyType[EnterpriseStatus, frozenset[EnterpriseStatus]] = MappingProxyType(
    {
        EnterpriseStatus.prospect: frozenset({EnterpriseStatus.tenant}),
        EnterpriseStatus.tenant: frozenset({EnterpriseStatus.former_tenant}),
        EnterpriseStatus.former_tenant: frozenset(
            {EnterpriseStatus.tenant, EnterpriseStatus.prospect}
        ),
    }
)


def allowed_statuses(current: EnterpriseStatus | str) -> list[EnterpriseStatus]:
    """The statuses an edit may choose: the current one plus its transitions, in enum order."""
    current = EnterpriseStatus(current)
    reachable = TRANSITIONS[current] | {current}
    return [s for s in EnterpriseStatus if s in reachable]


def transition_problem(current: EnterpriseStatus | str, new: EnterpriseStatus | str) -> str | None:
    """A user-facing message if ``current -> new`` is not allowed, else ``None``."""
    current, new = EnterpriseStatus(current), EnterpriseStatus(new)
    if new == current or new in TRANSITIONS[current]:
        return None
    return (
        f"Status cannot change from {STATUS_LABELS[current].lower()} "
        f"to {STATUS_LABELS[new].lower()}"
    )
