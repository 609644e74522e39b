"""The admin pages: tree, forms with inline errors, unit detail, split and merge, occupancy."""

from __future__ import annotations

import re

import sqlalchemy as sa

from parkops.inventory.models import Building, Floor, Park, Phase, Unit, UnitLineage
from tests.integration.inventory.factories import (
    count_rows,
    create_building,
    create_park,
    create_phase,
    create_unit,
)
from tests.integration.leases.factories import create_contract
from tests.support import post_form

TABLES = (Park, Phase, Building, Floor, Unit, UnitLineage)


async def test_space_tree_and_forms(client, as_role, db):
    await as_role("park_admin")
    response = await post_form(client, "/spaces/parks/new", {"name": "表单园区", "address": "横塘"})
    assert response.status_code == 303
    park_id = await db.scalar(sa.select(Park.id).where(Park.name == "表单园区"))
    response = await post_form(
        client,
        f"/spaces/parks/{park_id}/phases/new",
        {"number": "1", "name": "一期", "status": "operating", "planned_area": "1000"},
    )
    assert response.status_code == 303
    phase_id = await db.scalar(sa.select(Phase.id).where(Phase.park_id == park_id))
    response = await post_form(
        client,
        f"/spaces/phases/{phase_id}/buildings/new",
        {"code": "F1", "name": "一号楼", "main_use": "office", "floor_count": "3"},
    )
    assert response.status_code == 303
    building_id = await db.scalar(sa.select(Building.id).where(Building.park_id == park_id))
    assert (
        await post_form(
            client, f"/spaces/buildings/{building_id}/floors/new", {"number": "2", "name": "二层"}
        )
    ).status_code == 303
    tree = await client.get("/spaces")
    assert tree.status_code == 200
    for text in ("表单园区", "一期", "F1", "一号楼", "二层"):
        assert text in tree.text
    for url in (
        f"/spaces/parks/{park_id}/edit",
        f"/spaces/phases/{phase_id}/edit",
        f"/spaces/buildings/{building_id}/edit",
        f"/spaces/parks/{park_id}/phases/new",
        f"/spaces/phases/{phase_id}/buildings/new",
        f"/spaces/buildings/{building_id}/floors/new",
        "/spaces/parks/new",
    ):
        page = await client.get(url)
        assert page.status_code == 200, url
        assert 'name="_csrf_token"' in page.text


async def test_forms_show_inline_errors_and_write_nothing(client, as_role, db):
    await as_role("leasing")
    building = await create_building(db, floor_count=3)
    before = await count_rows(db, *TABLES)
    response = await post_form(
        client,
        "/units/new",
        {
            "building_id": str(building.id),
            "floor": "4",
            "code": "E-1",
            "unit_type": "workshop",
            "gross_area": "-3",
            "leasable_area": "10",
            "status": "available",
        },
    )
    assert response.status_code == 422
    html = response.text
    assert 'id="e-floor"' in html and "above the building" in html
    assert 'id="e-gross_area"' in html
    assert 'value="E-1"' in html  # what was typed is kept
    assert await count_rows(db, *TABLES) == before
    response = await post_form(
        client, f"/spaces/buildings/{building.id}/floors/new", {"number": "9"}
    )
    assert response.status_code == 422 and 'id="e-number"' in response.text
    response = await post_form(
        client,
        f"/spaces/buildings/{building.id}/edit",
        {"code": "", "main_use": "office", "floor_count": "x"},
    )
    assert response.status_code == 422
    assert 'id="e-code"' in response.text and 'id="e-floor_count"' in response.text
    assert await count_rows(db, *TABLES) == before


async def test_unit_pages(client, as_role, db):
    await as_role("leasing")
    building = await create_building(db, code="PG")
    response = await post_form(
        client,
        "/units/new",
        {
            "building_id": str(building.id),
            "floor": "1",
            "code": "PG-101",
            "unit_type": "shop",
            "gross_area": "2,000.00",
            "leasable_area": "1800",
            "status": "available",
        },
    )
    assert response.status_code == 303
    unit_id = int(response.headers["location"].rsplit("/", 1)[1])
    detail = await client.get(f"/units/{unit_id}")
    assert detail.status_code == 200
    assert "PG-101" in detail.text and "2,000.00" in detail.text and "Unit: created" in detail.text
    assert (await client.get(f"/units/{unit_id}/edit")).status_code == 200
    response = await post_form(
        client, f"/units/{unit_id}/status", {"status": "unavailable", "unavailable_reason": ""}
    )
    assert response.status_code == 422 and 'id="e-unavailable_reason"' in response.text
    response = await post_form(
        client,
        f"/units/{unit_id}/status",
        {"status": "unavailable", "unavailable_reason": "维修", "confirm": "yes"},
    )
    assert response.status_code == 303
    assert (await db.get(Unit, unit_id)).status == "unavailable"
    response = await post_form(
        client,
        f"/units/{unit_id}/edit",
        {
            "building_id": str(building.id),
            "floor": "1",
            "code": "PG-101A",
            "unit_type": "shop",
            "gross_area": "2000",
            "leasable_area": "1800",
            "status": "available",
        },
    )
    assert response.status_code == 303
    unit = await db.get(Unit, unit_id)
    assert unit.code == "PG-101A"
    assert unit.status == "unavailable"  # the edit form does not change the status
    assert (await client.get("/units/987654")).status_code == 404


