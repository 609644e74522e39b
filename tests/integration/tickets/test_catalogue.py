"""The dispatch catalogue: seeded defaults, editing by the desk (pages and API), validation."""

from __future__ import annotations

import sqlalchemy as sa

from parkops.tickets import catalogue
from parkops.tickets.models import Department, TicketCategory
from parkops.tickets.services import actions
from tests.integration.tickets.factories import category, department_id, file, people
from tests.support import csrf, post_form, sign_in


async def test_the_seeded_catalogue(db):
    departments = {d.code: d for d in await catalogue.list_departments(db)}
    assert set(departments) == {
        "market_supervision",
        "human_resources",
        "tax",
        "commerce",
        "public_security_economic",
        "power_supply",
        "park_management",
    }
    assert departments["market_supervision"].id == 1  # officers created by tests/support.py
    assert departments["park_management"].kind == "park"
    categories = {c["code"]: c for c in await catalogue.list_categories(db)}
    assert list(categories) == [
        "ip_counterfeit",
        "contract_payment",
        "labour_recruitment",
        "utilities",
        "logistics",
        "tax_policy",
        "financing",
        "safety_environment",
        "other",
    ]
    for c in categories.values():
        assert (c["accept_days"], c["first_reply_days"], c["resolve_days"]) == (1, 3, 15)
    assert (
        categories["labour_recruitment"]["lead_department_id"] == departments["human_resources"].id
    )
    assert categories["ip_counterfeit"]["co_department_ids"] == [
        departments["public_security_economic"].id
    ]


async def test_desk_edits_a_category_and_filed_tickets_keep_their_limits(client, db, test_settings):
    s = test_settings
    p = await people(db)
    cat = await category(db, "utilities")
    old_ticket = await file(db, s, p.enterprise, category_id=cat.id)
    client.cookies.set("parkops_lang", "en")
    await sign_in(client, db, s, p.desk_user)
    page = await client.get(f"/tickets/catalogue/categories/{cat.id}")
    assert page.status_code == 200
    power = await department_id(db, "power_supply")
    tax = await department_id(db, "tax")
    form = {
        "name": cat.name,
        "name_en": cat.name_en,
        "lead_department_id": str(power),
        "co_department_ids": [str(tax)],
        "accept_days": "2",
        "first_reply_days": "2",
        "resolve_days": "10",
        "return_days": "1",
        "follow_up_days": "5",
        "sort_order": "40",
        "is_active": "on",
    }
    bad = await post_form(
        client, f"/tickets/catalogue/categories/{cat.id}", {**form, "resolve_days": "0"}
    )
    assert bad.status_code == 422 and "from 1 to 60" in bad.text
    bad = await post_form(
        client,
        f"/tickets/catalogue/categories/{cat.id}",
        {**form, "co_department_ids": [str(power)]},
    )
    assert bad.status_code == 422 and "cannot also be a co-handling" in bad.text
    await db.refresh(cat)
    assert cat.resolve_days == 15
    ok = await post_form(client, f"/tickets/catalogue/categories/{cat.id}", form)
    assert ok.status_code == 303
    await db.refresh(cat)
    assert (cat.accept_days, cat.resolve_days, cat.return_days) == (2, 10, 1)
    assert await catalogue.co_department_ids(db, cat.id) == [tax]
    new_ticket = await file(db, s, p.enterprise, category_id=cat.id)
    assert (new_ticket.accept_days, new_ticket.resolve_days) == (2, 10)
    assert (old_ticket.accept_days, old_ticket.resolve_days) == (1, 15)
    # Unchecking every co-handling department clears them.
    await post_form(
        client,
        f"/tickets/catalogue/categories/{cat.id}",
        {k: v for k, v in form.items() if k != "co_department_ids"},
    )
    assert await catalogue.co_department_ids(db, cat.id) == []


