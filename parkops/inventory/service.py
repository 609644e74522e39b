"""Use cases of the inventory domain: parks, phases, buildings, floors, units, splits and merges.

Services take the raw values people typed (form strings or JSON values) as a mapping, parse them
with :mod:`parkops.inventory.rules`, check them against the database, and write the change plus
an audit entry. They flush, never commit. Bad input raises ``ValidationFailed`` whose field
errors name the field, before anything is written; a race the database settles (a unique code
taken in the meantime) becomes a ``Conflict`` naming the same field.

Unit statuses (see :mod:`parkops.inventory.workflow`): ``leased`` and ``reserved`` follow the
unit's contracts and holds and are written only by :func:`follow_occupancy`, which the leases
domain calls; people only take a unit out of letting (``unavailable``, with a reason) and bring
it back, and not while a contract or hold takes it (the leases service says which).

Locking, for the rules a CHECK cannot express:
- a unit becomes ``leased`` only while its phase is operating: ``follow_occupancy`` reads the
  phase row ``FOR SHARE``; changing a phase's status takes the row ``FOR UPDATE`` and then counts
  leased units, so the two cannot interleave;
- a status given by hand, a split and a merge lock the units ``FOR UPDATE`` (in id order) before
  asking what takes them; a new contract or hold takes ``FOR KEY SHARE`` on its units (foreign
  key, and the trigger on ``lease_unit_occupancy`` that refuses unavailable and retired units),
  so either waits for the other and then sees it;
- a floor number must not exceed its building's floor count: creating a floor reads the building
  ``FOR SHARE``; lowering the floor count takes it ``FOR UPDATE`` and checks the highest floor.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.core import audit
from parkops.core.errors import Conflict, NotFound, ValidationFailed
from parkops.core.i18n import N_, Message
from parkops.core.i18n import join as join_messages
from parkops.core.integrity import flush_or_field_error
from parkops.core.rows import get_or_404
from parkops.db.base import utcnow
from parkops.inventory import rules, workflow
from parkops.inventory.models import Building, Floor, Park, Phase, Unit, UnitLineage
from parkops.inventory.occupancy import OCCUPANCY
from parkops.inventory.vocabulary import (
    UNIT_STATUS_LABELS,
    BuildingUse,
    LineageOperation,
    PhaseStatus,
    UnitStatus,
    UnitType,
)

PARK_FIELDS = ("name", "address")
PHASE_FIELDS = ("number", "name", "status", "planned_area", "handover_date")
BUILDING_FIELDS = ("code", "name", "main_use", "floor_count")
FLOOR_FIELDS = ("number", "name")
UNIT_FIELDS = (
    "code",
    "unit_type",
    "gross_area",
    "leasable_area",
    "floor_load",
    "power_kva",
    "status",
    "unavailable_reason",
)
MAX_SPLIT_PARTS = 50
MAX_MERGE_UNITS = 50


# --- helpers --------------------------------------------------------------------------------


def _fail(message: str, errors: dict[str, str]) -> None:
    if errors:
        raise ValidationFailed(message, field_errors=errors)


def _merge_raw(current: Mapping[str, Any], changes: Mapping[str, Any], fields) -> dict:
    return {f: changes[f] if f in changes else current.get(f) for f in fields}


def _changed(before: dict, after: dict) -> tuple[dict, dict]:
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def _record_update(db: AsyncSession, actor, entity: str, row, before: dict, fields) -> None:
    """Audit what an edit changed (nothing when it changed nothing) as ``<entity>_updated``."""
    old, new = _changed(before, audit.snapshot(row, *fields))
    if new:
        audit.record(
            db,
            actor=actor,
            action=f"{entity}_updated",
            entity=entity,
            entity_id=row.id,
            before=old,
            after=new,
        )


# --- parks ----------------------------------------------------------------------------------


def _clean_park(raw: Mapping[str, Any], errors: dict) -> dict:
    return {
        "name": rules.parse_text(raw.get("name"), "name", errors, max_length=200),
        "address": rules.parse_text(
            raw.get("address"), "address", errors, max_length=300, required=False
        )
        or "",
    }


async def _check_park_name(db: AsyncSession, name: str | None, park_id: int | None, errors) -> None:
    if not name:
        return
    stmt = sa.select(Park.id).where(sa.func.lower(Park.name) == name.lower())
    if park_id is not None:
        stmt = stmt.where(Park.id != park_id)
    if await db.scalar(stmt.limit(1)):
        errors["name"] = Message(N_("A park named '%(name)s' already exists"), name=name)


async def get_park(db: AsyncSession, park_id: int) -> Park:
    return await get_or_404(db, Park, park_id, N_("No such park"))


async def list_parks(db: AsyncSession) -> list[dict]:
    rows = await db.execute(
        sa.select(Park.id, Park.name, Park.address, Park.created_at).order_by(Park.name)
    )
    return [dict(r) for r in rows.mappings()]


async def create_park(db: AsyncSession, actor, data: Mapping[str, Any]) -> Park:
    errors: dict[str, str] = {}
    values = _clean_park(data, errors)
    await _check_park_name(db, values["name"], None, errors)
    _fail(N_("The park was not saved."), errors)
    park = Park(**values)
    db.add(park)
    await flush_or_field_error(
        db,
        {
            "uq_parks_name": (
                "name",
                Message(N_("A park named '%(name)s' already exists"), name=values["name"]),
            )
        },
    )
    audit.record(
        db, actor=actor, action="park_created", entity="park", entity_id=park.id, after=values
    )
    return park


async def update_park(db: AsyncSession, actor, park_id: int, changes: Mapping[str, Any]) -> Park:
    park = await get_park(db, park_id)
    before = audit.snapshot(park, *PARK_FIELDS)
    errors: dict[str, str] = {}
    values = _clean_park(_merge_raw(before, changes, PARK_FIELDS), errors)
    await _check_park_name(db, values["name"], park.id, errors)
    _fail(N_("The park was not saved."), errors)
    for key, value in values.items():
        setattr(park, key, value)
    await flush_or_field_error(
        db,
        {
            "uq_parks_name": (
                "name",
                Message(N_("A park named '%(name)s' already exists"), name=values["name"]),
            )
        },
    )
    _record_update(db, actor, "park", park, before, PARK_FIELDS)
    return park


# --- phases ---------------------------------------------------------------------------------


def _clean_phase(raw: Mapping[str, Any], errors: dict) -> dict:
    return {
        "number": rules.parse_int(raw.get("number"), "number", errors, minimum=1, maximum=99),
        "name": rules.parse_text(raw.get("name"), "name", errors, max_length=100),
        "status": rules.parse_choice(raw.get("status"), PhaseStatus, "status", errors),
        "planned_area": rules.parse_area(
            raw.get("planned_area"), "planned_area", errors, required=False
        ),
        "handover_date": rules.parse_date(raw.get("handover_date"), "handover_date", errors),
    }


async def _check_phase_number(db, park_id: int, number, phase_id: int | None, errors) -> None:
    if number is None:
        return
    stmt = sa.select(Phase.id).where(Phase.park_id == park_id, Phase.number == number)
    if phase_id is not None:
        stmt = stmt.where(Phase.id != phase_id)
    if await db.scalar(stmt.limit(1)):
        errors["number"] = Message(N_("This park already has a phase %(n)s"), n=number)


def _phase_conflicts(number) -> dict:
    return {
        "uq_phases_park_id_number": (
            "number",
            Message(N_("This park already has a phase %(n)s"), n=number),
        )
    }


async def get_phase(db: AsyncSession, phase_id: int) -> Phase:
    return await get_or_404(db, Phase, phase_id, N_("No such phase"))


async def list_phases(db: AsyncSession, park_id: int | None = None) -> list[dict]:
    stmt = sa.select(*Phase.__table__.c).order_by(Phase.park_id, Phase.number)
    if park_id is not None:
        stmt = stmt.where(Phase.park_id == park_id)
    return [dict(r) for r in (await db.execute(stmt)).mappings()]


async def create_phase(db: AsyncSession, actor, park_id: int, data: Mapping[str, Any]) -> Phase:
    await get_park(db, park_id)
    errors: dict[str, str] = {}
    values = _clean_phase(data, errors)
    await _check_phase_number(db, park_id, values["number"], None, errors)
    _fail(N_("The phase was not saved."), errors)
    phase = Phase(park_id=park_id, **values)
    db.add(phase)
    await flush_or_field_error(db, _phase_conflicts(values["number"]))
    audit.record(
        db,
        actor=actor,
        action="phase_created",
        entity="phase",
        entity_id=phase.id,
        after={"park_id": park_id, **values},
    )
    return phase


async def update_phase(db: AsyncSession, actor, phase_id: int, changes: Mapping[str, Any]) -> Phase:
    phase = (
        await db.execute(sa.select(Phase).where(Phase.id == phase_id).with_for_update())
    ).scalar_one_or_none()
    if phase is None:
        raise NotFound(N_("No such phase"))
    before = audit.snapshot(phase, *PHASE_FIELDS)
    errors: dict[str, str] = {}
    values = _clean_phase(_merge_raw(before, changes, PHASE_FIELDS), errors)
    await _check_phase_number(db, phase.park_id, values["number"], phase.id, errors)
    if values["status"] is not None and values["status"] is not PhaseStatus.operating:
        leased = await db.scalar(
            sa.select(sa.func.count())
            .select_from(Unit)
            .where(
                Unit.phase_id == phase.id,
                Unit.status == UnitStatus.leased,
                Unit.retired_at.is_(None),
            )
        )
        if leased:
            errors["status"] = Message(
                N_(
                    "%(n)s unit(s) of this phase are leased: a phase with occupied units "
                    "must stay operating"
                ),
                n=leased,
            )
    _fail(N_("The phase was not saved."), errors)
    for key, value in values.items():
        setattr(phase, key, value)
    await flush_or_field_error(db, _phase_conflicts(values["number"]))
    _record_update(db, actor, "phase", phase, before, PHASE_FIELDS)
    if phase.status != before["status"]:
        # A pre-let unit whose contract has begun is occupied once its phase operates: its
        # status follows now, not at the next roll-over.
        reserved = (
            await db.execute(
                sa.select(Unit.id).where(
                    Unit.phase_id == phase.id,
                    Unit.status == UnitStatus.reserved,
                    Unit.retired_at.is_(None),
                )
            )
        ).scalars()
        await OCCUPANCY().sync_unit_statuses(db, actor, list(reserved))
    return phase


# --- buildings ------------------------------------------------------------------------------


def _clean_building(raw: Mapping[str, Any], errors: dict) -> dict:
    return {
        "code": rules.parse_code(raw.get("code"), "code", errors, max_length=32),
        "name": rules.parse_text(raw.get("name"), "name", errors, max_length=100, required=False)
        or "",
        "main_use": rules.parse_choice(raw.get("main_use"), BuildingUse, "main_use", errors),
        "floor_count": rules.parse_int(
            raw.get("floor_count"), "floor_count", errors, minimum=1, maximum=200
        ),
    }


async def _check_building_code(db, park_id: int, code, building_id: int | None, errors) -> None:
    if not code:
        return
    stmt = sa.select(Building.id).where(Building.park_id == park_id, Building.code == code)
    if building_id is not None:
        stmt = stmt.where(Building.id != building_id)
    if await db.scalar(stmt.limit(1)):
        errors["code"] = Message(
            N_("The building code '%(code)s' is already used in this park"), code=code
        )


def _building_conflicts(code) -> dict:
    return {
        "uq_buildings_park_id_code": (
            "code",
            Message(N_("The building code '%(code)s' is already used in this park"), code=code),
        )
    }


async def get_building(db: AsyncSession, building_id: int) -> Building:
    return await get_or_404(db, Building, building_id, N_("No such building"))


async def list_buildings(
    db: AsyncSession, park_id: int | None = None, phase_id: int | None = None
) -> list[dict]:
    stmt = (
        sa.select(*Building.__table__.c, Phase.number.label("phase_number"))
        .join(Phase, Phase.id == Building.phase_id)
        .order_by(Building.park_id, Phase.number, Building.code)
    )
    if park_id is not None:
        stmt = stmt.where(Building.park_id == park_id)
    if phase_id is not None:
        stmt = stmt.where(Building.phase_id == phase_id)
    return [dict(r) for r in (await db.execute(stmt)).mappings()]


async def create_building(
    db: AsyncSession, actor, phase_id: int, data: Mapping[str, Any]
) -> Building:
    phase = await get_phase(db, phase_id)
    errors: dict[str, str] = {}
    values = _clean_building(data, errors)
    await _check_building_code(db, phase.park_id, values["code"], None, errors)
    _fail(N_("The building was not saved."), errors)
    building = Building(park_id=phase.park_id, phase_id=phase.id, **values)
    db.add(building)
    await flush_or_field_error(db, _building_conflicts(values["code"]))
    audit.record(
        db,
        actor=actor,
        action="building_created",
        entity="building",
        entity_id=building.id,
        after={"phase_id": phase.id, **values},
    )
    return building


async def update_building(
    db: AsyncSession, actor, building_id: int, changes: Mapping[str, Any]
) -> Building:
    building = (
        await db.execute(sa.select(Building).where(Building.id == building_id).with_for_update())
    ).scalar_one_or_none()
    if building is None:
        raise NotFound(N_("No such building"))
    before = audit.snapshot(building, *BUILDING_FIELDS)
    errors: dict[str, str] = {}
    values = _clean_building(_merge_raw(before, changes, BUILDING_FIELDS), errors)
    await _check_building_code(db, building.park_id, values["code"], building.id, errors)
    if values["floor_count"] is not None:
        highest = await db.scalar(
            sa.select(sa.func.max(Floor.number)).where(Floor.building_id == building.id)
        )
        if highest is not None and highest > values["floor_count"]:
            errors["floor_count"] = Message(
                N_(
                    "Floor %(n)s of this building exists: the floor count cannot be "
                    "lower than %(n)s"
                ),
                n=highest,
            )
    _fail(N_("The building was not saved."), errors)
    for key, value in values.items():
        setattr(building, key, value)
    await flush_or_field_error(db, _building_conflicts(values["code"]))
    _record_update(db, actor, "building", building, before, BUILDING_FIELDS)
    return building


# --- floors ---------------------------------------------------------------------------------


async def _building_for_floors(db: AsyncSession, building_id: Any, errors: dict, field: str):
    """The building row (locked FOR SHARE against a concurrent floor-count change)."""
    building_id = rules.parse_int(building_id, field, errors, minimum=1)
    if building_id is None:
        return None
    row = (
        await db.execute(
            sa.select(
                Building.id,
                Building.park_id,
                Building.phase_id,
                Building.code,
                Building.floor_count,
                Phase.status.label("phase_status"),
            )
            .join(Phase, Phase.id == Building.phase_id)
            .where(Building.id == building_id)
            .with_for_update(read=True, of=Building)
        )
    ).first()
    if row is None:
        errors[field] = N_("No such building")
    return row


def _floor_conflicts(number) -> dict:
    return {
        "uq_floors_building_id_number": (
            "number",
            Message(N_("Floor %(n)s of this building already exists"), n=number),
        )
    }


async def get_floor(db: AsyncSession, floor_id: int) -> Floor:
    return await get_or_404(db, Floor, floor_id, N_("No such floor"))


async def list_floors(db: AsyncSession, building_id: int) -> list[dict]:
    rows = await db.execute(
        sa.select(*Floor.__table__.c).where(Floor.building_id == building_id).order_by(Floor.number)
    )
    return [dict(r) for r in rows.mappings()]


async def create_floor(db: AsyncSession, actor, building_id: int, data: Mapping[str, Any]) -> Floor:
    errors: dict[str, str] = {}
    building = await _building_for_floors(db, building_id, errors, "building_id")
    if building is None:
        raise NotFound(N_("No such building"))
    number = rules.parse_int(data.get("number"), "number", errors, minimum=1)
    name = rules.parse_text(data.get("name"), "name", errors, max_length=60, required=False) or ""
    rules.check_floor_number(number, building.floor_count, errors, "number")
    if number is not None and "number" not in errors:
        exists = await db.scalar(
            sa.select(Floor.id).where(Floor.building_id == building.id, Floor.number == number)
        )
        if exists:
            errors["number"] = Message(N_("Floor %(n)s of this building already exists"), n=number)
    _fail(N_("The floor was not saved."), errors)
    floor = Floor(building_id=building.id, number=number, name=name)
    db.add(floor)
    await flush_or_field_error(db, _floor_conflicts(number))
    audit.record(
        db,
        actor=actor,
        action="floor_created",
        entity="floor",
        entity_id=floor.id,
        after={"building_id": building.id, "number": number, "name": name},
    )
    return floor


async def update_floor(db: AsyncSession, actor, floor_id: int, changes: Mapping[str, Any]) -> Floor:
    floor = await get_floor(db, floor_id)
    before = audit.snapshot(floor, *FLOOR_FIELDS)
    raw = _merge_raw(before, changes, FLOOR_FIELDS)
    errors: dict[str, str] = {}
    building = await _building_for_floors(db, floor.building_id, errors, "building_id")
    number = rules.parse_int(raw["number"], "number", errors, minimum=1)
    name = rules.parse_text(raw["name"], "name", errors, max_length=60, required=False) or ""
    rules.check_floor_number(number, building.floor_count, errors, "number")
    if number is not None and number != floor.number and "number" not in errors:
        exists = await db.scalar(
            sa.select(Floor.id).where(
                Floor.building_id == floor.building_id, Floor.number == number
            )
        )
        if exists:
            errors["number"] = Message(N_("Floor %(n)s of this building already exists"), n=number)
    _fail(N_("The floor was not saved."), errors)
    floor.number, floor.name = number, name
    await flush_or_field_error(db, _floor_conflicts(number))
    _record_update(db, actor, "floor", floor, before, FLOOR_FIELDS)
    return floor


async def floor_id_for(db: AsyncSession, building_id: int, number: int) -> int:
    """The floor's id, creating the floor row if the building has none for that number yet.

    Callers have checked the number against the floor count. ON CONFLICT keeps two requests
    creating the same floor at once from failing.
    """
    await db.execute(
        pg_insert(Floor)
        .values(building_id=building_id, number=number, name="")
        .on_conflict_do_nothing(index_elements=["building_id", "number"])
    )
    return await db.scalar(
        sa.select(Floor.id).where(Floor.building_id == building_id, Floor.number == number)
    )


# --- units ----------------------------------------------------------------------------------


def _clean_status(
    status_raw: Any, reason_raw: Any, errors: dict, default=UnitStatus.available
) -> dict:
    status = (
        default
        if rules.is_blank(status_raw)
        else rules.parse_choice(status_raw, UnitStatus, "status", errors)
    )
    reason = rules.parse_text(
        reason_raw, "unavailable_reason", errors, max_length=200, required=False
    )
    # The reason belongs to the unavailable status only; any other status clears it.
    return {
        "status": status,
        "unavailable_reason": reason if status is UnitStatus.unavailable else None,
    }


def clean_unit(
    raw: Mapping[str, Any], errors: dict, *, default_status=UnitStatus.available
) -> dict:
    """The unit's own fields, parsed (no database checks)."""
    values = {
        "code": rules.parse_code(raw.get("code"), "code", errors),
        "unit_type": rules.parse_choice(raw.get("unit_type"), UnitType, "unit_type", errors),
        "gross_area": rules.parse_area(raw.get("gross_area"), "gross_area", errors),
        "leasable_area": rules.parse_area(raw.get("leasable_area"), "leasable_area", errors),
        "floor_load": rules.parse_int(
            raw.get("floor_load"), "floor_load", errors, required=False, minimum=1, maximum=100000
        ),
        "power_kva": rules.parse_int(
            raw.get("power_kva"), "power_kva", errors, required=False, minimum=1, maximum=1000000
        ),
        **_clean_status(raw.get("status"), raw.get("unavailable_reason"), errors, default_status),
    }
    rules.check_areas(values["gross_area"], values["leasable_area"], errors)
    return values


