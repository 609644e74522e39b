"""Read queries of the leases domain, including the few it needs on other domains' tables.

The inventory and enterprises services have no function for these reads (units with their phase
and hand-over date for the pre-let rule, the unit picker, the parties printed on a contract), so
they are written here as plain SELECTs on ``units``/``phases``/``buildings``/``floors``/``parks``
and ``enterprises``. They only ever read those tables: every change to a unit goes through
``parkops.inventory.services.statuses`` (``follow_occupancy``, the only writer of leased and
reserved).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.enterprises.models import Enterprise
from parkops.inventory.models import Building, Floor, Park, Phase, Unit
from parkops.leases.models import (
    LeaseContract,
    LeaseContractUnit,
    LeaseReservation,
    LeaseReservationUnit,
    LeaseUnitOccupancy,
    OccupancyKind,
    ReservationStatus,
)
from parkops.leases.rules.workflow import ContractStatus

UNIT_COLUMNS = (
    Unit.id,
    Unit.code,
    Unit.park_id,
    Unit.phase_id,
    Unit.unit_type,
    Unit.gross_area,
    Unit.leasable_area,
    Unit.status,
    Unit.unavailable_reason,
    Unit.retired_at,
    Building.code.label("building_code"),
    Building.name.label("building_name"),
    Floor.number.label("floor_number"),
    Phase.number.label("phase_number"),
    Phase.name.label("phase_name"),
    Phase.status.label("phase_status"),
    Phase.handover_date,
    Park.name.label("park_name"),
)


def _units_stmt() -> sa.Select:
    return (
        sa.select(*UNIT_COLUMNS)
        .join(Building, Building.id == Unit.building_id)
        .join(Floor, Floor.id == Unit.floor_id)
        .join(Phase, Phase.id == Unit.phase_id)
        .join(Park, Park.id == Unit.park_id)
    )


async def units_by_id(db: AsyncSession, unit_ids: Iterable[int]) -> dict[int, dict]:
    ids = sorted(set(unit_ids))
    if not ids:
        return {}
    rows = await db.execute(_units_stmt().where(Unit.id.in_(ids)))
    return {r["id"]: dict(r) for r in rows.mappings()}


PICKER_LIMIT = 60


@dataclass(frozen=True)
class UnitPicker:
    units: list[dict]
    more: bool  # more units matched than are listed
    limit: int


async def unit_picker(
    db: AsyncSession,
    *,
    park_id: int | None = None,
    q: str | None = None,
    include_ids: Iterable[int] = (),
    limit: int = PICKER_LIMIT,
) -> UnitPicker:
    """Units a contract or hold could take: current (not retired) units matching the search,
    available ones first, plus the ones already chosen (``include_ids``); at most ``limit``
    found ones, and whether there were more (the page then asks for a narrower search)."""
    include = sorted(set(include_ids))
    stmt = _units_stmt().where(Unit.retired_at.is_(None))
    if park_id is not None:
        stmt = stmt.where(Unit.park_id == park_id)
    text = (q or "").strip()[:40]
    if text:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(Unit.code.ilike(f"%{escaped}%", escape="\\"))
    else:
        stmt = stmt.where(Unit.status == "available")
    stmt = stmt.order_by((Unit.status != "available"), Unit.code).limit(limit + 1)
    rows = [dict(r) for r in (await db.execute(stmt)).mappings()]
    more = len(rows) > limit
    rows = rows[:limit]
    seen = {r["id"] for r in rows}
    missing = [i for i in include if i not in seen]
    if missing:
        chosen = await units_by_id(db, missing)
        rows = [chosen[i] for i in missing if i in chosen] + rows
    return UnitPicker(rows, more, limit)


async def park_choices(db: AsyncSession) -> list[dict]:
    rows = await db.execute(sa.select(Park.id, Park.name).order_by(Park.name))
    return [dict(r) for r in rows.mappings()]


async def park_name(db: AsyncSession, park_id: int) -> str | None:
    return await db.scalar(sa.select(Park.name).where(Park.id == park_id))


async def park_address(db: AsyncSession, park_id: int) -> str:
    return await db.scalar(sa.select(Park.address).where(Park.id == park_id)) or ""


async def enterprise_choices(db: AsyncSession) -> list[dict]:
    rows = await db.execute(
        sa.select(Enterprise.id, Enterprise.name, Enterprise.status).order_by(Enterprise.name)
    )
    return [dict(r) for r in rows.mappings()]


async def enterprise_row(db: AsyncSession, enterprise_id: int) -> dict | None:
    row = (
        (
            await db.execute(
                sa.select(
                    Enterprise.id,
                    Enterprise.name,
                    Enterprise.name_en,
                    Enterprise.uscc,
                    Enterprise.legal_representative,
                    Enterprise.address,
                    Enterprise.address_en,
                    Enterprise.contact_person,
                    Enterprise.contact_mobile,
                    Enterprise.status,
                ).where(Enterprise.id == enterprise_id)
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


async def contract_units(db: AsyncSession, contract_id: int) -> list[dict]:
    """The contract's units: the frozen code and areas plus where the unit is."""
    rows = await db.execute(
        sa.select(
            LeaseContractUnit.unit_id.label("id"),
            LeaseContractUnit.unit_code.label("code"),
            LeaseContractUnit.gross_area,
            LeaseContractUnit.leasable_area,
            Unit.unit_type,
            Unit.status,
            Building.code.label("building_code"),
            Building.name.label("building_name"),
            Floor.number.label("floor_number"),
            Phase.status.label("phase_status"),
            Phase.handover_date,
        )
        .join(Unit, Unit.id == LeaseContractUnit.unit_id)
        .join(Building, Building.id == Unit.building_id)
        .join(Floor, Floor.id == Unit.floor_id)
        .join(Phase, Phase.id == Unit.phase_id)
        .where(LeaseContractUnit.contract_id == contract_id)
        .order_by(LeaseContractUnit.unit_code)
    )
    return [dict(r) for r in rows.mappings()]


