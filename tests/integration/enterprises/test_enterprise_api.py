"""The /api/v1/enterprises endpoints: shapes, validation, roles and scoping."""

from __future__ import annotations

import sqlalchemy as sa

from parkops.enterprises.models import Enterprise, EnterpriseShop
from tests.integration.enterprises.factories import create_enterprise, new_uscc
from tests.support import create_user, csrf, sign_in

API = "/api/v1/enterprises"


def payload(**overrides) -> dict:
    data = {
        "name": "九江星辰电子商务有限公司",
        "uscc": new_uscc(),
        "legal_representative": "陈静",
        "contact_person": "陈静",
        "contact_mobile": "+86 139 0000 1234",
        "industry": "ecommerce",
        "status": "tenant",
        "registered_capital_fen": 50_000_000,
        "employee_count": 7,
        "shops": [{"platform": "pinduoduo", "shop_name": "星辰童装店"}],
    }
    data.update(overrides)
    return data


async def _as(client, db, settings, *roles, **kw):
    user = await create_user(db, *roles, **kw)
    await sign_in(client, db, settings, user)
    return user


async def _post(client, body):
    return await client.post(API, json=body, headers={"x-csrf-token": csrf(client)})


async def _patch(client, enterprise_id, body):
    return await client.patch(
        f"{API}/{enterprise_id}", json=body, headers={"x-csrf-token": csrf(client)}
    )


async def _rows(db) -> tuple[int, int]:
    return (
        await db.scalar(sa.select(sa.func.count()).select_from(Enterprise)),
        await db.scalar(sa.select(sa.func.count()).select_from(EnterpriseShop)),
    )


async def test_create_read_and_patch(client, db, test_settings):
    await _as(client, db, test_settings, "leasing")
    body = payload()
    created = await _post(client, body)
    assert created.status_code == 201, created.text
    data = created.json()
    assert data["uscc"] == body["uscc"] and data["contact_mobile"] == "13900001234"
    assert data["shops"][0]["platform"] == "pinduoduo" and data["shops"][0]["id"] > 0

    one = await client.get(f"{API}/{data['id']}")
    assert one.status_code == 200 and one.json()["name"] == body["name"]

    assert data["address"] == "" and data["address_en"] is None  # optional

    patched = await _patch(
        client,
        data["id"],
        {"employee_count": 9, "name_en": "Xingchen", "address": "九江市长虹大道8号"},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["employee_count"] == 9 and patched.json()["name_en"] == "Xingchen"
    assert patched.json()["address"] == "九江市长虹大道8号"
    too_long = await _patch(client, data["id"], {"address": "路" * 301})
    assert too_long.status_code == 422 and "address" in too_long.text
    assert (await client.get(f"{API}/{data['id']}")).json()["address"] == "九江市长虹大道8号"
    # Fields not sent are kept, shops included.
    assert patched.json()["shops"] == data["shops"]
    assert patched.json()["registered_capital_fen"] == 50_000_000


async def test_bad_input_is_a_422_naming_each_field_and_writes_nothing(client, db, test_settings):
    await _as(client, db, test_settings, "park_admin")
    before = await _rows(db)
    uscc = new_uscc()
    response = await _post(
        client,
        payload(
            uscc=uscc[:17] + ("0" if uscc[17] != "0" else "1"),
            contact_mobile="12345",
            registered_capital_fen=-100,
            industry="mining",
        ),
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert set(errors) == {"uscc", "contact_mobile", "registered_capital_fen", "industry"}
    assert "check character" in errors["uscc"]
    assert "must not be negative" in errors["registered_capital_fen"]
    assert await _rows(db) == before


async def test_duplicate_uscc_is_a_409_with_the_field(client, db, test_settings):
    await _as(client, db, test_settings, "leasing")
    existing = await create_enterprise(db)
    before = await _rows(db)
    response = await _post(client, payload(uscc=existing.uscc.lower()))
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "uscc"
    assert await _rows(db) == before


async def test_patch_validates_the_merged_record(client, db, test_settings):
    await _as(client, db, test_settings, "leasing")
    enterprise = await create_enterprise(db, status="prospect")
    refused = await _patch(client, enterprise.id, {"status": "former_tenant"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "status"
    refused = await _patch(client, enterprise.id, {"name": None})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "name"
    await db.refresh(enterprise)
    assert enterprise.status == "prospect"


async def test_list_filters_and_pages(client, db, test_settings):
    await _as(client, db, test_settings, "finance")
    for i in range(5):
        await create_enterprise(db, name=f"接口分页{i}物流有限公司", industry="logistics")
    await create_enterprise(db, name="接口分页童装有限公司", industry="childrens_clothing")
    response = await client.get(
        API, params={"q": "接口分页", "industry": "logistics", "page_size": 2, "page": 3}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 5 and body["pages"] == 3 and body["page"] == 3
    assert [i["name"] for i in body["items"]] == ["接口分页4物流有限公司"]
    desc = await client.get(API, params={"q": "接口分页", "sort": "-name", "page_size": 10})
    names = [i["name"] for i in desc.json()["items"]]
    assert names == sorted(names, reverse=True) and len(names) == 6


async def test_readers_cannot_write(client, db, test_settings):
    await _as(client, db, test_settings, "finance")
    enterprise = await create_enterprise(db)
    before = await _rows(db)
    assert (await _post(client, payload())).status_code == 403
    assert (await _patch(client, enterprise.id, {"employee_count": 1})).status_code == 403
    assert await _rows(db) == before


async def test_enterprise_users_see_only_their_own(client, db, test_settings):
    mine = await create_enterprise(db, name="我的企业有限公司")
    other = await create_enterprise(db, name="别人的企业有限公司")
    await _as(client, db, test_settings, "enterprise_user", enterprise_id=mine.id)

    listing = (await client.get(API, params={"page_size": 100})).json()
    assert [i["id"] for i in listing["items"]] == [mine.id] and listing["total"] == 1
    assert (await client.get(API, params={"q": "别人"})).json()["total"] == 0
    assert (await client.get(f"{API}/{mine.id}")).status_code == 200
    hidden = await client.get(f"{API}/{other.id}")
    assert hidden.status_code == 404
    # Indistinguishable from an id that does not exist.
    assert hidden.json()["detail"] == (await client.get(f"{API}/99999999")).json()["detail"]
    assert (await _patch(client, mine.id, {"employee_count": 1})).status_code == 403


async def test_bearer_token_access(client, db, test_settings):
    from parkops.accounts import service as accounts

    user = await create_user(db, "leasing")
    identity = await accounts.get_identity(db, user.id)
    _token, plaintext = await accounts.create_api_token(db, identity, "erp")
    await db.flush()
    response = await client.post(
        API, json=payload(), headers={"authorization": f"Bearer {plaintext}"}
    )
    assert response.status_code == 201


async def test_openapi_documents_the_endpoints(client):
    spec = (await client.get("/schema/openapi.json")).json()
    assert {"get", "post"} <= set(spec["paths"]["/api/v1/enterprises"])
    assert {"get", "patch"} <= set(spec["paths"]["/api/v1/enterprises/{enterprise_id}"])
    schemas = spec["components"]["schemas"]
    create = next(v for k, v in schemas.items() if k.endswith("EnterpriseCreate"))
    assert "down_apparel" in create["properties"]["industry"]["enum"]
