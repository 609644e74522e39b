"""Races on units the database settles: two people saving the same unit code at once (one
wins, the other gets a Conflict naming the field: never a 500, never two units), and a unit
marked unavailable while a contract takes it."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from parkops.core.errors import Conflict, ValidationFailed
from parkops.db.engine import create_engine, session_factory
from parkops.inventory.models import Unit
from parkops.inventory.services import units as unit_service
from parkops.leases.models import LeaseUnitOccupancy
from parkops.leases.services import writing
from tests.integration.inventory.factories import create_building
from tests.integration.leases.factories import TODAY, actor, create_contract, create_units
from tests.support import blocked_on_lock

pytestmark = pytest.mark.slow


async def test_same_code_at_once(committed_database_url):
    engine = create_engine(committed_database_url, pool_size=3)
    sessions = session_factory(engine)
    try:
        async with sessions() as db, db.begin():
            building = await create_building(db)
        values = {
            "building_id": building.id,
            "floor": 1,
            "code": "RACE",
            "unit_type": "office",
            "gross_area": "10",
            "leasable_area": "10",
        }
        # Both pass the friendly check before either inserts: hold the first transaction open
        # after its insert, so the second one's check runs before the first commits.
        first_inserted = asyncio.Event()
        release = asyncio.Event()

        async def first():
            async with sessions() as db, db.begin():
                await unit_service.create_unit(db, "a", values)
                first_inserted.set()
                await release.wait()

        async def second():
            await first_inserted.wait()
            async with sessions() as db, db.begin():
                task = asyncio.ensure_future(unit_service.create_unit(db, "b", values))
                await blocked_on_lock(sessions, task)  # on the unique index behind `first`
                release.set()
                return await task

        results = await asyncio.gather(first(), second(), return_exceptions=True)
        assert results[0] is None
        assert isinstance(results[1], Conflict), results[1]
        assert "code" in results[1].field_errors
        async with sessions() as db:
            assert await db.scalar(sa.select(sa.func.count()).where(Unit.code == "RACE")) == 1
    finally:
        await engine.dispose()


@pytest.mark.parametrize("first_step", ["mark_unavailable", "submit_contract"])
async def test_marking_unavailable_and_submitting_a_contract_at_once(
    committed_database_url, first_step
):
    """Whichever starts first, the other waits for it and then refuses: never a unit marked
    unavailable under a contract (the status change locks the unit; the contract's occupancy
    row takes a KEY SHARE lock on it, by the trigger and the foreign key)."""
    engine = create_engine(committed_database_url, pool_size=3)
    sessions = session_factory(engine)
    try:
        async with sessions() as db, db.begin():
            units = await create_units(db)
            leasing = await actor(db, "leasing")
            contract = await create_contract(db, leasing=leasing, units=units)
        unit_id = units[0].id

        async def mark(db):
            await unit_service.set_unit_status(db, "a", unit_id, "unavailable", "维修")

        async def submit(db):
            await writing.transition(db, leasing, contract.id, "submit", today=TODAY)

        steps = {"mark_unavailable": mark, "submit_contract": submit}
        second_step = next(s for s in steps if s != first_step)
        first_done = asyncio.Event()
        release = asyncio.Event()

        async def first():
            async with sessions() as db, db.begin():
                await steps[first_step](db)
                first_done.set()
                await release.wait()

        async def second():
            await first_done.wait()
            async with sessions() as db, db.begin():
                task = asyncio.ensure_future(steps[second_step](db))
                await blocked_on_lock(sessions, task)  # waiting for the unit behind `first`
                assert not task.done()
                release.set()
                return await task

        results = await asyncio.gather(first(), second(), return_exceptions=True)
        assert results[0] is None
        # The loser learns it from the service (a 409 naming the contract, or, when it waited
        # before reading the unit, the contract's own check that the unit is out of letting)
        # or, when it had already passed those checks, from the database trigger.
        assert isinstance(results[1], (Conflict, ValidationFailed, IntegrityError)), results[1]
        async with sessions() as db:
            status = await db.scalar(sa.select(Unit.status).where(Unit.id == unit_id))
            taken = await db.scalar(
                sa.select(sa.func.count()).where(LeaseUnitOccupancy.unit_id == unit_id)
            )
        assert (status, taken) == (
            ("unavailable", 0) if first_step == "mark_unavailable" else ("available", 1)
        )
    finally:
        await engine.dispose()
