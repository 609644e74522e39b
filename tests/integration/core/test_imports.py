"""The upload -> preview -> commit flow through HTTP, with a test import that writes audit rows."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest
import sqlalchemy as sa
from litestar import Response, get

from parkops.accounts.roles import STAFF
from parkops.app import create_app
from parkops.core import audit, importing
from parkops.core.audit import AuditEntry
from parkops.core.importing import ImportSpec, RowErrors, UploadStore
from parkops.core.tabular import N_, Column, RowError, csv_response, decimal, text
from tests.support import bound_to, create_user, csrf, sign_in

ENTITY = "import_test"
COLUMNS = [
    Column("code", "Code", "编号", required=True, unique=True, parse=text(max_length=20)),
    Column("name", "Name", "名称", required=True),
    Column("area", "Area", "面积", parse=decimal(min_value=0)),
]


async def check(db, actor, rows):
    codes = [r.values["code"] for r in rows]
    taken = set(
        await db.scalars(
            sa.select(AuditEntry.entity_id).where(
                AuditEntry.entity == ENTITY, AuditEntry.entity_id.in_(codes)
            )
        )
    )
    return rows, [
        RowError(r.line, "code", N_("%(code)s already exists"), {"code": r.values["code"]})
        for r in rows
        if r.values["code"] in taken
    ]


async def write(db, actor, rows):
    for row in rows:
        if row.values["name"] == "explode":
            raise RowErrors([RowError(row.line, "name", N_("Refused by the domain"))])
        audit.record(
            db,
            actor=actor,
            action="import",
            entity=ENTITY,
            entity_id=row.values["code"],
            after={"name": row.values["name"], "area": row.values["area"]},
        )
        await db.flush()
    return len(rows)


SPEC = ImportSpec(key="test.things", title="Import things", columns=COLUMNS, check=check,
                  write=write)  # fmt: skip
BASE = "/test-import"
ThingImport = importing.import_pages(
    SPEC, base=BASE, opt={"roles": STAFF}, back_url="/", done_url="/"
)


@get(f"{BASE}/export.csv", opt={"roles": STAFF}, include_in_schema=False)
async def export() -> Response:
    rows = [{"code": "A1", "name": "一号", "area": Decimal("1.5")}]
    return csv_response(COLUMNS, rows, "导出 things.csv")


@pytest.fixture(scope="module")
def import_app(test_settings):
    """The app with the test import's pages, built once for the module."""
    app = create_app(test_settings, session_maker=None)
    app.register(ThingImport)
    app.register(export)
    return app


@pytest.fixture
def app(import_app, db):
    with bound_to(import_app, db):
        yield import_app


async def setup(app, client, db, settings, *roles):
    user = await create_user(db, *(roles or ("leasing",)))
    await sign_in(client, db, settings, user)
    return user


async def count(db) -> int:
    return await db.scalar(
        sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.entity == ENTITY)
    )


async def upload(client, content: bytes, filename="things.csv", with_csrf=True):
    data = {"_csrf_token": csrf(client)} if with_csrf else {}
    return await client.post(
        BASE, data=data, files={"file": (filename, content, "text/csv")}, follow_redirects=False
    )


async def commit_token(client, token):
    return await client.post(
        f"{BASE}/commit",
        data={"_csrf_token": csrf(client), "token": token},
        follow_redirects=False,
    )


def token_of(page: str) -> str:
    marker = 'name="token" value="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def stored(settings) -> list[str]:
    root = settings.storage_dir / "imports"
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


GOOD = "编号,名称,面积\nT1,一号楼,12.5\n\nT2,二号楼,\n"


async def test_form_lists_columns_and_posts_multipart_with_csrf(app, client, db, test_settings):
    await setup(app, client, db, test_settings)
    client.cookies.set("parkops_lang", "zh")
    page = await client.get(BASE)
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text and 'name="_csrf_token"' in page.text
    assert "编号" in page.text and 'href="/test-import/template.csv"' in page.text
    blank = await client.get(f"{BASE}/template.csv")
    assert blank.content == "\ufeff编号,名称,面积\r\n".encode()
    assert blank.headers["content-type"].startswith("text/csv")


