"""The demo park loads once, deterministically, and a second load costs one query."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import event

from parkops.inventory import demo, repository
from parkops.inventory.models import Unit


async def test_load_demo_then_again(db):
    counts = await demo.load_demo(db)
    assert counts["parks"] == 1 and counts["phases"] == 4 and counts["units"] == 224
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sync_engine = db.bind.sync_engine if hasattr(db.bind, "sync_engine") else db.bind
    event.listen(sync_engine, "before_cursor_execute", count)
    try:
        again = await demo.load_demo(db)
    finally:
        event.remove(sync_engine, "before_cursor_execute", count)
    assert set(again.values()) == {0}
    assert len(statements) == 1
    assert await db.scalar(sa.select(sa.func.count()).select_from(Unit)) == 224

    rows = await repository.occupancy(db)
    park = next(r for r in rows if r["level"] == "park")
    phases = {r["phase_number"]: r for r in rows if r["level"] == "phase"}
    assert park["park_name"] == demo.PARK_NAME
    assert phases[1]["units"] == 60 and phases[2]["units"] == 60
    workshops = phases[1]["leasable_area"] + phases[2]["leasable_area"]
    assert Decimal("200000") < workshops < Decimal("215000")  # 88% of ~240,000 m² gross
    assert Decimal("85") <= phases[1]["occupancy_pct"] <= Decimal("95")
    assert phases[3]["units"] == phases[3]["unavailable_units"] > 0
    assert phases[3]["leased_units"] == 0
    assert phases[4]["units"] == 0 and phases[4]["occupancy_pct"] is None
