"""The inventory tables as migrated match the models, and the database itself refuses what
concurrency could slip past the service: duplicate codes, bad areas, unknown statuses."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import IntegrityError

import parkops.models  # noqa: F401
from parkops.db.base import metadata
from tests.integration.inventory.factories import create_building, create_unit

TABLES = {"parks", "phases", "buildings", "floors", "units", "unit_lineage"}


def _ours(obj, name, type_, reflected, compare_to) -> bool:
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return (table.name if table is not None else name) in TABLES


async def test_inventory_models_and_migration_do_not_differ(engine):
    async with engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(
                    sync, opts={"compare_type": True, "include_object": _ours}
                ),
                metadata,
            )
        )
    assert diff == []


async def _refused(db, sql: str, params: dict, constraint: str) -> None:
    with pytest.raises(IntegrityError, match=constraint):
        async with db.begin_nested():
            await db.execute(sa.text(sql), params)


INSERT = (
    "INSERT INTO units (park_id, phase_id, building_id, floor_id, code, unit_type, gross_area,"
    " leasable_area, status, unavailable_reason) VALUES (:park, :phase, :building, :floor,"
    " :code, :type, :gross, :leasable, :status, :reason)"
)


async def test_database_enforces_unit_invariants(db):
    building = await create_building(db)
    unit = await create_unit(db, building, code="DB-1")
    base = {
        "park": unit.park_id,
        "phase": unit.phase_id,
        "building": unit.building_id,
        "floor": unit.floor_id,
        "code": "DB-2",
        "type": "workshop",
        "gross": 100,
        "leasable": 90,
        "status": "available",
        "reason": None,
    }
    await _refused(db, INSERT, base | {"code": "DB-1"}, "uq_units_park_id_code")
    await _refused(db, INSERT, base | {"gross": 0, "leasable": 0}, "gross_area_positive")
    await _refused(db, INSERT, base | {"leasable": -1}, "leasable_area_positive")
    await _refused(db, INSERT, base | {"leasable": 100.01}, "leasable_within_gross")
    await _refused(db, INSERT, base | {"status": "sold"}, "ck_units_status_valid")
    await _refused(db, INSERT, base | {"type": "castle"}, "ck_units_unit_type_valid")
    await _refused(db, INSERT, base | {"status": "unavailable"}, "reason_iff_unavailable")
    await _refused(db, INSERT, base | {"reason": "why"}, "reason_iff_unavailable")
    # The copies of park/phase/building on a unit must be the floor's and building's own.
    other = await create_building(db)
    moved = {"building": other.id, "phase": other.phase_id, "park": other.park_id}
    await _refused(db, INSERT, base | moved, "fk_units_floor_id_floors")
    await _refused(db, INSERT, base | {"phase": other.phase_id}, "fk_units_building_id_buildings")
    async with db.begin_nested():
        await db.execute(sa.text(INSERT), base)  # the same row with valid values goes in
    assert await db.scalar(sa.text("SELECT count(*) FROM units WHERE code LIKE 'DB-%'")) == 2


async def test_database_checks_phase_and_building_values(db):
    building = await create_building(db)
    await _refused(
        db,
        "UPDATE phases SET status = 'demolished' WHERE id = :id",
        {"id": building.phase_id},
        "ck_phases_status_valid",
    )
    await _refused(
        db,
        "UPDATE buildings SET floor_count = 0 WHERE id = :id",
        {"id": building.id},
        "floor_count_range",
    )
