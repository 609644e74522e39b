"""What the leases use cases share: the park's today, system actors, the half-open date
ranges of occupancy, the contract's event rows and audit snapshot, the role check.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts.identity import CurrentUser
from parkops.accounts.roles import Role
from parkops.core import audit
from parkops.core.actor import Actor, actor_id, actor_label
from parkops.core.errors import PermissionDenied, ValidationFailed
from parkops.core.i18n import N_, Message
from parkops.core.last_day import last_day_of
from parkops.core.templating import SHANGHAI
from parkops.leases.models import (
    LeaseContract,
    LeaseContractEvent,
)

MAX_UNITS = 200
MAX_HOLD_DAYS = 366
EXPIRING_WINDOWS = (30, 60, 90)


def shanghai_today() -> date:
    """Business dates are those of the park: Asia/Shanghai."""
    return datetime.now(SHANGHAI).date()


def is_system(actor: Actor) -> bool:
    """CLI commands, jobs and the demo loader act as the system (no roles to check)."""
    return not isinstance(actor, CurrentUser)


def raise_if_errors(message: str, errors: Mapping[str, str]) -> None:
    if errors:
        raise ValidationFailed(message, field_errors=errors)


def period_range(start: date, end: date | None) -> Range:
    return Range(start, end, bounds="[)")


def format_period(start: date, end: date | None) -> Message:
    if end is None:
        return Message(N_("from %(first)s"), first=start.isoformat())
    return Message(
        N_("%(first)s to %(last)s"), first=start.isoformat(), last=last_day_of(end).isoformat()
    )


def record_event(
    db: AsyncSession,
    contract: LeaseContract,
    actor: Actor,
    action: str,
    from_status: str | None,
    to_status: str | None,
    note: str | None = None,
    data: dict | None = None,
) -> None:
    db.add(
        LeaseContractEvent(
            contract_id=contract.id,  # type: ignore[arg-type]
            actor_id=actor_id(actor),
            actor_label=actor_label(actor),
            action=action,
            from_status=from_status,
            to_status=to_status,
            note=note or None,
            data=data,
        )
    )


def contract_snapshot(contract: LeaseContract) -> dict:
    return audit.snapshot(
        contract,
        "number",
        "status",
        "enterprise_id",
        "park_id",
        "start_date",
        "end_date",
        "terminated_on",
        "predecessor_id",
    )


def require_role(actor: Actor, roles: frozenset[Role]) -> None:
    if isinstance(actor, CurrentUser) and not (actor.roles & roles):  # jobs: no roles to check
        raise PermissionDenied(N_("Your role may not do this"))


LEASING_ROLES = frozenset({Role.leasing, Role.park_admin})
