"""`parkops leases expire-holds` and `parkops leases refresh-status` against a real database."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

import pytest
import sqlalchemy as sa

from parkops.inventory.models import Unit
from parkops.leases.models import LeaseContract, LeaseReservation
from parkops.leases.services import reservations
from tests.integration.enterprises.factories import create_enterprise
from tests.integration.leases.factories import actor, create_contract, create_units
from tests.support import run_in_thread, with_committed_session

pytestmark = pytest.mark.slow


def parkops(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PARKOPS_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "parkops.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_expire_holds_and_refresh_status(committed_database_url):
    url = committed_database_url
    then = date(2023, 1, 2)

    async def setup(db):
        leasing = await actor(db, "leasing")
        held_units = await create_units(db)
        prospect = await create_enterprise(db, status="prospect")
        hold = await reservations.create_reservation(
            db,
            leasing,
            {
                "enterprise_id": prospect.id,
                "unit_ids": [held_units[0].id],
                "held_until": "2023-01-20",
            },
            today=then,
        )
        let_units = await create_units(db)
        contract = await create_contract(
            db,
            units=let_units,
            status="active",
            start_date="2023-01-01",
            last_day="2023-12-31",
            today=then,
        )
        return hold.id, held_units[0].id, contract.id, let_units[0].id

    hold_id, held_unit, contract_id, let_unit = run_in_thread(with_committed_session, url, setup)

    async def state(db):
        statuses = dict((await db.execute(sa.select(Unit.id, Unit.status))).all())
        hold = await db.get(LeaseReservation, hold_id)
        contract = await db.get(LeaseContract, contract_id)
        return statuses[held_unit], statuses[let_unit], hold.status, contract.status

    assert run_in_thread(with_committed_session, url, state) == (
        "reserved",
        "leased",
        "active",
        "active",
    )
    done = parkops(url, "leases", "expire-holds")
    assert done.returncode == 0, done.stderr
    assert "released 1 unit" in done.stdout
    assert run_in_thread(with_committed_session, url, state)[::2] == ("available", "expired")

    done = parkops(url, "leases", "refresh-status")
    assert done.returncode == 0, done.stderr
    assert "contracts expired: 1" in done.stdout
    assert run_in_thread(with_committed_session, url, state) == (
        "available",
        "available",
        "expired",
        "expired",
    )
    again = parkops(url, "leases", "refresh-status")
    assert "contracts expired: 0" in again.stdout and "units changed: 0" in again.stdout
