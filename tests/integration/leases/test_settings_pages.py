"""The park administrator's contract settings page: prefix and lessor details per park."""

from __future__ import annotations

import sqlalchemy as sa

from parkops.core.audit import AuditEntry
from parkops.leases.models import LeaseParkSettings
from parkops.leases.services import park_settings
from tests.integration.enterprises.factories import new_uscc
from tests.integration.leases.factories import actor, create_contract, create_units
from tests.support import post_form


def settings_form(**overrides) -> dict:
    values = {
        "contract_prefix": "hx",
        "lessor_name": "庐山市红星羽绒电商产业园运营管理有限公司",
        "lessor_name_en": "",
        "lessor_uscc": new_uscc(),
        "lessor_legal_representative": "周建国",
        "lessor_address": "江西省九江市庐山市横塘镇红星大道1号",
        "lessor_address_en": "",
        "lessor_contact": "刘敏",
        "lessor_phone": "0792-2661234",
        "lessor_bank_name": "九江银行庐山支行",
        "lessor_bank_account": "6228 4800 1234 5678",
        "signing_place": "江西省九江市庐山市",
        "signing_place_en": "",
        "park_name_en": "Red Star Down E-commerce Industrial Park",
    }
    values.update(overrides)
    return values


async def test_admin_sets_up_a_park_and_new_contracts_use_it(client, db, login):
    units = await create_units(db, 1)
    park_id = units[0].park_id
    await login("park_admin")
    overview = await client.get("/leases/settings")
    assert overview.status_code == 200
    assert f"P{park_id}-" in overview.text  # not set up yet: the fallback prefix is shown
    page = await client.get(f"/leases/settings/{park_id}")
    assert page.status_code == 200 and 'name="contract_prefix"' in page.text

    values = settings_form()
    saved = await post_form(client, f"/leases/settings/{park_id}", values)
    assert saved.status_code == 303 and saved.headers["location"] == "/leases/settings"
    row = await db.get(LeaseParkSettings, park_id)
    await db.refresh(row)
    assert row.contract_prefix == "HX"  # typed in lower case
    assert row.lessor_bank_account == "6228 4800 1234 5678"
    assert row.lessor_uscc == values["lessor_uscc"]
    audit = await db.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "lease_park_settings_saved")
    )
    assert audit is not None and audit.after["lessor_name"] == values["lessor_name"]
    listed = await client.get("/leases/settings")
    assert "<code>HX</code>" in listed.text and values["lessor_name"] in listed.text

    admin = await actor(db, "park_admin")
    contract = await create_contract(db, admin=admin, units=units, status="active")
    assert contract.number.startswith("HX-")


async def test_bad_values_are_shown_on_their_fields_and_nothing_is_saved(client, db, login):
    units = await create_units(db, 1)
    park_id = units[0].park_id
    await login("park_admin")
    bad = settings_form(
        contract_prefix="9X", lessor_uscc="91360483MA35XXXX0Y", lessor_name="字" * 201
    )
    response = await post_form(client, f"/leases/settings/{park_id}", bad)
    assert response.status_code == 422
    text = response.text
    assert 'id="e-contract_prefix"' in text and "starting with a letter" in text
    assert 'id="e-lessor_uscc"' in text and 'id="e-lessor_name"' in text
    client.cookies.set("parkops_lang", "zh")
    zh = (await post_form(client, f"/leases/settings/{park_id}", bad)).text
    # A message quoting values, translated with them (the quotes HTML-escaped).
    assert "统一社会信用代码的校验码应为 &#39;K&#39;，实际为 &#39;Y&#39;" in zh
    assert 'value="9X"' in text  # what was typed is kept
    assert await db.get(LeaseParkSettings, park_id) is None


async def test_only_park_admins_see_the_settings(client, db, login):
    units = await create_units(db, 1)
    await login("leasing")
    contracts = await client.get("/leases/contracts")
    assert "/leases/settings" not in contracts.text
    assert (await client.get("/leases/settings")).status_code == 403
    assert (await client.get(f"/leases/settings/{units[0].park_id}")).status_code == 403
    await login("park_admin")
    assert "/leases/settings" in (await client.get("/leases/contracts")).text
    assert (await client.get("/leases/settings/999999")).status_code == 404


async def test_the_form_shows_what_is_saved(client, db, login):
    units = await create_units(db, 1)
    admin = await actor(db, "park_admin")
    await park_settings.set_park_settings(
        db, admin, units[0].park_id, {"contract_prefix": "RS", "lessor_phone": "0792-1"}
    )
    await login("park_admin")
    page = await client.get(f"/leases/settings/{units[0].park_id}")
    assert 'value="RS"' in page.text and 'value="0792-1"' in page.text
