"""Enterprise register pages: list, search, detail, create and edit forms, and bad input."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from parkops.core.audit import AuditEntry
from parkops.enterprises.models import Enterprise, EnterpriseShop
from parkops.enterprises.rules.uscc import make_uscc
from tests.integration.enterprises.factories import create_enterprise, new_uscc
from tests.support import create_user, post_form, sign_in


async def _count(db, model, *where) -> int:
    return await db.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


async def _counts(db) -> tuple[int, int, int]:
    return (
        await _count(db, Enterprise),
        await _count(db, EnterpriseShop),
        await _count(db, AuditEntry, AuditEntry.entity == "enterprise"),
    )


def form_values(**overrides) -> dict:
    values = {
        "name": "庐山市横塘镇暖阳羽绒服饰有限公司",
        "name_en": "Lushan Hengtang Nuanyang Down Apparel Co., Ltd.",
        "uscc": new_uscc(),
        "legal_representative": "王伟",
        "address": "江西省九江市庐山市横塘镇红星大道88号",
        "address_en": "",
        "contact_person": "李娜",
        "contact_mobile": "138 0013 8000",
        "industry": "down_apparel",
        "status": "tenant",
        "registered_capital": "1,000,000",
        "employee_count": "25",
        "shop_platform[]": ["tmall", "douyin", ""],
        "shop_name[]": ["暖阳羽绒服旗舰店", "暖阳官方旗舰店", ""],
        "shop_url[]": ["https://nuanyang.tmall.com", "", ""],
    }
    values.update(overrides)
    return values


@pytest.fixture
async def leasing(client, db, test_settings):
    user = await create_user(db, "leasing")
    await sign_in(client, db, test_settings, user)
    return user


async def test_leasing_officer_creates_an_enterprise_with_shops(client, db, leasing):
    values = form_values()
    response = await post_form(client, "/enterprises/new", values)
    assert response.status_code == 303, response.text
    enterprise = await db.scalar(sa.select(Enterprise).where(Enterprise.uscc == values["uscc"]))
    assert response.headers["location"] == f"/enterprises/{enterprise.id}"
    assert enterprise.contact_mobile == "13800138000"  # spaces typed in the form are dropped
    assert enterprise.registered_capital_fen == 100_000_000
    assert enterprise.employee_count == 25
    assert (enterprise.address, enterprise.address_en) == (
        "江西省九江市庐山市横塘镇红星大道88号",
        None,
    )
    detail = await client.get(f"/enterprises/{enterprise.id}")
    assert "江西省九江市庐山市横塘镇红星大道88号" in detail.text
    shops = (
        await db.execute(
            sa.select(EnterpriseShop.platform, EnterpriseShop.shop_name, EnterpriseShop.url)
            .where(EnterpriseShop.enterprise_id == enterprise.id)
            .order_by(EnterpriseShop.id)
        )
    ).all()
    assert [tuple(s) for s in shops] == [
        ("tmall", "暖阳羽绒服旗舰店", "https://nuanyang.tmall.com"),
        ("douyin", "暖阳官方旗舰店", None),
    ]
    entry = await db.scalar(
        sa.select(AuditEntry).where(
            AuditEntry.entity == "enterprise", AuditEntry.entity_id == str(enterprise.id)
        )
    )
    assert entry.action == "enterprise_created" and entry.actor_id == leasing.id
    assert entry.after["uscc"] == values["uscc"] and len(entry.after["shops"]) == 2

    page = await client.get(f"/enterprises/{enterprise.id}")
    assert page.status_code == 200
    assert "暖阳羽绒服旗舰店" in page.text and values["uscc"] in page.text


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("uscc", "91360483MA35XXXX0X", "Unified Social Credit Code"),
        ("contact_mobile", "12800138000", "11-digit mainland mobile"),
        ("contact_mobile", "1380013800", "11-digit mainland mobile"),
        ("registered_capital", "-1", "must not be negative"),
        ("registered_capital", "12.345", "at most two decimals"),
        ("employee_count", "-3", "must not be negative"),
        ("industry", "mining", "industries"),
        ("name", "   ", "Company name is required"),
    ],
)
async def test_bad_input_names_the_field_and_writes_nothing(
    client, db, leasing, field, value, expected
):
    before = await _counts(db)
    response = await post_form(client, "/enterprises/new", form_values(**{field: value}))
    assert response.status_code == 422
    # The message is next to the field it is about.
    match = re.search(rf'<p class="error" id="e-{field}">([^<]*)</p>', response.text)
    assert match, f"no inline error for {field}"
    assert expected in match.group(1).replace("&#39;", "'")
    if field != "industry":  # the shared select macro does not mark the field
        assert 'aria-invalid="true"' in response.text
    assert await _counts(db) == before


async def test_wrong_check_character_is_explained(client, db, leasing):
    good = new_uscc()
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    response = await post_form(client, "/enterprises/new", form_values(uscc=wrong))
    assert response.status_code == 422
    assert f"check character should be &#39;{good[17]}&#39;" in response.text


async def test_duplicate_uscc_is_refused_with_the_holders_name(client, db, leasing):
    existing = await create_enterprise(db, name="九江雪绒服饰有限公司")
    before = await _counts(db)
    # Typed in lower case with spaces: it is still the same code.
    typed = " ".join([existing.uscc[:6], existing.uscc[6:12].lower(), existing.uscc[12:]])
    response = await post_form(client, "/enterprises/new", form_values(uscc=typed))
    assert response.status_code == 409
    assert "already registered for 九江雪绒服饰有限公司" in response.text
    assert 'id="e-uscc"' in response.text
    assert await _counts(db) == before


async def test_the_database_refuses_a_second_row_with_the_same_uscc(db):
    from sqlalchemy.exc import IntegrityError

    existing = await create_enterprise(db)
    row = {c: getattr(existing, c) for c in ("name", "legal_representative", "contact_person")}
    with pytest.raises(IntegrityError, match="uq_enterprises_uscc"):
        async with db.begin_nested():
            await db.execute(
                sa.insert(Enterprise).values(
                    **row,
                    uscc=existing.uscc,
                    contact_mobile="13900000000",
                    industry="other",
                    status="tenant",
                    registered_capital_fen=0,
                    employee_count=1,
                )
            )


async def test_shop_rows_are_checked(client, db, leasing):
    before = await _counts(db)
    values = form_values(**{"shop_platform[]": ["", "jd"], "shop_name[]": ["店", ""]})
    response = await post_form(client, "/enterprises/new", values)
    assert response.status_code == 422
    assert "Online shop 1: choose one of the listed platforms" in response.text
    assert await _counts(db) == before


async def test_edit_changes_fields_replaces_shops_and_audits_only_changes(client, db, leasing):
    enterprise = await create_enterprise(
        db, shops=[{"platform": "tmall", "shop_name": "旧店", "url": None}]
    )
    form = await client.get(f"/enterprises/{enterprise.id}/edit")
    assert form.status_code == 200 and 'value="旧店"' in form.text
    values = form_values(
        uscc=enterprise.uscc,
        name=enterprise.name,
        status="former_tenant",
        employee_count="40",
        **{"shop_platform[]": ["pinduoduo"], "shop_name[]": ["新店"], "shop_url[]": [""]},
    )
    response = await post_form(client, f"/enterprises/{enterprise.id}/edit", values)
    assert response.status_code == 303, response.text
    await db.refresh(enterprise)
    assert enterprise.status == "former_tenant" and enterprise.employee_count == 40
    shops = (
        await db.execute(
            sa.select(EnterpriseShop.shop_name).where(EnterpriseShop.enterprise_id == enterprise.id)
        )
    ).scalars()
    assert list(shops) == ["新店"]
    actions = (
        await db.execute(
            sa.select(AuditEntry.action, AuditEntry.before, AuditEntry.after)
            .where(AuditEntry.entity_id == str(enterprise.id), AuditEntry.entity == "enterprise")
            .order_by(AuditEntry.id)
        )
    ).all()
    assert [a.action for a in actions] == [
        "enterprise_created",
        "enterprise_updated",
        "enterprise_status_changed",
    ]
    update = actions[1]
    assert update.before["employee_count"] == 12 and update.after["employee_count"] == 40
    assert "legal_representative" not in update.after  # unchanged fields are not repeated
    assert update.after["shops"] == [{"platform": "pinduoduo", "shop_name": "新店", "url": None}]


async def test_a_prospect_cannot_become_a_former_tenant(client, db, leasing):
    enterprise = await create_enterprise(db, status="prospect")
    values = form_values(uscc=enterprise.uscc, status="former_tenant")
    response = await post_form(client, f"/enterprises/{enterprise.id}/edit", values)
    assert response.status_code == 422
    assert "Status cannot change from prospect to former tenant" in response.text
    await db.refresh(enterprise)
    assert enterprise.status == "prospect"


async def test_editing_to_another_enterprises_uscc_is_refused(client, db, leasing):
    first = await create_enterprise(db)
    second = await create_enterprise(db)
    response = await post_form(
        client, f"/enterprises/{second.id}/edit", form_values(uscc=first.uscc)
    )
    assert response.status_code == 409
    await db.refresh(second)
    assert second.uscc != first.uscc


async def test_list_search_filters_sorting_and_pagination(client, db, test_settings):
    finance = await create_user(db, "finance")
    await sign_in(client, db, test_settings, finance)
    code = make_uscc("91360483MA38QW" + "123")
    await create_enterprise(
        db, name="庐山市鹿鸣童装有限公司", industry="childrens_clothing", uscc=code
    )
    await create_enterprise(db, name="庐山市鹿鸣物流有限公司", industry="logistics")
    await create_enterprise(
        db, name="九江鹿鸣电子商务有限公司", industry="ecommerce", status="prospect",
        contact_person="欧阳娜娜", contact_mobile="13912345678",
    )  # fmt: skip
    for _ in range(3):
        await create_enterprise(db, name="其他公司")

    async def names(url):
        page = await client.get(url)
        assert page.status_code == 200
        return re.findall(r'<a href="/enterprises/\d+">([^<]+)</a>', page.text)

    assert set(await names("/enterprises?q=鹿鸣")) == {
        "庐山市鹿鸣童装有限公司",
        "庐山市鹿鸣物流有限公司",
        "九江鹿鸣电子商务有限公司",
    }
    assert await names("/enterprises?q=鹿鸣&industry=logistics") == ["庐山市鹿鸣物流有限公司"]
    assert await names("/enterprises?q=鹿鸣&status=prospect") == ["九江鹿鸣电子商务有限公司"]
    assert await names("/enterprises?q=欧阳") == ["九江鹿鸣电子商务有限公司"]
    assert await names("/enterprises?q=1391234") == ["九江鹿鸣电子商务有限公司"]
    # A USCC fragment, typed in lower case.
    assert await names(f"/enterprises?q={code[6:14].lower()}") == ["庐山市鹿鸣童装有限公司"]
    # LIKE wildcards typed by the user match themselves, not everything.
    assert await names("/enterprises?q=%25") == []

    # Unknown sort keys fall back to the name instead of failing.
    assert (await client.get("/enterprises?sort=-password_hash")).status_code == 200
    ascending = await names("/enterprises?q=鹿鸣&sort=name")
    descending = await names("/enterprises?q=鹿鸣&sort=-name")
    assert ascending == sorted(ascending) and descending == ascending[::-1]


async def test_pagination_pages_through_everything_once(client, db, test_settings):
    admin = await create_user(db, "park_admin")
    await sign_in(client, db, test_settings, admin)
    for i in range(25):
        await create_enterprise(db, name=f"分页测试{i:02d}有限公司")
    seen = []
    for page in (1, 2):
        text = (await client.get(f"/enterprises?q=分页测试&page={page}")).text
        seen += re.findall(r">(分页测试\d\d有限公司)<", text)
    assert seen == [f"分页测试{i:02d}有限公司" for i in range(25)]


async def test_readers_cannot_edit_and_do_not_see_edit_buttons(client, db, test_settings):
    enterprise = await create_enterprise(db)
    desk = await create_user(db, "service_desk")
    await sign_in(client, db, test_settings, desk)
    page = await client.get(f"/enterprises/{enterprise.id}")
    assert page.status_code == 200 and "/edit" not in page.text
    assert "/invitations" not in page.text
    before = await _counts(db)
    refused = await post_form(client, "/enterprises/new", form_values())
    assert refused.status_code == 403
    assert await _counts(db) == before


async def test_missing_enterprise_is_404(client, db, leasing):
    assert (await client.get("/enterprises/999999")).status_code == 404
    response = await post_form(client, "/enterprises/999999/edit", form_values())
    assert response.status_code == 404


async def test_dashboard_card_counts_by_status(client, db, test_settings):
    counts_before = dict(
        (await db.execute(sa.select(Enterprise.status, sa.func.count()).group_by("status"))).all()
    )
    await create_enterprise(db, status="prospect")
    await create_enterprise(db, status="former_tenant")
    desk = await create_user(db, "service_desk")
    await sign_in(client, db, test_settings, desk)
    page = await client.get("/")
    assert page.status_code == 200
    expected = counts_before.get("prospect", 0) + 1
    assert f'<a href="/enterprises?status=prospect">Prospects: {expected}</a>' in page.text
    expected = counts_before.get("former_tenant", 0) + 1
    assert f"Former tenants: {expected}</a>" in page.text
