"""The ``/api/v1`` endpoints of spaces and units: shapes, errors naming fields, roles."""

from __future__ import annotations

import pytest

from parkops.inventory.models import Building, Floor, Park, Phase, Unit, UnitLineage
from tests.integration.inventory.factories import (
    count_rows,
    create_building,
    create_phase,
    create_unit,
)

TABLES = (Park, Phase, Building, Floor, Unit, UnitLineage)


async def _build_park(client) -> dict:
    park = await client.post("/api/v1/parks", json={"name": "API 园区", "address": "横塘镇"})
    assert park.status_code == 201, park.text
    park = park.json()
    phase = await client.post(
        f"/api/v1/parks/{park['id']}/phases",
        json={
            "number": 1,
            "name": "一期",
            "status": "operating",
            "planned_area": "120000",
            "handover_date": "2015-06-30",
        },
    )
    assert phase.status_code == 201, phase.text
    building = await client.post(
        f"/api/v1/phases/{phase.json()['id']}/buildings",
        json={"code": "A1", "name": "一号厂房", "main_use": "production", "floor_count": 4},
    )
    assert building.status_code == 201, building.text
    return {"park": park, "phase": phase.json(), "building": building.json()}


async def test_create_and_read_the_hierarchy(client, as_role):
    await as_role("leasing")
    ids = await _build_park(client)
    assert ids["phase"]["planned_area"] == "120000.00"
    b = ids["building"]
    floor = await client.post(
        f"/api/v1/buildings/{b['id']}/floors", json={"number": 1, "name": "展厅"}
    )
    assert floor.status_code == 201 and floor.json()["number"] == 1
    unit = await client.post(
        "/api/v1/units",
        json={
            "building_id": b["id"],
            "floor": 1,
            "code": "A1-101",
            "unit_type": "shop",
            "gross_area": 1000.5,
            "leasable_area": "900.25",
            "floor_load": 800,
        },
    )
    assert unit.status_code == 201, unit.text
    body = unit.json()
    assert body["gross_area"] == "1000.50" and body["leasable_area"] == "900.25"
    assert body["floor_id"] == floor.json()["id"] and body["building_code"] == "A1"
    detail = (await client.get(f"/api/v1/units/{body['id']}")).json()
    assert detail["park_name"] == "API 园区" and detail["phase_status"] == "operating"
    assert detail["history"][0]["action"] == "unit_created"
    assert detail["predecessors"] == [] and detail["successors"] == []
    assert [p["name"] for p in (await client.get("/api/v1/parks")).json()] == ["API 园区"]
    phases = (await client.get(f"/api/v1/phases?park_id={ids['park']['id']}")).json()
    assert [p["number"] for p in phases] == [1]
    buildings = (await client.get(f"/api/v1/buildings?phase_id={ids['phase']['id']}")).json()
    assert [x["code"] for x in buildings["items"]] == ["A1"] and buildings["total"] == 1
    floors = (await client.get(f"/api/v1/buildings/{b['id']}/floors")).json()
    assert [x["name"] for x in floors] == ["展厅"]

    changed = await client.patch(f"/api/v1/buildings/{b['id']}", json={"name": "改名"})
    assert changed.json()["name"] == "改名" and changed.json()["floor_count"] == 4
    patched = await client.patch(
        f"/api/v1/units/{body['id']}", json={"status": "unavailable", "unavailable_reason": "维修"}
    )
    assert patched.status_code == 200 and patched.json()["status"] == "unavailable"


@pytest.mark.parametrize(
    ("payload", "field", "status"),
    [
        # Every rule is tested on the service (test_service.py); here, the problem shape.
        ({"code": "A1-101"}, "code", 422),
        ({"gross_area": "0", "leasable_area": "0"}, "gross_area", 422),
        ({"leasable_area": "1000.01"}, "leasable_area", 422),
        ({"floor": 5}, "floor", 422),
        ({"gross_area": "abc"}, "gross_area", 400),
    ],
)
async def test_bad_unit_input_is_a_problem_naming_the_field(
    client, as_role, db, payload, field, status
):
    await as_role("park_admin")
    ids = await _build_park(client)
    good = {
        "building_id": ids["building"]["id"],
        "floor": 1,
        "code": "A1-101",
        "unit_type": "workshop",
        "gross_area": "1000",
        "leasable_area": "900",
    }
    assert (await client.post("/api/v1/units", json=good)).status_code == 201
    before = await count_rows(db, *TABLES)
    response = await client.post(
        "/api/v1/units", json=good | payload | {"code": payload.get("code", "A1-102")}
    )
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    fields = [e["field"] for e in response.json().get("errors", [])]
    assert any(field in f for f in fields), response.json()
    assert await count_rows(db, *TABLES) == before