def status_rule_errors(current, values: dict, errors: dict) -> None:
    """The rules on a status given by hand (``current`` None: a new unit), as field errors."""
    new = values["status"]
    if new is None:
        return
    problem = workflow.manual_status_problem(current, new)
    if problem:
        errors["status"] = problem
    problem = workflow.reason_problem(new, values["unavailable_reason"])
    if problem:
        errors["unavailable_reason"] = problem


async def _check_unit_code(db, park_id: int, code, unit_id: int | None, errors) -> None:
    if not code or "code" in errors:
        return
    stmt = sa.select(Unit.id).where(Unit.park_id == park_id, Unit.code == code)
    if unit_id is not None:
        stmt = stmt.where(Unit.id != unit_id)
    if await db.scalar(stmt.limit(1)):
        errors["code"] = Message(
            N_("The unit code '%(code)s' is already used in this park"), code=code
        )


def _unit_conflicts(code) -> dict:
    return {
        "uq_units_park_id_code": (
            "code",
            Message(N_("The unit code '%(code)s' is already used in this park"), code=code),
        )
    }


async def _phase_status_for_update(db: AsyncSession, phase_id: int) -> str:
    """The phase's status, read FOR SHARE so it cannot leave ``operating`` under our feet."""
    return await db.scalar(
        sa.select(Phase.status).where(Phase.id == phase_id).with_for_update(read=True)
    )