# --- occupancy and unit status ------------------------------------------------------------------


async def desired_unit_statuses(
    db: AsyncSession, unit_ids: Iterable[int], today: date
) -> dict[int, dict]:
    """Per unit: its current status, its phase's status, and what the contracts and holds say.

    ``let_now``: a binding contract's range contains today; ``let_later``: one starts later;
    ``held``: a live hold (not past ``held_until``) that has not ended.
    """
    ids = sorted(set(unit_ids))
    if not ids:
        return {}
    occ = LeaseUnitOccupancy
    contract_live = sa.and_(
        occ.kind == OccupancyKind.contract,
        occ.active.is_(True),
        LeaseContract.status != ContractStatus.pending_approval,
    )
    today_lit = sa.literal(today, sa.Date)
    let_now = (
        sa.select(sa.literal(1))
        .select_from(occ)
        .join(LeaseContract, LeaseContract.id == occ.contract_id)
        .where(occ.unit_id == Unit.id, contract_live, occ.period.contains(today_lit))
        .exists()
    )
    let_later = (
        sa.select(sa.literal(1))
        .select_from(occ)
        .join(LeaseContract, LeaseContract.id == occ.contract_id)
        .where(occ.unit_id == Unit.id, contract_live, sa.func.lower(occ.period) > today_lit)
        .exists()
    )
    held = (
        sa.select(sa.literal(1))
        .select_from(occ)
        .join(LeaseReservation, LeaseReservation.id == occ.reservation_id)
        .where(
            occ.unit_id == Unit.id,
            occ.kind == OccupancyKind.reservation,
            occ.active.is_(True),
            LeaseReservation.status == ReservationStatus.active,
            LeaseReservation.held_until >= today_lit,
            sa.or_(sa.func.upper_inf(occ.period), sa.func.upper(occ.period) > today_lit),
        )
        .exists()
    )
    rows = await db.execute(
        sa.select(
            Unit.id,
            Unit.status,
            Unit.retired_at,
            Phase.status.label("phase_status"),
            let_now.label("let_now"),
            let_later.label("let_later"),
            held.label("held"),
        )
        .join(Phase, Phase.id == Unit.phase_id)
        .where(Unit.id.in_(ids))
    )
    return {r["id"]: dict(r) for r in rows.mappings()}


async def units_to_refresh(db: AsyncSession) -> list[int]:
    """Every unit a contract or hold has touched, plus every unit marked leased or reserved."""
    occupied = sa.select(LeaseUnitOccupancy.unit_id)
    marked = sa.select(Unit.id).where(
        Unit.status.in_(["leased", "reserved"]), Unit.retired_at.is_(None)
    )
    rows = await db.execute(sa.union(occupied, marked))
    return sorted(r[0] for r in rows)


async def reservation_units(db: AsyncSession, reservation_ids: Iterable[int]) -> dict[int, list]:
    ids = sorted(set(reservation_ids))
    if not ids:
        return {}
    rows = await db.execute(
        sa.select(LeaseReservationUnit.reservation_id, Unit.id, Unit.code)
        .join(Unit, Unit.id == LeaseReservationUnit.unit_id)
        .where(LeaseReservationUnit.reservation_id.in_(ids))
        .order_by(Unit.code)
    )
    out: dict[int, list] = {}
    for rid, uid, code in rows:
        out.setdefault(rid, []).append({"id": uid, "code": code})
    return out


def unit_codes_agg(contract_id_column: Any) -> sa.ScalarSelect:
    """``A1-1E, A1-1W``: the contract's unit codes in one string, for lists."""
    return (
        sa.select(
            sa.func.string_agg(
                LeaseContractUnit.unit_code,
                aggregate_order_by(sa.literal_column("', '"), LeaseContractUnit.unit_code),
            )
        )
        .where(LeaseContractUnit.contract_id == contract_id_column)
        .scalar_subquery()
    )


def area_sum(contract_id_column: Any) -> sa.ScalarSelect:
    return (
        sa.select(sa.func.sum(LeaseContractUnit.gross_area))
        .where(LeaseContractUnit.contract_id == contract_id_column)
        .scalar_subquery()
    )


def reservation_unit_codes(reservation_id_column: Any) -> sa.ScalarSelect:
    return (
        sa.select(
            sa.func.string_agg(Unit.code, aggregate_order_by(sa.literal_column("', '"), Unit.code))
        )
        .select_from(LeaseReservationUnit)
        .join(Unit, Unit.id == LeaseReservationUnit.unit_id)
        .where(LeaseReservationUnit.reservation_id == reservation_id_column)
        .scalar_subquery()
    )