async def test_split_and_merge_through_the_api(client, as_role, db):
    await as_role("leasing")
    unit = await create_unit(db, code="API-S", gross_area="2000", leasable_area="1800")
    bad = await client.post(
        f"/api/v1/units/{unit.id}/split",
        json={
            "parts": [
                {"code": "API-S1", "gross_area": "1000", "leasable_area": "900"},
                {"code": "API-S2", "gross_area": "999", "leasable_area": "900"},
            ]
        },
    )
    assert bad.status_code == 422
    assert "2000.00" in {e["field"]: e["message"] for e in bad.json()["errors"]}["gross_area"]
    ok = await client.post(
        f"/api/v1/units/{unit.id}/split",
        json={
            "parts": [
                {"code": "API-S1", "gross_area": "1000", "leasable_area": "900"},
                {"code": "API-S2", "gross_area": "1000", "leasable_area": "900"},
            ]
        },
    )
    assert ok.status_code == 201, ok.text
    assert ok.json()["original"]["retired_at"] is not None
    part_ids = [p["id"] for p in ok.json()["parts"]]
    merged = await client.post("/api/v1/units/merge", json={"unit_ids": part_ids, "code": "API-M"})
    assert merged.status_code == 201, merged.text
    assert merged.json()["merged"]["gross_area"] == "2000.00"
    detail = (await client.get(f"/api/v1/units/{merged.json()['merged']['id']}")).json()
    assert sorted(p["code"] for p in detail["predecessors"]) == ["API-S1", "API-S2"]


async def test_finance_reads_but_cannot_change(client, as_role, db):
    building = await create_building(db)
    unit = await create_unit(db, building)
    await as_role("finance")
    assert (await client.get("/api/v1/units")).status_code == 200
    assert (await client.get(f"/api/v1/units/{unit.id}")).status_code == 200
    assert (await client.get("/api/v1/occupancy")).status_code == 200
    before = await count_rows(db, *TABLES)
    assert (await client.patch(f"/api/v1/units/{unit.id}", json={"code": "Z"})).status_code == 403
    assert (await client.post("/api/v1/parks", json={"name": "x"})).status_code == 403
    assert await count_rows(db, *TABLES) == before


async def test_other_roles_are_refused(client, as_role):
    # Every route against every role: tests/integration/test_route_guards.py.
    await as_role("service_desk")
    assert (await client.get("/api/v1/units")).status_code == 403
    assert (await client.get("/api/v1/parks")).status_code == 403


async def test_openapi_documents_the_endpoints(client, as_role):
    await as_role("park_admin")
    spec = (await client.get("/schema/openapi.json")).json()
    paths = spec["paths"]
    for path in (
        "/api/v1/units",
        "/api/v1/units/{unit_id}",
        "/api/v1/units/{unit_id}/split",
        "/api/v1/units/merge",
        "/api/v1/parks",
        "/api/v1/occupancy",
        "/api/v1/buildings/{building_id}/floors",
    ):
        assert path in paths, path
    params = {p["name"] for p in paths["/api/v1/units"]["get"]["parameters"]}
    assert {
        "phase_id",
        "building_id",
        "unit_type",
        "status",
        "min_area",
        "max_area",
        "q",
        "sort",
        "page",
        "page_size",
    } <= params
    schemas = spec["components"]["schemas"]
    assert "UnitPage" in schemas and "SplitIn" in schemas and "OccupancyRow" in schemas
    assert not any(p.startswith(("/units", "/spaces", "/occupancy")) for p in paths)


async def test_missing_things_are_404(client, as_role):
    await as_role("park_admin")
    for url in ("/api/v1/units/987654", "/api/v1/parks/987654", "/api/v1/buildings/987654"):
        assert (await client.get(url)).status_code == 404, url
    assert (await client.patch("/api/v1/units/987654", json={})).status_code == 404
    rows = await client.get("/api/v1/units?building_id=987654")
    assert rows.json()["items"] == [] and rows.json()["total"] == 0


async def test_the_building_list_is_paginated(client, as_role, db):
    """README: lists are paginated; the building list answered every building of every park."""
    phase = await create_phase(db)
    for code in ("B3", "B1", "B2"):
        await create_building(db, phase, code=code)
    await as_role("finance")
    query = f"/api/v1/buildings?park_id={phase.park_id}&page_size=2"
    first = (await client.get(query)).json()
    assert [b["code"] for b in first["items"]] == ["B1", "B2"]
    assert (first["total"], first["pages"]) == (3, 2)
    second = (await client.get(query + "&page=2")).json()
    assert [b["code"] for b in second["items"]] == ["B3"]
