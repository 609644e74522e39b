"""A unit's occupancy (available, reserved, leased) follows its contracts and holds.

Nobody frees a leased or held unit by hand, whatever the way in (unit page, unit edit form, API,
split and merge, the database itself); the reasons a unit cannot be let (maintenance, own use,
not handed over) are set with a confirmation step, are refused while a contract or hold takes
the unit, and are audited. The pages judge by today's date in Shanghai, so the contracts here are
dated around the real today.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from parkops.core.audit import AuditEntry
from parkops.core.errors import Conflict, ValidationFailed
from parkops.inventory.models import Unit
from parkops.inventory.services import lineage, spaces
from parkops.inventory.services import units as unit_service
from parkops.leases.models import LeaseUnitOccupancy
from parkops.leases.services import common, reservations
from tests.integration.enterprises.factories import create_enterprise
from tests.integration.leases.factories import actor, create_contract, create_units
from tests.support import post_form

TODAY = common.shanghai_today()


async def let(db, units, *, status="active", start=-60, days=730):
    """A contract on ``units`` from ``start`` days after today, for ``days`` days."""
    return await create_contract(
        db,
        units=units,
        status=status,
        today=TODAY,
        start_date=(TODAY + timedelta(days=start)).isoformat(),
        last_day=(TODAY + timedelta(days=start + days - 1)).isoformat(),
        accept_partial_month="1",
    )


async def hold(db, units):
    prospect = await create_enterprise(db, status="prospect")
    return await reservations.create_reservation(
        db,
        await actor(db, "leasing"),
        {
            "enterprise_id": prospect.id,
            "unit_ids": [u.id for u in units],
            "held_until": (TODAY + timedelta(days=14)).isoformat(),
        },
        today=TODAY,
    ), prospect


async def state(db, unit_id: int) -> dict:
    """Everything a refused change must leave as it was."""
    row = (
        (
            await db.execute(
                sa.select(
                    Unit.status, Unit.unavailable_reason, Unit.retired_at, Unit.updated_at
                ).where(Unit.id == unit_id)
            )
        )
        .mappings()
        .one()
    )
    audits = await db.scalar(
        sa.select(sa.func.count()).where(
            AuditEntry.entity == "unit", AuditEntry.entity_id == str(unit_id)
        )
    )
    occupancy = await db.scalar(
        sa.select(sa.func.count()).where(
            LeaseUnitOccupancy.unit_id == unit_id, LeaseUnitOccupancy.active.is_(True)
        )
    )
    return {**row, "audits": audits, "occupancy": occupancy}


def status_form_offered(html: str, unit_id: int) -> bool:
    return f'action="/units/{unit_id}/status"' in html


# --- pages ---------------------------------------------------------------------------------------


async def test_the_unit_page_cannot_free_a_leased_unit(client, as_role, db):
    units = await create_units(db)
    contract = await let(db, units)
    unit = units[0]
    assert (await state(db, unit.id))["status"] == "leased"
    await as_role("leasing")

    page = await client.get(f"/units/{unit.id}")
    assert page.status_code == 200
    assert not status_form_offered(page.text, unit.id)
    assert contract.number in page.text  # says which contract the status follows
    assert f'href="/leases/contracts/{contract.id}"' in page.text

    before = await state(db, unit.id)
    for form in (
        {"status": "available", "confirm": "yes"},
        {"status": "available"},
        {"status": "unavailable", "unavailable_reason": "维修", "confirm": "yes"},
        {"status": "reserved", "confirm": "yes"},
    ):
        response = await post_form(client, f"/units/{unit.id}/status", form)
        assert response.status_code in (409, 422), (form, response.status_code)
        assert "changed" not in response.headers.get("location", "")
        if form["status"] != "reserved":
            assert response.status_code == 409
            assert contract.number in response.text, form
    assert await state(db, unit.id) == before

    # The edit form has no status, and a status slipped into it changes nothing.
    edit = await client.get(f"/units/{unit.id}/edit")
    assert 'name="status"' not in edit.text
    saved = await post_form(
        client,
        f"/units/{unit.id}/edit",
        {
            "building_id": str(unit.building_id),
            "floor": "1",
            "code": unit.code,
            "unit_type": "workshop",
            "gross_area": "2000.00",
            "leasable_area": "1800.00",
            "status": "available",
        },
    )
    assert saved.status_code == 303
    assert (await state(db, unit.id))["status"] == "leased"


async def test_the_unit_page_cannot_free_a_held_unit(client, as_role, db):
    units = await create_units(db)
    _reservation, prospect = await hold(db, units)
    unit = units[0]
    assert (await state(db, unit.id))["status"] == "reserved"
    await as_role("leasing")
    page = await client.get(f"/units/{unit.id}")
    assert not status_form_offered(page.text, unit.id)
    assert prospect.name in page.text
    before = await state(db, unit.id)
    for form in (
        {"status": "available", "confirm": "yes"},
        {"status": "unavailable", "unavailable_reason": "自用", "confirm": "yes"},
    ):
        response = await post_form(client, f"/units/{unit.id}/status", form)
        assert response.status_code == 409, form
        assert f"held for {prospect.name}" in response.text
    assert await state(db, unit.id) == before


async def test_contract_picker_never_lists_a_leased_unit_as_available(client, as_role, db):
    units = await create_units(db)
    await let(db, units)
    unit = units[0]
    free = (await create_units(db))[0]
    await as_role("leasing")
    await post_form(client, f"/units/{unit.id}/status", {"status": "available", "confirm": "yes"})

    listed = await client.get("/leases/contracts/new")
    assert listed.status_code == 200
    assert f'name="unit_ids" value="{free.id}"' in listed.text  # available units are offered...
    assert f'name="unit_ids" value="{unit.id}"' not in listed.text  # ...the leased one is not
    found = await post_form(
        client, "/leases/contracts/new", {"_action": "search", "unit_q": unit.code}
    )
    row = re.search(
        rf'<tr[^>]*>\s*<td><input[^>]*name="unit_ids" value="{unit.id}".*?</tr>', found.text, re.S
    )
    assert row is not None, found.text
    assert "Leased" in row.group(0) and "Available" not in row.group(0)


async def test_maintenance_on_a_vacant_unit_needs_confirmation_and_is_audited(client, as_role, db):
    unit = (await create_units(db))[0]
    await as_role("leasing")
    page = await client.get(f"/units/{unit.id}")
    assert status_form_offered(page.text, unit.id)
    # Nothing is preselected: the select starts blank.
    select = re.search(r'<select id="f-status".*?</select>', page.text, re.S).group(0)
    assert "selected" not in select
    assert 'value="leased"' not in select and 'value="reserved"' not in select

    before = await state(db, unit.id)
    asked = await post_form(
        client,
        f"/units/{unit.id}/status",
        {"status": "unavailable", "unavailable_reason": "屋面维修"},
    )
    assert asked.status_code == 200  # the confirmation step, nothing written yet
    assert "屋面维修" in asked.text and 'name="confirm" value="yes"' in asked.text
    assert await state(db, unit.id) == before

    done = await post_form(
        client,
        f"/units/{unit.id}/status",
        {"status": "unavailable", "unavailable_reason": "屋面维修", "confirm": "yes"},
    )
    assert done.status_code == 303
    after = await state(db, unit.id)
    assert (after["status"], after["unavailable_reason"]) == ("unavailable", "屋面维修")
    entry = (
        await db.execute(
            sa.select(AuditEntry)
            .where(AuditEntry.entity == "unit", AuditEntry.entity_id == str(unit.id))
            .order_by(AuditEntry.id.desc())
            .limit(1)
        )
    ).scalar_one()
    assert entry.action == "unit_status_changed"
    assert entry.before == {"status": "available", "unavailable_reason": None}
    assert entry.after == {"status": "unavailable", "unavailable_reason": "屋面维修"}
    assert entry.actor_id is not None

    # Back to letting: confirmed too; an unconfirmed request writes nothing.
    unconfirmed = await post_form(client, f"/units/{unit.id}/status", {"status": "available"})
    assert unconfirmed.status_code == 200
    assert (await state(db, unit.id))["status"] == "unavailable"
    back = await post_form(
        client, f"/units/{unit.id}/status", {"status": "available", "confirm": "yes"}
    )
    assert back.status_code == 303
    assert (await state(db, unit.id))["status"] == "available"


async def test_refusals_read_in_chinese(client, as_role, db):
    units = await create_units(db)
    contract = await let(db, units)
    await as_role("leasing")
    client.cookies.set("parkops_lang", "zh")
    response = await post_form(
        client,
        f"/units/{units[0].id}/status",
        {"status": "unavailable", "unavailable_reason": "自用", "confirm": "yes"},
    )
    assert response.status_code == 409
    assert contract.number in response.text
    assert "合同" in response.text and "不能手工" in response.text


# --- API -----------------------------------------------------------------------------------------


async def test_the_api_cannot_free_a_leased_or_held_unit(client, as_role, db):
    leased = (await create_units(db))[0]
    contract = await let(db, [leased])
    held = (await create_units(db))[0]
    _reservation, prospect = await hold(db, [held])
    await as_role("leasing")
    for unit, name in ((leased, contract.number), (held, prospect.name)):
        before = await state(db, unit.id)
        for body in (
            {"status": "available"},
            {"status": "unavailable", "unavailable_reason": "维修"},
        ):
            response = await client.patch(f"/api/v1/units/{unit.id}", json=body)
            assert response.status_code == 409, (body, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
            assert name in response.json()["detail"]
        assert await state(db, unit.id) == before
    # Other fields of a leased unit can still be edited; the status stays.
    renamed = await client.patch(
        f"/api/v1/units/{leased.id}", json={"power_kva": 250, "status": "leased"}
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["status"] == "leased" and renamed.json()["power_kva"] == 250


async def test_the_api_cannot_lease_or_reserve_by_hand(client, as_role, db):
    unit = (await create_units(db))[0]
    await as_role("leasing")
    before = await state(db, unit.id)
    for status in ("leased", "reserved"):
        response = await client.patch(f"/api/v1/units/{unit.id}", json={"status": status})
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "status"
        assert "contracts and holds" in response.json()["errors"][0]["message"]
    assert await state(db, unit.id) == before
    created = await client.post(
        "/api/v1/units",
        json={
            "building_id": unit.building_id,
            "floor": 1,
            "code": "BY-HAND-1",
            "unit_type": "workshop",
            "gross_area": "100",
            "leasable_area": "90",
            "status": "leased",
        },
    )
    assert created.status_code == 422
    assert created.json()["errors"][0]["field"] == "status"
    assert await db.scalar(sa.select(Unit.id).where(Unit.code == "BY-HAND-1")) is None


async def test_the_api_sets_and_lifts_maintenance_on_a_vacant_unit(client, as_role, db):
    unit = (await create_units(db))[0]
    await as_role("leasing")
    marked = await client.patch(
        f"/api/v1/units/{unit.id}", json={"status": "unavailable", "unavailable_reason": "维修"}
    )
    assert marked.status_code == 200, marked.text
    assert marked.json()["unavailable_reason"] == "维修"
    lifted = await client.patch(f"/api/v1/units/{unit.id}", json={"status": "available"})
    assert lifted.status_code == 200 and lifted.json()["status"] == "available"


# --- services: future and pending contracts, stale statuses, split and merge ---------------------


async def test_future_and_pending_contracts_refuse_a_manual_status(db):
    future_unit = (await create_units(db))[0]
    future = await let(db, [future_unit], start=30)
    assert (await state(db, future_unit.id))["status"] == "reserved"
    pending_unit = (await create_units(db))[0]
    pending = await let(db, [pending_unit], status="pending_approval")
    assert (await state(db, pending_unit.id))["status"] == "available"
    for unit, text in ((future_unit, future.number), (pending_unit, f"#{pending.id}")):
        before = await state(db, unit.id)
        with pytest.raises(Conflict, match=re.escape(text)):
            await unit_service.set_unit_status(db, "t", unit.id, "unavailable", "自用", today=TODAY)
        assert await state(db, unit.id) == before


async def test_a_contract_that_has_ended_no_longer_holds_the_unit(db):
    """The roll-over has not run yet: the unit still reads leased, but nothing covers it today.
    A manual status first brings it up to date (available), then applies."""
    units = await create_units(db)
    await create_contract(
        db,
        units=units,
        status="active",
        today=TODAY - timedelta(days=200),
        start_date=(TODAY - timedelta(days=300)).isoformat(),
        last_day=(TODAY - timedelta(days=11)).isoformat(),
        accept_partial_month="1",
    )
    unit = units[0]
    assert (await state(db, unit.id))["status"] == "leased"
    await unit_service.set_unit_status(db, "t", unit.id, "unavailable", "维修", today=TODAY)
    assert (await state(db, unit.id))["status"] == "unavailable"


async def test_units_taken_by_a_contract_are_not_split_or_merged(db):
    units = await create_units(db, 2)
    await let(db, units, status="pending_approval")  # still "available": pending approval
    before = [await state(db, u.id) for u in units]
    with pytest.raises(ValidationFailed) as split:
        await lineage.split_unit(
            db,
            "t",
            units[0].id,
            [
                {"code": "SP-1", "gross_area": "1000", "leasable_area": "900"},
                {"code": "SP-2", "gross_area": "1000", "leasable_area": "900"},
            ],
        )
    assert "contract draft" in split.value.field_errors["status"]
    with pytest.raises(ValidationFailed) as merge:
        await lineage.merge_units(db, "t", [u.id for u in units], {"code": "MG-1"})
    assert "contract draft" in merge.value.field_errors["unit_ids"]
    assert [await state(db, u.id) for u in units] == before


# --- the database --------------------------------------------------------------------------------


async def _refused_by_database(db, statement: str, **params) -> None:
    with pytest.raises(IntegrityError, match=r"follows? the contracts and holds"):
        async with db.begin_nested():
            await db.execute(sa.text(statement), params)


async def test_the_database_refuses_to_free_a_leased_or_held_unit(db):
    leased = (await create_units(db))[0]
    await let(db, [leased])
    held = (await create_units(db))[0]
    await hold(db, [held])
    pending = (await create_units(db))[0]
    await let(db, [pending], status="pending_approval")
    vacant = (await create_units(db))[0]
    await db.flush()
    for unit in (leased, held):
        await _refused_by_database(
            db, "UPDATE units SET status = 'available' WHERE id = :id", id=unit.id
        )
        await _refused_by_database(
            db,
            "UPDATE units SET status = 'unavailable', unavailable_reason = 'x' WHERE id = :id",
            id=unit.id,
        )
    await _refused_by_database(
        db,
        "UPDATE units SET status = 'unavailable', unavailable_reason = 'x' WHERE id = :id",
        id=pending.id,
    )
    await _refused_by_database(
        db, "UPDATE units SET status = 'leased' WHERE id = :id", id=vacant.id
    )
    # What is not a status change is not refused.
    await db.execute(sa.text("UPDATE units SET power_kva = 99 WHERE id = :id"), {"id": leased.id})
    assert (await state(db, leased.id))["status"] == "leased"


async def test_the_database_refuses_contracts_and_holds_on_units_out_of_letting(db):
    marked, retired = await create_units(db, 2)
    await unit_service.set_unit_status(db, "t", marked.id, "unavailable", "维修", today=TODAY)
    await lineage.split_unit(
        db,
        "t",
        retired.id,
        [
            {"code": f"{retired.code}-A", "gross_area": "1000", "leasable_area": "900"},
            {"code": f"{retired.code}-B", "gross_area": "1000", "leasable_area": "900"},
        ],
    )
    reservation, prospect = await hold(db, await create_units(db))
    await db.flush()
    for unit, why in ((marked, "marked unavailable"), (retired, "split or merged")):
        with pytest.raises(IntegrityError, match=why):
            async with db.begin_nested():
                await db.execute(
                    sa.insert(LeaseUnitOccupancy).values(
                        unit_id=unit.id,
                        enterprise_id=prospect.id,
                        kind="reservation",
                        period=common.period_range(TODAY, None),
                        reservation_id=reservation.id,
                        active=True,
                    )
                )


async def test_a_pre_let_unit_is_leased_once_its_phase_operates(db):
    handover = TODAY - timedelta(days=30)
    units = await create_units(db, phase_status="under_construction", handover_date=handover)
    await let(db, units, start=-30)  # from the hand-over, so its term has begun
    unit = units[0]
    assert unit.status == "reserved"  # pre-let, not occupied
    await spaces.update_phase(db, "t", unit.phase_id, {"status": "operating"})
    assert unit.status == "leased"
