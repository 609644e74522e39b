"""The contract PDF: generated through the documents service from the contract's own data,
stored with its digest and template version, the same text for the same contract, and
downloadable by the tenant (and nobody else)."""

from __future__ import annotations

import subprocess

import sqlalchemy as sa

from parkops.core.money import fen_to_chinese_capitals
from parkops.documents.models import Document
from parkops.leases.models import LeaseContractEvent
from parkops.leases.services import park_settings, reading
from tests.integration.enterprises.factories import create_enterprise
from tests.integration.leases.factories import actor, create_contract, create_units


def pdf_text(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


async def test_contract_pdf_text_storage_and_access(client, db, login, test_settings):
    admin = await actor(db, "park_admin")
    tenant = await create_enterprise(
        db,
        name="庐山市暖羽童装服饰有限公司",
        address="江西省九江市庐山市横塘镇羽绒路18号",
        address_en="No. 18 Yurong Road, Hengtang Town, Lushan",
    )
    units = await create_units(db, 2)
    await park_settings.set_park_settings(
        db,
        admin,
        units[0].park_id,
        {"contract_prefix": "HX", "lessor_name": "庐山市红星羽绒电商产业园运营管理有限公司"},
    )
    contract = await create_contract(
        db, admin=admin, enterprise=tenant, units=units, status="active", rent_free_months="2"
    )
    deposit = (await reading.contract_view(db, admin, contract.id))["deposit_fen"]
    assert deposit == 144_000_00

    await login(user=await _user(db, "leasing"))
    made = await client.post(
        f"/api/v1/leases/contracts/{contract.id}/documents", json={"language": "zh_en"}
    )
    assert made.status_code == 201, made.text
    document = made.json()
    row = await db.get(Document, document["id"])
    assert row.sha256 == document["sha256"] and row.template_version >= 1
    assert row.enterprise_id == tenant.id and row.entity_id == contract.id
    assert (
        await db.scalar(
            sa.select(sa.func.count()).where(
                LeaseContractEvent.contract_id == contract.id,
                LeaseContractEvent.action == "pdf_generated",
            )
        )
        == 1
    )

    file = await client.get(document["file_url"])
    assert file.status_code == 200 and file.content.startswith(b"%PDF-")
    text = pdf_text(file.content)
    flat = "".join(text.split())
    assert contract.number in flat
    assert "庐山市暖羽童装服饰有限公司" in flat
    assert "住所：江西省九江市庐山市横塘镇羽绒路18号" in flat  # the lessee's registered address
    assert "No. 18 Yurong Road, Hengtang Town, Lushan" in " ".join(text.split())
    assert "庐山市红星羽绒电商产业园运营管理有限公司" in flat
    for unit in units:
        assert unit.code in flat
    assert fen_to_chinese_capitals(deposit) in flat  # 人民币壹拾肆万肆仟元整
    assert "WORKSHOP LEASE CONTRACT" in text

    # The same contract renders to the same text.
    again = await client.post(
        f"/api/v1/leases/contracts/{contract.id}/documents", json={"language": "zh_en"}
    )
    second = await client.get(again.json()["file_url"])
    assert pdf_text(second.content) == text

    # The tenant downloads it from the portal; another enterprise gets a 404.
    await login("enterprise_user", enterprise_id=tenant.id)
    portal = await client.get(f"/portal/contracts/{contract.id}/pdf")
    assert portal.status_code == 200 and portal.content.startswith(b"%PDF-")
    assert "attachment" in portal.headers["content-disposition"]
    listed = (await client.get(f"/api/v1/leases/contracts/{contract.id}/documents")).json()
    assert {d["id"] for d in listed} == {document["id"], again.json()["id"]}
    other = await create_enterprise(db)
    await login("enterprise_user", enterprise_id=other.id)
    assert (await client.get(f"/portal/contracts/{contract.id}/pdf")).status_code == 404
    assert (await client.get(document["file_url"])).status_code == 404
    assert (await client.get(f"/documents/{document['id']}")).status_code == 404


async def test_portal_pdf_is_generated_on_first_download(client, db, login):
    tenant = await create_enterprise(db)
    contract = await create_contract(db, enterprise=tenant, status="active")
    await login("enterprise_user", enterprise_id=tenant.id)
    response = await client.get(f"/portal/contracts/{contract.id}/pdf")
    assert response.status_code == 200
    assert "人民币" in "".join(pdf_text(response.content).split())
    stored = await db.scalar(
        sa.select(sa.func.count()).where(
            Document.entity == "lease_contract", Document.entity_id == contract.id
        )
    )
    assert stored == 1


async def _user(db, role):
    from tests.support import create_user

    return await create_user(db, role)
