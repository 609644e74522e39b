"""The leases API end to end: lifecycle, conflicts as 409 naming the unit, bad input as 422
with nothing written, and scoping (another enterprise's contract is a 404)."""

from __future__ import annotations

from datetime import date

from parkops.leases.models import LeaseContract, LeaseContractEvent, LeaseReservation, LeaseTerms
from tests.integration.enterprises.factories import create_enterprise
from tests.integration.leases.factories import (
    contract_values,
    count_rows,
    create_contract,
    create_units,
)

API = "/api/v1/leases"


def body(enterprise_id, unit_ids, **extra):
    values = contract_values(enterprise_id, unit_ids, **extra)
    values["start_date"] = "2026-01-01"
    return values


async def test_lifecycle_over_the_api(client, db, login):
    enterprise = await create_enterprise(db)
    units = await create_units(db)
    await login("leasing")
    created = await client.post(f"{API}/contracts", json=body(enterprise.id, [units[0].id]))
    assert created.status_code == 201, created.text
    contract = created.json()
    assert contract["status"] == "draft"
    assert contract["allowed_actions"] == ["submit", "cancel"]
    assert contract["deposit_fen"] == 72_000_00
    assert (contract["start_date"], contract["last_day"]) == ("2026-01-01", "2028-12-31")
    assert (contract["term_months"], contract["term_extra_days"]) == (36, 0)
    assert contract["deposit_due_date"] == "2026-01-01"  # with the first payment
    schedule = (await client.get(f"{API}/contracts/{contract['id']}/schedule")).json()
    assert len(schedule) == 12 and schedule[0]["total_fen"] == 126_000_00
    assert (schedule[0]["period_start"], schedule[0]["period_last_day"]) == (
        "2026-01-01",
        "2026-03-31",
    )
    assert schedule[-1]["period_last_day"] == "2028-12-31"
    assert "18 元/m²·月 x 2,000.00 m² x 3 months" in schedule[0]["breakdown"][0]

    url = f"{API}/contracts/{contract['id']}"
    submitted = await client.post(f"{url}/transitions", json={"action": "submit"})
    assert submitted.status_code == 200 and submitted.json()["status"] == "pending_approval"
    refused = await client.post(f"{url}/transitions", json={"action": "approve"})
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")

    await login("park_admin")
    approved = await client.post(f"{url}/transitions", json={"action": "approve", "note": "ok"})
    assert approved.status_code == 200, approved.text
    from parkops.leases.services.common import shanghai_today

    assert approved.json()["number"] == f"P{units[0].park_id}-{shanghai_today().year}-0001"
    events = (await client.get(f"{url}/events")).json()
    assert [e["action"] for e in events] == ["create", "submit", "approve"]

    amended = await client.post(
        f"{url}/amendments", json={"effective_from": "2027-01-01", "rent_rate": "19.5"}
    )
    assert amended.status_code == 201, amended.text
    assert amended.json()["terms"]["version"] == 2
    assert amended.json()["terms"]["rent_rate"] == "19.5000"

    renewal = await client.post(f"{url}/renewal", json={"increase_percent": "5"})
    assert renewal.status_code == 201, renewal.text
    assert renewal.json()["predecessor_id"] == contract["id"]
    assert renewal.json()["start_date"] == "2029-01-01"
    assert renewal.json()["last_day"] == "2031-12-31"  # as long as the renewed contract

    # The exclusive end_date of old clients is refused, not read one day off.
    old_style = await client.post(
        f"{url}/termination", json={"end_date": "2026-12-01", "reason": "relocation"}
    )
    assert old_style.status_code == 400
    assert old_style.json()["errors"][0]["field"] == "end_date"
    assert "last_day" in old_style.json()["errors"][0]["message"]
    impossible = await client.post(
        f"{url}/termination", json={"last_day": "2025-06-30", "reason": "relocation"}
    )
    assert impossible.status_code == 422, impossible.text
    terminated = await client.post(
        f"{url}/termination", json={"last_day": "2026-11-30", "reason": "relocation"}
    )
    assert terminated.status_code == 201, terminated.text
    assert terminated.json()["last_day"] == "2026-11-30"
    assert terminated.json()["statement"]["lines"][-1]["period_last_day"] == "2026-11-30"
    assert terminated.json()["deposit_held_fen"] == 72_000_00  # deposit months at the initial rent
    ended = (await client.get(url)).json()
    assert (ended["last_day"], ended["terminated_last_day"]) == ("2028-12-31", "2026-11-30")
    listed = (await client.get(f"{API}/contracts?status=terminated")).json()["items"]
    assert [(c["last_day"], c["effective_last_day"]) for c in listed] == [
        ("2028-12-31", "2026-11-30")
    ]


async def test_overlap_is_a_409_naming_unit_and_contract(client, db, login):
    units = await create_units(db)
    first = await create_contract(db, units=units, status="active")
    other = await create_enterprise(db)
    await login("leasing")
    before = await count_rows(db, LeaseContract, LeaseTerms, LeaseContractEvent)
    response = await client.post(
        f"{API}/contracts",
        json=body(other.id, [units[0].id], start_date="2027-01-01", last_day="2027-12-31"),
    )
    assert response.status_code == 409
    problem = response.json()
    assert units[0].code in problem["detail"] and first.number in problem["detail"]
    assert problem["errors"][0]["field"] == "unit_ids"
    assert await count_rows(db, LeaseContract, LeaseTerms, LeaseContractEvent) == before


