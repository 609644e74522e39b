"""Reservations (holds): units taken for an enterprise until a date, released, expired
or converted into a contract.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.core import audit
from parkops.core.actor import Actor, actor_id
from parkops.core.errors import Conflict, NotFound
from parkops.core.i18n import N_, Message
from parkops.core.last_day import last_day_sql
from parkops.core.pagination import Page, paginate
from parkops.db.base import utcnow
from parkops.enterprises.models import Enterprise
from parkops.leases import repository
from parkops.leases.models import (
    LeaseReservation,
    LeaseReservationUnit,
    LeaseUnitOccupancy,
    OccupancyKind,
    ReservationStatus,
)
from parkops.leases.rules import terms as t
from parkops.leases.services.common import (
    LEASING_ROLES,
    MAX_HOLD_DAYS,
    period_range,
    raise_if_errors,
    require_role,
    shanghai_today,
)
from parkops.leases.services.contract_input import (
    RESERVATION_STATES,
    check_enterprise,
    check_units,
    parse_last_day,
    parse_unit_ids,
)
from parkops.leases.services.occupancy import (
    occupy,
    raise_if_conflicts,
    release_expired_holds,
    sync_unit_statuses,
)


async def create_reservation(
    db: AsyncSession, actor: Actor, raw: Mapping[str, Any], today: date | None = None
) -> LeaseReservation:
    """Hold units for a prospect enterprise until ``held_until`` (inclusive)."""
    require_role(actor, LEASING_ROLES)
    today = today or shanghai_today()
    errors: dict[str, str] = {}
    enterprise_id = await check_enterprise(db, raw.get("enterprise_id"), errors)
    unit_ids = parse_unit_ids(raw.get("unit_ids", raw.get("unit_ids[]")), errors)
    start = t.parse_date(raw.get("start_date"), "start_date", errors) or today
    end = parse_last_day(raw, "wanted_until", errors)
    held_until = t.parse_date(raw.get("held_until"), "held_until", errors, required=True)
    note = t.parse_text(raw.get("note"), "note", errors, max_length=2000)
    if end is not None and end <= start:
        errors["wanted_until"] = N_("'Wanted until' cannot be before 'wanted from'")
    if held_until is not None:
        if held_until < today:
            errors["held_until"] = N_("A hold must last until today or later")
        elif held_until > today + timedelta(days=MAX_HOLD_DAYS):
            errors["held_until"] = Message(
                N_("A hold can last at most %(n)s days"), n=MAX_HOLD_DAYS
            )
    units = await check_units(db, unit_ids, start, errors)
    raise_if_errors(N_("The reservation was not saved."), errors)
    assert enterprise_id and held_until
    ids = [u["id"] for u in units]
    released = await release_expired_holds(db, actor, today, ids)
    common = {
        "unit_ids": ids,
        "start": start,
        "end": end,
        "enterprise_id": enterprise_id,
        "kind": OccupancyKind.reservation,
        "today": today,
    }
    await raise_if_conflicts(db, **common)
    reservation = LeaseReservation(
        park_id=units[0]["park_id"],
        enterprise_id=enterprise_id,
        start_date=start,
        end_date=end,
        held_until=held_until,
        status=ReservationStatus.active,
        note=note,
        created_by=actor_id(actor),
    )
    db.add(reservation)
    await db.flush()
    await db.execute(
        sa.insert(LeaseReservationUnit),
        [{"reservation_id": reservation.id, "unit_id": i} for i in ids],
    )
    await occupy(
        db,
        [
            {
                "unit_id": i,
                "enterprise_id": enterprise_id,
                "kind": OccupancyKind.reservation.value,
                "period": period_range(start, end),
                "reservation_id": reservation.id,
                "active": True,
            }
            for i in ids
        ],
        exclude_reservation_id=reservation.id,
        **common,
    )
    audit.record(
        db,
        actor=actor,
        action="reservation_created",
        entity="lease_reservation",
        entity_id=reservation.id,
        after={
            "enterprise_id": enterprise_id,
            "units": [u["code"] for u in units],
            "start_date": start,
            "end_date": end,
            "held_until": held_until,
        },
    )
    await db.flush()
    await sync_unit_statuses(db, actor, sorted(set(ids) | set(released)), today)
    return reservation


async def release_reservation(
    db: AsyncSession, actor: Actor, reservation_id: int, today: date | None = None
) -> LeaseReservation:
    require_role(actor, LEASING_ROLES)
    today = today or shanghai_today()
    reservation = (
        await db.execute(
            sa.select(LeaseReservation)
            .where(LeaseReservation.id == reservation_id)
            .with_for_update()
        )
    ).scalar_one_or_none()
    if reservation is None:
        raise NotFound(N_("No such reservation"))
    if reservation.status != ReservationStatus.active:
        raise Conflict(
            Message(
                N_("This reservation is already %(status)s."),
                status=Message(
                    RESERVATION_STATES.get(str(reservation.status), str(reservation.status))
                ),
            )
        )
    reservation.status = ReservationStatus.released
    reservation.closed_at = utcnow()
    reservation.closed_by = actor_id(actor)
    units = (
        await db.execute(
            sa.update(LeaseUnitOccupancy)
            .where(LeaseUnitOccupancy.reservation_id == reservation.id)
            .values(active=False)
            .returning(LeaseUnitOccupancy.unit_id)
        )
    ).scalars()
    unit_ids = sorted(set(units))
    audit.record(
        db,
        actor=actor,
        action="reservation_released",
        entity="lease_reservation",
        entity_id=reservation.id,
        before={"status": "active"},
        after={"status": "released"},
    )
    await db.flush()
    await sync_unit_statuses(db, actor, unit_ids, today)
    return reservation


async def expire_holds(db: AsyncSession, actor: Actor = "system", today: date | None = None) -> int:
    """Release every hold past ``held_until``; their units follow. Returns how many units."""
    today = today or shanghai_today()
    units = await release_expired_holds(db, actor, today)
    await db.flush()
    await sync_unit_statuses(db, actor, units, today)
    return len(units)


def reservation_list_statement(
    *, status: str | None = None, q: str | None = None, today: date | None = None
) -> sa.Select:
    today = today or shanghai_today()
    live = sa.and_(
        LeaseReservation.status == ReservationStatus.active,
        LeaseReservation.held_until >= today,
    )
    shown_status = sa.case(
        (
            sa.and_(
                LeaseReservation.status == ReservationStatus.active,
                LeaseReservation.held_until < today,
            ),
            sa.literal(ReservationStatus.expired.value),
        ),
        else_=LeaseReservation.status,
    )
    codes = repository.reservation_unit_codes(LeaseReservation.id)
    stmt = sa.select(
        LeaseReservation.id,
        LeaseReservation.enterprise_id,
        Enterprise.name.label("enterprise_name"),
        LeaseReservation.start_date,
        last_day_sql(LeaseReservation.end_date).label("wanted_until"),
        LeaseReservation.held_until,
        shown_status.label("status"),
        LeaseReservation.note,
        LeaseReservation.contract_id,
        LeaseReservation.created_at,
        codes.label("unit_codes"),
    ).join(Enterprise, Enterprise.id == LeaseReservation.enterprise_id)
    if status in ("live", ReservationStatus.active):
        stmt = stmt.where(live)
    elif status == ReservationStatus.expired:
        stmt = stmt.where(shown_status == ReservationStatus.expired.value)
    elif status in set(ReservationStatus):
        stmt = stmt.where(LeaseReservation.status == status)
    text = (q or "").strip()[:80]
    if text:
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(Enterprise.name.ilike(like, escape="\\"))
    return stmt.order_by(LeaseReservation.id.desc())


async def list_reservations(
    db: AsyncSession, *, page: int = 1, page_size: int = 20, **filters: Any
) -> Page:
    return await paginate(db, reservation_list_statement(**filters), page=page, page_size=page_size)


async def get_reservation(db: AsyncSession, reservation_id: int, today: date | None = None) -> dict:
    row = (
        (
            await db.execute(
                reservation_list_statement(today=today).where(LeaseReservation.id == reservation_id)
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(N_("No such reservation"))
    return dict(row)
