"""The billing settings of many parks at once, for the settings page (one statement, not one
per park)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.billing.models import BillingParkSettings


async def parks_settings(db: AsyncSession, park_ids: list[int]) -> dict[int, BillingParkSettings]:
    """Each park's settings (defaults for a park that has none), like ``service.park_settings``."""
    query = sa.select(BillingParkSettings).where(BillingParkSettings.park_id.in_(park_ids))
    found = {s.park_id: s for s in (await db.execute(query)).scalars()}
    return {i: found.get(i) or BillingParkSettings(park_id=i) for i in park_ids}
