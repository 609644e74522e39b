"""The unit list: filters, sorting and pagination, the same in the API, the page and exports."""

from __future__ import annotations

import pytest

from parkops.inventory import repository
from tests.integration.inventory.factories import (
    create_building,
    create_park,
    create_phase,
    create_unit,
)
from tests.integration.leases.factories import unit_with_status
from tests.support import statements_sent


@pytest.fixture
async def units(db):
    """Two phases, three buildings, eight units of known codes, types, areas and statuses."""
    park = await create_park(db)
    p1 = await create_phase(db, park, number=1)
    # Handed over at the start of the year: its units can be held (pre-let) already.
    p2 = await create_phase(
        db, park, number=2, status="under_construction", handover_date="2026-01-01"
    )
    a = await create_building(db, p1, code="LA")
    b = await create_building(db, p1, code="LB")
    c = await create_building(db, p2, code="LC")
    specs = [
        (a, "LA-101", "workshop", "2000", "leased"),
        (a, "LA-102", "workshop", "1500", "available"),
        (a, "LA-201", "office", "300", "reserved"),
        (b, "LB-101", "shop", "800", "available"),
        (b, "LB-102", "live_streaming", "120.5", "leased"),
        (c, "LC-101", "warehouse", "4500", "unavailable"),
        (c, "LC-102", "apartment", "52", "unavailable"),
        (c, "LC-103", "office", "480", "reserved"),
    ]
    for building, code, kind, area, status in specs:
        unit = await create_unit(
            db, building, code=code, unit_type=kind, gross_area=area, leasable_area=area
        )
        await unit_with_status(db, unit, status)
    other_park = await create_park(db)
    await create_unit(
        db, await create_building(db, await create_phase(db, other_park)), code="ZZ-1"
    )
    return {"park": park, "p1": p1, "p2": p2, "a": a, "b": b, "c": c}


async def _codes(client, query: str) -> list[str]:
    response = await client.get(f"/api/v1/units?{query}")
    assert response.status_code == 200, response.text
    return [u["code"] for u in response.json()["items"]]


async def test_filters(client, as_role, units):
    await as_role("finance")
    park = units["park"].id
    assert await _codes(client, f"park_id={park}") == [
        "LA-101",
        "LA-102",
        "LA-201",
        "LB-101",
        "LB-102",
        "LC-101",
        "LC-102",
        "LC-103",
    ]
    assert await _codes(client, f"phase_id={units['p2'].id}") == ["LC-101", "LC-102", "LC-103"]
    assert await _codes(client, f"building_id={units['b'].id}") == ["LB-101", "LB-102"]
    assert await _codes(client, f"park_id={park}&unit_type=office") == ["LA-201", "LC-103"]
    assert await _codes(client, f"park_id={park}&status=available") == ["LA-102", "LB-101"]
    assert await _codes(client, f"park_id={park}&min_area=480&max_area=1500") == [
        "LA-102",
        "LB-101",
        "LC-103",
    ]
    assert await _codes(client, f"park_id={park}&q=-10") == [
        "LA-101",
        "LA-102",
        "LB-101",
        "LB-102",
        "LC-101",
        "LC-102",
        "LC-103",
    ]
    assert await _codes(client, "q=lb-1") == ["LB-101", "LB-102"]  # case-insensitive
    assert await _codes(client, "q=%25") == []  # a % is a character, not a wildcard
    assert await _codes(client, f"phase_id={units['p1'].id}&status=leased&unit_type=workshop") == [
        "LA-101"
    ]


async def test_sorting(client, as_role, units):
    await as_role("leasing")
    q = f"park_id={units['park'].id}"
    assert (await _codes(client, f"{q}&sort=-code"))[:2] == ["LC-103", "LC-102"]
    assert await _codes(client, f"{q}&sort=area") == [
        "LC-102",
        "LB-102",
        "LA-201",
        "LC-103",
        "LB-101",
        "LA-102",
        "LA-101",
        "LC-101",
    ]
    assert (await _codes(client, f"{q}&sort=-area"))[0] == "LC-101"
    assert await _codes(client, f"{q}&sort=status") == [
        "LA-102",
        "LB-101",
        "LA-101",
        "LB-102",
        "LA-201",
        "LC-103",
        "LC-101",
        "LC-102",
    ]
    bad = await client.get(f"/api/v1/units?{q}&sort=price")
    assert bad.status_code == 400


