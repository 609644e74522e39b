"""Creating and changing spaces: every bad input names its field and writes nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from parkops.core.audit import AuditEntry
from parkops.core.errors import Conflict, ValidationFailed
from parkops.inventory.models import Building, Floor, Park, Phase, Unit
from parkops.inventory.services import lineage, spaces
from parkops.inventory.services import units as unit_service
from parkops.leases.services import terminations
from tests.integration.inventory.factories import (
    count_rows,
    create_building,
    create_park,
    create_phase,
    create_unit,
)
from tests.integration.leases.factories import TODAY, actor, create_contract

ALL = (Park, Phase, Building, Floor, Unit, AuditEntry)


async def _refused(db, call, field: str, contains: str = ""):
    """Run ``call``; it must fail on ``field`` and leave every table as it was."""
    before = await count_rows(db, *ALL)
    with pytest.raises(ValidationFailed) as info:
        await call()
    assert field in info.value.field_errors, info.value.field_errors
    assert contains in info.value.field_errors[field]
    assert await count_rows(db, *ALL) == before
    return info.value


def unit_values(building, **overrides):
    return {
        "building_id": building.id,
        "floor": 2,
        "code": "X-201",
        "unit_type": "workshop",
        "gross_area": "2000",
        "leasable_area": "1800.5",
    } | overrides


async def test_create_unit_creates_the_floor_and_audits(db):
    building = await create_building(db, floor_count=4)
    unit = await unit_service.create_unit(db, "tester", unit_values(building))
    assert (unit.park_id, unit.phase_id, unit.building_id) == (
        building.park_id,
        building.phase_id,
        building.id,
    )
    floor = await db.get(Floor, unit.floor_id)
    assert (floor.building_id, floor.number) == (building.id, 2)
    assert str(unit.leasable_area) == "1800.50" and unit.status == "available"
    entry = (
        await db.execute(
            sa.select(AuditEntry).where(
                AuditEntry.entity == "unit", AuditEntry.entity_id == str(unit.id)
            )
        )
    ).scalar_one()
    assert entry.action == "unit_created" and entry.after["gross_area"] == "2000.00"
    # A second unit on the same floor reuses the floor row.
    other = await unit_service.create_unit(db, "tester", unit_values(building, code="X-202"))
    assert other.floor_id == unit.floor_id


async def test_duplicate_unit_code_in_the_park(db):
    building = await create_building(db)
    await create_unit(db, building, code="DUP-1")
    await _refused(
        db,
        lambda: unit_service.create_unit(db, "t", unit_values(building, code="DUP-1")),
        "code",
        "'DUP-1' is already used in this park",
    )
    # Another park may use the same code.
    elsewhere = await create_building(db)
    assert (await create_unit(db, elsewhere, code="DUP-1")).code == "DUP-1"


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"gross_area": "0"}, "gross_area", "greater than zero"),
        ({"gross_area": "-10"}, "gross_area", "greater than zero"),
        ({"leasable_area": "-1"}, "leasable_area", "greater than zero"),
        ({"leasable_area": "2000.01"}, "leasable_area", "cannot exceed the gross"),
        ({"gross_area": "10.123"}, "gross_area", "two decimals"),
        ({"floor": 6}, "floor", "above the building's floor count (5 floors)"),
        ({"floor": 0}, "floor", "greater than zero"),
        ({"code": ""}, "code", "required"),
        ({"unit_type": "castle"}, "unit_type", "not one of"),
        ({"status": "sold"}, "status", "not one of"),
        ({"status": "unavailable"}, "unavailable_reason", "reason"),
        ({"floor_load": "-5"}, "floor_load", "greater than zero"),
        ({"building_id": 987654}, "building_id", "No such building"),
    ],
)
async def test_bad_unit_input(db, overrides, field, text):
    building = await create_building(db, floor_count=5)
    await _refused(
        db,
        lambda: unit_service.create_unit(db, "t", unit_values(building, **overrides)),
        field,
        text,
    )


@pytest.mark.parametrize("phase_status", ["planned", "under_construction", "operating"])
@pytest.mark.parametrize("status", ["leased", "reserved"])
async def test_no_unit_is_created_leased_or_reserved(db, phase_status, status):
    """Only contracts and holds lease or reserve a unit, whatever its phase."""
    building = await create_building(db, await create_phase(db, status=phase_status))
    await _refused(
        db,
        lambda: unit_service.create_unit(db, "t", unit_values(building, status=status)),
        "status",
        "contracts and holds",
    )


async def test_manual_statuses_are_unavailable_with_a_reason_and_back_and_are_audited(db):
    unit = await create_unit(db)
    await unit_service.set_unit_status(db, "t", unit.id, "unavailable", "漏水维修")
    assert (unit.status, unit.unavailable_reason) == ("unavailable", "漏水维修")
    await unit_service.set_unit_status(db, "t", unit.id, "unavailable", "自用")  # another reason
    assert unit.unavailable_reason == "自用"
    await unit_service.set_unit_status(db, "t", unit.id, "available")
    assert (unit.status, unit.unavailable_reason) == ("available", None)
    for status in ("leased", "reserved"):
        await _refused(
            db,
            lambda status=status: unit_service.set_unit_status(db, "t", unit.id, status),
            "status",
            "not set by hand",
        )
    await _refused(
        db,
        lambda: unit_service.set_unit_status(db, "t", unit.id, "available"),
        "status",
        "already has this status",
    )
    actions = (
        (
            await db.execute(
                sa.select(AuditEntry.action)
                .where(AuditEntry.entity == "unit", AuditEntry.entity_id == str(unit.id))
                .order_by(AuditEntry.id)
            )
        )
        .scalars()
        .all()
    )
    assert actions == ["unit_created", *["unit_status_changed"] * 3]


async def test_update_unit_fields_and_move_floor(db):
    building = await create_building(db, floor_count=3)
    unit = await create_unit(db, building, floor=1)
    await unit_service.update_unit(
        db, "t", unit.id, {"floor": 3, "gross_area": "2100", "code": "MOVED-1"}
    )
    assert unit.code == "MOVED-1" and str(unit.gross_area) == "2100.00"
    assert (await db.get(Floor, unit.floor_id)).number == 3
    await _refused(
        db,
        lambda: unit_service.update_unit(db, "t", unit.id, {"leasable_area": "2100.01"}),
        "leasable_area",
    )
    await _refused(
        db, lambda: unit_service.update_unit(db, "t", unit.id, {"floor": 4}), "floor", "above"
    )


async def test_phase_cannot_stop_operating_while_units_are_leased(db):
    phase = await create_phase(db, status="operating")
    unit = await create_unit(db, await create_building(db, phase))
    contract = await create_contract(db, units=[unit], status="active")
    assert unit.status == "leased"
    await _refused(
        db,
        lambda: spaces.update_phase(db, "t", phase.id, {"status": "under_construction"}),
        "status",
        "leased",
    )
    # Ended early, the contract no longer holds the unit: the phase may change.
    await terminations.terminate(
        db,
        await actor(db, "leasing"),
        contract.id,
        {"last_day": "2026-02-28", "reason": "test"},
        today=TODAY,
    )
    assert unit.status == "available"
    await spaces.update_phase(db, "t", phase.id, {"status": "under_construction"})
    assert phase.status == "under_construction"


async def test_floors_respect_the_floor_count(db):
    building = await create_building(db, floor_count=3)
    await _refused(
        db,
        lambda: spaces.create_floor(db, "t", building.id, {"number": 4}),
        "number",
        "above the building's floor count (3 floors)",
    )
    await spaces.create_floor(db, "t", building.id, {"number": 3, "name": "仓库"})
    await _refused(
        db,
        lambda: spaces.create_floor(db, "t", building.id, {"number": 3}),
        "number",
        "already exists",
    )
    await _refused(
        db,
        lambda: spaces.update_building(db, "t", building.id, {"floor_count": 2}),
        "floor_count",
        "Floor 3",
    )
    await spaces.update_building(db, "t", building.id, {"floor_count": 8, "name": "新名"})
    assert building.floor_count == 8


async def test_parks_phases_and_buildings_are_unique_where_they_must_be(db):
    park = await create_park(db, name="唯一园区")
    await _refused(db, lambda: spaces.create_park(db, "t", {"name": "唯一园区"}), "name")
    phase = await create_phase(db, park, number=1)
    await _refused(
        db,
        lambda: spaces.create_phase(
            db, "t", park.id, {"number": 1, "name": "x", "status": "planned"}
        ),
        "number",
    )
    await create_building(db, phase, code="A1")
    await _refused(
        db,
        lambda: spaces.create_building(
            db, "t", phase.id, {"code": "A1", "main_use": "office", "floor_count": 3}
        ),
        "code",
    )
    await _refused(
        db,
        lambda: spaces.create_phase(db, "t", park.id, {"number": 2, "name": "二期", "status": "x"}),
        "status",
    )
    await _refused(
        db,
        lambda: spaces.create_building(
            db, "t", phase.id, {"code": "Z9", "main_use": "office", "floor_count": 0}
        ),
        "floor_count",
    )


async def test_retired_units_cannot_be_edited(db):
    unit = await create_unit(db, gross_area="100", leasable_area="100")
    await lineage.split_unit(
        db,
        "t",
        unit.id,
        [
            {"code": "R-A", "gross_area": "50", "leasable_area": "50"},
            {"code": "R-B", "gross_area": "50", "leasable_area": "50"},
        ],
    )
    with pytest.raises(Conflict):
        await unit_service.update_unit(db, "t", unit.id, {"code": "R-X"})
