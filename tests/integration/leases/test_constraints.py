"""The database itself refuses double-letting and duplicate numbers, whatever the application
does (rows written directly, bypassing the service)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.exc import IntegrityError

from parkops.leases.models import LeaseContract, LeaseUnitOccupancy
from tests.integration.enterprises.factories import create_enterprise
from tests.integration.leases.factories import create_contract, create_units


def occupancy(unit_id, enterprise_id, start, end, *, contract_id=None, reservation_id=None):
    return {
        "unit_id": unit_id,
        "enterprise_id": enterprise_id,
        "kind": "contract" if contract_id else "reservation",
        "period": Range(start, end, bounds="[)"),
        "contract_id": contract_id,
        "reservation_id": reservation_id,
        "active": True,
    }


async def insert(db, *rows):
    async with db.begin_nested():
        await db.execute(sa.insert(LeaseUnitOccupancy), list(rows))


async def test_overlapping_contracts_on_a_unit_fail_at_the_database(db):
    units = await create_units(db)
    a = await create_contract(db, units=units)
    b = await create_contract(db, units=units)
    c = await create_contract(db, units=units, enterprise=await _enterprise(db, a.enterprise_id))
    await insert(
        db,
        occupancy(
            units[0].id, a.enterprise_id, date(2026, 1, 1), date(2027, 1, 1), contract_id=a.id
        ),
    )
    # Different enterprises: both constraints apply; whichever PostgreSQL checks first refuses.
    with pytest.raises(IntegrityError, match="ex_lease_unit_occupancy_"):
        await insert(
            db,
            occupancy(
                units[0].id, b.enterprise_id, date(2026, 12, 31), date(2028, 1, 1), contract_id=b.id
            ),
        )
    # Same enterprise, still refused: two contracts never overlap on a unit.
    with pytest.raises(IntegrityError, match="ex_lease_unit_occupancy_contracts"):
        await insert(
            db,
            occupancy(
                units[0].id, a.enterprise_id, date(2026, 6, 1), date(2026, 7, 1), contract_id=c.id
            ),
        )
    # Adjacent half-open ranges and inactive rows are fine.
    await insert(
        db,
        occupancy(
            units[0].id, b.enterprise_id, date(2027, 1, 1), date(2028, 1, 1), contract_id=b.id
        ),
    )
    count = await db.scalar(
        sa.select(sa.func.count()).where(
            LeaseUnitOccupancy.unit_id == units[0].id, LeaseUnitOccupancy.active
        )
    )
    assert count == 2


async def _enterprise(db, enterprise_id):
    from parkops.enterprises.models import Enterprise

    return await db.get(Enterprise, enterprise_id)


async def test_another_enterprises_hold_fails_at_the_database_but_ones_own_does_not(db):
    from parkops.leases.models import LeaseReservation

    units = await create_units(db)
    contract = await create_contract(db, units=units)
    other = await create_enterprise(db)
    own_hold = LeaseReservation(
        park_id=units[0].park_id,
        enterprise_id=contract.enterprise_id,
        start_date=date(2026, 1, 1),
        held_until=date(2026, 2, 1),
        status="active",
    )
    other_hold = LeaseReservation(
        park_id=units[0].park_id,
        enterprise_id=other.id,
        start_date=date(2026, 1, 1),
        held_until=date(2026, 2, 1),
        status="active",
    )
    db.add_all([own_hold, other_hold])
    await db.flush()
    await insert(
        db,
        occupancy(
            units[0].id, contract.enterprise_id, date(2026, 1, 1), None, reservation_id=own_hold.id
        ),
        occupancy(
            units[0].id,
            contract.enterprise_id,
            date(2026, 1, 1),
            date(2027, 1, 1),
            contract_id=contract.id,
        ),
    )
    with pytest.raises(IntegrityError, match="ex_lease_unit_occupancy_enterprises"):
        await insert(
            db,
            occupancy(units[0].id, other.id, date(2030, 1, 1), None, reservation_id=other_hold.id),
        )


async def test_contract_numbers_are_unique(db):
    a = await create_contract(db, status="active")
    b = await create_contract(db)
    with pytest.raises(IntegrityError, match="uq_lease_contracts_number"):
        async with db.begin_nested():
            await db.execute(
                sa.update(LeaseContract)
                .where(LeaseContract.id == b.id)
                .values(number=a.number, number_year=2026, number_seq=99, status="active")
            )
    with pytest.raises(IntegrityError, match="number_once_approved"):
        async with db.begin_nested():
            await db.execute(
                sa.update(LeaseContract).where(LeaseContract.id == b.id).values(status="active")
            )
