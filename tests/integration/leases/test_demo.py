"""The leases demo: every leased unit of the demo park has a contract covering today, the mix a
newcomer should see is there, the data is consistent, and a second load changes nothing."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from parkops.enterprises import demo as enterprises_demo
from parkops.inventory import demo as inventory_demo
from parkops.inventory.models import Unit
from parkops.leases import demo
from parkops.leases.models import (
    LeaseContract,
    LeaseContractUnit,
    LeaseReservation,
    LeaseScheduleLine,
    LeaseTerms,
    LeaseUnitOccupancy,
)
from parkops.leases.services import common, reading, rollover


async def test_demo_contracts(db):
    await inventory_demo.load_demo(db)
    await enterprises_demo.load_demo(db)
    leased_before = set(
        (await db.execute(sa.select(Unit.id).where(Unit.status == "leased"))).scalars()
    )
    counts = await demo.load_demo(db)
    assert counts["lease_contracts"] > 80, counts

    statuses = Counter((await db.execute(sa.select(LeaseContract.status))).scalars())
    assert statuses["terminated"] == 1 and statuses["renewed"] == 1
    assert statuses["pending_approval"] == 1 and statuses["active"] > 80
    cycles = Counter((await db.execute(sa.select(LeaseTerms.cycle))).scalars())
    assert set(cycles) == {"monthly", "quarterly", "half_yearly", "yearly"}
    assert cycles.most_common(1)[0][0] == "quarterly"
    rent_free = await db.scalar(
        sa.select(sa.func.count()).where(LeaseTerms.rent_start > LeaseTerms.effective_from)
    )
    escalated = await db.scalar(
        sa.select(sa.func.count()).where(LeaseTerms.escalation.is_not(None))
    )
    assert rent_free > 20 and escalated > 20
    expiring = await reading.expiring_counts(db)
    assert expiring[30] >= 1 and expiring[90] >= 3

    # Every unit leased before is still leased, and covered today by a signed contract.
    today = common.shanghai_today()
    covered = set(
        (
            await db.execute(
                sa.select(LeaseUnitOccupancy.unit_id)
                .join(LeaseContract, LeaseContract.id == LeaseUnitOccupancy.contract_id)
                .where(
                    LeaseUnitOccupancy.active,
                    LeaseUnitOccupancy.period.contains(today),
                    LeaseContract.status.in_(["active", "terminated", "renewed"]),
                )
            )
        ).scalars()
    )
    assert leased_before <= covered
    leased_after = set(
        (await db.execute(sa.select(Unit.id).where(Unit.status == "leased"))).scalars()
    )
    assert leased_after == leased_before
    # The pre-let unit of phase 3 is reserved; the held unit too.
    reserved = (await db.execute(sa.select(Unit.code).where(Unit.status == "reserved"))).scalars()
    assert len(list(reserved)) == 2
    assert await db.scalar(sa.select(sa.func.count()).select_from(LeaseReservation)) == 1

    # Schedules tile each signed contract's term; numbers are unique and gap-free per year.
    gaps = await db.scalar(
        sa.text(
            "SELECT count(*) FROM (SELECT period_start, lag(period_end) OVER "
            "(PARTITION BY contract_id ORDER BY period_start) AS prev FROM lease_schedule_lines "
            "WHERE superseded_at IS NULL) s WHERE prev IS NOT NULL AND prev <> period_start"
        )
    )
    assert gaps == 0
    seqs = (
        await db.execute(
            sa.select(
                LeaseContract.number_year, sa.func.count(), sa.func.max(LeaseContract.number_seq)
            )
            .where(LeaseContract.number.is_not(None))
            .group_by(LeaseContract.number_year)
        )
    ).all()
    assert all(n == top for _year, n, top in seqs)
    assert await db.scalar(sa.select(sa.func.count()).select_from(LeaseScheduleLine)) > 500
    assert await db.scalar(sa.select(sa.func.count()).select_from(LeaseContractUnit)) > 80

    # The demo enterprise user's enterprise has a contract to look at.
    from parkops.accounts.models import User

    qiye = await db.scalar(sa.select(User).where(User.username == "qiye"))
    assert await db.scalar(
        sa.select(sa.func.count()).where(LeaseContract.enterprise_id == qiye.enterprise_id)
    )

    # A second load finds the contracts and returns at once.
    before = await db.scalar(sa.select(sa.func.count()).select_from(LeaseContract))
    assert await demo.load_demo(db) == {}
    assert await db.scalar(sa.select(sa.func.count()).select_from(LeaseContract)) == before
    # The daily roll-over finds nothing to change in a fresh demo.
    result = await rollover.refresh_status(db, "test", today=today)
    assert result["units_changed"] == 0 and result["contracts_expired"] == 0