async def create_unit(db: AsyncSession, actor, data: Mapping[str, Any]) -> Unit:
    """Create a unit on a building's floor (``building_id`` + ``floor`` number)."""
    errors: dict[str, str] = {}
    building = await _building_for_floors(db, data.get("building_id"), errors, "building_id")
    floor_number = rules.parse_int(data.get("floor"), "floor", errors, minimum=1)
    values = clean_unit(data, errors)
    if building is not None:
        rules.check_floor_number(floor_number, building.floor_count, errors, "floor")
        await _check_unit_code(db, building.park_id, values["code"], None, errors)
    status_rule_errors(None, values, errors)
    _fail(N_("The unit was not saved."), errors)
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
    await flush_or_field_error(db, _unit_conflicts(values["code"]))
    audit.record(
        db,
        actor=actor,
        action="unit_created",
        entity="unit",
        entity_id=unit.id,
        after={"building": building.code, "floor": floor_number, **values},
    )
    return unit


async def _lock_unit(db: AsyncSession, unit_id: int) -> Unit:
    unit = (
        await db.execute(sa.select(Unit).where(Unit.id == unit_id).with_for_update())
    ).scalar_one_or_none()
    if unit is None:
        raise NotFound(N_("No such unit"))
    return unit


async def get_unit(db: AsyncSession, unit_id: int) -> Unit:
    return await get_or_404(db, Unit, unit_id, N_("No such unit"))


