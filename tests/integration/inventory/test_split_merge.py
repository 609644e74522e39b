"""Splitting and merging units keeps the history: old units retired, lineage recorded, areas
adding up exactly; anything else writes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from parkops.core.audit import AuditEntry
from parkops.core.errors import ValidationFailed
from parkops.inventory import repository
from parkops.inventory.models import Unit, UnitLineage
from parkops.inventory.services import lineage
from tests.integration.inventory.factories import count_rows, create_building, create_unit
from tests.integration.leases.factories import unit_with_status

TABLES = (Unit, UnitLineage, AuditEntry)


def part(code, gross, leasable, **extra):
    return {"code": code, "gross_area": gross, "leasable_area": leasable, **extra}


async def test_split_retires_the_original_and_links_the_parts(db):
    unit = await create_unit(db, code="S-1", gross_area="2000.00", leasable_area="1760.00")
    parts = await lineage.split_unit(
        db,
        "tester",
        unit.id,
        [
            part("S-1A", "1200.50", "1000.25", unit_type="live_streaming", power_kva=80),
            part("S-1B", "799.50", "759.75"),
        ],
    )
    assert unit.retired_at is not None and unit.status == "available"
    assert [p.code for p in parts] == ["S-1A", "S-1B"]
    assert sum(p.gross_area for p in parts) == Decimal("2000.00")
    assert sum(p.leasable_area for p in parts) == Decimal("1760.00")
    assert parts[0].unit_type == "live_streaming" and parts[1].unit_type == "workshop"
    assert parts[1].floor_load == unit.floor_load and parts[1].power_kva is None
    assert {p.floor_id for p in parts} == {unit.floor_id}
    edges = await repository.lineage(db, unit.id)
    assert [s["code"] for s in edges["successors"]] == ["S-1A", "S-1B"]
    assert {s["operation"] for s in edges["successors"]} == {"split"}
    back = await repository.lineage(db, parts[0].id)
    assert [p["code"] for p in back["predecessors"]] == ["S-1"]
    history = await repository.unit_audit(db, unit.id)
    assert history[0]["action"] == "unit_split"
    assert history[0]["after"] == {"successors": ["S-1A", "S-1B"]}
    # Retired units leave the current list but stay in the database.
    listed = await repository.list_units(
        db, repository.UnitFilters(building_id=unit.building_id), "code", 1, 20
    )
    assert [u["code"] for u in listed.items] == ["S-1A", "S-1B"]
    with_retired = await repository.list_units(
        db, repository.UnitFilters(building_id=unit.building_id, retired=True), "code", 1, 20
    )
    assert [u["code"] for u in with_retired.items] == ["S-1", "S-1A", "S-1B"]


@pytest.mark.parametrize(
    ("parts", "field", "text"),
    [
        ([part("P1", "1000", "900"), part("P2", "999.99", "900")], "gross_area", "1999.99"),
        ([part("P1", "1000", "900"), part("P2", "1000", "900.01")], "leasable_area", "1800.01"),
        ([part("P1", "2000", "1800")], "parts", "at least two"),
        ([part("P1", "1000", "900"), part("P1", "1000", "900")], "parts.1.code", "two parts"),
        ([part("P1", "1000", "900"), part("S-2", "1000", "900")], "parts.1.code", "already used"),
        ([part("P1", "1000", "900"), part("P2", "-5", "900")], "parts.1.gross_area", "greater"),
        ([part("P1", "1000", "1001"), part("P2", "1000", "799")], "parts.0.leasable_area", ""),
        ([part("P1", "1000", "900"), part("", "1000", "900")], "parts.1.code", "required"),
    ],
)
async def test_bad_splits_write_nothing(db, parts, field, text):
    unit = await create_unit(db, code="S-2", gross_area="2000", leasable_area="1800")
    before = await count_rows(db, *TABLES)
    with pytest.raises(ValidationFailed) as info:
        await lineage.split_unit(db, "t", unit.id, parts)
    assert field in info.value.field_errors, info.value.field_errors
    assert text in info.value.field_errors[field]
    assert await count_rows(db, *TABLES) == before
    await db.refresh(unit)
    assert unit.retired_at is None


@pytest.mark.parametrize("status", ["leased", "reserved", "unavailable"])
async def test_only_available_units_can_be_split(db, status):
    unit = await unit_with_status(db, await create_unit(db), status)
    before = await count_rows(db, *TABLES)
    with pytest.raises(ValidationFailed) as info:
        await lineage.split_unit(
            db, "t", unit.id, [part("Q1", "1000", "900"), part("Q2", "1000", "900")]
        )
    assert "Only available units" in info.value.field_errors["status"]
    assert await count_rows(db, *TABLES) == before


async def test_merge_sums_areas_and_links_every_original(db):
    building = await create_building(db)
    a = await create_unit(
        db,
        building,
        floor=2,
        code="M-1",
        gross_area="1000.25",
        leasable_area="900.10",
        floor_load=500,
        power_kva=100,
    )
    b = await create_unit(
        db,
        building,
        floor=2,
        code="M-2",
        gross_area="999.75",
        leasable_area="899.90",
        floor_load=400,
        power_kva=60,
    )
    merged = await lineage.merge_units(db, "tester", [b.id, a.id], {"code": "M-12"})
    assert (merged.gross_area, merged.leasable_area) == (Decimal("2000.00"), Decimal("1800.00"))
    assert (merged.floor_load, merged.power_kva, merged.unit_type) == (400, 160, "workshop")
    assert merged.floor_id == a.floor_id and merged.status == "available"
    assert a.retired_at is not None and b.retired_at is not None
    edges = await repository.lineage(db, merged.id)
    assert [p["code"] for p in edges["predecessors"]] == ["M-1", "M-2"]
    assert {p["operation"] for p in edges["predecessors"]} == {"merge"}


@pytest.mark.parametrize(
    ("case", "field", "text"),
    [
        ("other_floor", "unit_ids", "same floor"),
        ("leased", "unit_ids", "Only available units"),
        ("one", "unit_ids", "at least two"),
        ("missing", "unit_ids", "No such unit"),
        ("taken_code", "code", "already used"),
        ("wrong_area", "gross_area", "sum of the units'"),
        ("no_code", "code", "required"),
    ],
)
async def test_bad_merges_write_nothing(db, case, field, text):
    building = await create_building(db)
    a = await create_unit(db, building, floor=1, code="N-1")
    b = await unit_with_status(
        db,
        await create_unit(db, building, floor=2 if case == "other_floor" else 1, code="N-2"),
        "leased" if case == "leased" else "available",
    )
    ids = {"one": [a.id], "missing": [a.id, 987654]}.get(case, [a.id, b.id])
    data = {"code": {"taken_code": "N-1", "no_code": ""}.get(case, "N-12")}
    if case == "wrong_area":
        data["gross_area"] = "3999.99"
    before = await count_rows(db, *TABLES)
    with pytest.raises(ValidationFailed) as info:
        await lineage.merge_units(db, "t", ids, data)
    assert text in info.value.field_errors.get(field, ""), info.value.field_errors
    assert await count_rows(db, *TABLES) == before
    assert (await db.scalar(sa.select(Unit.retired_at).where(Unit.id == a.id))) is None
