"""Importing units from CSV: preview with every row's errors, commit all rows or none."""

from __future__ import annotations

import re

import sqlalchemy as sa

from parkops.core.audit import AuditEntry
from parkops.core.importing import build_preview
from parkops.inventory.imports import UNIT_IMPORT
from parkops.inventory.models import Floor, Unit
from tests.integration.inventory.factories import (
    count_rows,
    create_building,
    create_park,
    create_phase,
    create_unit,
)
from tests.support import csrf

HEADER = "园区,楼栋,楼层,单元编号,类型,建筑面积(m²),可租面积(m²),状态,不可用原因"


async def _park(db, name="导入园区"):
    park = await create_park(db, name=name)
    operating = await create_building(
        db, await create_phase(db, park, number=1), code="IA", floor_count=3
    )
    building = await create_building(
        db, await create_phase(db, park, number=3, status="under_construction"), code="IC"
    )
    await create_unit(db, operating, code="IA-EXIST")
    return park, operating, building


def _csv(*rows: str) -> bytes:
    return ("\r\n".join([HEADER, *rows]) + "\r\n").encode("utf-8")


async def _upload(client, content: bytes, name="units.csv"):
    return await client.post(
        "/units/import",
        data={"_csrf_token": csrf(client)},
        files={"file": (name, content, "text/csv")},
    )


async def test_preview_lists_every_bad_row_and_saves_nothing(client, as_role, db):
    await as_role("leasing")
    client.cookies.set("parkops_lang", "zh")  # the Chinese column headers and messages
    await _park(db)
    before = await count_rows(db, Unit, Floor, AuditEntry)
    content = _csv(
        "导入园区,IA,1,IA-101,厂房,2000,1800,可租,",  # line 2 ok
        "导入园区,IA,4,IA-401,workshop,2000,1800,,",  # line 3 floor above count
        "导入园区,IA,2,IA-EXIST,workshop,2000,1800,,",  # line 4 code taken
        "导入园区,IA,2,IA-201,workshop,-5,1800,,",  # line 5 negative area
        "导入园区,IA,2,IA-202,workshop,100,100.01,,",  # line 6 leasable > gross
        "导入园区,IC,1,IC-101,office,100,90,leased,",  # line 7 leased: only contracts lease
        "导入园区,IA,1,IA-101,workshop,100,90,,",  # line 8 repeats line 2
        "导入园区,IX,1,IX-1,workshop,100,90,,",  # line 9 no such building
        "导入园区,IA,1,IA-102,workshop,100,90,unavailable,",  # line 10 no reason
    )
    response = await _upload(client, content)
    assert response.status_code == 422
    html = response.text
    errors = re.findall(
        r'<tr><td><a href="#line-(\d+)">\d+</a></td><td>([^<]*)</td><td>([^<]*)</td></tr>', html
    )
    by_line = {int(line): (column, message) for line, column, message in errors}
    assert set(by_line) == {3, 4, 5, 6, 7, 8, 9, 10}, errors
    assert "超出楼栋总层数" in by_line[3][1]
    assert "已被使用" in by_line[4][1]
    assert by_line[5][0] == "建筑面积(m²)"
    assert "不能超过" in by_line[6][1]
    assert "不能手工设置" in by_line[7][1]
    assert "与第 2 行重复" in by_line[8][1]
    assert "没有楼栋 IX" in by_line[9][1]
    assert "原因" in by_line[10][1]
    assert 'name="token"' not in html  # nothing to commit
    assert await count_rows(db, Unit, Floor, AuditEntry) == before