async def test_pagination(client, as_role, units):
    await as_role("leasing")
    q = f"park_id={units['park'].id}&page_size=3"
    first = (await client.get(f"/api/v1/units?{q}&page=1")).json()
    assert (first["total"], first["pages"], first["page"], first["page_size"]) == (8, 3, 1, 3)
    pages = [
        [u["code"] for u in (await client.get(f"/api/v1/units?{q}&page={n}")).json()["items"]]
        for n in (1, 2, 3)
    ]
    assert [code for codes in pages for code in codes] == await _codes(
        client, f"park_id={units['park'].id}"
    )
    assert len(pages[2]) == 2
    huge = (await client.get(f"/api/v1/units?page_size=100000&park_id={units['park'].id}")).json()
    assert huge["page_size"] == 100


async def test_page_lists_filters_and_paginates(client, as_role, units):
    await as_role("finance")
    page = await client.get(f"/units?phase_id={units['p1'].id}&status=available&sort=-code")
    assert page.status_code == 200
    html = page.text
    assert html.index("LB-101") < html.index("LA-102")
    assert "LA-101" not in html and "LC-101" not in html
    assert "export.csv?" in html and "status=available" in html
    # Finance does not see editing controls.
    assert "/units/new" not in html and 'name="ids"' not in html
    page = await client.get("/units?status=nonsense&min_area=abc&page=0")
    assert page.status_code == 200  # unusable filter values are ignored, never a 500
    empty = await client.get("/units?q=nothing-like-this")
    assert 'class="empty"' in empty.text


async def test_exports_use_the_same_filters(client, as_role, units):
    await as_role("finance")
    q = f"building_id={units['a'].id}&sort=-area"
    csv = await client.get(f"/units/export.csv?{q}")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 4
    assert [line.split(",")[3] for line in lines[1:]] == ["LA-101", "LA-102", "LA-201"]
    assert lines[1].split(",")[5:7] == ["2000.00", "2000.00"]
    xlsx = await client.get(f"/units/export.xlsx?{q}")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    codes = [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert codes == ["LA-101", "LA-102", "LA-201"]


async def test_the_page_offers_buildings_of_the_chosen_park_only(client, as_role, units):
    """A select of every building of every park grew the page with the platform (issue 17)."""
    await as_role("finance")
    html = (await client.get("/units")).text
    assert 'name="park_id"' in html
    assert 'name="building_id"' not in html and 'name="phase_id"' not in html
    html = (await client.get(f"/units?park_id={units['park'].id}")).text
    options = html[html.index('name="building_id"') :].split("</select>")[0]
    assert options.count("<option") == 4  # "all buildings" and LA, LB, LC
    assert all(code in options for code in ("LA", "LB", "LC"))
    kept = (await client.get(f"/units?building_id={units['a'].id}")).text  # a link's filter
    assert f'name="building_id" value="{units["a"].id}"' in kept and "LB-101" not in kept


async def test_the_page_counts_no_further_than_it_shows(db, client, as_role, units):
    f = repository.UnitFilters(park_id=units["park"].id)
    first = await repository.list_units(db, f, "code", 1, 3, count_ahead=2)
    assert (first.total, first.more, len(first.items)) == (5, True, 3)
    last = await repository.list_units(db, f, "code", 2, 3, count_ahead=2)
    assert (last.total, last.more, len(last.items)) == (8, False, 3)
    exact = await repository.list_units(db, f, "code", 1, 3)
    assert (exact.total, exact.more) == (8, False)
    await as_role("finance")
    async with statements_sent(db) as sent:
        assert (await client.get("/units")).status_code == 200
    counts = [sql for sql, _ in sent if "count(" in sql and "units" in sql]
    assert counts and all("LIMIT" in sql for sql in counts), counts
