"""The daily roll-over: holds past their date expire, contracts start and end, unit
statuses follow.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.core.actor import Actor
from parkops.leases import repository
from parkops.leases.models import LeaseContract
from parkops.leases.rules.workflow import (
    ContractAction,
    ContractStatus,
)
from parkops.leases.services.common import shanghai_today
from parkops.leases.services.occupancy import release_expired_holds, sync_unit_statuses
from parkops.leases.services.writing import transition


async def refresh_status(
    db: AsyncSession, actor: Actor = "system", today: date | None = None
) -> dict:
    """The daily roll-over: expire contracts whose (possibly early) end has come, release holds
    past their date, and bring every unit's status in line with what covers it today."""
    today = today or shanghai_today()
    due = list(
        (
            await db.execute(
                sa.select(LeaseContract.id)
                .where(
                    LeaseContract.status == ContractStatus.active,
                    LeaseContract.end_date <= today,
                )
                .order_by(LeaseContract.id)
            )
        ).scalars()
    )
    for contract_id in due:
        await transition(db, actor, contract_id, ContractAction.expire, today=today)
    holds = await release_expired_holds(db, actor, today)
    await db.flush()
    units = await repository.units_to_refresh(db)
    changed = await sync_unit_statuses(db, actor, units, today)
    return {
        "contracts_expired": len(due),
        "hold_units_released": len(holds),
        "units_changed": changed,
    }