async def test_new_category_and_department_through_the_pages(client, db, test_settings):
    s = test_settings
    p = await people(db)
    await sign_in(client, db, s, p.desk_user)
    r = await post_form(
        client,
        "/tickets/catalogue/departments/new",
        {"code": "ecology", "name": "生态环境局", "name_en": "Ecology and Environment Bureau"},
    )
    assert r.status_code == 303
    eco = await department_id(db, "ecology")
    dup = await post_form(
        client,
        "/tickets/catalogue/departments/new",
        {"code": "ecology", "name": "x", "name_en": "x"},
    )
    assert dup.status_code == 422
    r = await post_form(
        client,
        "/tickets/catalogue/categories/new",
        {
            "code": "pollution",
            "name": "污染投诉",
            "name_en": "Pollution",
            "lead_department_id": str(eco),
            "is_active": "on",
        },
    )
    assert r.status_code == 303
    row = (
        await db.execute(sa.select(TicketCategory).where(TicketCategory.code == "pollution"))
    ).scalar_one()
    assert row.lead_department_id == eco and row.resolve_days == 15
    listing = await client.get("/tickets/catalogue")
    assert "污染投诉" in listing.text and "生态环境局" in listing.text
    r = await post_form(
        client,
        f"/tickets/catalogue/departments/{eco}",
        {"name": "生态环境局", "name_en": "Ecology", "kind": "government"},
    )
    assert r.status_code == 303
    dept = await db.get(Department, eco)
    await db.refresh(dept)
    assert dept.is_active is False  # the box was not ticked


async def test_catalogue_api(client, db, test_settings):
    s = test_settings
    p = await people(db)
    cat = await category(db)
    await sign_in(client, db, s, p.desk_user)
    h = {"x-csrf-token": csrf(client)}
    listed = (await client.get("/api/v1/tickets/categories")).json()
    assert len(listed) == 9
    r = await client.patch(
        f"/api/v1/tickets/categories/{cat.id}", json={"resolve_days": 20}, headers=h
    )
    assert r.status_code == 200 and r.json()["resolve_days"] == 20
    assert r.json()["co_department_ids"] == [p.co_department_id]  # untouched
    r = await client.patch(
        f"/api/v1/tickets/categories/{cat.id}", json={"accept_days": 99}, headers=h
    )
    assert r.status_code == 422
    r = await client.post(
        "/api/v1/tickets/departments",
        json={"code": "customs", "name": "海关", "name_en": "Customs"},
        headers=h,
    )
    assert r.status_code == 201
    r = await client.patch(
        f"/api/v1/tickets/departments/{r.json()['id']}", json={"is_active": False}, headers=h
    )
    assert r.status_code == 200 and r.json()["is_active"] is False and r.json()["name"] == "海关"
    # Officers read the catalogue but do not change it.
    await sign_in(client, db, s, p.lead_user)
    assert (await client.get("/api/v1/tickets/categories")).status_code == 200
    r = await client.patch(
        f"/api/v1/tickets/categories/{cat.id}", json={"resolve_days": 5}, headers=h
    )
    assert r.status_code == 403


async def test_dispatch_to_an_inactive_department_is_refused(db, test_settings):
    s = test_settings
    p = await people(db)
    ticket = await file(db, s, p.enterprise)
    await actions.perform(db, s, p.desk, ticket.id, "accept")
    tax = await db.get(Department, await department_id(db, "tax"))
    tax.is_active = False
    await db.flush()
    import pytest

    from parkops.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as exc:
        await actions.perform(db, s, p.desk, ticket.id, "dispatch", {"lead_department_id": tax.id})
    assert "lead_department_id" in exc.value.field_errors
    assert ticket.status == "accepted"


async def test_dashboard_cards(client, db, test_settings):
    s = test_settings
    p = await people(db)
    await file(db, s, p.enterprise)
    client.cookies.set("parkops_lang", "en")
    await sign_in(client, db, s, p.desk_user)
    home = await client.get("/")
    assert "Rights-protection desk" in home.text and "tickets to accept" in home.text
    await sign_in(client, db, s, p.lead_user)
    assert "new tickets to start" in (await client.get("/")).text
    await sign_in(client, db, s, p.enterprise_user)
    assert "open tickets" in (await client.get("/")).text