async def test_bad_input_is_a_422_naming_fields_and_writes_nothing(client, db, login):
    enterprise = await create_enterprise(db)
    units = await create_units(db)
    await login("leasing")
    before = await count_rows(db, LeaseContract, LeaseTerms)
    response = await client.post(
        f"{API}/contracts",
        json=body(
            enterprise.id,
            [units[0].id, 999999],
            last_day="2025-06-01",
            rent_rate="-1",
            escalation_kind="percent",
            escalation_percent="150",
        ),
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"last_day", "rent_rate", "unit_ids", "escalation_percent"} <= fields
    assert await count_rows(db, LeaseContract, LeaseTerms) == before
    # Types are checked before the service: still a clear 400, not a 500.
    response = await client.post(f"{API}/contracts", json={"enterprise_id": "x"})
    assert response.status_code == 400


async def test_enterprise_users_see_only_their_signed_contracts(client, db, login):
    a, b = await create_enterprise(db), await create_enterprise(db)
    own = await create_contract(db, enterprise=a, status="active")
    own_draft = await create_contract(db, enterprise=a)
    theirs = await create_contract(db, enterprise=b, status="active")
    await login("enterprise_user", enterprise_id=a.id)

    listed = (await client.get(f"{API}/contracts")).json()
    assert [c["id"] for c in listed["items"]] == [own.id]
    assert (await client.get(f"{API}/contracts/{own.id}")).status_code == 200
    for contract_id in (theirs.id, own_draft.id):
        assert (await client.get(f"{API}/contracts/{contract_id}")).status_code == 404
        assert (await client.get(f"{API}/contracts/{contract_id}/schedule")).status_code == 404
        assert (await client.get(f"/portal/contracts/{contract_id}")).status_code == 404
        assert (await client.get(f"/portal/contracts/{contract_id}/pdf")).status_code == 404
    # And they cannot act.
    response = await client.post(f"{API}/contracts/{own.id}/transitions", json={"action": "cancel"})
    assert response.status_code == 403
    assert (await client.get(f"{API}/reservations")).status_code == 403


async def test_reservations_over_the_api(client, db, login):
    prospect = await create_enterprise(db, status="prospect")
    other = await create_enterprise(db)
    units = await create_units(db)
    await login("leasing")
    held = await client.post(
        f"{API}/reservations",
        json={"enterprise_id": prospect.id, "unit_ids": [units[0].id], "held_until": "2099-01-01"},
    )
    assert held.status_code == 422  # more than a year ahead
    from parkops.leases.services.common import shanghai_today

    until = shanghai_today().replace(day=28).isoformat()
    hold = {
        "enterprise_id": prospect.id,
        "unit_ids": [units[0].id],
        "held_until": until,
        "wanted_until": "2030-06-30",
    }
    held = await client.post(f"{API}/reservations", json=hold)
    if shanghai_today().day > 28:  # the 29th-31st: "until" lies in the past
        assert held.status_code == 422
        return
    assert held.status_code == 201, held.text
    assert held.json()["status"] == "active"
    assert (held.json()["held_until"], held.json()["wanted_until"]) == (until, "2030-06-30")
    stored = await db.get(LeaseReservation, held.json()["id"])
    assert stored.end_date == date(2030, 7, 1)  # half-open inside
    blocked = await client.post(
        f"{API}/contracts",
        json=body(other.id, [units[0].id], start_date="2030-01-01", last_day="2030-12-31"),
    )
    assert blocked.status_code == 409 and "held for" in blocked.json()["detail"]
    listed = (await client.get(f"{API}/reservations?status=live")).json()
    assert [r["id"] for r in listed["items"]] == [held.json()["id"]]
    released = await client.post(f"{API}/reservations/{held.json()['id']}/release")
    assert released.status_code == 200 and released.json()["status"] == "released"


async def test_expiring_lists(client, db, login):
    from datetime import timedelta

    from parkops.leases.services.common import shanghai_today

    today = shanghai_today()
    soon = await create_contract(
        db,
        status="active",
        start_date=(today - timedelta(days=300)).isoformat(),
        last_day=(today + timedelta(days=19)).isoformat(),
        accept_partial_month="1",
        today=today,
    )
    later = await create_contract(
        db,
        status="active",
        start_date=(today - timedelta(days=300)).isoformat(),
        last_day=(today + timedelta(days=74)).isoformat(),
        accept_partial_month="1",
        today=today,
    )
    await create_contract(
        db,
        status="active",
        today=today,
        start_date=today.isoformat(),
        last_day=(today + timedelta(days=399)).isoformat(),
        accept_partial_month="1",
    )
    await login("leasing")
    counts = (await client.get(f"{API}/expiring/counts")).json()
    assert counts == {"within_30": 1, "within_60": 1, "within_90": 2}
    ids = [c["id"] for c in (await client.get(f"{API}/expiring?days=90")).json()["items"]]
    assert ids == [soon.id, later.id]
    page = await client.get("/leases/expiring?days=30")
    assert page.status_code == 200 and soon.number in page.text and later.number not in page.text
    assert (today + timedelta(days=19)).isoformat() in page.text  # the last day, inclusive


async def test_patch_changes_only_a_draft(client, db, login):
    draft = await create_contract(db)
    active = await create_contract(db, status="active")
    await login("leasing")
    changed = await client.patch(
        f"{API}/contracts/{draft.id}", json={"rent_rate": "20", "cycle": "monthly"}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["terms"]["rent_rate"] == "20.0000"
    assert changed.json()["terms"]["cycle"] == "monthly"
    assert changed.json()["deposit_fen"] == 80_000_00  # still two months, at the new rent
    refused = await client.patch(f"{API}/contracts/{active.id}", json={"rent_rate": "20"})
    assert refused.status_code == 409
