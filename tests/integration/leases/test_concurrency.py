"""Races the database settles: twenty requests letting one unit at once, and approvals drawing
contract numbers at once."""

from __future__ import annotations

import asyncio
from datetime import date

import httpx
import pytest
import sqlalchemy as sa

from parkops.accounts import service as accounts
from parkops.db.engine import create_engine, session_factory
from parkops.leases.models import LeaseContract, LeaseNumberCounter, LeaseUnitOccupancy
from parkops.leases.services import writing
from tests.integration.enterprises.factories import create_enterprise
from tests.integration.leases.factories import actor, contract_values, create_contract, create_units
from tests.support import blocked_on_lock, create_user, with_committed_session

pytestmark = pytest.mark.slow

REQUESTS = 20


@pytest.mark.parametrize("friendly_check", [True, False], ids=["app-check", "constraint-only"])
async def test_twenty_requests_letting_one_unit_at_once(live_server, monkeypatch, friendly_check):
    """With the application's check switched off, the exclusion constraint alone still lets
    exactly one through (and the losers still get the message naming the winner)."""
    base, url = live_server
    if not friendly_check:

        async def no_check(*args, **kwargs):
            return None

        monkeypatch.setattr(writing, "raise_if_conflicts", no_check)

    async def setup(db):
        units = await create_units(db)
        enterprises = [await create_enterprise(db) for _ in range(REQUESTS)]
        user = await create_user(db, "leasing")
        identity = await accounts.get_identity(db, user.id)
        _token, plaintext = await accounts.create_api_token(db, identity, "race")
        return units[0].id, [e.id for e in enterprises], plaintext

    unit_id, enterprise_ids, token = await with_committed_session(url, setup)
    # Twenty different enterprises, twenty different but overlapping terms on the same unit.
    bodies = [
        contract_values(
            enterprise_id,
            [unit_id],
            start_date=date(2026, 1 + i % 12, 1).isoformat(),
            last_day=date(2027 + i % 3, 12, 31).isoformat(),
            submit=True,
        )
        for i, enterprise_id in enumerate(enterprise_ids)
    ]
    limits = httpx.Limits(max_connections=REQUESTS, max_keepalive_connections=REQUESTS)
    async with httpx.AsyncClient(
        base_url=base,
        headers={"authorization": f"Bearer {token}", "cookie": "parkops_lang=en"},
        limits=limits,
        timeout=60,
    ) as client:
        start = asyncio.Event()

        async def post(body):
            await start.wait()
            return await client.post("/api/v1/leases/contracts", json=body)

        tasks = [asyncio.ensure_future(post(b)) for b in bodies]
        await asyncio.sleep(0.05)
        start.set()
        responses = await asyncio.gather(*tasks)

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (REQUESTS - 1), [
        r.text for r in responses if r.status_code not in (201, 409)
    ]
    winner = next(r.json() for r in responses if r.status_code == 201)
    assert winner["status"] == "pending_approval"
    for r in responses:
        if r.status_code == 409:
            problem = r.json()
            assert problem["errors"][0]["field"] == "unit_ids"
            assert f"contract draft #{winner['id']}" in problem["detail"]

    async def check(db):
        overlaps = await db.scalar(
            sa.text(
                "SELECT count(*) FROM lease_unit_occupancy a JOIN lease_unit_occupancy b "
                "ON a.unit_id = b.unit_id AND a.id < b.id AND a.period && b.period "
                "WHERE a.active AND b.active"
            )
        )
        contracts = await db.scalar(sa.select(sa.func.count()).select_from(LeaseContract))
        rows = await db.scalar(
            sa.select(sa.func.count()).where(LeaseUnitOccupancy.unit_id == unit_id)
        )
        return overlaps, contracts, rows

    # The losers' drafts were rolled back with their requests: one contract, one occupancy row.
    assert await with_committed_session(url, check) == (0, 1, 1)


async def test_concurrent_approvals_get_consecutive_numbers(committed_database_url):
    url = committed_database_url
    today = date(2026, 3, 10)

    async def setup(db):
        admin = await actor(db, "park_admin")
        park_units = await create_units(db, 3)
        ids = []
        for unit in park_units:
            contract = await create_contract(
                db, units=[unit], status="pending_approval", today=today
            )
            ids.append(contract.id)
        return admin, ids, park_units[0].park_id

    admin, ids, park_id = await with_committed_session(url, setup)
    engine = create_engine(url, pool_size=3)
    sessions = session_factory(engine)
    try:
        # A rolled-back approval uses no number (gap-free).
        async with sessions() as db:
            async with db.begin():
                await writing.transition(db, admin, ids[2], "approve", today=today)
                assert (await db.get(LeaseContract, ids[2])).number == f"P{park_id}-2026-0001"
                await db.rollback()

        first_numbered = asyncio.Event()
        release = asyncio.Event()

        async def first():
            async with sessions() as db, db.begin():
                await writing.transition(db, admin, ids[0], "approve", today=today)
                first_numbered.set()
                await release.wait()  # hold the counter row locked

        async def second():
            await first_numbered.wait()
            async with sessions() as db, db.begin():
                task = asyncio.ensure_future(
                    writing.transition(db, admin, ids[1], "approve", today=today)
                )
                await blocked_on_lock(sessions, task)
                assert not task.done()  # waiting for the counter row
                release.set()
                await task

        await asyncio.gather(first(), second())
        async with sessions() as db:
            numbers = (
                await db.execute(
                    sa.select(LeaseContract.id, LeaseContract.number)
                    .where(LeaseContract.number.is_not(None))
                    .order_by(LeaseContract.id)
                )
            ).all()
            counter = await db.scalar(
                sa.select(LeaseNumberCounter.last_value).where(
                    LeaseNumberCounter.park_id == park_id, LeaseNumberCounter.year == 2026
                )
            )
        assert numbers == [
            (ids[0], f"P{park_id}-2026-0001"),
            (ids[1], f"P{park_id}-2026-0002"),
        ]
        assert counter == 2
    finally:
        await engine.dispose()