async def update_unit(
    db: AsyncSession,
    actor,
    unit_id: int,
    changes: Mapping[str, Any],
    *,
    today: date | None = None,
) -> Unit:
    """Change a unit's fields (any subset); ``building_id``/``floor`` move it.

    A different status or reason is a status given by hand (:mod:`workflow`): only available,
    or unavailable with a reason, and never while a contract or hold takes the unit on or after
    ``today`` (a 409 naming them).
    """
    unit = await _lock_unit(db, unit_id)
    if unit.retired_at is not None:
        raise Conflict(N_("This unit was split or merged and is kept for history only."))
    current_floor = await db.scalar(sa.select(Floor.number).where(Floor.id == unit.floor_id))
    raw = _merge_raw(audit.snapshot(unit, *UNIT_FIELDS), changes, UNIT_FIELDS)
    if "status" in changes and "unavailable_reason" not in changes:
        raw["unavailable_reason"] = (
            None if changes["status"] != "unavailable" else unit.unavailable_reason
        )
    errors: dict[str, str] = {}
    building = await _building_for_floors(
        db, changes.get("building_id", unit.building_id), errors, "building_id"
    )
    floor_number = rules.parse_int(changes.get("floor", current_floor), "floor", errors, minimum=1)
    values = clean_unit(raw, errors)
    status_rule_errors(unit.status, values, errors)
    if building is not None:
        if building.park_id != unit.park_id:
            errors["building_id"] = N_("A unit cannot move to another park")
        rules.check_floor_number(floor_number, building.floor_count, errors, "floor")
        await _check_unit_code(db, unit.park_id, values["code"], unit.id, errors)
        if unit.status == UnitStatus.leased and building.phase_id != unit.phase_id:
            if await _phase_status_for_update(db, building.phase_id) != PhaseStatus.operating:
                errors["building_id"] = N_(
                    "A leased unit cannot move to a phase that is not operating"
                )
    _fail(N_("The unit was not saved."), errors)
    assert building is not None and floor_number is not None
    if _status_differs(unit, values):
        await _free_of_contracts_and_holds(db, actor, unit, today)
        problem = workflow.manual_status_problem(unit.status, values["status"])
        if problem:  # the unit's status was brought up to date: ask again
            raise ValidationFailed(N_("The unit was not saved."), field_errors={"status": problem})
    before = audit.snapshot(unit, *UNIT_FIELDS, "building_id", "floor_id")
    if building.id != unit.building_id or floor_number != current_floor:
        unit.floor_id = await floor_id_for(db, building.id, floor_number)
        unit.building_id, unit.phase_id = building.id, building.phase_id
    for key, value in values.items():
        setattr(unit, key, value)
    unit.updated_at = utcnow()
    await flush_or_field_error(db, _unit_conflicts(values["code"]))
    old, new = _changed(before, audit.snapshot(unit, *UNIT_FIELDS, "building_id", "floor_id"))
    if new:
        action = (
            "unit_status_changed"
            if set(new) <= {"status", "unavailable_reason"}
            else "unit_updated"
        )
        audit.record(
            db, actor=actor, action=action, entity="unit", entity_id=unit.id, before=old, after=new
        )
    return unit


