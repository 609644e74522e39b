"""Parks, phases, buildings and floors: reading, creating and changing them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.core import audit
from parkops.core.actor import Actor
from parkops.core.errors import NotFound
from parkops.core.i18n import N_
from parkops.core.integrity import flush_or_field_error
from parkops.core.pagination import Page, paginate
from parkops.core.rows import get_or_404
from parkops.inventory.models import Building, Floor, Park, Phase, Unit
from parkops.inventory.occupancy import OCCUPANCY
from parkops.inventory.rules import spaces as rules
from parkops.inventory.rules.fields import check_floor_number, parse_int
from parkops.inventory.services.editing import (
    exists,
    fail,
    lock,
    merge_raw,
    record_created,
    record_update,
)
from parkops.inventory.vocabulary import PhaseStatus, UnitStatus

# --- parks --------------------------------------------------------------------------------------


async def get_park(db: AsyncSession, park_id: int) -> Park:
    return await get_or_404(db, Park, park_id, N_("No such park"))


async def list_parks(db: AsyncSession) -> list[dict[str, Any]]:
    rows = await db.execute(
        sa.select(Park.id, Park.name, Park.address, Park.created_at).order_by(Park.name)
    )
    return [dict(r) for r in rows.mappings()]


async def _save_park(db: AsyncSession, park: Park, values: dict[str, Any], errors: dict) -> None:
    name = values["name"]
    if name and await exists(db, Park, sa.func.lower(Park.name) == name.lower(), except_id=park.id):
        errors["name"] = rules.park_name_taken(name)
    fail(N_("The park was not saved."), errors)
    for key, value in values.items():
        setattr(park, key, value)
    db.add(park)
    await flush_or_field_error(db, {"uq_parks_name": ("name", rules.park_name_taken(name))})


async def create_park(db: AsyncSession, actor: Actor, data: Mapping[str, Any]) -> Park:
    errors: dict[str, Any] = {}
    values = rules.clean_park(data, errors)
    park = Park()
    await _save_park(db, park, values, errors)
    record_created(db, actor, "park", park, values)
    return park


async def update_park(
    db: AsyncSession, actor: Actor, park_id: int, changes: Mapping[str, Any]
) -> Park:
    park = await get_park(db, park_id)
    before = audit.snapshot(park, *rules.PARK_FIELDS)
    errors: dict[str, Any] = {}
    values = rules.clean_park(merge_raw(before, changes, rules.PARK_FIELDS), errors)
    await _save_park(db, park, values, errors)
    record_update(db, actor, "park", park, before, rules.PARK_FIELDS)
    return park


# --- phases -------------------------------------------------------------------------------------


async def get_phase(db: AsyncSession, phase_id: int) -> Phase:
    return await get_or_404(db, Phase, phase_id, N_("No such phase"))


async def list_phases(db: AsyncSession, park_id: int | None = None) -> list[dict[str, Any]]:
    stmt = sa.select(*Phase.__table__.c).order_by(Phase.park_id, Phase.number)
    if park_id is not None:
        stmt = stmt.where(Phase.park_id == park_id)
    return [dict(r) for r in (await db.execute(stmt)).mappings()]


async def _save_phase(db: AsyncSession, phase: Phase, values: dict[str, Any], errors: dict) -> None:
    number = values["number"]
    if number is not None and await exists(
        db, Phase, Phase.park_id == phase.park_id, Phase.number == number, except_id=phase.id
    ):
        errors["number"] = rules.phase_number_taken(number)
    fail(N_("The phase was not saved."), errors)
    for key, value in values.items():
        setattr(phase, key, value)
    db.add(phase)
    conflicts = {"uq_phases_park_id_number": ("number", rules.phase_number_taken(number))}
    await flush_or_field_error(db, conflicts)


async def create_phase(
    db: AsyncSession, actor: Actor, park_id: int, data: Mapping[str, Any]
) -> Phase:
    await get_park(db, park_id)
    errors: dict[str, Any] = {}
    values = rules.clean_phase(data, errors)
    phase = Phase(park_id=park_id)
    await _save_phase(db, phase, values, errors)
    record_created(db, actor, "phase", phase, {"park_id": park_id, **values})
    return phase


async def _count_units(db: AsyncSession, phase_id: int, status: UnitStatus) -> int:
    return (
        await db.scalar(
            sa.select(sa.func.count())
            .select_from(Unit)
            .where(Unit.phase_id == phase_id, Unit.status == status, Unit.retired_at.is_(None))
        )
        or 0
    )


async def update_phase(
    db: AsyncSession, actor: Actor, phase_id: int, changes: Mapping[str, Any]
) -> Phase:
    phase = await lock(db, Phase, phase_id, N_("No such phase"))
    before = audit.snapshot(phase, *rules.PHASE_FIELDS)
    errors: dict[str, Any] = {}
    values = rules.clean_phase(merge_raw(before, changes, rules.PHASE_FIELDS), errors)
    if values["status"] is not None and values["status"] is not PhaseStatus.operating:
        leased = await _count_units(db, phase.id, UnitStatus.leased)
        if leased:
            errors["status"] = rules.phase_leased_problem(leased)
    await _save_phase(db, phase, values, errors)
    record_update(db, actor, "phase", phase, before, rules.PHASE_FIELDS)
    if phase.status != before["status"]:
        # A pre-let unit whose contract has begun is occupied once its phase operates: its
        # status follows now, not at the next roll-over.
        reserved = await db.scalars(
            sa.select(Unit.id).where(
                Unit.phase_id == phase.id,
                Unit.status == UnitStatus.reserved,
                Unit.retired_at.is_(None),
            )
        )
        await OCCUPANCY().sync_unit_statuses(db, actor, list(reserved))
    return phase


# --- buildings ----------------------------------------------------------------------------------


async def get_building(db: AsyncSession, building_id: int) -> Building:
    return await get_or_404(db, Building, building_id, N_("No such building"))


def building_list_statement(park_id: int | None = None, phase_id: int | None = None) -> sa.Select:
    """Buildings by park and code: the order of the (park, code) unique index, so a page is an
    index scan that stops after it, not a sort of every building of every park."""
    stmt = sa.select(*Building.__table__.c).order_by(Building.park_id, Building.code)
    if park_id is not None:
        stmt = stmt.where(Building.park_id == park_id)
    if phase_id is not None:
        stmt = stmt.where(Building.phase_id == phase_id)
    return stmt


async def list_buildings(
    db: AsyncSession, park_id: int | None, phase_id: int | None, page: int, page_size: int
) -> Page:
    return await paginate(
        db, building_list_statement(park_id, phase_id), page=page, page_size=page_size
    )


async def _save_building(
    db: AsyncSession, building: Building, values: dict[str, Any], errors: dict
) -> None:
    code = values["code"]
    if code and await exists(
        db,
        Building,
        Building.park_id == building.park_id,
        Building.code == code,
        except_id=building.id,
    ):
        errors["code"] = rules.building_code_taken(code)
    fail(N_("The building was not saved."), errors)
    for key, value in values.items():
        setattr(building, key, value)
    db.add(building)
    conflicts = {"uq_buildings_park_id_code": ("code", rules.building_code_taken(code))}
    await flush_or_field_error(db, conflicts)


async def create_building(
    db: AsyncSession, actor: Actor, phase_id: int, data: Mapping[str, Any]
) -> Building:
    phase = await get_phase(db, phase_id)
    errors: dict[str, Any] = {}
    values = rules.clean_building(data, errors)
    building = Building(park_id=phase.park_id, phase_id=phase.id)
    await _save_building(db, building, values, errors)
    record_created(db, actor, "building", building, {"phase_id": phase.id, **values})
    return building


async def update_building(
    db: AsyncSession, actor: Actor, building_id: int, changes: Mapping[str, Any]
) -> Building:
    building = await lock(db, Building, building_id, N_("No such building"))
    before = audit.snapshot(building, *rules.BUILDING_FIELDS)
    errors: dict[str, Any] = {}
    values = rules.clean_building(merge_raw(before, changes, rules.BUILDING_FIELDS), errors)
    if values["floor_count"] is not None:
        highest = await db.scalar(
            sa.select(sa.func.max(Floor.number)).where(Floor.building_id == building.id)
        )
        problem = rules.floor_count_problem(highest, values["floor_count"])
        if problem:
            errors["floor_count"] = problem
    await _save_building(db, building, values, errors)
    record_update(db, actor, "building", building, before, rules.BUILDING_FIELDS)
    return building


# --- floors -------------------------------------------------------------------------------------


async def building_for_floors(
    db: AsyncSession, building_id: Any, errors: dict[str, Any], field: str
) -> Row[Any] | None:
    """The building row (locked FOR SHARE against a concurrent floor-count change) with its
    phase's status; None, and an error on ``field``, when there is no such building."""
    building_id = parse_int(building_id, field, errors, minimum=1)
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


