"""The billing card of the dashboard."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from parkops.billing import (
    reports,
    repository,
    run,
)


async def dashboard_card(db: AsyncSession, user) -> dict:
    totals = await reports.open_totals(db)
    return {
        "billing_open_fen": totals["open_fen"],
        "billing_overdue_90_fen": totals["overdue_90_fen"],
        "billing_pending_slips": await repository.count_pending_slips(db),
        "billing_last_run": (await run.list_runs(db, limit=1) or [None])[0],
    }