# --- unit status: by hand, and following the contracts and holds ------------------------------

# The transaction-local setting by which follow_occupancy tells the database that it, and
# nobody else, is writing statuses that contracts and holds give (see the units trigger in
# migrations/versions/20261206_0900_unit_status_follows_leases.py).
STATUS_WRITER = "parkops.unit_status_writer"


async def unit_commitments(db: AsyncSession, unit_ids: Sequence[int], today: date | None = None):
    """The contracts and live holds that take the units on or after ``today`` (leases'
    ``Commitment``: a message naming each, and a link), in unit and date order."""
    return list(await OCCUPANCY().unit_commitments(db, unit_ids, today))


def _status_differs(unit: Unit, values: Mapping[str, Any]) -> bool:
    new = (values["status"], values["unavailable_reason"])
    return new[0] is not None and new != (unit.status, unit.unavailable_reason)


def _taken(code: str, commitments: Sequence[Any]) -> Conflict:
    return Conflict(
        Message(
            N_(
                "The status of unit %(code)s follows its contracts and holds and cannot be "
                "changed by hand: %(what)s. To free the unit, terminate the contract or release "
                "the hold."
            ),
            code=code,
            what=join_messages([c.message for c in commitments]),
        )
    )


async def _free_of_contracts_and_holds(
    db: AsyncSession, actor, unit: Unit, today: date | None
) -> None:
    """Refuse (409) while a contract or hold takes the unit on or after ``today``. When none
    does but the unit still reads leased or reserved (its contract ended, its hold lapsed, and
    the daily roll-over has not run yet), bring its status up to date first."""
    commitments = await unit_commitments(db, [unit.id], today)
    if commitments:
        raise _taken(unit.code, commitments)
    if unit.status in workflow.OCCUPIED:
        await OCCUPANCY().refresh_units(db, actor, [unit.id], today)