async def test_split_and_merge_pages(client, as_role, db):
    await as_role("park_admin")
    unit = await create_unit(db, code="SP", gross_area="1000", leasable_area="900")
    form = await client.get(f"/units/{unit.id}/split?parts=3")
    assert form.status_code == 200 and 'name="parts.2.code"' in form.text
    before = await count_rows(db, *TABLES)
    bad = await post_form(
        client,
        f"/units/{unit.id}/split",
        {
            "count": "2",
            "parts.0.code": "SP-A",
            "parts.0.gross_area": "500",
            "parts.0.leasable_area": "450",
            "parts.1.code": "SP-B",
            "parts.1.gross_area": "450",
            "parts.1.leasable_area": "450",
        },
    )
    assert bad.status_code == 422 and "950.00 m²" in bad.text and 'id="e-gross_area"' in bad.text
    assert await count_rows(db, *TABLES) == before
    ok = await post_form(
        client,
        f"/units/{unit.id}/split",
        {
            "count": "2",
            "parts.0.code": "SP-A",
            "parts.0.gross_area": "500",
            "parts.0.leasable_area": "450",
            "parts.1.code": "SP-B",
            "parts.1.gross_area": "500",
            "parts.1.leasable_area": "450",
        },
    )
    assert ok.status_code == 303
    detail = await client.get(f"/units/{unit.id}")
    assert "SP-A" in detail.text and "SP-B" in detail.text and "Unit: split" in detail.text
    ids = (await db.execute(sa.select(Unit.id).where(Unit.code.in_(["SP-A", "SP-B"])))).scalars()
    ids = sorted(ids)
    page = await client.get(f"/units/merge?ids={ids[0]}&ids={ids[1]}")
    assert page.status_code == 200 and "1,000.00" in page.text
    merged = await post_form(
        client, "/units/merge", {"unit_ids": [str(i) for i in ids], "code": "SP-M"}
    )
    assert merged.status_code == 303
    merged_page = await client.get(merged.headers["location"])
    assert "SP-A" in merged_page.text and "SP-M" in merged_page.text


async def test_occupancy_page_table_and_svg(client, as_role, db):
    park = await create_park(db, name="入驻率园区")
    phase = await create_phase(db, park, number=1)
    await create_phase(db, park, number=4, name="四期", status="planned")
    building = await create_building(db, phase, code="OC")
    leased = await create_unit(db, building, code="OC-1", gross_area="1000", leasable_area="750")
    await create_contract(db, units=[leased], status="active")  # leased by its contract
    await create_unit(db, building, code="OC-2", gross_area="1000", leasable_area="250")
    await as_role("finance")
    page = await client.get(f"/occupancy?park_id={park.id}")
    assert page.status_code == 200
    html = page.text
    assert "<svg" in html and "<rect" in html and "75.0%" in html
    assert "style=" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "<script" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    # The bar of the 75% building is three quarters of the bar area.
    widths = [float(w) for w in re.findall(r'<rect x="\d+" y="\d+" width="([\d.]+)"', html)]
    assert 315.0 in widths  # 420 px * 75%
    assert "四期" in html  # a phase without buildings still shows, with zeros
    dashboard = await client.get("/")
    assert "入驻率园区" in dashboard.text and "75.0%" in dashboard.text


async def test_finance_sees_pages_without_edit_controls(client, as_role, db):
    unit = await create_unit(db)
    await as_role("finance")
    for url in ("/spaces", "/units", f"/units/{unit.id}", "/occupancy"):
        page = await client.get(url)
        assert page.status_code == 200, url
        assert "/edit" not in page.text, url
    assert (await client.get("/units/new")).status_code == 403
    assert (
        await post_form(client, f"/units/{unit.id}/status", {"status": "leased"})
    ).status_code == 403


async def test_dashboard_occupancy_card_shows_five_parks_whatever_their_number(client, as_role, db):
    from parkops.inventory import repository

    parks = [await create_park(db, name=f"园区 {n:02d}") for n in range(7)]
    for n, park in enumerate(parks):
        building = await create_building(db, await create_phase(db, park))
        for _ in range(n + 1):
            await create_unit(db, building)
    await as_role("leasing")
    page = (await client.get("/")).text
    assert [p.name for p in parks[:5]] == re.findall(r"园区 \d\d", page)
    assert "2 more" in page
    rows, total = await repository.park_occupancy(db, 5)
    # the same figures as the park rows of the full occupancy report
    full = {r["park_id"]: r for r in await repository.occupancy(db) if r["level"] == "park"}
    assert total == len(full) == 7
    for row in rows:
        assert row["units"] == full[row["park_id"]]["units"]
        assert row["available_units"] == full[row["park_id"]]["available_units"]
        assert row["occupancy_pct"] == full[row["park_id"]]["occupancy_pct"]
