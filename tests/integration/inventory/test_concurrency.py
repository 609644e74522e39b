"""Two people saving the same unit code at the same moment: the database decides, one wins,
the other gets a Conflict naming the field (never a 500, never two units)."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa

from parkops.core.errors import Conflict
from parkops.db.engine import create_engine, session_factory
from parkops.inventory import service
from parkops.inventory.models import Unit
from tests.integration.inventory.factories import create_building

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
                await service.create_unit(db, "a", values)
                first_inserted.set()
                await release.wait()

        async def second():
            await first_inserted.wait()
            async with sessions() as db, db.begin():
                task = asyncio.ensure_future(service.create_unit(db, "b", values))
                await asyncio.sleep(0.3)  # blocked on the unique index behind `first`
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
