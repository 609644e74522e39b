"""The staff pages and the enterprise portal: forms that keep what was typed and show inline
errors, workflow buttons per role, and the portal's scoping."""

from __future__ import annotations

import re

import sqlalchemy as sa

from parkops.leases.models import LeaseContract, LeaseReservation
from tests.integration.enterprises.factories import create_enterprise
from tests.integration.leases.factories import (
    contract_values,
    count_rows,
    create_contract,
    create_units,
    terms,
)
from tests.support import post_form


def form(enterprise_id, unit_ids, **extra) -> dict:
    values = {k: v for k, v in contract_values(enterprise_id, unit_ids).items() if k != "unit_ids"}
    values["unit_ids"] = [str(i) for i in unit_ids]
    values.update(extra)
    return values


async def test_new_contract_form_search_save_and_submit(client, db, login):
    enterprise = await create_enterprise(db)
    units = await create_units(db, 2)
    await login("leasing")
    page = await client.get("/leases/contracts/new")
    assert page.status_code == 200
    assert enterprise.name in page.text and units[0].code in page.text

    # "Find units" re-renders the form with what was typed, and saves nothing.
    searched = await post_form(
        client,
        "/leases/contracts/new",
        form(
            enterprise.id, [units[0].id], _action="search", unit_q=units[1].code, rent_rate="21.5"
        ),
    )
    assert searched.status_code == 200
    assert 'value="21.5"' in searched.text
    assert re.search(rf'value="{units[0].id}"[^>]*checked', searched.text)
    assert await db.scalar(sa.select(sa.func.count()).select_from(LeaseContract)) == 0

    bad = await post_form(
        client,
        "/leases/contracts/new",
        form(enterprise.id, [units[0].id], last_day="2025-01-01", rent_rate="-3"),
    )
    assert bad.status_code == 422
    assert "The last day cannot be before the start date" in bad.text
    assert "Rent cannot be negative" in bad.text
    assert await db.scalar(sa.select(sa.func.count()).select_from(LeaseContract)) == 0

    saved = await post_form(
        client, "/leases/contracts/new", form(enterprise.id, [units[0].id], _action="submit")
    )
    assert saved.status_code == 303
    contract = (await db.execute(sa.select(LeaseContract))).scalar_one()
    assert saved.headers["location"] == f"/leases/contracts/{contract.id}"
    assert contract.status == "pending_approval"

    detail = await client.get(f"/leases/contracts/{contract.id}")
    assert detail.status_code == 200
    assert "computed; frozen on approval" in detail.text
    assert "Waiting for a park administrator to approve." in detail.text
    assert 'value="approve"' not in detail.text  # a leasing officer gets no approve button

    await login("park_admin")
    detail = await client.get(f"/leases/contracts/{contract.id}")
    assert 'value="approve"' in detail.text
    approved = await post_form(
        client, f"/leases/contracts/{contract.id}/transition", {"action": "approve"}
    )
    assert approved.status_code == 303
    await db.refresh(contract)
    assert contract.status == "active" and contract.number
    detail = await client.get(f"/leases/contracts/{contract.id}")
    assert "frozen at approval" in detail.text and contract.number in detail.text
    listing = await client.get("/leases/contracts?status=active")
    assert contract.number in listing.text


async def test_transition_errors_render_the_page_and_write_nothing(client, db, login):
    contract = await create_contract(db, status="pending_approval")
    await login("park_admin")
    response = await post_form(
        client, f"/leases/contracts/{contract.id}/transition", {"action": "reject", "note": ""}
    )
    assert response.status_code == 422
    assert "A note is required" in response.text
    await db.refresh(contract)
    assert contract.status == "pending_approval"


