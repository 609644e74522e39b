"""No double-letting: the occupancy rows that take units for contracts and holds, the
conflict check that names the unit and what is in the way, and the unit statuses that follow.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.core import audit
from parkops.core.actor import Actor
from parkops.core.errors import Conflict
from parkops.core.i18n import N_, Message
from parkops.core.i18n import join as join_messages
from parkops.core.integrity import EXCLUSION_VIOLATION, sqlstate
from parkops.db.base import utcnow
from parkops.enterprises.models import Enterprise
from parkops.inventory.services import statuses as inventory_statuses
from parkops.inventory.workflow import Occupancy
from parkops.leases import repository
from parkops.leases.models import (
    LeaseContract,
    LeaseReservation,
    LeaseReservationUnit,
    LeaseUnitOccupancy,
    OccupancyKind,
    ReservationStatus,
)
from parkops.leases.services.common import format_period, period_range, shanghai_today


async def release_expired_holds(
    db: AsyncSession, actor: Actor, today: date, unit_ids: Iterable[int] | None = None
) -> list[int]:
    """Mark holds past ``held_until`` expired and switch off their occupancy; returns their
    units (whose status may change)."""
    stmt = sa.select(LeaseReservation.id).where(
        LeaseReservation.status == ReservationStatus.active,
        LeaseReservation.held_until < today,
    )
    if unit_ids is not None:
        stmt = stmt.where(
            LeaseReservation.id.in_(
                sa.select(LeaseReservationUnit.reservation_id).where(
                    LeaseReservationUnit.unit_id.in_(sorted(set(unit_ids)))
                )
            )
        )
    ids = list((await db.execute(stmt.order_by(LeaseReservation.id).with_for_update())).scalars())
    if not ids:
        return []
    now = utcnow()
    await db.execute(
        sa.update(LeaseReservation)
        .where(LeaseReservation.id.in_(ids))
        .values(status=ReservationStatus.expired, closed_at=now)
    )
    units = await db.execute(
        sa.update(LeaseUnitOccupancy)
        .where(LeaseUnitOccupancy.reservation_id.in_(ids))
        .values(active=False)
        .returning(LeaseUnitOccupancy.unit_id)
    )
    for rid in ids:
        audit.record(
            db,
            actor=actor,
            action="reservation_expired",
            entity="lease_reservation",
            entity_id=rid,
            after={"status": ReservationStatus.expired.value},
        )
    return sorted(set(units.scalars()))


def _occupancy_statement(unit_ids: Iterable[int], start: date, end: date | None) -> sa.Select:
    """The active occupancy rows of the units overlapping ``[start, end)``, with what a message
    about them needs (the enterprise, the contract's number and status, the hold's date)."""
    occ = LeaseUnitOccupancy
    return (
        sa.select(
            occ.unit_id,
            occ.kind,
            sa.func.lower(occ.period).label("start"),
            sa.func.upper(occ.period).label("end"),
            occ.contract_id,
            occ.reservation_id,
            Enterprise.name.label("enterprise"),
            LeaseContract.number,
            LeaseContract.status.label("contract_status"),
            LeaseReservation.held_until,
            LeaseReservation.status.label("reservation_status"),
        )
        .join(Enterprise, Enterprise.id == occ.enterprise_id)
        .outerjoin(LeaseContract, LeaseContract.id == occ.contract_id)
        .outerjoin(LeaseReservation, LeaseReservation.id == occ.reservation_id)
        .where(
            occ.active.is_(True),
            occ.unit_id.in_(sorted(set(unit_ids))),
            occ.period.overlaps(period_range(start, end)),
        )
        .order_by(occ.unit_id, sa.func.lower(occ.period))
    )


def _occupancy_message(row: Mapping[str, Any], code: str) -> Message:
    """``Unit A1-1E is already let to ... under contract HX-2026-0001, ...`` or ``... is held
    for ... until ...``: the unit, who has it, under what, and when."""
    when = format_period(row["start"], row["end"])
    if row["kind"] == OccupancyKind.contract:
        if row["number"]:
            name = Message(N_("contract %(number)s"), number=row["number"])
        else:
            name = Message(N_("contract draft #%(id)s (pending approval)"), id=row["contract_id"])
        return Message(
            N_("Unit %(code)s is already let to %(enterprise)s under %(name)s, %(when)s"),
            code=code,
            enterprise=row["enterprise"],
            name=name,
            when=when,
        )
    return Message(
        N_(
            "Unit %(code)s is held for %(enterprise)s until %(until)s"
            " (reservation #%(id)s, %(when)s)"
        ),
        code=code,
        enterprise=row["enterprise"],
        until=row["held_until"].isoformat(),
        id=row["reservation_id"],
        when=when,
    )


async def _unit_codes(db: AsyncSession, unit_ids: Iterable[int]) -> dict[int, str]:
    return {u["id"]: u["code"] for u in (await repository.units_by_id(db, unit_ids)).values()}


async def _conflicts(
    db: AsyncSession,
    unit_ids: Iterable[int],
    start: date,
    end: date | None,
    enterprise_id: int,
    *,
    kind: OccupancyKind,
    today: date,
    exclude_contract_id: int | None = None,
    exclude_reservation_id: int | None = None,
) -> list[str]:
    """What stands in the way of taking the units for ``[start, end)``, as messages naming the
    unit and the contract or hold. Holds past ``held_until`` are ignored."""
    occ = LeaseUnitOccupancy
    other_enterprise = occ.enterprise_id != enterprise_id
    blocking = (
        sa.or_(occ.kind == OccupancyKind.contract, other_enterprise)
        if kind is OccupancyKind.contract
        else other_enterprise
    )
    stmt = _occupancy_statement(unit_ids, start, end).where(blocking)
    if exclude_contract_id is not None:
        stmt = stmt.where(sa.or_(occ.contract_id.is_(None), occ.contract_id != exclude_contract_id))
    if exclude_reservation_id is not None:
        stmt = stmt.where(
            sa.or_(occ.reservation_id.is_(None), occ.reservation_id != exclude_reservation_id)
        )
    rows = (await db.execute(stmt)).mappings().all()
    if not rows:
        return []
    codes = await _unit_codes(db, unit_ids)
    return [
        _occupancy_message(r, codes.get(r["unit_id"], str(r["unit_id"])))
        for r in rows  # an expired hold is released before the insert:
        if r["kind"] == OccupancyKind.contract or r["held_until"] >= today
    ]


@dataclass(frozen=True)
class Commitment:
    """A contract or hold that takes a unit today or later: the unit's status follows it."""

    unit_id: int
    message: str  # names the unit, the enterprise, the contract or hold and the dates
    url: str  # where staff see the contract or the holds


