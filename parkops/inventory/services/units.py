"""Units: creating and changing them, and the status people give a unit by hand.

A different status or reason is a status given by hand (:mod:`parkops.inventory.workflow`):
only available, or unavailable with a reason, and never while a contract or hold takes the unit
(``statuses.free_of_contracts_and_holds``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.core import audit
from parkops.core.actor import Actor
from parkops.core.errors import Conflict, ValidationFailed
from parkops.core.i18n import N_
from parkops.core.integrity import FieldErrorFor, flush_or_field_error
from parkops.core.rows import get_or_404
from parkops.db.base import utcnow
from parkops.inventory import workflow
from parkops.inventory.models import Floor, Phase, Unit
from parkops.inventory.rules.fields import check_floor_number, parse_int
from parkops.inventory.rules.units import (
    UNIT_FIELDS,
    clean_status,
    clean_unit,
    status_differs,
    status_rule_errors,
    unit_code_taken,
)
from parkops.inventory.services.editing import (
    changed,
    exists,
    fail,
    lock,
    merge_raw,
    record_created,
)
from parkops.inventory.services.spaces import building_for_floors, floor_id_for
from parkops.inventory.services.statuses import (
    free_of_contracts_and_holds,
    taken,
    unit_commitments,
)
from parkops.inventory.vocabulary import PhaseStatus, UnitStatus

RETIRED = N_("This unit was split or merged and is kept for history only.")
NOT_SAVED = N_("The unit was not saved.")


def unit_conflicts(code: str | None) -> FieldErrorFor:
    return {"uq_units_park_id_code": ("code", unit_code_taken(code))}


async def _check_unit_code(
    db: AsyncSession, park_id: int, code: str | None, unit_id: int | None, errors: dict
) -> None:
    if (
        code
        and "code" not in errors
        and await exists(db, Unit, Unit.park_id == park_id, Unit.code == code, except_id=unit_id)
    ):
        errors["code"] = unit_code_taken(code)


async def get_unit(db: AsyncSession, unit_id: int) -> Unit:
    return await get_or_404(db, Unit, unit_id, N_("No such unit"))


async def lock_unit(db: AsyncSession, unit_id: int) -> Unit:
    return await lock(db, Unit, unit_id, N_("No such unit"))


async def create_unit(db: AsyncSession, actor: Actor, data: Mapping[str, Any]) -> Unit:
    """Create a unit on a building's floor (``building_id`` + ``floor`` number)."""
    errors: dict[str, Any] = {}
    building = await building_for_floors(db, data.get("building_id"), errors, "building_id")
    floor_number = parse_int(data.get("floor"), "floor", errors, minimum=1)
    values = clean_unit(data, errors)
    if building is not None:
        check_floor_number(floor_number, building.floor_count, errors, "floor")
        await _check_unit_code(db, building.park_id, values["code"], None, errors)
    status_rule_errors(None, values, errors)
    fail(NOT_SAVED, errors)
    assert building is not None and floor_number is not None
    floor_id = await floor_id_for(db, building.id, floor_number)
    unit = Unit(
        park_id=building.park_id,
        phase_id=building.phase_id,
        building_id=building.id,
        floor_id=floor_id,
        **values,
    )
    db.add(unit)
    await flush_or_field_error(db, unit_conflicts(values["code"]))
    record_created(
        db, actor, "unit", unit, {"building": building.code, "floor": floor_number, **values}
    )
    return unit


async def _check_move(
    db: AsyncSession, unit: Unit, building: Any, floor_number: int | None, errors: dict
) -> None:
    """A unit stays in its park, on a floor its building has, and a leased one in an operating
    phase (read FOR SHARE so the phase cannot leave ``operating`` under our feet)."""
    if building.park_id != unit.park_id:
        errors["building_id"] = N_("A unit cannot move to another park")
    check_floor_number(floor_number, building.floor_count, errors, "floor")
    if unit.status == UnitStatus.leased and building.phase_id != unit.phase_id:
        phase_status = await db.scalar(
            sa.select(Phase.status).where(Phase.id == building.phase_id).with_for_update(read=True)
        )
        if phase_status != PhaseStatus.operating:
            errors["building_id"] = N_("A leased unit cannot move to a phase that is not operating")


