"""Downloading stored documents: who sees what (404 for everybody else), headers, API."""

from __future__ import annotations

from urllib.parse import quote

import pytest
import sqlalchemy as sa

from parkops.documents import service
from parkops.documents.models import Document
from tests.integration.enterprises.factories import create_enterprise
from tests.support import create_user, sign_in

PDF = b"%PDF-1.7\n% stand-in\n%%EOF\n"
NAME = "厂房租赁合同-HXYR-ZL-2026-0318.pdf"


@pytest.fixture
async def stored(db, test_settings):
    """A lease contract of enterprise A, and A and B."""
    a = await create_enterprise(db)
    b = await create_enterprise(db)
    document = await service.store_document(
        db,
        "system",
        "lease_contract",
        "lease_contract",
        9,
        a.id,
        PDF,
        "lease_contract",
        1,
        "zh",
        filename=NAME,
        documents_dir=test_settings.documents_dir,
    )
    return document, a, b


async def _as(client, db, settings, *roles, **kw):
    user = await create_user(db, *roles, **kw)
    await sign_in(client, db, settings, user)
    return user


@pytest.mark.parametrize("role", ["park_admin", "leasing", "finance", "service_desk"])
async def test_staff_download_the_pdf(client, db, test_settings, stored, role):
    document, _a, _b = stored
    await _as(client, db, test_settings, role)
    response = await client.get(f"/documents/{document.id}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content == PDF
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=")
    assert f"filename*=UTF-8''{quote(NAME, safe='')}" in disposition
    assert "private" in response.headers["cache-control"]


async def test_inline_display_on_request(client, db, test_settings, stored):
    document, _a, _b = stored
    await _as(client, db, test_settings, "leasing")
    response = await client.get(f"/documents/{document.id}?inline=true")
    assert response.headers["content-disposition"].startswith("inline;")


async def test_enterprise_user_sees_own_and_not_others(client, db, test_settings, stored):
    document, a, b = stored
    await _as(client, db, test_settings, "enterprise_user", enterprise_id=b.id)
    for url in (
        f"/documents/{document.id}",
        f"/api/v1/documents/{document.id}",
        f"/api/v1/documents/{document.id}/file",
    ):
        assert (await client.get(url)).status_code == 404, url
    listed = (await client.get("/api/v1/documents")).json()
    assert document.id not in [item["id"] for item in listed["items"]]

    await _as(client, db, test_settings, "enterprise_user", enterprise_id=a.id)
    assert (await client.get(f"/documents/{document.id}")).content == PDF
    listed = (await client.get("/api/v1/documents?entity=lease_contract&entity_id=9")).json()
    assert [item["id"] for item in listed["items"]] == [document.id]


async def test_unknown_document_is_404(client, db, test_settings):
    await _as(client, db, test_settings, "park_admin")
    assert (await client.get("/documents/987654")).status_code == 404
    assert (await client.get("/api/v1/documents/987654")).status_code == 404


async def test_gov_officer_sees_nothing_until_a_domain_grants_it(
    app, client, db, test_settings, stored
):
    document, _a, _b = stored
    officer = await _as(client, db, test_settings, "gov_officer")
    assert (await client.get(f"/documents/{document.id}")).status_code == 404

    def contracts_of_entity_9(user):
        if user.department_id != officer.department_id:
            return None
        return Document.entity_id == 9

    declared = app.state.document_access
    app.state.document_access = {**declared, "lease_contract": (contracts_of_entity_9,)}
    try:
        assert (await client.get(f"/documents/{document.id}")).status_code == 200
    finally:
        app.state.document_access = declared
    assert (await client.get(f"/documents/{document.id}")).status_code == 404


async def test_anonymous_is_sent_to_sign_in(client, stored):
    document, _a, _b = stored
    page = await client.get(f"/documents/{document.id}", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == f"/login?next=/documents/{document.id}"
    api = await client.get(f"/api/v1/documents/{document.id}/file")
    assert api.status_code == 401


async def test_api_metadata_and_file(client, db, test_settings, stored):
    document, a, _b = stored
    await _as(client, db, test_settings, "finance")
    meta = (await client.get(f"/api/v1/documents/{document.id}")).json()
    assert meta["sha256"] == document.sha256 and meta["enterprise_id"] == a.id
    assert meta["filename"] == NAME and meta["template_version"] == 1
    assert meta["file_url"] == f"/api/v1/documents/{document.id}/file"
    file = await client.get(meta["file_url"])
    assert file.status_code == 200 and file.content == PDF
    assert file.headers["content-type"] == "application/pdf"


async def test_missing_file_is_a_404_not_a_crash(client, db, test_settings, stored):
    document, _a, _b = stored
    await _as(client, db, test_settings, "park_admin")
    await db.execute(
        sa.update(Document).where(Document.id == document.id).values(storage_path="zz/none.pdf")
    )
    assert (await client.get(f"/documents/{document.id}")).status_code == 404