async def get_floor(db: AsyncSession, floor_id: int) -> Floor:
    return await get_or_404(db, Floor, floor_id, N_("No such floor"))


async def list_floors(db: AsyncSession, building_id: int) -> list[dict[str, Any]]:
    rows = await db.execute(
        sa.select(*Floor.__table__.c).where(Floor.building_id == building_id).order_by(Floor.number)
    )
    return [dict(r) for r in rows.mappings()]


async def _save_floor(
    db: AsyncSession, floor: Floor, building: Row[Any], raw: Mapping[str, Any], errors: dict
) -> dict[str, Any]:
    values = rules.clean_floor(raw, errors)
    number = values["number"]
    check_floor_number(number, building.floor_count, errors, "number")
    if (
        number is not None
        and number != floor.number
        and "number" not in errors
        and await exists(db, Floor, Floor.building_id == building.id, Floor.number == number)
    ):
        errors["number"] = rules.floor_number_taken(number)
    fail(N_("The floor was not saved."), errors)
    floor.number, floor.name = number, values["name"]
    db.add(floor)
    conflicts = {"uq_floors_building_id_number": ("number", rules.floor_number_taken(number))}
    await flush_or_field_error(db, conflicts)
    return values


async def create_floor(
    db: AsyncSession, actor: Actor, building_id: int, data: Mapping[str, Any]
) -> Floor:
    errors: dict[str, Any] = {}
    building = await building_for_floors(db, building_id, errors, "building_id")
    if building is None:
        raise NotFound(N_("No such building"))
    floor = Floor(building_id=building.id)
    values = await _save_floor(db, floor, building, data, errors)
    record_created(db, actor, "floor", floor, {"building_id": building.id, **values})
    return floor


async def update_floor(
    db: AsyncSession, actor: Actor, floor_id: int, changes: Mapping[str, Any]
) -> Floor:
    floor = await get_floor(db, floor_id)
    before = audit.snapshot(floor, *rules.FLOOR_FIELDS)
    errors: dict[str, Any] = {}
    building = await building_for_floors(db, floor.building_id, errors, "building_id")
    assert building is not None  # the floor's own building (a foreign key)
    await _save_floor(db, floor, building, merge_raw(before, changes, rules.FLOOR_FIELDS), errors)
    record_update(db, actor, "floor", floor, before, rules.FLOOR_FIELDS)
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
    floor_id = await db.scalar(
        sa.select(Floor.id).where(Floor.building_id == building_id, Floor.number == number)
    )
    assert floor_id is not None
    return floor_id
