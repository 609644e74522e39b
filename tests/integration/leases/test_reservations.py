"""Holds: they block other enterprises, not their own; approval consumes them; an expired hold
counts for nothing and is released by the roll-over."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from parkops.core.errors import Conflict, ValidationFailed
from parkops.inventory.models import Unit
from parkops.leases import repository
from parkops.leases.models import LeaseReservation, LeaseUnitOccupancy
from parkops.leases.services import reservations, writing
from tests.integration.enterprises.factories import create_enterprise
from tests.integration.leases.factories import (
    TODAY,
    actor,
    contract_values,
    count_rows,
    create_contract,
    create_units,
)


async def status_of(db, unit_id: int) -> str:
    return await db.scalar(sa.select(Unit.status).where(Unit.id == unit_id))


async def hold(db, leasing, enterprise, units, **extra):
    values = {
        "enterprise_id": enterprise.id,
        "unit_ids": [u.id for u in units],
        "start_date": "2026-04-01",
        "held_until": (TODAY + timedelta(days=14)).isoformat(),
        **extra,
    }
    return await reservations.create_reservation(db, leasing, values, today=TODAY)


async def test_hold_blocks_other_enterprises_and_is_consumed_by_its_own(db):
    leasing = await actor(db, "leasing")
    admin = await actor(db, "park_admin")
    prospect = await create_enterprise(db, status="prospect")
    other = await create_enterprise(db)
    units = await create_units(db)
    reservation = await hold(db, leasing, prospect, units)
    assert await status_of(db, units[0].id) == "reserved"

    with pytest.raises(Conflict, match=f"held for {prospect.name} until 2026-03-24"):
        await writing.create_contract(
            db,
            leasing,
            contract_values(other.id, [units[0].id], start_date="2026-06-01"),
            today=TODAY,
        )
    with pytest.raises(Conflict, match="held for"):
        await hold(db, leasing, other, units, start_date="2027-01-01")

    own = await writing.create_contract(
        db,
        leasing,
        contract_values(prospect.id, [units[0].id], start_date="2026-04-01"),
        submit=True,
        today=TODAY,
    )
    await writing.transition(db, admin, own.id, "approve", today=TODAY)
    await db.refresh(reservation)
    assert reservation.status == "converted" and reservation.contract_id == own.id
    active = await db.scalar(
        sa.select(LeaseUnitOccupancy.active).where(
            LeaseUnitOccupancy.reservation_id == reservation.id
        )
    )
    assert active is False
    assert await status_of(db, units[0].id) == "reserved"  # let from 04-01, not yet started


async def test_expired_hold_is_ignored_and_released(db):
    leasing = await actor(db, "leasing")
    prospect = await create_enterprise(db, status="prospect")
    other = await create_enterprise(db)
    units = await create_units(db)
    reservation = await hold(db, leasing, prospect, units, held_until="2026-03-12")
    later = date(2026, 3, 13)
    # Ignored on read: another enterprise may take the unit, and the stale hold is released.
    contract = await writing.create_contract(
        db,
        leasing,
        contract_values(other.id, [units[0].id], start_date="2026-04-01"),
        submit=True,
        today=later,
    )
    assert contract.status == "pending_approval"
    await db.refresh(reservation)
    assert reservation.status == "expired"


async def test_expire_holds_command_releases_units(db):
    leasing = await actor(db, "leasing")
    prospect = await create_enterprise(db, status="prospect")
    units = await create_units(db, 2)
    reservation = await hold(db, leasing, prospect, units, held_until="2026-03-12")
    assert await reservations.expire_holds(db, "test", today=date(2026, 3, 12)) == 0
    assert [await status_of(db, u.id) for u in units] == ["reserved", "reserved"]
    assert await reservations.expire_holds(db, "test", today=date(2026, 3, 13)) == 2
    await db.refresh(reservation)
    assert reservation.status == "expired"
    assert [await status_of(db, u.id) for u in units] == ["available", "available"]
    page = await reservations.list_reservations(db, status="expired", today=date(2026, 3, 13))
    assert [r["id"] for r in page.items] == [reservation.id]


async def test_release(db):
    leasing = await actor(db, "leasing")
    prospect = await create_enterprise(db, status="prospect")
    units = await create_units(db)
    reservation = await hold(db, leasing, prospect, units)
    await reservations.release_reservation(db, leasing, reservation.id, today=TODAY)
    assert reservation.status == "released"
    assert await status_of(db, units[0].id) == "available"
    with pytest.raises(Conflict, match="already released"):
        await reservations.release_reservation(db, leasing, reservation.id, today=TODAY)


async def test_hold_on_let_unit_is_refused(db):
    units = await create_units(db)
    contract = await create_contract(db, units=units, status="active")
    leasing = await actor(db, "leasing")
    prospect = await create_enterprise(db, status="prospect")
    with pytest.raises(Conflict, match=contract.number):
        await hold(db, leasing, prospect, units)
    # After the contract's end it is free to hold.
    reservation = await hold(db, leasing, prospect, units, start_date="2029-01-01")
    assert reservation.status == "active"
    assert await status_of(db, units[0].id) == "leased"  # the running contract wins


async def test_bad_holds_write_nothing(db):
    leasing = await actor(db, "leasing")
    prospect = await create_enterprise(db, status="prospect")
    units = await create_units(db)
    before = await count_rows(db, LeaseReservation, LeaseUnitOccupancy)
    for extra, field in [
        ({"held_until": "2026-03-01"}, "held_until"),
        ({"held_until": "2028-01-01"}, "held_until"),
        ({"held_until": ""}, "held_until"),
        ({"unit_ids": [12345678]}, "unit_ids"),
        ({"wanted_until": "2026-03-01"}, "wanted_until"),
        ({"enterprise_id": ""}, "enterprise_id"),
    ]:
        with pytest.raises(ValidationFailed) as info:
            await hold(db, leasing, prospect, units, **extra)
        assert field in info.value.field_errors
    assert await count_rows(db, LeaseReservation, LeaseUnitOccupancy) == before


async def test_the_unit_picker_says_when_it_lists_only_the_first_matches(client, db, login):
    units = await create_units(db, 3)
    park_id = units[0].park_id
    first_two = await repository.unit_picker(db, park_id=park_id, limit=2)
    assert len(first_two.units) == 2 and first_two.more
    # A unit already chosen stays listed even beyond the limit.
    chosen = await repository.unit_picker(db, park_id=park_id, limit=2, include_ids=[units[2].id])
    assert units[2].id in {u["id"] for u in chosen.units}
    everything = await repository.unit_picker(db, park_id=park_id, limit=3)
    assert len(everything.units) == 3 and not everything.more

    await login("leasing")
    page = await client.get("/leases/reservations/new")
    assert "Only the first" not in page.text  # three units: all listed, no note
    await create_units(db, 60)
    page = await client.get("/leases/reservations/new")
    assert page.text.count('name="unit_ids"') == 60
    assert "Only the first 60 matching units are listed" in page.text