async def check_status_change(
    db: AsyncSession, unit_id: int, status: Any, reason: Any = None, *, today: date | None = None
) -> dict[str, Any]:
    """What :func:`set_unit_status` would do, refused the same way, writing nothing: the unit
    page shows it for confirmation. Returns ``unit``, ``status`` and ``unavailable_reason``."""
    unit = await get_unit(db, unit_id)
    if unit.retired_at is not None:
        raise Conflict(N_("This unit was split or merged and is kept for history only."))
    errors: dict[str, str] = {}
    values = _clean_status(status, reason, errors, default=None)
    if values["status"] is None and "status" not in errors:
        errors["status"] = N_("Choose the new status")
    status_rule_errors(unit.status, values, errors)
    if not errors and not _status_differs(unit, values):
        errors["status"] = N_("The unit already has this status.")
    _fail(N_("The status was not changed."), errors)
    commitments = await unit_commitments(db, [unit.id], today)
    if commitments:
        raise _taken(unit.code, commitments)
    return {"unit": unit, **values}


async def set_unit_status(
    db: AsyncSession,
    actor,
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


@asynccontextmanager
async def _as_status_follower(db: AsyncSession) -> AsyncIterator[None]:
    """Write (and flush) unit statuses as the follower of contracts and holds. Pending changes
    are flushed before the setting is made (autoflush), so only the ones made inside count."""
    await db.execute(sa.select(sa.func.set_config(STATUS_WRITER, "occupancy", True)))
    yield
    await db.flush()
    await db.execute(sa.select(sa.func.set_config(STATUS_WRITER, "", True)))


async def follow_occupancy(
    db: AsyncSession, actor, occupancy: Mapping[int, workflow.Occupancy | str | None]
) -> int:
    """Give units the statuses their contracts and holds make (``workflow.followed_status``),
    audited as ``unit_occupancy_changed``; returns how many changed. The leases domain calls
    this in every transaction that changes a contract or hold, and in the daily roll-over.

    The units are locked FOR NO KEY UPDATE in id order (which does not wait for the KEY SHARE
    lock a new contract or hold takes on them, so two holds on one unit cannot deadlock), their
    phases FOR SHARE (a phase with leased units must stay operating: ``update_phase``).
    """
    current = (
        await db.execute(
            sa.select(Unit.id, Unit.status, Unit.retired_at, Phase.status.label("phase_status"))
            .join(Phase, Phase.id == Unit.phase_id)
            .where(Unit.id.in_(sorted(occupancy)))
        )
    ).all()
    due = [
        r.id
        for r in current
        if r.retired_at is None
        and workflow.followed_status(occupancy[r.id], r.status, r.phase_status) != r.status
    ]
    if not due:
        return 0
    units = (
        (
            await db.execute(
                sa.select(Unit)
                .where(Unit.id.in_(due))
                .order_by(Unit.id)
                .with_for_update(key_share=True)
                .execution_options(populate_existing=True)
            )
        )
        .scalars()
        .all()
    )
    phases = dict(
        (
            await db.execute(
                sa.select(Phase.id, Phase.status)
                .where(Phase.id.in_({u.phase_id for u in units}))
                .order_by(Phase.id)
                .with_for_update(read=True)
            )
        ).all()
    )
    changed = 0
    async with _as_status_follower(db):
        for unit in units:
            target = workflow.followed_status(
                occupancy[unit.id], unit.status, phases[unit.phase_id]
            )
            if target == unit.status:
                continue
            before = {"status": unit.status, "unavailable_reason": unit.unavailable_reason}
            unit.status, unit.unavailable_reason = target, None
            unit.updated_at = utcnow()
            audit.record(
                db,
                actor=actor,
                action="unit_occupancy_changed",
                entity="unit",
                entity_id=unit.id,
                before=before,
                after={"status": target.value, "unavailable_reason": None},
            )
            changed += 1
    return changed


# --- split and merge ------------------------------------------------------------------------


def _not_splittable(unit: Unit, verb: str) -> str | None:
    if unit.retired_at is not None:
        return Message(N_("Unit %(code)s was already split or merged"), code=unit.code)
    if unit.status != UnitStatus.available:
        return Message(
            N_("Only available units can be %(verb)s; unit %(code)s is %(status)s"),
            verb=Message(verb),
            code=unit.code,
            status=Message(UNIT_STATUS_LABELS[UnitStatus(unit.status)]),
        )
    return None


async def _taken_for_lineage(db: AsyncSession, units: Sequence[Unit], verb: str) -> str | None:
    """A unit that a contract (even one pending approval, which leaves it available) or a hold
    takes on or after today is not split or merged under it."""
    commitments = await unit_commitments(db, [u.id for u in units])
    if not commitments:
        return None
    return Message(
        N_("Units taken by contracts or holds cannot be %(verb)s: %(what)s"),
        verb=Message(verb),
        what=join_messages([c.message for c in commitments]),
    )


async def _codes_taken(db: AsyncSession, park_id: int, codes: Sequence[str]) -> set[str]:
    if not codes:
        return set()
    rows = await db.execute(
        sa.select(Unit.code).where(Unit.park_id == park_id, Unit.code.in_(list(codes)))
    )
    return set(rows.scalars())


def _successor(unit: Unit, values: dict) -> Unit:
    return Unit(
        park_id=unit.park_id,
        phase_id=unit.phase_id,
        building_id=unit.building_id,
        floor_id=unit.floor_id,
        status=UnitStatus.available,
        unavailable_reason=None,
        **values,
    )


async def split_unit(
    db: AsyncSession, actor, unit_id: int, parts: Sequence[Mapping[str, Any]]
) -> list[Unit]:
    """Split an available unit into parts whose areas add up exactly to the original's.

    The original is retired (kept, with its code) and linked to each part in the lineage.
    Parts inherit the type and floor load unless given; power capacity is per part.
    """
    unit = await _lock_unit(db, unit_id)
    errors: dict[str, str] = {}
    problem = _not_splittable(unit, N_("split")) or await _taken_for_lineage(
        db, [unit], N_("split")
    )
    if problem:
        raise ValidationFailed(problem, field_errors={"status": problem})
    if len(parts) < 2:
        errors["parts"] = N_("Split the unit into at least two parts")
    if len(parts) > MAX_SPLIT_PARTS:
        errors["parts"] = Message(N_("Split the unit into at most %(n)s parts"), n=MAX_SPLIT_PARTS)
    _fail(N_("The unit was not split."), errors)

    cleaned: list[dict] = []
    for i, part in enumerate(parts):
        part_errors: dict[str, str] = {}
        raw = {
            "unit_type": unit.unit_type,
            "floor_load": unit.floor_load,
            **{k: v for k, v in part.items() if not rules.is_blank(v)},
            "status": UnitStatus.available,
        }
        values = clean_unit(raw, part_errors)
        del values["status"], values["unavailable_reason"]
        errors.update({f"parts.{i}.{k}": v for k, v in part_errors.items()})
        cleaned.append(values)
    taken = await _codes_taken(db, unit.park_id, [c["code"] for c in cleaned if c["code"]])
    seen: set[str] = set()
    for i, values in enumerate(cleaned):
        code = values["code"]
        if code in taken:
            errors[f"parts.{i}.code"] = Message(
                N_("The unit code '%(code)s' is already used in this park"), code=code
            )
        elif code and code in seen:
            errors[f"parts.{i}.code"] = Message(
                N_("The code '%(code)s' is given to two parts"), code=code
            )
        seen.add(code)
    if not any(k.endswith(("gross_area", "leasable_area")) for k in errors):
        errors.update(
            rules.area_sum_problems(
                rules.Areas(unit.gross_area, unit.leasable_area),
                [rules.Areas(c["gross_area"], c["leasable_area"]) for c in cleaned],
            )
        )
    _fail(N_("The unit was not split."), errors)

    successors = [_successor(unit, values) for values in cleaned]
    db.add_all(successors)
    unit.retired_at = unit.updated_at = utcnow()
    await flush_or_field_error(
        db, {"uq_units_park_id_code": ("parts", N_("A part's code was taken in the meantime"))}
    )
    for s in successors:
        db.add(
            UnitLineage(
                predecessor_id=unit.id,
                successor_id=s.id,
                operation=LineageOperation.split,
                actor_id=getattr(actor, "id", None),
            )
        )
        audit.record(
            db,
            actor=actor,
            action="unit_created",
            entity="unit",
            entity_id=s.id,
            after={"split_from": unit.code, **audit.snapshot(s, *UNIT_FIELDS)},
        )
    audit.record(
        db,
        actor=actor,
        action="unit_split",
        entity="unit",
        entity_id=unit.id,
        before={
            "code": unit.code,
            "gross_area": unit.gross_area,
            "leasable_area": unit.leasable_area,
        },
        after={"successors": [s.code for s in successors]},
    )
    await db.flush()
    return successors


async def merge_units(
    db: AsyncSession, actor, unit_ids: Sequence[Any], data: Mapping[str, Any]
) -> Unit:
    """Merge available units of one floor into a new unit; its areas are their sums.

    If areas are given they must equal the sums exactly. Type defaults to the units' common type;
    floor load to the lowest of theirs (the weakest part bounds the whole); power capacity to
    the sum of theirs when all have one.
    """
    errors: dict[str, str] = {}
    ids: list[int] = []
    for raw in unit_ids:
        value = rules.parse_int(raw, "unit_ids", errors, minimum=1)
        if value is not None and value not in ids:
            ids.append(value)
    if "unit_ids" not in errors and len(ids) < 2:
        errors["unit_ids"] = N_("Choose at least two units to merge")
    if len(ids) > MAX_MERGE_UNITS:
        errors["unit_ids"] = Message(N_("Merge at most %(n)s units at once"), n=MAX_MERGE_UNITS)
    _fail(N_("The units were not merged."), errors)
    units = list(
        (
            await db.execute(
                sa.select(Unit).where(Unit.id.in_(ids)).order_by(Unit.id).with_for_update()
            )
        ).scalars()
    )
    missing = sorted(set(ids) - {u.id for u in units})
    if missing:
        raise ValidationFailed(
            N_("The units were not merged."),
            field_errors={
                "unit_ids": Message(N_("No such unit: %(ids)s"), ids=", ".join(map(str, missing)))
            },
        )
    problems = [p for u in units if (p := _not_splittable(u, N_("merged")))]
    if not problems and (problem := await _taken_for_lineage(db, units, N_("merged"))):
        problems = [problem]
    if problems:
        errors["unit_ids"] = (
            problems[0]
            if len(problems) == 1
            else Message(N_("%(first)s (and %(n)s more)"), first=problems[0], n=len(problems) - 1)
        )
    elif len({u.floor_id for u in units}) > 1:
        errors["unit_ids"] = N_("Only units on the same floor of the same building can be merged")
    _fail(N_("The units were not merged."), errors)

    gross = sum((u.gross_area for u in units), Decimal("0.00"))
    leasable = sum((u.leasable_area for u in units), Decimal("0.00"))
    types = {u.unit_type for u in units}
    loads = [u.floor_load for u in units if u.floor_load is not None]
    powers = [u.power_kva for u in units]
    raw = {
        "unit_type": types.pop() if len(types) == 1 else None,
        "floor_load": min(loads) if loads else None,
        "power_kva": sum(powers) if all(p is not None for p in powers) else None,
        "gross_area": gross,
        "leasable_area": leasable,
        **{k: v for k, v in data.items() if not rules.is_blank(v)},
        "status": UnitStatus.available,
    }
    values = clean_unit(raw, errors)
    del values["status"], values["unavailable_reason"]
    if values["gross_area"] is not None and values["gross_area"] != gross:
        errors["gross_area"] = Message(
            N_(
                "The merged unit's gross floor area must be the sum of the units' "
                "(%(sum)s m²), not %(value)s m²"
            ),
            sum=gross,
            value=values["gross_area"],
        )
    if values["leasable_area"] is not None and values["leasable_area"] != leasable:
        errors["leasable_area"] = Message(
            N_(
                "The merged unit's leasable area must be the sum of the units' "
                "(%(sum)s m²), not %(value)s m²"
            ),
            sum=leasable,
            value=values["leasable_area"],
        )
    if values["code"] and await _codes_taken(db, units[0].park_id, [values["code"]]):
        errors["code"] = Message(
            N_("The unit code '%(code)s' is already used in this park"), code=values["code"]
        )
    _fail(N_("The units were not merged."), errors)

    merged = _successor(units[0], values)
    db.add(merged)
    now = utcnow()
    for u in units:
        u.retired_at = u.updated_at = now
    await flush_or_field_error(db, _unit_conflicts(values["code"]))
    for u in units:
        db.add(
            UnitLineage(
                predecessor_id=u.id,
                successor_id=merged.id,
                operation=LineageOperation.merge,
                actor_id=getattr(actor, "id", None),
            )
        )
        audit.record(
            db,
            actor=actor,
            action="unit_merged",
            entity="unit",
            entity_id=u.id,
            after={"merged_into": merged.code},
        )
    audit.record(
        db,
        actor=actor,
        action="unit_created",
        entity="unit",
        entity_id=merged.id,
        after={"merged_from": [u.code for u in units], **audit.snapshot(merged, *UNIT_FIELDS)},
    )
    await db.flush()
    return merged
