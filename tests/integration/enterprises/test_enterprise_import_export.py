"""CSV import (upload -> preview -> all-or-nothing commit) and CSV/XLSX export of enterprises."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from parkops.core.audit import AuditEntry
from parkops.enterprises import imports
from parkops.enterprises.models import Enterprise, EnterpriseShop
from tests.integration.enterprises.factories import create_enterprise, new_uscc
from tests.support import create_user, csrf, sign_in

HEADER = (
    "企业名称,统一社会信用代码,法定代表人,联系人,联系手机,行业,状态,注册资本（元）,员工人数,网店"
)


def csv_line(name, uscc, *, mobile="13800138000", industry="羽绒服装", status="在租",
             capital="1000000", employees="12", shops="") -> str:  # fmt: skip
    return f"{name},{uscc},王伟,李娜,{mobile},{industry},{status},{capital},{employees},{shops}"


async def _counts(db) -> tuple[int, int, int]:
    return (
        await db.scalar(sa.select(sa.func.count()).select_from(Enterprise)),
        await db.scalar(sa.select(sa.func.count()).select_from(EnterpriseShop)),
        await db.scalar(sa.select(sa.func.count()).select_from(AuditEntry)),
    )


async def _upload(client, content: bytes, filename="企业.csv"):
    return await client.post(
        "/enterprises/import",
        data={"_csrf_token": csrf(client)},
        files={"file": (filename, io.BytesIO(content), "text/csv")},
    )


async def _commit(client, preview_html: str):
    token = re.search(r'name="token" value="([^"]+)"', preview_html).group(1)
    return await client.post(
        "/enterprises/import/commit",
        data={"_csrf_token": csrf(client), "token": token},
        follow_redirects=False,
    )


@pytest.fixture
async def leasing(client, db, test_settings):
    user = await create_user(db, "leasing")
    await sign_in(client, db, test_settings, user)
    return user


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
async def test_import_previews_then_commits_every_row(client, db, leasing, encoding):
    codes = [new_uscc() for _ in range(3)]
    lines = [
        HEADER,
        csv_line("庐山市导入一羽绒服饰有限公司", codes[0],
                 shops="天猫:导入一旗舰店; 抖音:导入一官方旗舰店"),
        csv_line("庐山市导入二电子商务有限公司", codes[1].lower(), industry="电商",
                 status="意向客户", mobile="+86 139-0000-1234", capital='"2,500,000.50"'),
        csv_line("庐山市导入三物流有限公司", codes[2], industry="Logistics",
                 status="former_tenant"),
    ]  # fmt: skip
    text = "\r\n".join(lines)
    before = await _counts(db)
    preview = await _upload(client, text.encode(encoding))
    assert preview.status_code == 200, preview.text
    assert "庐山市导入二电子商务有限公司" in preview.text
    assert await _counts(db) == before  # the preview saves nothing

    done = await _commit(client, preview.text)
    assert done.status_code == 303 and done.headers["location"] == "/enterprises"
    rows = {
        r.uscc: r
        for r in (
            await db.execute(sa.select(Enterprise).where(Enterprise.uscc.in_(codes)))
        ).scalars()
    }
    assert set(rows) == set(codes)
    second = rows[codes[1]]
    assert second.industry == "ecommerce" and second.status == "prospect"
    assert second.contact_mobile == "13900001234" and second.registered_capital_fen == 250_000_050
    assert rows[codes[2]].status == "former_tenant"
    shops = (
        await db.execute(
            sa.select(EnterpriseShop.platform, EnterpriseShop.shop_name).where(
                EnterpriseShop.enterprise_id == rows[codes[0]].id
            )
        )
    ).all()
    assert sorted(tuple(s) for s in shops) == [
        ("douyin", "导入一官方旗舰店"),
        ("tmall", "导入一旗舰店"),
    ]
    audited = await db.scalar(
        sa.select(sa.func.count()).where(
            AuditEntry.action == "enterprise_created",
            AuditEntry.entity_id.in_([str(r.id) for r in rows.values()]),
        )
    )
    assert audited == 3


async def test_every_bad_row_is_listed_with_line_and_column_and_nothing_is_saved(
    client, db, leasing
):
    existing = await create_enterprise(db, name="九江已存在服饰有限公司")
    good, repeated = new_uscc(), new_uscc()
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    text = "\n".join(
        [
            HEADER,
            csv_line("好的一行有限公司", good),  # line 2: fine on its own
            csv_line("校验位错误有限公司", wrong_check),  # line 3
            csv_line("手机号错误有限公司", new_uscc(), mobile="1380013800"),  # line 4
            csv_line("负资本有限公司", new_uscc(), capital="-5"),  # line 5
            csv_line("重复一有限公司", repeated),  # line 6
            csv_line("重复二有限公司", repeated),  # line 7
            csv_line("已登记有限公司", existing.uscc),  # line 8
            csv_line("未知行业有限公司", new_uscc(), industry="采矿"),  # line 9
            csv_line("网店格式错误有限公司", new_uscc(), shops="无冒号店铺"),  # line 10
        ]
    )
    before = await _counts(db)
    preview = await _upload(client, text.encode("utf-8"))
    assert preview.status_code == 422
    errors = re.findall(
        r'<tr><td><a href="#line-(\d+)">\d+</a></td><td>([^<]*)</td><td>([^<]*)</td></tr>',
        preview.text,
    )
    by_line = {int(line): (column, message) for line, column, message in errors}
    assert by_line[3][0] == "Unified Social Credit Code" and "check character" in by_line[3][1]
    assert by_line[4][0] == "Contact mobile" and "11-digit" in by_line[4][1]
    assert by_line[5][0] == "Registered capital (yuan)"
    assert by_line[7][0] == "Unified Social Credit Code" and "line 6" in by_line[7][1]
    assert 6 not in by_line  # the first occurrence is fine
    assert (
        by_line[8][0] == "Unified Social Credit Code" and "九江已存在服饰有限公司" in by_line[8][1]
    )
    assert by_line[9][0] == "Industry"
    assert by_line[10][0] == "Online shops"
    assert 2 not in by_line
    assert 'name="token"' not in preview.text  # no commit button
    assert await _counts(db) == before


async def test_commit_rechecks_and_refuses_a_uscc_registered_since_the_preview(client, db, leasing):
    codes = [new_uscc(), new_uscc()]
    text = "\n".join(
        [HEADER, csv_line("先预览有限公司", codes[0]), csv_line("后登记有限公司", codes[1])]
    )
    preview = await _upload(client, text.encode())
    assert preview.status_code == 200
    await create_enterprise(db, uscc=codes[1], name="抢先登记有限公司")
    before = await _counts(db)
    response = await _commit(client, preview.text)
    assert response.status_code == 422
    assert "抢先登记有限公司" in response.text
    assert await _counts(db) == before
    assert await db.scalar(sa.select(Enterprise.id).where(Enterprise.uscc == codes[0])) is None


async def test_commit_twice_imports_once(client, db, leasing):
    text = "\n".join([HEADER, csv_line("只导一次有限公司", new_uscc())])
    preview = await _upload(client, text.encode())
    assert (await _commit(client, preview.text)).status_code == 303
    after_first = await _counts(db)
    again = await _commit(client, preview.text)
    assert again.status_code == 409
    assert await _counts(db) == after_first


async def test_batch_validation_uses_one_query(db):
    from sqlalchemy import event

    existing = await create_enterprise(db)
    rows = [
        (
            line,
            {
                "name": f"批量{line}有限公司",
                "uscc": existing.uscc if line == 50 else new_uscc(),
                "legal_representative": "王伟",
                "contact_person": "李娜",
                "contact_mobile": "13800138000",
                "industry": "ecommerce",
                "registered_capital": "10000",
                "employee_count": 6,
            },
        )
        for line in range(2, 302)
    ]
    statements = []

    def count(*_args):
        statements.append(1)

    sync_engine = db.bind.sync_engine if hasattr(db.bind, "sync_engine") else db.bind
    event.listen(sync_engine, "before_cursor_execute", count)
    try:
        clean, errors = await imports.validate_batch(db, rows)
    finally:
        event.remove(sync_engine, "before_cursor_execute", count)
    assert len(statements) == 1
    assert len(clean) == 299 and [(e.line, e.column) for e in errors] == [(50, "uscc")]


async def test_export_csv_and_xlsx_follow_the_filters_and_reimport(client, db, leasing):
    from openpyxl import load_workbook

    await create_enterprise(
        db,
        name="导出童装有限公司",
        industry="childrens_clothing",
        registered_capital_fen=123_456,
        shops=[{"platform": "tmall", "shop_name": "导出旗舰店", "url": "https://x.tmall.com"}],
    )
    await create_enterprise(db, name="导出物流有限公司", industry="logistics")
    client.cookies.set("parkops_lang", "zh")
    csv_response = await client.get("/enterprises/export.csv?q=导出&industry=childrens_clothing")
    assert csv_response.status_code == 200
    assert csv_response.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv_response.headers["content-disposition"]
    content = csv_response.content
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert len(lines) == 2 and "导出童装有限公司" in lines[1] and "导出物流" not in text
    assert "1234.56" in lines[1] and "童装" in lines[1]
    assert "天猫:导出旗舰店|https://x.tmall.com" in lines[1]

    xlsx = await client.get("/enterprises/export.xlsx?q=导出")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.values)
    assert values[0][0] == "企业名称" and len(values) == 3
    assert {row[0] for row in values[1:]} == {"导出童装有限公司", "导出物流有限公司"}

    # The export re-imports to the same values once the USCCs are free again.
    await db.execute(sa.delete(Enterprise).where(Enterprise.name.like("导出%")))
    client.cookies.set("parkops_lang", "en")
    preview = await _upload(client, content)
    assert preview.status_code == 200, preview.text
    assert (await _commit(client, preview.text)).status_code == 303
    again = await db.scalar(sa.select(Enterprise).where(Enterprise.name == "导出童装有限公司"))
    assert again.registered_capital_fen == 123_456 and again.industry == "childrens_clothing"
    shop = await db.scalar(
        sa.select(EnterpriseShop).where(EnterpriseShop.enterprise_id == again.id)
    )
    assert (shop.platform, shop.shop_name, shop.url) == (
        "tmall",
        "导出旗舰店",
        "https://x.tmall.com",
    )


async def test_readers_may_export_but_not_import(client, db, test_settings):
    desk = await create_user(db, "service_desk")
    await sign_in(client, db, test_settings, desk)
    assert (await client.get("/enterprises/export.csv")).status_code == 200
    assert (await client.get("/enterprises/import")).status_code == 403
    refused = await _upload(client, f"{HEADER}\n{csv_line('x', new_uscc())}".encode())
    assert refused.status_code == 403


async def test_enterprise_users_cannot_export(client, db, test_settings):
    user = await create_user(db, "enterprise_user")
    await sign_in(client, db, test_settings, user)
    assert (await client.get("/enterprises/export.csv")).status_code == 403