async def test_amend_renew_terminate_pages(client, db, login):
    contract = await create_contract(db, status="active")
    await login("leasing")
    for page in ("amend", "renew", "terminate"):
        response = await client.get(f"/leases/contracts/{contract.id}/{page}")
        assert response.status_code == 200, page
    amend_form = await client.get(f"/leases/contracts/{contract.id}/amend")
    assert 'value="18"' in amend_form.text  # prefilled with the current terms

    bad = await post_form(
        client,
        f"/leases/contracts/{contract.id}/amend",
        {**terms(), "effective_from": "2035-01-01", "rent_rate": "20"},
    )
    assert bad.status_code == 422 and "inside the term" in bad.text
    ok = await post_form(
        client,
        f"/leases/contracts/{contract.id}/amend",
        {**terms(), "effective_from": "2027-01-01", "rent_rate": "20"},
    )
    assert ok.status_code == 303

    renewed = await post_form(
        client, f"/leases/contracts/{contract.id}/renew", {"increase_percent": "3"}
    )
    assert renewed.status_code == 303
    successor_id = int(renewed.headers["location"].rsplit("/", 1)[1])
    successor = await db.get(LeaseContract, successor_id)
    assert successor.predecessor_id == contract.id

    bad = await post_form(
        client, f"/leases/contracts/{contract.id}/terminate", {"last_day": "2026-05-31"}
    )
    assert bad.status_code == 422 and "Give the reason" in bad.text
    done = await post_form(
        client,
        f"/leases/contracts/{contract.id}/terminate",
        {"last_day": "2026-05-31", "reason": "bankruptcy"},
    )
    assert done.status_code == 303
    detail = await client.get(f"/leases/contracts/{contract.id}")
    assert "Termination and settlement" in detail.text and "bankruptcy" in detail.text


async def test_reservation_pages(client, db, login):
    prospect = await create_enterprise(db, status="prospect")
    units = await create_units(db)
    await login("leasing")
    assert (await client.get("/leases/reservations/new")).status_code == 200
    before = await count_rows(db, LeaseReservation)
    bad = await post_form(
        client,
        "/leases/reservations/new",
        {"enterprise_id": prospect.id, "unit_ids": str(units[0].id), "held_until": "2000-01-01"},
    )
    assert bad.status_code == 422 and "until today or later" in bad.text
    assert await count_rows(db, LeaseReservation) == before
    from parkops.leases.services.common import shanghai_today

    ok = await post_form(
        client,
        "/leases/reservations/new",
        {
            "enterprise_id": prospect.id,
            "unit_ids": str(units[0].id),
            "held_until": shanghai_today().isoformat(),
        },
    )
    assert ok.status_code == 303
    listing = await client.get("/leases/reservations")
    assert prospect.name in listing.text and units[0].code in listing.text
    reservation = (await db.execute(sa.select(LeaseReservation))).scalar_one()
    released = await post_form(client, f"/leases/reservations/{reservation.id}/release")
    assert released.status_code == 303
    await db.refresh(reservation)
    assert reservation.status == "released"


async def test_portal_lists_only_own_signed_contracts(client, db, login):
    a, b = await create_enterprise(db), await create_enterprise(db)
    own = await create_contract(db, enterprise=a, status="active")
    draft = await create_contract(db, enterprise=a)
    theirs = await create_contract(db, enterprise=b, status="active")
    await login("enterprise_user", enterprise_id=a.id)
    listing = await client.get("/portal/contracts")
    assert listing.status_code == 200
    assert own.number in listing.text and theirs.number not in listing.text
    assert f"/portal/contracts/{draft.id}" not in listing.text
    detail = await client.get(f"/portal/contracts/{own.id}")
    assert detail.status_code == 200 and "Payment schedule" in detail.text
    # Staff pages stay closed to enterprise users.
    assert (await client.get(f"/leases/contracts/{own.id}")).status_code == 403


async def test_dashboard_card_and_nav(client, db, login):
    await create_contract(db, status="pending_approval")
    await login("leasing")
    page = await client.get("/")
    assert page.status_code == 200
    assert "Pending approval: 1" in page.text
    assert 'href="/leases/contracts"' in page.text