async def unit_commitments(
    db: AsyncSession, unit_ids: Iterable[int], today: date | None = None
) -> list[Commitment]:
    """The contracts (pending approval or signed, whatever their status, while their term has
    not ended) and live holds that take any of the units on or after ``today``.

    Inventory asks before a status is set by hand, a unit is split or units are merged: a unit
    with any of these follows them and is refused those changes.
    """
    today = today or shanghai_today()
    ids = sorted(set(unit_ids))
    if not ids:
        return []
    rows = (await db.execute(_occupancy_statement(ids, today, None))).mappings().all()
    codes = await _unit_codes(db, ids) if rows else {}
    return [
        Commitment(
            unit_id=r["unit_id"],
            message=_occupancy_message(r, codes.get(r["unit_id"], str(r["unit_id"]))),
            url=(
                f"/leases/contracts/{r['contract_id']}"
                if r["kind"] == OccupancyKind.contract
                else "/leases/reservations?status=live"
            ),
        )
        for r in rows
        if r["kind"] == OccupancyKind.contract or r["held_until"] >= today
    ]


async def occupy(
    db: AsyncSession,
    rows: list[dict],
    *,
    unit_ids: list[int],
    start: date,
    end: date | None,
    enterprise_id: int,
    kind: OccupancyKind,
    today: date,
    exclude_contract_id: int | None = None,
    exclude_reservation_id: int | None = None,
) -> None:
    """Insert occupancy rows; a race lost on the exclusion constraint becomes a 409."""
    try:
        async with db.begin_nested():
            await db.execute(sa.insert(LeaseUnitOccupancy), rows)
    except IntegrityError as exc:
        if sqlstate(exc) != EXCLUSION_VIOLATION:
            raise
        messages = await _conflicts(
            db,
            unit_ids,
            start,
            end,
            enterprise_id,
            kind=kind,
            today=today,
            exclude_contract_id=exclude_contract_id,
            exclude_reservation_id=exclude_reservation_id,
        )
        message = join_messages(messages) if messages else N_("The units were let in the meantime")
        raise Conflict(message, field_errors={"unit_ids": message}) from None


async def raise_if_conflicts(db: AsyncSession, **kwargs: Any) -> None:
    messages = await _conflicts(db, **kwargs)
    if messages:
        message = join_messages(messages)
        raise Conflict(message, field_errors={"unit_ids": message})


def occupancy_of(row: Mapping[str, Any]) -> Occupancy | None:
    """What the contracts and holds on a unit make of it today (``repository.
    desired_unit_statuses``): let now by a signed contract, taken later by one or held by a live
    hold, or nothing. The status that follows is inventory's rule (``followed_status``)."""
    if row["let_now"]:
        return Occupancy.let_now
    if row["let_later"] or row["held"]:
        return Occupancy.taken_later
    return None


async def sync_unit_statuses(
    db: AsyncSession, actor: Actor, unit_ids: Iterable[int], today: date | None = None
) -> int:
    """Bring the units' statuses in line with the contracts and holds (the inventory service
    writes them). Returns how many changed."""
    today = today or shanghai_today()
    rows = await repository.desired_unit_statuses(db, unit_ids, today)
    return await inventory_statuses.follow_occupancy(
        db, actor, {unit_id: occupancy_of(row) for unit_id, row in rows.items()}
    )


async def refresh_units(
    db: AsyncSession, actor: Any, unit_ids: Iterable[int], today: date | None = None
) -> int:
    """The daily roll-over for a few units: release their holds past ``held_until`` and bring
    their statuses up to date with what covers them today. Inventory calls it before a status
    is given by hand to a unit that still reads leased or reserved though nothing takes it."""
    today = today or shanghai_today()
    ids = sorted(set(unit_ids))
    released = await release_expired_holds(db, actor, today, ids)
    await db.flush()
    return await sync_unit_statuses(db, actor, sorted(set(ids) | set(released)), today)