async def test_good_file_previews_then_commits_all_rows_once(app, client, db, test_settings):
    client.cookies.set("parkops_lang", "en")  # the messages below are compared in English
    user = await setup(app, client, db, test_settings)
    before = await count(db)
    preview = await upload(client, GOOD.encode("gb18030"))
    assert preview.status_code == 200, preview.text
    assert "一号楼" in preview.text and "二号楼" in preview.text
    assert 'action="/test-import/commit"' in preview.text
    assert await count(db) == before  # the preview writes nothing
    token = token_of(preview.text)
    assert f"{token}.json" in stored(test_settings)

    done = await commit_token(client, token)
    assert done.status_code == 303 and done.headers["location"] == "/"
    assert await count(db) == before + 2
    areas = (
        await db.execute(
            sa.select(AuditEntry.entity_id, AuditEntry.after, AuditEntry.actor_id)
            .where(AuditEntry.entity == ENTITY)
            .order_by(AuditEntry.id)
        )
    ).all()
    assert [(a[0], a[1]["area"], a[2]) for a in areas] == [("T1", "12.50", user.id),
                                                           ("T2", None, user.id)]  # fmt: skip
    assert not any(name.startswith(token) for name in stored(test_settings))

    again = await commit_token(client, token)  # double click / replay
    assert again.status_code == 409 and "expired or was already imported" in again.text
    assert await count(db) == before + 2


async def test_errors_are_listed_with_lines_and_block_the_commit(app, client, db, test_settings):
    await setup(app, client, db, test_settings)
    files_before = stored(test_settings)
    client.cookies.set("parkops_lang", "en")
    bad = "code,name,area\nT1,ok,1\n\nT2,,abc\nT1,dup,1.234\n"
    page = await upload(client, bad.encode())
    assert page.status_code == 422
    assert 'name="token"' not in page.text and "/test-import/commit" not in page.text
    assert 'id="line-4"' in page.text and 'class="row-error"' in page.text
    assert "A value is required" in page.text and "T1 repeats line 2" in page.text
    assert page.text.count('class="cell-error"') == 4  # name+area on line 4, code+area on line 5
    assert stored(test_settings) == files_before
    assert await count(db) == 0


async def test_wrong_encoding_is_refused_with_the_message(app, client, db, test_settings):
    await setup(app, client, db, test_settings)
    client.cookies.set("parkops_lang", "en")
    page = await upload(client, GOOD.encode("utf-16"))
    assert page.status_code == 422
    assert "The file is not UTF-8 or GB18030 text; save it as CSV UTF-8 from Excel" in page.text
    assert await count(db) == 0


async def test_a_file_with_100000_columns_gets_one_short_message(app, client, db, test_settings):
    await setup(app, client, db, test_settings)
    client.cookies.set("parkops_lang", "en")
    wide = (",".join(f"c{i}" for i in range(100_000)) + "\n").encode()  # ~0.9 MB
    page = await upload(client, wide)
    assert page.status_code == 422
    assert "Line 1 has 100000 columns; at most 200 are read" in page.text
    assert len(page.content) < 100_000  # was 6.4 MB of "Unknown column" errors
    assert await count(db) == 0


async def test_no_file_and_oversized_file(app, client, db, test_settings):
    await setup(app, client, db, test_settings)
    client.cookies.set("parkops_lang", "en")
    empty = await client.post(BASE, data={"_csrf_token": csrf(client)}, files={"x": ("", b"")})
    assert empty.status_code == 422 and "Choose a CSV file." in empty.text
    big = ("code,name\n" + "X" * 80 + ",n\n") * 70_000  # ~5.8 MB, under the body limit
    page = await upload(client, big.encode())
    assert page.status_code == 422 and "The file is larger than 5.0 MB" in page.text


