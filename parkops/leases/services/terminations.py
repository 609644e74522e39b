"""Early termination: the settlement statement (the pure rule ``rules.settlement``) applied to
the schedule, the contract, its occupancy and its units."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.core import audit
from parkops.core.actor import Actor, actor_id
from parkops.core.errors import Conflict, PermissionDenied, ValidationFailed
from parkops.core.i18n import N_, Message
from parkops.core.last_day import last_day_of
from parkops.db.base import utcnow
from parkops.leases import repository
from parkops.leases.models import (
    LeaseContract,
    LeaseScheduleLine,
    LeaseTermination,
    LeaseUnitOccupancy,
)
from parkops.leases.rules import schedule as sched
from parkops.leases.rules import settlement
from parkops.leases.rules import terms as t
from parkops.leases.rules.workflow import (
    ContractAction,
    RoleNotAllowed,
    TransitionNotAllowed,
    plan,
)
from parkops.leases.services.common import (
    contract_snapshot,
    is_system,
    period_range,
    raise_if_errors,
    record_event,
    shanghai_today,
)
from parkops.leases.services.contract_input import parse_last_day
from parkops.leases.services.occupancy import sync_unit_statuses
from parkops.leases.services.reading import (
    lease_terms_for,
    line_values,
    lock_contract,
    terms_versions,
)

log = logging.getLogger(__name__)


async def terminate(
    db: AsyncSession,
    actor: Actor,
    contract_id: int,
    raw: Mapping[str, Any],
    today: date | None = None,
) -> LeaseTermination:
    """End an active contract early, with a settlement statement (``rules.settlement``): the
    schedule is cut at the end date, the contract, its occupancy and its units end there."""
    today = today or shanghai_today()
    contract = await lock_contract(db, contract_id)
    try:
        step = plan(
            contract.status,
            ContractAction.terminate,
            getattr(actor, "roles", frozenset()),
            system=is_system(actor),
        )
    except TransitionNotAllowed as exc:
        raise Conflict(exc.args[0]) from None
    except RoleNotAllowed as exc:
        raise PermissionDenied(exc.args[0]) from None
    end, reason = _parse_termination(contract, raw)
    lines, units, result = await _settle(db, contract, end)
    now = utcnow()
    for position in result.superseded:
        lines[position].superseded_at = now
    if result.cut is not None:
        await db.flush()  # the superseded line gives up its place before the cut one takes it
        values = line_values(result.cut, result.cut_version)  # type: ignore[arg-type]
        db.add(LeaseScheduleLine(contract_id=contract.id, **values))  # type: ignore[arg-type]
    statement = result.statement()
    termination = LeaseTermination(
        contract_id=contract.id,  # type: ignore[arg-type]
        end_date=end,
        reason=reason,
        deposit_held_fen=result.deposit_held_fen,
        charges_due_fen=result.charges_due_fen,
        balance_fen=result.balance_fen,
        statement=statement,
        created_by=actor_id(actor),
    )
    db.add(termination)
    before = contract_snapshot(contract)
    contract.status = step.target
    contract.terminated_on = end
    contract.updated_at = now
    await db.execute(
        sa.update(LeaseUnitOccupancy)
        .where(LeaseUnitOccupancy.contract_id == contract.id)
        .values(period=period_range(contract.start_date, end))
    )
    data = {"last_day": last_day_of(end).isoformat(), "balance_fen": result.balance_fen}
    record_event(db, contract, actor, step.action, step.source, step.target, reason, data)
    audit.record(
        db,
        actor=actor,
        action="lease_contract_terminate",
        entity="lease_contract",
        entity_id=contract.id,
        before=before,
        after={**contract_snapshot(contract), "reason": reason, "statement": statement},
    )
    await db.flush()
    await sync_unit_statuses(db, actor, [u["id"] for u in units], today)
    return termination


LAST_DAY_OUTSIDE_TERM = N_(
    "The last day of use must be on or after the start (%(start)s) and before the "
    "contract's last day (%(last)s)"
)
NOT_TERMINATED = N_("The contract was not terminated.")


def _parse_termination(contract: LeaseContract, raw: Mapping[str, Any]) -> tuple[date, str]:
    """The end (exclusive) and the reason, or ``ValidationFailed`` naming every problem."""
    errors: dict[str, str] = {}
    end = parse_last_day(raw, "last_day", errors, required=True)
    reason = t.parse_text(raw.get("reason"), "reason", errors, max_length=2000)
    if not reason and "reason" not in errors:
        errors["reason"] = N_("Give the reason for the termination")
    if end is not None and not contract.start_date < end < contract.end_date:
        errors["last_day"] = Message(
            LAST_DAY_OUTSIDE_TERM,
            start=contract.start_date.isoformat(),
            last=last_day_of(contract.end_date).isoformat(),
        )
    elif end is not None and contract.signed_on is not None and end <= contract.signed_on:
        # Nothing is due before signing: a term that ends by then has no schedule to settle.
        errors["last_day"] = Message(
            N_("The last day of use must be on or after the signing date (%(signed)s)"),
            signed=contract.signed_on.isoformat(),
        )
    raise_if_errors(NOT_TERMINATED, errors)
    assert end is not None
    return end, reason


async def _settle(
    db: AsyncSession, contract: LeaseContract, end: date
) -> tuple[list[LeaseScheduleLine], list[dict], settlement.Settlement]:
    """The lines in force, the units and the settlement at ``end``; a settlement that cannot be
    computed at that end is a field error on the last day (nothing written yet)."""
    units = await repository.contract_units(db, contract.id)  # type: ignore[arg-type]
    versions = {v.version: v for v in await terms_versions(db, contract.id)}  # type: ignore[arg-type]
    rows = await db.execute(
        sa.select(LeaseScheduleLine)
        .where(
            LeaseScheduleLine.contract_id == contract.id,
            LeaseScheduleLine.superseded_at.is_(None),
        )
        .order_by(LeaseScheduleLine.period_start)
    )
    lines = list(rows.scalars())
    deposit = sched.deposit_fen(lease_terms_for(contract, versions[1], units))
    try:
        result = settlement.settle(
            lines,  # type: ignore[arg-type]
            end,
            deposit,
            lambda version: lease_terms_for(contract, versions[version], units, end=end),
        )
    except ValueError:
        log.warning("contract %s cannot be settled at %s", contract.id, end, exc_info=True)
        message = N_("The contract cannot be settled at this last day of use")
        raise ValidationFailed(NOT_TERMINATED, field_errors={"last_day": message}) from None
    return lines, units, result