async def test_fix_and_commit_imports_all_rows(client, as_role, db):
    await as_role("leasing")
    _p, operating, _b = await _park(db)
    bad = await _upload(client, _csv("导入园区,IA,9,IA-901,workshop,2000,1800,,"))
    assert bad.status_code == 422
    good = _csv(
        "导入园区,IA,3,IA-301,厂房,2000,1800,可租,",
        "导入园区,IA,3,IA-302,live_streaming,120.5,100,,",
        "导入园区,IC,2,IC-201,office,480,400,unavailable,自用",
        "导入园区,IC,2,IC-202,office,480,400,不可用,not handed over",
    )
    preview = await _upload(client, good, "fixed.csv")
    assert preview.status_code == 200, preview.text
    token = re.search(r'name="token" value="([^"]+)"', preview.text).group(1)
    before = await count_rows(db, Unit, Floor)
    done = await client.post(
        "/units/import/commit", data={"_csrf_token": csrf(client), "token": token}
    )
    assert done.status_code == 303
    after = await count_rows(db, Unit, Floor)
    assert after["units"] == before["units"] + 4
    assert after["floors"] == before["floors"] + 2  # floor 3 of IA and floor 2 of IC
    rows = (
        await db.execute(
            sa.select(Unit.code, Unit.status, Unit.gross_area, Unit.unavailable_reason)
            .where(Unit.code.in_(["IA-301", "IA-302", "IC-201", "IC-202"]))
            .order_by(Unit.code)
        )
    ).all()
    assert [(r.code, r.status, str(r.gross_area)) for r in rows] == [
        ("IA-301", "available", "2000.00"),
        ("IA-302", "available", "120.50"),
        ("IC-201", "unavailable", "480.00"),
        ("IC-202", "unavailable", "480.00"),
    ]
    assert rows[3].unavailable_reason == "not handed over"
    audited = await db.scalar(
        sa.select(sa.func.count()).where(AuditEntry.action == "unit_imported")
    )
    assert audited == 4
    listed = await client.get(f"/api/v1/units?building_id={operating.id}&q=IA-30")
    assert [u["code"] for u in listed.json()["items"]] == ["IA-301", "IA-302"]
    # The same token cannot import twice.
    again = await client.post(
        "/units/import/commit", data={"_csrf_token": csrf(client), "token": token}
    )
    assert again.status_code == 409
    assert (await count_rows(db, Unit))["units"] == after["units"]


async def test_commit_revalidates_and_is_all_or_nothing(client, as_role, db):
    await as_role("park_admin")
    _p, operating, _b = await _park(db)
    preview = await _upload(
        client,
        _csv("导入园区,IA,1,RACE-1,workshop,10,10,,", "导入园区,IA,1,RACE-2,workshop,10,10,,"),
    )
    token = re.search(r'name="token" value="([^"]+)"', preview.text).group(1)
    await create_unit(db, operating, code="RACE-2")  # taken between preview and commit
    before = await count_rows(db, Unit, Floor, AuditEntry)
    response = await client.post(
        "/units/import/commit", data={"_csrf_token": csrf(client), "token": token}
    )
    assert response.status_code == 422 and "RACE-2" in response.text
    assert await count_rows(db, Unit, Floor, AuditEntry) == before


async def test_park_column_may_be_left_out_with_one_park_only(db):
    await _park(db)
    content = (
        "楼栋,楼层,单元编号,类型,建筑面积,可租面积\r\nIA,1,ONE-1,workshop,10,10\r\n"
    ).encode()
    preview = await build_preview(db, "t", UNIT_IMPORT, content)
    assert preview.can_commit, preview.all_errors
    await create_park(db, name="第二园区")
    preview = await build_preview(db, "t", UNIT_IMPORT, content)
    assert [e.column for e in preview.all_errors] == ["park"]


async def test_exported_file_reimports_to_the_same_values(client, as_role, db):
    await as_role("leasing")
    _p, operating, _b = await _park(db, name="往返园区")
    await create_unit(
        db,
        operating,
        code="RT-1",
        gross_area="123.45",
        leasable_area="100.10",
        floor_load=450,
        power_kva=80,
        unit_type="office",
    )
    exported = await client.get(f"/units/export.csv?building_id={operating.id}&q=RT-")
    text = exported.content.decode("utf-8-sig").replace("RT-1", "RT-2")
    preview = await build_preview(db, "t", UNIT_IMPORT, text.encode())
    assert preview.can_commit, [e.text() for e in preview.all_errors]
    values = preview.rows[0].values
    assert (values["code"], str(values["gross_area"]), values["floor_load"]) == (
        "RT-2",
        "123.45",
        450,
    )
    assert values["unit_type"] == "office" and values["park"] == "往返园区"


async def test_ten_thousand_rows_preview_finds_the_one_bad_row(db):
    await _park(db, name="万行园区")
    rows = [
        f"万行园区,IA,{1 + i % 3},BULK-{i:05d},workshop,{100 + i % 50}.5,100,,"
        for i in range(10_000)
    ]
    rows[5000] = "万行园区,IA,1,IA-EXIST,workshop,100,100,,"
    preview = await build_preview(db, "t", UNIT_IMPORT, _csv(*rows))
    assert len(preview.rows) == 10_000
    assert [(e.line, e.column) for e in preview.all_errors] == [(5002, "code")]