async def test_upload_needs_csrf(app, client, db, test_settings):
    await setup(app, client, db, test_settings)
    page = await upload(client, GOOD.encode(), with_csrf=False)
    assert page.status_code == 403


async def test_domain_validator_errors_show_in_the_preview(app, client, db, test_settings):
    user = await setup(app, client, db, test_settings)
    audit.record(db, actor=user, action="import", entity=ENTITY, entity_id="T2")
    await db.flush()
    client.cookies.set("parkops_lang", "en")
    page = await upload(client, GOOD.encode())
    assert page.status_code == 422 and "T2 already exists" in page.text
    assert await count(db) == 1


async def test_commit_revalidates_and_writes_nothing_when_data_changed(
    app, client, db, test_settings
):
    user = await setup(app, client, db, test_settings)
    token = token_of((await upload(client, GOOD.encode())).text)
    audit.record(db, actor=user, action="import", entity=ENTITY, entity_id="T1")  # meanwhile
    await db.flush()
    page = await commit_token(client, token)
    assert page.status_code == 422 and "T1" in page.text
    assert await count(db) == 1


async def test_domain_commit_rejection_rolls_back_rows_already_written(
    app, client, db, test_settings
):
    await setup(app, client, db, test_settings)
    content = "code,name\nT1,fine\nT2,fine too\nT3,explode\n"
    token = token_of((await upload(client, content.encode())).text)
    page = await commit_token(client, token)
    assert page.status_code == 422 and 'id="line-4"' in page.text
    assert await count(db) == 0  # T1 and T2 were flushed, then undone


async def test_token_is_bound_to_the_user_and_the_import(app, client, db, test_settings):
    await setup(app, client, db, test_settings)
    token = token_of((await upload(client, GOOD.encode())).text)
    other = await create_user(db, "leasing")
    store = UploadStore(test_settings.storage_dir / "imports")
    assert store.claim(token, other.id, SPEC.key) is None
    assert store.claim("../../etc/passwd", other.id, SPEC.key) is None
    await sign_in(client, db, test_settings, other)
    assert (await commit_token(client, token)).status_code == 409
    assert await count(db) == 0
    assert f"{token}.json" in stored(test_settings)  # still there for its owner


def test_store_expires_and_claims_once(tmp_path):
    store = UploadStore(tmp_path, ttl_seconds=60)
    token = store.save(7, "k", "a.csv", "code\nx\n")
    assert store.claim(token, 7, "other") is None
    assert store.claim(token, 7, "k") == ("a.csv", b"code\nx\n")
    assert store.claim(token, 7, "k") is None
    stale = store.save(7, "k", "c.csv", "code\n")
    data = json.loads((tmp_path / f"{stale}.json").read_text())
    data["created"] = time.time() - 120
    (tmp_path / f"{stale}.json").write_text(json.dumps(data))
    assert store.claim(stale, 7, "k") is None
    assert not list(tmp_path.glob(f"{stale}*"))


async def test_export_response_headers(app, client, db, test_settings):
    await setup(app, client, db, test_settings)
    response = await client.get(f"{BASE}/export.csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"things.csv\"; filename*=UTF-8''%E5%AF%BC%E5%87%BA%20things.csv"
    )
    assert response.headers["cache-control"] == "no-store"
    assert response.content.decode("utf-8-sig").splitlines()[1] == "A1,一号,1.50"


async def test_ten_thousand_rows_preview_over_http(app, client, db, test_settings):
    await setup(app, client, db, test_settings)
    lines = ["编号,名称,面积"] + [f"T{i:05d},单元{i},{i % 900}.5" for i in range(10_000)]
    page = await upload(client, ("\r\n".join(lines) + "\r\n").encode("gb18030"))
    assert page.status_code == 200
    assert page.text.count('<tr id="line-') == 10_000 and 'id="line-10001"' in page.text
    assert 'name="token"' in page.text
