"""Inventory factories for tests of any domain: plain functions creating valid spaces."""

from __future__ import annotations

from itertools import count
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.inventory.models import Building, Park, Phase, Unit
from parkops.inventory.services import spaces
from parkops.inventory.services import units as unit_service

_seq = count(1)


async def create_park(db: AsyncSession, **overrides: Any) -> Park:
    n = next(_seq)
    values = {"name": f"测试园区 {n}", "address": "江西省九江市庐山市横塘镇"} | overrides
    return await spaces.create_park(db, "test", values)


async def create_phase(db: AsyncSession, park: Park | None = None, **overrides: Any) -> Phase:
    park = park or await create_park(db)
    taken = await db.scalar(sa.select(sa.func.max(Phase.number)).where(Phase.park_id == park.id))
    values = {"number": (taken or 0) + 1, "name": "一期", "status": "operating"} | overrides
    return await spaces.create_phase(db, "test", park.id, values)


async def create_building(
    db: AsyncSession, phase: Phase | None = None, **overrides: Any
) -> Building:
    phase = phase or await create_phase(db)
    values = {"code": f"B{next(_seq)}", "main_use": "production", "floor_count": 5} | overrides
    return await spaces.create_building(db, "test", phase.id, values)


async def create_unit(db: AsyncSession, building: Building | None = None, **overrides: Any) -> Unit:
    building = building or await create_building(db)
    values = {
        "building_id": building.id,
        "floor": 1,
        "code": f"U{next(_seq)}",
        "unit_type": "workshop",
        "gross_area": "2000.00",
        "leasable_area": "1800.00",
        "floor_load": 500,
        "power_kva": 200,
        "status": "available",
    } | overrides
    return await unit_service.create_unit(db, "test", values)


async def count_rows(db: AsyncSession, *models) -> dict[str, int]:
    """Row counts of the given tables (bad input must leave them unchanged)."""
    out = {}
    for model in models:
        out[model.__tablename__] = await db.scalar(sa.select(sa.func.count()).select_from(model))
    return out
