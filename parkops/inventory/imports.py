"""CSV import and CSV/XLSX export of units, on the shared `parkops.core.tabular` flow.

The columns are the same both ways, so an exported file re-imports (after changing the codes)
to the same values, except that new units are available or unavailable: a row that says leased
or reserved is refused, since only contracts and holds make a unit so. Validation runs per
batch, not per row: one query maps the parks, one the buildings of those parks, one finds which
codes are already taken;
a 10,000-row file previews in well under a few seconds. Commit inserts the missing floors and
then all units with two set-based statements, inside the flow's savepoint: all rows or none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.core.actor import Actor, actor_id, actor_label
from parkops.core.audit import AuditEntry
from parkops.core.context import request_id_var
from parkops.core.importing import Checked, ImportSpec, RowErrors
from parkops.core.tabular import N_, Column, PreviewRow, RowError, choice, decimal, integer, text
from parkops.inventory import workflow
from parkops.inventory.models import Building, Floor, Park, Unit
from parkops.inventory.rules import fields as rules
from parkops.inventory.vocabulary import (
    UNIT_STATUS_LABELS,
    UNIT_TYPE_LABELS,
    UnitStatus,
    UnitType,
)

UNIT_TYPE_ZH = {
    UnitType.workshop: "厂房",
    UnitType.office: "办公",
    UnitType.warehouse: "仓库",
    UnitType.shop: "商铺展厅",
    UnitType.apartment: "公寓",
    UnitType.live_streaming: "直播间",
}
UNIT_STATUS_ZH = {
    UnitStatus.available: "可租",
    UnitStatus.reserved: "已预留",
    UnitStatus.leased: "已出租",
    UnitStatus.unavailable: "不可用",
}
# A unit's own fields as the file gives them (the status and reason are checked apart).
IMPORTED_FIELDS = ("code", "unit_type", "gross_area", "leasable_area", "floor_load", "power_kva")
AREA_PARSER = decimal(places=2, min_value=Decimal("0.01"), max_value=rules.MAX_AREA)

UNIT_COLUMNS = [
    Column("park", "Park", "园区", parse=text(max_length=200)),
    Column("building", "Building", "楼栋", required=True, parse=text(max_length=32),
           aliases=("building_code", "楼栋编号")),
    Column("floor", "Floor", "楼层", required=True, parse=integer(min_value=1, max_value=200)),
    Column("code", "Unit code", "单元编号", required=True, parse=text(max_length=40),
           aliases=("unit", "单元")),
    Column("unit_type", "Type", "类型", required=True,
           parse=choice({t: (UNIT_TYPE_LABELS[t], UNIT_TYPE_ZH[t]) for t in UnitType})),
    Column("gross_area", "Gross floor area (m²)", "建筑面积(m²)", required=True,
           parse=AREA_PARSER, aliases=("建筑面积",)),
    Column("leasable_area", "Leasable area (m²)", "可租面积(m²)", required=True,
           parse=AREA_PARSER, aliases=("可租面积",)),
    Column("floor_load", "Floor load (kg/m²)", "楼面荷载(kg/m²)",
           parse=integer(min_value=1, max_value=100000), aliases=("楼面荷载",)),
    Column("power_kva", "Power capacity (kVA)", "电力容量(kVA)",
           parse=integer(min_value=1, max_value=1000000), aliases=("电力容量",)),
    Column("status", "Status", "状态",
           parse=choice({s: (UNIT_STATUS_LABELS[s], UNIT_STATUS_ZH[s]) for s in UnitStatus})),
    Column("unavailable_reason", "Reason unavailable", "不可用原因", parse=text(max_length=200)),
]  # fmt: skip


async def _parks(db: AsyncSession) -> dict[str, int]:
    rows = await db.execute(sa.select(Park.name, Park.id))
    return {name.casefold(): pid for name, pid in rows.all()}


def _park_of(row: PreviewRow, parks: dict[str, int], errors: list[RowError]) -> int | None:
    name = row.values.get("park")
    if name:
        park_id = parks.get(str(name).casefold())
        if park_id is None:
            errors.append(RowError(row.line, "park", N_("No park named %(name)s"), {"name": name}))
        return park_id
    if len(parks) == 1:
        return next(iter(parks.values()))
    errors.append(
        RowError(
            row.line,
            "park",
            N_("Name the park: there are several") if parks else N_("Create the park first"),
        )
    )
    return None


@dataclass
class _Batch:
    """What the rows are checked against, read once for the whole file."""

    buildings: dict[tuple[int, str], Row[Any]]  # (park id, casefolded code) -> building
    taken: set[tuple[int, str]]  # (park id, unit code) in use
    first_line: dict[tuple[int, str], int] = field(default_factory=dict)


async def _batch(db: AsyncSession, park_ids: set[int], codes: set[str]) -> _Batch:
    buildings = await db.execute(
        sa.select(
            Building.id, Building.park_id, Building.phase_id, Building.code, Building.floor_count
        ).where(Building.park_id.in_(park_ids))
    )
    taken = await db.execute(
        sa.select(Unit.park_id, Unit.code).where(Unit.park_id.in_(park_ids), Unit.code.in_(codes))
    )
    return _Batch(
        buildings={(b.park_id, b.code.casefold()): b for b in buildings.all()},
        taken={(park_id, code) for park_id, code in taken.all()},
    )


def _place_errors(row: PreviewRow, building: Row[Any] | None) -> list[RowError]:
    v = row.values
    if building is None:
        return [
            RowError(row.line, "building", N_("No building %(code)s in this park"),
                     {"code": v["building"]})
        ]  # fmt: skip
    if v["floor"] > building.floor_count:
        return [
            RowError(
                row.line, "floor",
                N_("Floor %(floor)s is above the building's floor count (%(count)s floors)"),
                {"floor": v["floor"], "count": building.floor_count},
            )
        ]  # fmt: skip
    return []


def _code_errors(row: PreviewRow, park_id: int, batch: _Batch) -> list[RowError]:
    code = row.values["code"]
    field_errors: dict[str, Any] = {}
    rules.parse_code(code, "code", field_errors)
    if field_errors:
        return [RowError(row.line, "code", field_errors["code"])]
    if (park_id, code) in batch.taken:
        return [
            RowError(row.line, "code", N_("Unit code %(code)s is already used in this park"),
                     {"code": code})
        ]  # fmt: skip
    first = batch.first_line.setdefault((park_id, code), row.line)
    if first != row.line:
        return [
            RowError(row.line, "code", N_("%(code)s repeats line %(first)s"),
                     {"code": code, "first": first})
        ]  # fmt: skip
    return []


def _value_errors(row: PreviewRow, status: UnitStatus, reason: str | None) -> list[RowError]:
    v, errors = row.values, []
    if v["leasable_area"] > v["gross_area"]:
        errors.append(
            RowError(
                row.line, "leasable_area",
                N_("Leasable area (%(leasable)s m²) cannot exceed the gross floor area "
                   "(%(gross)s m²)"),
                {"leasable": v["leasable_area"], "gross": v["gross_area"]},
            )
        )  # fmt: skip
    problem = workflow.manual_status_problem(None, status)
    if problem:
        errors.append(RowError(row.line, "status", problem))
    problem = workflow.reason_problem(status, reason)
    if problem:
        errors.append(RowError(row.line, "unavailable_reason", problem))
    return errors


async def check_rows(db: AsyncSession, actor: Actor, rows: Sequence[PreviewRow]) -> Checked:
    """Check parsed rows against the database in batch; returns (plans, errors).

    A plan is ``(row, park_id, building, values)`` for each row without errors.
    """
    errors: list[RowError] = []
    parks = await _parks(db)
    located = [(row, _park_of(row, parks, errors)) for row in rows]
    batch = await _batch(
        db,
        {pid for _row, pid in located if pid is not None},
        {str(r.values["code"]) for r, _ in located},
    )
    plans = []
    for row, park_id in located:
        if park_id is None:
            continue
        v = row.values
        building = batch.buildings.get((park_id, str(v["building"]).casefold()))
        status = v["status"] or UnitStatus.available
        reason = v["unavailable_reason"] if status is UnitStatus.unavailable else None
        row_errors = [
            *_place_errors(row, building),
            *_code_errors(row, park_id, batch),
            *_value_errors(row, status, reason),
        ]
        if row_errors:
            errors.extend(row_errors)
            continue
        values = {f: v[f] for f in IMPORTED_FIELDS}
        plans.append(
            (row, park_id, building, {**values, "status": status, "unavailable_reason": reason})
        )
    return plans, errors


async def write_units(db: AsyncSession, actor: Actor, plans: list) -> int:
    # Floors the file mentions that do not exist yet (within the floor count, checked above).
    wanted = sorted({(b.id, row.values["floor"]) for row, _p, b, _v in plans})
    await db.execute(
        pg_insert(Floor)
        .values([{"building_id": b, "number": n, "name": ""} for b, n in wanted])
        .on_conflict_do_nothing(index_elements=["building_id", "number"])
    )
    floor_ids = {
        (b, n): fid
        for fid, b, n in (
            await db.execute(
                sa.select(Floor.id, Floor.building_id, Floor.number).where(
                    Floor.building_id.in_({b for b, _n in wanted})
                )
            )
        ).all()
    }
    records = [
        {
            "park_id": park_id,
            "phase_id": b.phase_id,
            "building_id": b.id,
            "floor_id": floor_ids[(b.id, row.values["floor"])],
            **values,
        }
        for row, park_id, b, values in plans
    ]
    try:
        async with db.begin_nested():
            inserted = (
                await db.execute(
                    sa.insert(Unit).returning(Unit.id, Unit.code),
                    records,
                )
            ).all()
    except IntegrityError:
        raise RowErrors(
            [RowError(0, "code", N_("A unit code was taken while importing; preview again"))]
        ) from None
    by_code = {code: uid for uid, code in inserted}
    who = {"actor_id": actor_id(actor), "actor_label": actor_label(actor)}
    request_id = request_id_var.get()
    await db.execute(
        sa.insert(AuditEntry),
        [
            {
                **who,
                "action": "unit_imported",
                "entity": "unit",
                "entity_id": str(by_code[r["code"]]),
                "after": _json_values({"building": b.code, "floor": row.values["floor"], **values}),
                "request_id": request_id,
            }
            for (row, _p, b, values), r in zip(plans, records, strict=True)
        ],
    )
    return len(records)


def _json_values(values: dict) -> dict:
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in values.items()}


UNIT_IMPORT = ImportSpec(
    key="inventory.units",
    title=N_("Import units"),
    columns=UNIT_COLUMNS,
    check=check_rows,
    write=write_units,
    template_filename="units-template.csv",
)
