"""Demo data of the inventory domain: the Red Star Down E-commerce Industrial Park.

红星羽绒电商产业园 (江西省九江市庐山市横塘镇), as docs/DOMAIN.md describes it:

- phases 1 and 2, operating since 2015 and 2017: 120 workshop units of about 2,000 m² (a
  half floor of a 4,000 m² floor plate) in twelve buildings of three to five floors, about
  240,000 m² in all. Ground floors are exhibition halls and live-streaming rooms; most units are
  leased (about 90%), some available, two unavailable for maintenance;
- phase 3, under construction, hand-over in 2027: production plants, offices, warehousing and
  logistics, hotel apartments; every unit is unavailable ("not handed over");
- phase 4, planned, no buildings yet.

Everything is derived from the unit's position (no randomness), so two loads give the same
park, and loading is idempotent: when the park exists the loader returns after one query.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.core import audit
from parkops.inventory.models import Building, Floor, Park, Phase, Unit
from parkops.inventory.vocabulary import BuildingUse, PhaseStatus, UnitStatus, UnitType
from parkops.inventory.workflow import NOT_HANDED_OVER

PARK_NAME = "红星羽绒电商产业园"
PARK_ADDRESS = "江西省九江市庐山市横塘镇"

PHASES = [
    (1, "一期", PhaseStatus.operating, Decimal("120000.00"), date(2015, 6, 30)),
    (2, "二期", PhaseStatus.operating, Decimal("120000.00"), date(2017, 9, 30)),
    (3, "三期", PhaseStatus.under_construction, Decimal("313000.00"), date(2027, 6, 30)),
    (4, "四期", PhaseStatus.planned, Decimal("200000.00"), None),
]

# Workshop buildings of phases 1 and 2: (phase, code, floors), two half-floor units per floor.
# Phase 1: 6 buildings x 5 floors = 30 floors; phase 2: 5+5+5+5+4+3+3 = 30 floors; 120 units.
WORKSHOP_BUILDINGS = [
    *[(1, f"A{i}", 5) for i in range(1, 7)],
    *[(2, f"B{i}", floors) for i, floors in enumerate((5, 5, 5, 5, 4, 3, 3), start=1)],
]
# Phase 3: (code, name, use, floors, units per floor, unit type, gross m² per unit).
PHASE3_BUILDINGS = [
    ("C1", "生产厂房一号", BuildingUse.production, 4, 1, UnitType.workshop, Decimal("3200.00")),
    ("C2", "生产厂房二号", BuildingUse.production, 4, 1, UnitType.workshop, Decimal("3200.00")),
    ("C3", "商务办公楼", BuildingUse.office, 6, 4, UnitType.office, Decimal("480.00")),
    ("C4", "仓储物流中心", BuildingUse.warehousing, 2, 2, UnitType.warehouse, Decimal("4500.00")),
    ("C5", "酒店公寓", BuildingUse.hotel_apartment, 8, 6, UnitType.apartment, Decimal("52.00")),
    ("C6", "直播电商大楼", BuildingUse.ecommerce, 5, 4, UnitType.live_streaming, Decimal("260.00")),
]
MAINTENANCE = {
    "A3-1E": "屋面防水维修 roof maintenance",
    "B4-3W": "消防设施改造 fire-system upgrade",
}


def _half_floor_area(building_index: int, floor: int, side: int) -> Decimal:
    """About 2,000 m²: 1,960 to 2,045 m² depending on the position (deterministic)."""
    return Decimal(1960 + (building_index * 7 + floor * 11 + side * 13) % 86) + Decimal("0.50")


def _leasable(gross: Decimal, ratio: str = "0.88") -> Decimal:
    return (gross * Decimal(ratio)).quantize(Decimal("0.01"))


def _workshop_status(n: int, code: str) -> tuple[UnitStatus, str | None]:
    """About 90% leased: every twelfth unit available, one reserved, two under maintenance."""
    if code in MAINTENANCE:
        return UnitStatus.unavailable, MAINTENANCE[code]
    if n % 12 == 7:
        return UnitStatus.available, None
    if n == 42:
        return UnitStatus.reserved, None
    return UnitStatus.leased, None


def plan() -> dict[str, list[dict]]:
    """The whole demo park as plain rows (pure: tested without a database)."""
    buildings: list[dict] = []
    units: list[dict] = []
    n = 0
    for index, (phase, code, floors) in enumerate(WORKSHOP_BUILDINGS):
        buildings.append(
            {
                "phase": phase,
                "code": code,
                "name": f"{code}栋 电商厂房",
                "main_use": BuildingUse.ecommerce if floors == 3 else BuildingUse.production,
                "floor_count": floors,
            }
        )
        for floor in range(1, floors + 1):
            for side, suffix in ((0, "E"), (1, "W")):
                unit_code = f"{code}-{floor}{suffix}"
                gross = _half_floor_area(index, floor, side)
                if floor == 1:
                    unit_type = UnitType.shop if side == 0 else UnitType.live_streaming
                else:
                    unit_type = UnitType.workshop
                status, reason = _workshop_status(n, unit_code)
                units.append(
                    {
                        "building": code,
                        "floor": floor,
                        "code": unit_code,
                        "unit_type": unit_type,
                        "gross_area": gross,
                        "leasable_area": _leasable(gross),
                        "floor_load": 800 if floor == 1 else 500,
                        "power_kva": 250 if floor == 1 else 160,
                        "status": status,
                        "unavailable_reason": reason,
                    }
                )
                n += 1
    for code, name, use, floors, per_floor, unit_type, gross in PHASE3_BUILDINGS:
        buildings.append(
            {"phase": 3, "code": code, "name": name, "main_use": use, "floor_count": floors}
        )
        for floor in range(1, floors + 1):
            for i in range(1, per_floor + 1):
                units.append(
                    {
                        "building": code,
                        "floor": floor,
                        "code": f"{code}-{floor}{i:02d}",
                        "unit_type": unit_type,
                        "gross_area": gross,
                        "leasable_area": _leasable(gross, "0.80"),
                        "floor_load": 1000 if use is BuildingUse.warehousing else 350,
                        "power_kva": None,
                        "status": UnitStatus.unavailable,
                        "unavailable_reason": NOT_HANDED_OVER,
                    }
                )
    return {"buildings": buildings, "units": units}


async def load_demo(db: AsyncSession) -> dict[str, int]:
    counts = {"parks": 0, "phases": 0, "buildings": 0, "floors": 0, "units": 0}
    if await db.scalar(sa.select(Park.id).where(Park.name == PARK_NAME)):
        return counts
    data = plan()
    park = Park(name=PARK_NAME, address=PARK_ADDRESS)
    db.add(park)
    await db.flush()
    phase_ids = {}
    for number, name, status, area, handover in PHASES:
        phase = Phase(
            park_id=park.id,
            number=number,
            name=name,
            status=status,
            planned_area=area,
            handover_date=handover,
        )
        db.add(phase)
        await db.flush()
        phase_ids[number] = phase.id
    buildings = {}
    for b in data["buildings"]:
        row = Building(
            park_id=park.id,
            phase_id=phase_ids[b["phase"]],
            code=b["code"],
            name=b["name"],
            main_use=b["main_use"],
            floor_count=b["floor_count"],
        )
        db.add(row)
        buildings[b["code"]] = row
    await db.flush()
    floor_rows = [
        {"building_id": row.id, "number": number, "name": "展厅 / 直播" if number == 1 else ""}
        for row in buildings.values()
        for number in range(1, row.floor_count + 1)
    ]
    inserted = await db.execute(
        sa.insert(Floor).returning(Floor.id, Floor.building_id, Floor.number), floor_rows
    )
    floor_ids = {(b, number): fid for fid, b, number in inserted.all()}
    unit_rows = []
    for u in data["units"]:
        building = buildings[u["building"]]
        unit_rows.append(
            {
                "park_id": park.id,
                "phase_id": building.phase_id,
                "building_id": building.id,
                "floor_id": floor_ids[(building.id, u["floor"])],
                **{k: v for k, v in u.items() if k not in ("building", "floor")},
            }
        )
    await db.execute(sa.insert(Unit), unit_rows)
    audit.record(
        db,
        actor="demo",
        action="demo_loaded",
        entity="park",
        entity_id=park.id,
        after={"name": PARK_NAME, "buildings": len(buildings), "units": len(unit_rows)},
    )
    await db.flush()
    counts.update(
        parks=1,
        phases=len(PHASES),
        buildings=len(buildings),
        floors=len(floor_rows),
        units=len(unit_rows),
    )
    return counts
