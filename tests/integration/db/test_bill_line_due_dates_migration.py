"""The migration that gives bill lines their own due date fills it for existing (frozen) lines."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
import sqlalchemy as sa

from parkops.db import migrate
from tests.support import with_committed_session

pytestmark = pytest.mark.slow

BEFORE = "20261128_schedule_corrections"


async def _billed(db):
    from tests.integration.billing.factories import active_contract, run_month

    await active_contract(db)
    await run_month(db, "2026-01", date(2026, 1, 2))


async def _lines(db):
    return (
        await db.execute(
            sa.text(
                "SELECT l.due_date, b.due_date AS bill_due, b.status FROM billing_bill_lines l "
                "JOIN billing_bills b ON b.id = l.bill_id"
            )
        )
    ).all()


async def _still_frozen(db):
    with pytest.raises(sa.exc.DBAPIError, match="issued"):
        await db.execute(sa.text("UPDATE billing_bill_lines SET due_date = '2030-01-01'"))


def test_existing_lines_take_their_bills_due_date_and_stay_frozen(
    committed_database_url, test_settings
):
    url = committed_database_url
    asyncio.run(with_committed_session(url, _billed))
    # The downgrade drops the filled due_date column: that loss is the point of the round trip.
    migrate.downgrade(test_settings, url, BEFORE, allow_data_loss=True)
    migrate.upgrade(test_settings, url, "head")
    lines = asyncio.run(with_committed_session(url, _lines))
    assert len(lines) == 2
    assert all(ln.status == "issued" for ln in lines)
    assert all(ln.due_date == ln.bill_due == date(2026, 1, 1) for ln in lines)
    asyncio.run(with_committed_session(url, _still_frozen))