async def update_unit(
    db: AsyncSession,
    actor: Actor,
    unit_id: int,
    changes: Mapping[str, Any],
    *,
    today: date | None = None,
) -> Unit:
    """Change a unit's fields (any subset); ``building_id``/``floor`` move it.

    A different status or reason is refused while a contract or hold takes the unit on or
    after ``today`` (a 409 naming them).
    """
    unit = await lock_unit(db, unit_id)
    if unit.retired_at is not None:
        raise Conflict(RETIRED)
    current_floor = await db.scalar(sa.select(Floor.number).where(Floor.id == unit.floor_id))
    raw = merge_raw(audit.snapshot(unit, *UNIT_FIELDS), changes, UNIT_FIELDS)
    if "status" in changes and "unavailable_reason" not in changes:
        raw["unavailable_reason"] = (
            None if changes["status"] != "unavailable" else unit.unavailable_reason
        )
    errors: dict[str, Any] = {}
    building = await building_for_floors(
        db, changes.get("building_id", unit.building_id), errors, "building_id"
    )
    floor_number = parse_int(changes.get("floor", current_floor), "floor", errors, minimum=1)
    values = clean_unit(raw, errors)
    status_rule_errors(unit.status, values, errors)
    if building is not None:
        await _check_unit_code(db, unit.park_id, values["code"], unit.id, errors)
        await _check_move(db, unit, building, floor_number, errors)
    fail(NOT_SAVED, errors)
    assert building is not None and floor_number is not None
    if status_differs((unit.status, unit.unavailable_reason), values):
        await free_of_contracts_and_holds(db, actor, unit, today)
        problem = workflow.manual_status_problem(unit.status, values["status"])
        if problem:  # the unit's status was brought up to date: ask again
            raise ValidationFailed(NOT_SAVED, field_errors={"status": problem})
    before = audit.snapshot(unit, *UNIT_FIELDS, "building_id", "floor_id")
    if building.id != unit.building_id or floor_number != current_floor:
        unit.floor_id = await floor_id_for(db, building.id, floor_number)
        unit.building_id, unit.phase_id = building.id, building.phase_id
    for key, value in values.items():
        setattr(unit, key, value)
    unit.updated_at = utcnow()
    await flush_or_field_error(db, unit_conflicts(values["code"]))
    old, new = changed(before, audit.snapshot(unit, *UNIT_FIELDS, "building_id", "floor_id"))
    if new:
        by_hand = set(new) <= {"status", "unavailable_reason"}
        action = "unit_status_changed" if by_hand else "unit_updated"
        audit.record(
            db, actor=actor, action=action, entity="unit", entity_id=unit.id, before=old, after=new
        )
    return unit


async def check_status_change(
    db: AsyncSession, unit_id: int, status: Any, reason: Any = None, *, today: date | None = None
) -> dict[str, Any]:
    """What :func:`set_unit_status` would do, refused the same way, writing nothing: the unit
    page shows it for confirmation. Returns ``unit``, ``status`` and ``unavailable_reason``."""
    unit = await get_unit(db, unit_id)
    if unit.retired_at is not None:
        raise Conflict(RETIRED)
    errors: dict[str, Any] = {}
    values = clean_status(status, reason, errors, default=None)
    if values["status"] is None and "status" not in errors:
        errors["status"] = N_("Choose the new status")
    status_rule_errors(unit.status, values, errors)
    if not errors and not status_differs((unit.status, unit.unavailable_reason), values):
        errors["status"] = N_("The unit already has this status.")
    fail(N_("The status was not changed."), errors)
    commitments = await unit_commitments(db, [unit.id], today)
    if commitments:
        raise taken(unit.code, commitments)
    return {"unit": unit, **values}


async def set_unit_status(
    db: AsyncSession,
    actor: Actor,
    unit_id: int,
    status: Any,
    reason: Any = None,
    *,
    today: date | None = None,
) -> Unit:
    """Give a unit a status by hand (available, or unavailable with a reason), once confirmed."""
    await check_status_change(db, unit_id, status, reason, today=today)
    return await update_unit(
        db, actor, unit_id, {"status": status, "unavailable_reason": reason}, today=today
    )
