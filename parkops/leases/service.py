"""Use cases of the leases domain: contracts and their lifecycle, terms amendments, renewals,
terminations with a settlement statement, reservations (holds), and keeping unit statuses in
step with all of it.

Services flush, never commit; the request (or CLI command) owns the transaction. Bad input
raises ``ValidationFailed`` with field errors before anything is written.

**No double-letting.** A contract takes its units from submission on, a hold from its creation:
one ``lease_unit_occupancy`` row per unit and date range. The exclusion constraints on that
table (see ``models``) are the guarantee, under any concurrency; :func:`_conflicts` runs first
only so the message can name the unit and the contract or hold in the way. When two requests
race past that check, the second insert waits for the first transaction and then fails on the
constraint; :func:`_occupy` turns that into the same 409 with the same message.

**Expired holds count for nothing.** A hold past ``held_until`` is ignored by every read. Its
occupancy rows are switched off by ``parkops leases expire-holds`` (and the daily
``refresh-status``), and, so that a stale row never blocks a contract, by any request that is
about to take the same units (:func:`_release_expired_holds`).

**Numbers.** A contract gets its number on approval: ``<prefix>-<year>-<seq>`` per park and
year, from a counter row locked ``FOR UPDATE`` in the approving transaction; numbers are
consecutive and, because a rolled-back approval rolls back the counter too, without gaps.

**Schedules.** Before approval the schedule is computed on the fly from the terms (shown on the
contract page); approval freezes it into ``lease_schedule_lines``. An amendment from a date adds
a terms version; lines of periods that started before that date stay exactly as they were, the
later ones are superseded (kept, marked) and replaced by lines computed from the new terms.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts.identity import Actor, CurrentUser
from parkops.accounts.roles import Role
from parkops.core import audit
from parkops.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from parkops.core.i18n import N_, Message
from parkops.core.i18n import join as join_messages
from parkops.core.integrity import EXCLUSION_VIOLATION, sqlstate
from parkops.core.last_day import end_after_or_none, last_day_of, last_day_sql
from parkops.core.pagination import Page, paginate
from parkops.core.templating import SHANGHAI
from parkops.db.base import utcnow
from parkops.documents.models import DocumentLanguage
from parkops.enterprises.models import Enterprise
from parkops.enterprises.rules.uscc import normalize_uscc, validate_uscc
from parkops.inventory.models import Park
from parkops.inventory.services import statuses as inventory_statuses
from parkops.inventory.workflow import Occupancy
from parkops.leases import repository
from parkops.leases import schedule as sched
from parkops.leases import terms as t
from parkops.leases.cut_short import cut_short
from parkops.leases.models import (
    LeaseContract,
    LeaseContractEvent,
    LeaseContractUnit,
    LeaseNumberCounter,
    LeaseParkSettings,
    LeaseReservation,
    LeaseReservationUnit,
    LeaseScheduleLine,
    LeaseTermination,
    LeaseTerms,
    LeaseUnitOccupancy,
    OccupancyKind,
    ReservationStatus,
)
from parkops.leases.workflow import (
    BINDING,
    ContractAction,
    ContractStatus,
    RoleNotAllowed,
    TransitionNotAllowed,
    plan,
)

log = logging.getLogger(__name__)

MAX_UNITS = 200
MAX_HOLD_DAYS = 366
EXPIRING_WINDOWS = (30, 60, 90)


def shanghai_today() -> date:
    """Business dates are those of the park: Asia/Shanghai."""
    return datetime.now(SHANGHAI).date()


def _actor_id(actor: Actor) -> int | None:
    return getattr(actor, "id", None)


def _actor_label(actor: Actor) -> str:
    return getattr(actor, "username", None) or (str(actor) if actor else "system")


def _is_system(actor: Actor) -> bool:
    """CLI commands, jobs and the demo loader act as the system (no roles to check)."""
    return not isinstance(actor, CurrentUser)


def _fail(message: str, errors: Mapping[str, str]) -> None:
    if errors:
        raise ValidationFailed(message, field_errors=errors)


def _range(start: date, end: date | None) -> Range:
    return Range(start, end, bounds="[)")


def _fmt_range(start: date, end: date | None) -> Message:
    if end is None:
        return Message(N_("from %(first)s"), first=start.isoformat())
    return Message(
        N_("%(first)s to %(last)s"), first=start.isoformat(), last=last_day_of(end).isoformat()
    )


# --- input --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractInput:
    enterprise_id: int
    units: list[dict]  # repository.units_by_id rows
    park_id: int
    start: date
    end: date
    terms: t.TermsInput  # rent start resolved to a date
    lease_terms: sched.LeaseTerms
    purpose: str
    purpose_en: str
    special_terms: str
    language: str


_RESERVATION_STATES = {
    "active": N_("active"),
    "released": N_("released"),
    "expired": N_("expired"),
    "converted": N_("converted"),
}


def parse_unit_ids(raw: Any, errors: dict, name: str = "unit_ids") -> list[int]:
    """Unit ids from a list (JSON, repeated form fields) or a comma/space separated string."""
    if raw is None or raw == "":
        errors[name] = N_("Choose at least one unit")
        return []
    items = raw if isinstance(raw, list | tuple) else str(raw).replace(",", " ").split()
    ids: list[int] = []
    for item in items:
        if isinstance(item, bool):
            errors[name] = N_("Unit ids must be whole numbers")
            return []
        try:
            value = int(str(item).strip())
        except ValueError:
            errors[name] = Message(N_("'%(item)s' is not a unit id"), item=item)
            return []
        if value <= 0:
            errors[name] = Message(N_("'%(item)s' is not a unit id"), item=item)
            return []
        if value not in ids:
            ids.append(value)
    if not ids:
        errors[name] = N_("Choose at least one unit")
    elif len(ids) > MAX_UNITS:
        errors[name] = Message(N_("A contract can have at most %(n)s units"), n=MAX_UNITS)
    return ids


async def _check_enterprise(db: AsyncSession, raw: Any, errors: dict) -> int | None:
    enterprise_id = t.parse_int(raw, "enterprise_id", errors, required=True, minimum=1)
    if enterprise_id is None:
        errors["enterprise_id"] = N_("Choose the enterprise")
        return None
    if await repository.enterprise_row(db, enterprise_id) is None:
        errors["enterprise_id"] = N_("No such enterprise")
        return None
    return enterprise_id


async def _check_units(
    db: AsyncSession, unit_ids: list[int], start: date | None, errors: dict
) -> list[dict]:
    """Units exist, are current, lie in one park, and (pre-letting) start after hand-over."""
    if not unit_ids:
        return []
    found = await repository.units_by_id(db, unit_ids)
    missing = [str(i) for i in unit_ids if i not in found]
    if missing:
        errors["unit_ids"] = Message(N_("No such unit: %(units)s"), units=", ".join(missing))
        return []
    units = [found[i] for i in unit_ids]
    problems = []
    for u in units:
        if u["retired_at"] is not None:
            problems.append(
                Message(N_("Unit %(code)s was split or merged and cannot be let"), code=u["code"])
            )
        elif u["phase_status"] != "operating":
            if u["handover_date"] is None:
                problems.append(
                    Message(
                        N_(
                            "Unit %(code)s is in a phase that is not operating and has no"
                            " hand-over date yet: it cannot be pre-let"
                        ),
                        code=u["code"],
                    )
                )
            elif start is not None and start < u["handover_date"]:
                problems.append(
                    Message(
                        N_(
                            "Unit %(code)s can be pre-let only from the hand-over of its phase"
                            " (%(date)s)"
                        ),
                        code=u["code"],
                        date=u["handover_date"].isoformat(),
                    )
                )
        elif u["status"] == "unavailable":
            problems.append(
                Message(
                    N_("Unit %(code)s is unavailable (%(reason)s)"),
                    code=u["code"],
                    reason=u["unavailable_reason"] or "",
                )
            )
    if len({u["park_id"] for u in units}) > 1:
        problems.append(N_("All units of a contract must be in the same park"))
    if problems:
        errors["unit_ids"] = join_messages(problems)
        return []
    return units


def parse_last_day(raw: Mapping[str, Any], name: str, errors: dict, **kwargs: Any) -> date | None:
    """The inclusive last day typed as ``name``, as the half-open end kept inside (the day
    after). The exclusive ``end_date`` callers gave before is refused, not read one day off."""
    if "end_date" in raw:
        errors["end_date"] = Message(
            N_("'end_date' (the day after the last day) is no longer accepted: give %(name)s"),
            name=name,
        )
    return end_after_or_none(t.parse_date(raw.get(name), name, errors, **kwargs))


def parse_term(
    raw: Mapping[str, Any], errors: dict, *, confirmed: tuple[date, date] | None = None
) -> tuple[date | None, date | None]:
    """``start_date`` and the inclusive ``last_day`` typed, as the half-open ``(start, end)``.

    A term that is not a whole number of months is refused unless ``accept_partial_month`` says
    it is meant (or it is the ``confirmed`` term, saved before): typing the day after the last
    day, the old habit, would otherwise add a day to the contract without anybody noticing.
    """
    start = t.parse_date(raw.get("start_date"), "start_date", errors, required=True)
    end = parse_last_day(raw, "last_day", errors, required=True)
    if start is None or end is None:
        return start, end
    if end <= start:
        errors["last_day"] = N_("The last day cannot be before the start date")
        return start, end
    length = t.term_length(start, end)
    accepted = t.parse_bool(raw.get("accept_partial_month"), False) or confirmed == (start, end)
    if not length.whole_months and not accepted:
        whole_end = t.nearest_whole_months_end(start, end)
        errors["last_day"] = Message(
            N_(
                "The term is %(length)s, not a whole number of months (%(suggestion)s as the "
                "last day would make it %(whole)s). Correct the last day, or confirm that the "
                "term ends part-way through a month."
            ),
            length=length.text(),
            suggestion=last_day_of(whole_end).isoformat(),
            whole=t.term_length(start, whole_end).text(),
        )
    return start, end


async def parse_contract(
    db: AsyncSession, raw: Mapping[str, Any], *, confirmed_term: tuple[date, date] | None = None
) -> ContractInput:
    """Everything a contract draft needs, checked; ``ValidationFailed`` naming each bad field."""
    errors: dict[str, str] = {}
    enterprise_id = await _check_enterprise(db, raw.get("enterprise_id"), errors)
    unit_ids = parse_unit_ids(raw.get("unit_ids", raw.get("unit_ids[]")), errors)
    start, end = parse_term(raw, errors, confirmed=confirmed_term)
    terms = t.parse_terms(raw, errors)
    purpose = t.parse_text(raw.get("purpose"), "purpose", errors, max_length=200)
    purpose_en = t.parse_text(raw.get("purpose_en"), "purpose_en", errors, max_length=200)
    special = t.parse_text(raw.get("special_terms"), "special_terms", errors, max_length=4000)
    language = t.parse_choice(
        raw.get("language"), DocumentLanguage, "language", errors, DocumentLanguage.zh
    )
    units = await _check_units(db, unit_ids, start, errors)
    lease_terms = None
    if not errors:
        assert start and end and terms
        gross = sum((u["gross_area"] for u in units), Decimal("0.00"))
        leasable = sum((u["leasable_area"] for u in units), Decimal("0.00"))
        lease_terms = t.lease_terms(terms, start, end, gross, leasable)
        t.check_terms(lease_terms, errors)
    _fail(N_("The contract was not saved."), errors)
    assert enterprise_id and start and end and terms and lease_terms
    return ContractInput(
        enterprise_id=enterprise_id,
        units=units,
        park_id=units[0]["park_id"],
        start=start,
        end=end,
        terms=t.with_rent_start(terms, start),
        lease_terms=lease_terms,
        purpose=purpose,
        purpose_en=purpose_en,
        special_terms=special,
        language=language.value,
    )


# --- occupancy ----------------------------------------------------------------------------------


async def _release_expired_holds(
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
            occ.period.overlaps(_range(start, end)),
        )
        .order_by(occ.unit_id, sa.func.lower(occ.period))
    )


def _occupancy_message(row: Mapping[str, Any], code: str) -> Message:
    """``Unit A1-1E is already let to ... under contract HX-2026-0001, ...`` or ``... is held
    for ... until ...``: the unit, who has it, under what, and when."""
    when = _fmt_range(row["start"], row["end"])
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


async def _occupy(
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


async def _raise_if_conflicts(db: AsyncSession, **kwargs: Any) -> None:
    messages = await _conflicts(db, **kwargs)
    if messages:
        message = join_messages(messages)
        raise Conflict(message, field_errors={"unit_ids": message})


# --- unit status --------------------------------------------------------------------------------


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
    released = await _release_expired_holds(db, actor, today, ids)
    await db.flush()
    return await sync_unit_statuses(db, actor, sorted(set(ids) | set(released)), today)


# --- contracts: reading -------------------------------------------------------------------------


def _visible(stmt: sa.Select, user: CurrentUser) -> sa.Select:
    """Staff see every contract; an enterprise user only the binding contracts of their own
    enterprise (not drafts); anybody else nothing. Somebody else's contract is a 404."""
    if user.is_staff:
        return stmt
    if user.has(Role.enterprise_user) and user.enterprise_id is not None:
        return stmt.where(
            LeaseContract.enterprise_id == user.enterprise_id,
            LeaseContract.status.in_([s.value for s in BINDING]),
        )
    return stmt.where(sa.false())


async def get_contract(db: AsyncSession, user: CurrentUser, contract_id: int) -> LeaseContract:
    contract = (
        await db.execute(
            _visible(sa.select(LeaseContract), user).where(LeaseContract.id == contract_id)
        )
    ).scalar_one_or_none()
    if contract is None:
        raise NotFound(N_("No such contract"))
    return contract


async def _lock_contract(db: AsyncSession, contract_id: int) -> LeaseContract:
    contract = (
        await db.execute(
            sa.select(LeaseContract).where(LeaseContract.id == contract_id).with_for_update()
        )
    ).scalar_one_or_none()
    if contract is None:
        raise NotFound(N_("No such contract"))
    return contract


LIST_SORTS = {
    "start": (LeaseContract.start_date.desc(), LeaseContract.id.desc()),
    "end": (LeaseContract.end_date.asc(), LeaseContract.id.asc()),
    "number": (LeaseContract.number.asc().nulls_last(), LeaseContract.id.asc()),
    "created": (LeaseContract.id.desc(),),
}


def list_statement(
    user: CurrentUser,
    *,
    status: str | None = None,
    q: str | None = None,
    park_id: int | None = None,
    enterprise_id: int | None = None,
    expiring_within: int | None = None,
    sort: str | None = None,
    today: date | None = None,
) -> sa.Select:
    today = today or shanghai_today()
    effective_end = sa.func.coalesce(LeaseContract.terminated_on, LeaseContract.end_date)
    stmt = sa.select(
        LeaseContract.id,
        LeaseContract.number,
        LeaseContract.status,
        LeaseContract.park_id,
        LeaseContract.enterprise_id,
        Enterprise.name.label("enterprise_name"),
        LeaseContract.start_date,
        LeaseContract.end_date,
        LeaseContract.terminated_on,
        effective_end.label("effective_end"),
        last_day_sql(LeaseContract.end_date).label("last_day"),
        last_day_sql(LeaseContract.terminated_on).label("terminated_last_day"),
        last_day_sql(effective_end).label("effective_last_day"),
        LeaseContract.predecessor_id,
        repository.unit_codes_agg(LeaseContract.id).label("unit_codes"),
        repository.area_sum(LeaseContract.id).label("gross_area"),
    ).join(Enterprise, Enterprise.id == LeaseContract.enterprise_id)
    stmt = _visible(stmt, user)
    if status in set(ContractStatus):
        stmt = stmt.where(LeaseContract.status == status)
    if park_id:
        stmt = stmt.where(LeaseContract.park_id == park_id)
    if enterprise_id:
        stmt = stmt.where(LeaseContract.enterprise_id == enterprise_id)
    if expiring_within:
        stmt = stmt.where(
            LeaseContract.status == ContractStatus.active,
            effective_end > today,
            effective_end <= today + timedelta(days=expiring_within),
        )
    text = (q or "").strip()[:80]
    if text:
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            sa.or_(
                LeaseContract.number.ilike(like, escape="\\"),
                Enterprise.name.ilike(like, escape="\\"),
                LeaseContract.id.in_(
                    sa.select(LeaseContractUnit.contract_id).where(
                        LeaseContractUnit.unit_code.ilike(like, escape="\\")
                    )
                ),
            )
        )
    order = LIST_SORTS.get(sort or "", None)
    if order is None:
        order = LIST_SORTS["end"] if expiring_within else LIST_SORTS["created"]
    return stmt.order_by(*order)


async def list_contracts(
    db: AsyncSession, user: CurrentUser, *, page: int = 1, page_size: int = 20, **filters: Any
) -> Page:
    return await paginate(db, list_statement(user, **filters), page=page, page_size=page_size)


async def expiring_counts(db: AsyncSession, today: date | None = None) -> dict[int, int]:
    today = today or shanghai_today()
    effective_end = sa.func.coalesce(LeaseContract.terminated_on, LeaseContract.end_date)
    cols = [
        sa.func.count().filter(effective_end <= today + timedelta(days=days)).label(f"d{days}")
        for days in EXPIRING_WINDOWS
    ]
    row = (
        await db.execute(
            sa.select(*cols).where(
                LeaseContract.status == ContractStatus.active, effective_end > today
            )
        )
    ).one()
    return dict(zip(EXPIRING_WINDOWS, row, strict=True))


async def status_counts(db: AsyncSession) -> dict[str, int]:
    rows = await db.execute(
        sa.select(LeaseContract.status, sa.func.count()).group_by(LeaseContract.status)
    )
    counts = {s.value: 0 for s in ContractStatus}
    counts.update({status: n for status, n in rows})
    return counts


async def terms_versions(db: AsyncSession, contract_id: int) -> list[LeaseTerms]:
    rows = await db.execute(
        sa.select(LeaseTerms)
        .where(LeaseTerms.contract_id == contract_id)
        .order_by(LeaseTerms.version)
    )
    return list(rows.scalars())


def _areas(units: list[dict]) -> tuple[Decimal, Decimal]:
    gross = sum((u["gross_area"] for u in units), Decimal("0.00"))
    leasable = sum((u["leasable_area"] for u in units), Decimal("0.00"))
    return gross, leasable


def lease_terms_for(
    contract: LeaseContract, version: LeaseTerms, units: list[dict], end: date | None = None
) -> sched.LeaseTerms:
    gross, leasable = _areas(units)
    values = cut_short(t.from_row(version, contract.signed_on), contract.start_date, end)
    return t.lease_terms(values, contract.start_date, end or contract.end_date, gross, leasable)


def _piece_json(piece: sched.ChargePiece) -> dict:
    return {
        "charge": piece.charge.value,
        "kind": piece.kind.value,
        "start": piece.start.isoformat(),
        "end": piece.end.isoformat(),
        "rate": str(piece.rate),
        "area_m2": str(piece.area_m2) if piece.area_m2 is not None else None,
        "units": piece.units,
        "per_days": piece.per_days,
        "exact_fen": str(Fraction(piece.exact_fen)),
        "text": piece.describe(),
    }


def line_values(line: sched.ScheduleLine, version: int) -> dict:
    return {
        "terms_version": version,
        "seq": line.index,
        "period_start": line.period_start,
        "period_end": line.period_end,
        "due_date": line.due_date,
        "rent_fen": line.rent_fen,
        "property_fee_fen": line.property_fee_fen,
        "breakdown": [_piece_json(p) for p in line.breakdown],
    }


async def schedule_of(db: AsyncSession, contract: LeaseContract) -> tuple[list[dict], bool]:
    """The contract's schedule and whether it is frozen: the stored lines once approved,
    otherwise computed from the terms (what approval would freeze)."""
    if contract.status in BINDING:
        rows = await db.execute(
            sa.select(
                LeaseScheduleLine.id,
                LeaseScheduleLine.terms_version,
                LeaseScheduleLine.seq,
                LeaseScheduleLine.period_start,
                LeaseScheduleLine.period_end,
                LeaseScheduleLine.due_date,
                LeaseScheduleLine.rent_fen,
                LeaseScheduleLine.property_fee_fen,
                LeaseScheduleLine.breakdown,
            )
            .where(
                LeaseScheduleLine.contract_id == contract.id,
                LeaseScheduleLine.superseded_at.is_(None),
            )
            .order_by(LeaseScheduleLine.period_start)
        )
        lines = [dict(r) for r in rows.mappings()]
        return [_with_total(line) for line in lines], True
    versions = await terms_versions(db, contract.id)
    units = await repository.contract_units(db, contract.id)
    lt = lease_terms_for(contract, versions[0], units)
    return [_with_total(line_values(line, 1)) for line in sched.compute_schedule(lt)], False


def _with_total(line: dict) -> dict:
    line["total_fen"] = line["rent_fen"] + line["property_fee_fen"]
    line["last_day"] = last_day_of(line["period_end"])  # what people read on a bill
    return line


def first_payment(lines: list[dict]) -> dict | None:
    """The schedule line that asks for money first (a wholly rent-free period without a fee asks
    for none): its due date is when the first payment, and the deposit with it, is due."""
    return next((line for line in lines if line["total_fen"]), lines[0] if lines else None)


async def events_of(db: AsyncSession, contract_id: int) -> list[dict]:
    rows = await db.execute(
        sa.select(
            LeaseContractEvent.at,
            LeaseContractEvent.actor_label,
            LeaseContractEvent.action,
            LeaseContractEvent.from_status,
            LeaseContractEvent.to_status,
            LeaseContractEvent.note,
            LeaseContractEvent.data,
        )
        .where(LeaseContractEvent.contract_id == contract_id)
        .order_by(LeaseContractEvent.at, LeaseContractEvent.id)
    )
    return [dict(r) for r in rows.mappings()]


async def contract_view(
    db: AsyncSession, user: CurrentUser, contract_id: int, today: date | None = None
) -> dict[str, Any]:
    """Everything the contract page and the API show about one contract."""
    contract = await get_contract(db, user, contract_id)
    units = await repository.contract_units(db, contract.id)
    versions = await terms_versions(db, contract.id)
    current = versions[-1]
    lt = lease_terms_for(contract, current, units)
    lines, frozen = await schedule_of(db, contract)
    termination = await db.get(LeaseTermination, contract.id)
    successor = (
        await db.execute(
            sa.select(LeaseContract.id, LeaseContract.number, LeaseContract.status).where(
                LeaseContract.predecessor_id == contract.id,
                LeaseContract.status != ContractStatus.cancelled,
            )
        )
    ).first()
    predecessor = None
    if contract.predecessor_id:
        predecessor = (
            await db.execute(
                sa.select(LeaseContract.id, LeaseContract.number, LeaseContract.status).where(
                    LeaseContract.id == contract.predecessor_id
                )
            )
        ).first()
    gross, leasable = _areas(units)
    return {
        "contract": contract,
        "enterprise": await repository.enterprise_row(db, contract.enterprise_id),
        "park_name": await repository.park_name(db, contract.park_id),
        "units": units,
        "gross_area": gross,
        "leasable_area": leasable,
        "versions": versions,
        "terms": current,
        "terms_input": t.from_row(current, contract.signed_on),
        "deposit_fen": sched.deposit_fen(lt),
        "monthly_rent_fen": _monthly_rent_fen(lt),
        "schedule": lines,
        "schedule_frozen": frozen,
        "schedule_total_fen": sum(line["total_fen"] for line in lines),
        "events": await events_of(db, contract.id) if user.is_staff else [],
        "termination": termination,
        "successor": dict(successor._mapping) if successor else None,
        "predecessor": dict(predecessor._mapping) if predecessor else None,
        "today": today or shanghai_today(),
        "last_day": last_day_of(contract.end_date),
        "terminated_last_day": last_day_of(contract.terminated_on),
        "effective_last_day": last_day_of(contract.effective_end),
        "term_length": t.term_length(contract.start_date, contract.end_date),
        "first_payment": first_payment(lines),
    }


def _monthly_rent_fen(lt: sched.LeaseTerms, on: date | None = None) -> int:
    """The monthly rent at the rate in force ``on`` a day (default: the rent start date, the
    initial rate), for display and the contract text."""
    rate = sched.rent_rate_on(lt, on or lt.effective_rent_start)
    if lt.rent_basis is sched.RentBasis.FIXED_MONTHLY:
        amount = Fraction(rate) * 100
    else:
        amount = Fraction(rate) * 100 * Fraction(lt.rent_area_m2 or 0)
        if lt.rent_basis is sched.RentBasis.PER_M2_DAY:
            amount *= sched.DAY_RATE_MONTH_DAYS
    return sched._round_fraction(amount)


# --- contracts: writing -------------------------------------------------------------------------


def _event(
    db: AsyncSession,
    contract: LeaseContract,
    actor: Actor,
    action: str,
    from_status: str | None,
    to_status: str | None,
    note: str | None = None,
    data: dict | None = None,
) -> None:
    db.add(
        LeaseContractEvent(
            contract_id=contract.id,  # type: ignore[arg-type]
            actor_id=_actor_id(actor),
            actor_label=_actor_label(actor),
            action=action,
            from_status=from_status,
            to_status=to_status,
            note=note or None,
            data=data,
        )
    )


def _contract_snapshot(contract: LeaseContract) -> dict:
    return audit.snapshot(
        contract,
        "number",
        "status",
        "enterprise_id",
        "park_id",
        "start_date",
        "end_date",
        "terminated_on",
        "predecessor_id",
    )


async def _write_units(db: AsyncSession, contract_id: int, units: list[dict]) -> None:
    await db.execute(
        sa.insert(LeaseContractUnit),
        [
            {
                "contract_id": contract_id,
                "unit_id": u["id"],
                "unit_code": u["code"],
                "gross_area": u["gross_area"],
                "leasable_area": u["leasable_area"],
            }
            for u in units
        ],
    )


def _require_role(actor: Actor, roles: frozenset[Role]) -> None:
    if _is_system(actor):
        return
    if not (actor.roles & roles):
        raise PermissionDenied(N_("Your role may not do this"))


LEASING_ROLES = frozenset({Role.leasing, Role.park_admin})


async def create_contract(
    db: AsyncSession,
    actor: Actor,
    raw: Mapping[str, Any],
    *,
    submit: bool = False,
    predecessor_id: int | None = None,
    today: date | None = None,
) -> LeaseContract:
    """Create a draft (and submit it at once when ``submit``)."""
    _require_role(actor, LEASING_ROLES)
    today = today or shanghai_today()
    data = await parse_contract(db, raw)
    await _release_expired_holds(db, actor, today, [u["id"] for u in data.units])
    await _raise_if_conflicts(
        db,
        unit_ids=[u["id"] for u in data.units],
        start=data.start,
        end=data.end,
        enterprise_id=data.enterprise_id,
        kind=OccupancyKind.contract,
        today=today,
    )
    contract = LeaseContract(
        park_id=data.park_id,
        enterprise_id=data.enterprise_id,
        status=ContractStatus.draft,
        start_date=data.start,
        end_date=data.end,
        signed_on=data.terms.signed_on,
        purpose=data.purpose,
        purpose_en=data.purpose_en,
        special_terms=data.special_terms,
        language=data.language,
        predecessor_id=predecessor_id,
        created_by=_actor_id(actor),
    )
    db.add(contract)
    await db.flush()
    await _write_units(db, contract.id, data.units)  # type: ignore[arg-type]
    db.add(
        LeaseTerms(
            contract_id=contract.id,  # type: ignore[arg-type]
            version=1,
            effective_from=data.start,
            created_by=_actor_id(actor),
            **t.row_values(data.terms),
        )
    )
    _event(db, contract, actor, "create", None, ContractStatus.draft)
    audit.record(
        db,
        actor=actor,
        action="lease_contract_created",
        entity="lease_contract",
        entity_id=contract.id,
        after={
            **_contract_snapshot(contract),
            "units": [u["code"] for u in data.units],
            "terms": t.row_values(data.terms),
        },
    )
    await db.flush()
    if submit:
        await transition(db, actor, contract.id, ContractAction.submit, today=today)  # type: ignore[arg-type]
    return contract


async def draft_form_values(
    db: AsyncSession, user: CurrentUser, contract_id: int
) -> dict[str, Any]:
    """A contract's current fields in the shape ``create_contract`` takes (edit forms, PATCH)."""
    contract = await get_contract(db, user, contract_id)
    versions = await terms_versions(db, contract.id)  # type: ignore[arg-type]
    units = await repository.contract_units(db, contract.id)  # type: ignore[arg-type]
    return {
        **t.form_values(t.from_row(versions[0], contract.signed_on)),
        "enterprise_id": contract.enterprise_id,
        "unit_ids": [u["id"] for u in units],
        "start_date": contract.start_date.isoformat(),
        "last_day": last_day_of(contract.end_date).isoformat(),
        "purpose": contract.purpose,
        "purpose_en": contract.purpose_en,
        "special_terms": contract.special_terms,
        "language": contract.language,
    }


async def update_draft(
    db: AsyncSession,
    actor: Actor,
    contract_id: int,
    raw: Mapping[str, Any],
    today: date | None = None,
) -> LeaseContract:
    """Change a draft's enterprise, units, term and terms (version 1 is rewritten: a draft binds
    nobody)."""
    _require_role(actor, LEASING_ROLES)
    today = today or shanghai_today()
    contract = await _lock_contract(db, contract_id)
    if contract.status != ContractStatus.draft:
        raise Conflict(N_("Only a draft can be edited; an active contract is amended."))
    data = await parse_contract(db, raw, confirmed_term=(contract.start_date, contract.end_date))
    if contract.predecessor_id and data.start != contract.start_date:
        raise ValidationFailed(
            N_("The contract was not saved."),
            field_errors={"start_date": N_("A renewal starts where the contract it renews ends")},
        )
    await _raise_if_conflicts(
        db,
        unit_ids=[u["id"] for u in data.units],
        start=data.start,
        end=data.end,
        enterprise_id=data.enterprise_id,
        kind=OccupancyKind.contract,
        today=today,
        exclude_contract_id=contract.id,
    )
    before = _contract_snapshot(contract)
    contract.enterprise_id = data.enterprise_id
    contract.park_id = data.park_id
    contract.start_date, contract.end_date = data.start, data.end
    contract.signed_on = data.terms.signed_on
    contract.purpose, contract.purpose_en = data.purpose, data.purpose_en
    contract.special_terms, contract.language = data.special_terms, data.language
    contract.updated_at = utcnow()
    await db.execute(
        sa.delete(LeaseContractUnit).where(LeaseContractUnit.contract_id == contract.id)
    )
    await _write_units(db, contract.id, data.units)  # type: ignore[arg-type]
    await db.execute(
        sa.update(LeaseTerms)
        .where(LeaseTerms.contract_id == contract.id, LeaseTerms.version == 1)
        .values(effective_from=data.start, **t.row_values(data.terms))
    )
    _event(db, contract, actor, "edit", contract.status, contract.status)
    audit.record(
        db,
        actor=actor,
        action="lease_contract_edited",
        entity="lease_contract",
        entity_id=contract.id,
        before=before,
        after={**_contract_snapshot(contract), "units": [u["code"] for u in data.units]},
    )
    await db.flush()
    return contract


async def _next_number(db: AsyncSession, park_id: int, year: int) -> tuple[str, int]:
    """The next number of the park's series for ``year``, from its counter row locked FOR
    UPDATE (created on first use; ON CONFLICT lets two first approvals of a year meet)."""
    await db.execute(
        pg_insert(LeaseNumberCounter)
        .values(park_id=park_id, year=year, last_value=0)
        .on_conflict_do_nothing(index_elements=["park_id", "year"])
    )
    last = await db.scalar(
        sa.select(LeaseNumberCounter.last_value)
        .where(LeaseNumberCounter.park_id == park_id, LeaseNumberCounter.year == year)
        .with_for_update()
    )
    seq = int(last or 0) + 1
    await db.execute(
        sa.update(LeaseNumberCounter)
        .where(LeaseNumberCounter.park_id == park_id, LeaseNumberCounter.year == year)
        .values(last_value=seq)
    )
    prefix = await contract_prefix(db, park_id)
    return f"{prefix}-{year}-{seq:04d}", seq


async def contract_prefix(db: AsyncSession, park_id: int) -> str:
    prefix = await db.scalar(
        sa.select(LeaseParkSettings.contract_prefix).where(LeaseParkSettings.park_id == park_id)
    )
    return prefix or f"P{park_id}"


async def transition(
    db: AsyncSession,
    actor: Actor,
    contract_id: int,
    action: ContractAction | str,
    note: str | None = None,
    today: date | None = None,
) -> LeaseContract:
    """Move a contract through its lifecycle (``workflow.TRANSITIONS``), writing the event."""
    today = today or shanghai_today()
    contract = await _lock_contract(db, contract_id)
    try:
        step = plan(
            contract.status,
            action,
            getattr(actor, "roles", frozenset()),
            system=_is_system(actor),
        )
    except TransitionNotAllowed as exc:
        raise Conflict(exc.args[0]) from None
    except RoleNotAllowed as exc:
        raise PermissionDenied(exc.args[0]) from None
    if step.action is ContractAction.terminate:
        raise ValidationFailed(N_("Use the termination form: it needs an end date and a reason."))
    note = (note or "").strip() or None
    if step.note_required and not note:
        raise ValidationFailed(
            N_("Say why."), field_errors={"note": N_("A note is required for this action")}
        )
    before = _contract_snapshot(contract)
    unit_ids = list(
        (
            await db.execute(
                sa.select(LeaseContractUnit.unit_id).where(
                    LeaseContractUnit.contract_id == contract.id
                )
            )
        ).scalars()
    )
    data: dict[str, Any] = {}
    if step.action is ContractAction.submit:
        await _submit(db, actor, contract, unit_ids, today)
    elif step.action is ContractAction.reject:
        await db.execute(
            sa.delete(LeaseUnitOccupancy).where(LeaseUnitOccupancy.contract_id == contract.id)
        )
    elif step.action is ContractAction.approve:
        data = await _approve(db, actor, contract, unit_ids, today)
    contract.status = step.target
    contract.updated_at = utcnow()
    _event(db, contract, actor, step.action, step.source, step.target, note, data or None)
    audit.record(
        db,
        actor=actor,
        action=f"lease_contract_{step.action.value}",
        entity="lease_contract",
        entity_id=contract.id,
        before=before,
        after={**_contract_snapshot(contract), **({"note": note} if note else {})},
    )
    await db.flush()
    if step.action is ContractAction.approve and contract.predecessor_id:
        await _mark_predecessor_renewed(db, actor, contract, today)
    if step.action in (ContractAction.approve, ContractAction.expire, ContractAction.mark_renewed):
        await sync_unit_statuses(db, actor, unit_ids, today)
    return contract


async def _submit(
    db: AsyncSession, actor: Actor, contract: LeaseContract, unit_ids: list[int], today: date
) -> None:
    errors: dict[str, str] = {}
    await _check_units(db, unit_ids, contract.start_date, errors)
    _fail(N_("The contract cannot be submitted."), errors)
    await _release_expired_holds(db, actor, today, unit_ids)
    common = {
        "unit_ids": unit_ids,
        "start": contract.start_date,
        "end": contract.end_date,
        "enterprise_id": contract.enterprise_id,
        "kind": OccupancyKind.contract,
        "today": today,
        "exclude_contract_id": contract.id,
    }
    await _raise_if_conflicts(db, **common)
    await _occupy(
        db,
        [
            {
                "unit_id": unit_id,
                "enterprise_id": contract.enterprise_id,
                "kind": OccupancyKind.contract.value,
                "period": _range(contract.start_date, contract.end_date),
                "contract_id": contract.id,
                "active": True,
            }
            for unit_id in unit_ids
        ],
        **common,
    )


async def _approve(
    db: AsyncSession, actor: Actor, contract: LeaseContract, unit_ids: list[int], today: date
) -> dict:
    versions = await terms_versions(db, contract.id)  # type: ignore[arg-type]
    units = await repository.contract_units(db, contract.id)  # type: ignore[arg-type]
    lt = lease_terms_for(contract, versions[0], units)
    lines = sched.compute_schedule(lt)
    number, seq = await _next_number(db, contract.park_id, today.year)
    contract.number, contract.number_year, contract.number_seq = number, today.year, seq
    contract.approved_by = _actor_id(actor)
    contract.approved_at = utcnow()
    await db.execute(
        sa.insert(LeaseScheduleLine),
        [{"contract_id": contract.id, **line_values(line, 1)} for line in lines],
    )
    # The enterprise's own holds on these units are consumed by the contract.
    held = sa.select(LeaseUnitOccupancy.reservation_id).where(
        LeaseUnitOccupancy.kind == OccupancyKind.reservation,
        LeaseUnitOccupancy.active.is_(True),
        LeaseUnitOccupancy.enterprise_id == contract.enterprise_id,
        LeaseUnitOccupancy.unit_id.in_(unit_ids),
    )
    converted = list(
        (
            await db.execute(
                sa.update(LeaseReservation)
                .where(
                    LeaseReservation.id.in_(held),
                    LeaseReservation.status == ReservationStatus.active,
                )
                .values(
                    status=ReservationStatus.converted,
                    contract_id=contract.id,
                    closed_at=utcnow(),
                    closed_by=_actor_id(actor),
                )
                .returning(LeaseReservation.id)
            )
        ).scalars()
    )
    if converted:
        await db.execute(
            sa.update(LeaseUnitOccupancy)
            .where(LeaseUnitOccupancy.reservation_id.in_(converted))
            .values(active=False)
        )
    await _make_tenant(db, actor, contract.enterprise_id)
    return {"number": number, "schedule_lines": len(lines), "reservations_converted": converted}


async def _make_tenant(db: AsyncSession, actor: Actor, enterprise_id: int) -> None:
    """A prospect (or former tenant) with an approved contract is a tenant (enterprises
    service; its own validation decides, and a refusal does not block the approval)."""
    from parkops.enterprises.services import register as enterprises

    status = await db.scalar(sa.select(Enterprise.status).where(Enterprise.id == enterprise_id))
    if status == "tenant":
        return
    try:
        async with db.begin_nested():
            await enterprises.update_enterprise(db, actor, enterprise_id, {"status": "tenant"})
    except ValidationFailed as exc:
        log.warning("enterprise %s not made a tenant: %s", enterprise_id, exc.field_errors)


async def _mark_predecessor_renewed(
    db: AsyncSession, actor: Actor, contract: LeaseContract, today: date
) -> None:
    old = await _lock_contract(db, contract.predecessor_id)  # type: ignore[arg-type]
    try:
        step = plan(old.status, ContractAction.mark_renewed, (), system=True)
    except TransitionNotAllowed as exc:
        raise Conflict(
            Message(
                N_("The contract this one renews cannot be renewed: %(reason)s"),
                reason=exc.args[0],
            )
        ) from None
    before = _contract_snapshot(old)
    old.status = step.target
    old.updated_at = utcnow()
    _event(
        db,
        old,
        actor,
        step.action,
        step.source,
        step.target,
        data={"successor_id": contract.id, "successor_number": contract.number},
    )
    audit.record(
        db,
        actor=actor,
        action="lease_contract_mark_renewed",
        entity="lease_contract",
        entity_id=old.id,
        before=before,
        after=_contract_snapshot(old),
    )
    await db.flush()


# --- amendments ---------------------------------------------------------------------------------


async def amend_terms(
    db: AsyncSession,
    actor: Actor,
    contract_id: int,
    raw: Mapping[str, Any],
    today: date | None = None,
) -> LeaseTerms:
    """A change of terms from ``effective_from``: a new terms version; schedule lines of periods
    that started before that date are kept as they are, later ones are superseded and
    recomputed from the new terms."""
    _require_role(actor, LEASING_ROLES)
    today = today or shanghai_today()
    contract = await _lock_contract(db, contract_id)
    if contract.status != ContractStatus.active:
        raise Conflict(N_("Only an active contract can be amended (a draft is edited)."))
    versions = await terms_versions(db, contract.id)  # type: ignore[arg-type]
    latest = versions[-1]
    raw = merge_terms(t.form_values(t.from_row(latest, contract.signed_on)), raw)
    errors: dict[str, str] = {}
    effective = t.parse_date(raw.get("effective_from"), "effective_from", errors, required=True)
    note = t.parse_text(raw.get("note"), "note", errors, max_length=2000)
    terms = t.parse_terms(raw, errors)
    if effective is not None:
        if not contract.start_date < effective < contract.effective_end:
            errors["effective_from"] = N_("The amendment must take effect inside the term")
        elif effective <= latest.effective_from:
            errors["effective_from"] = Message(
                N_("A later amendment already applies from %(date)s"),
                date=latest.effective_from.isoformat(),
            )
    if terms is not None and terms.cycle.value != latest.cycle:
        errors["cycle"] = N_(
            "The payment cycle cannot change in an amendment (the billing periods would no "
            "longer line up); terminate and draw up a new contract instead"
        )
    units = await repository.contract_units(db, contract.id)  # type: ignore[arg-type]
    lt = None
    if not errors:
        assert terms and effective
        gross, leasable = _areas(units)
        lt = t.lease_terms(terms, contract.start_date, contract.end_date, gross, leasable)
        t.check_terms(lt, errors)
    _fail(N_("The amendment was not saved."), errors)
    assert terms and effective and lt
    new_version = latest.version + 1
    resolved = t.with_rent_start(terms, contract.start_date)
    row = LeaseTerms(
        contract_id=contract.id,  # type: ignore[arg-type]
        version=new_version,
        effective_from=effective,
        note=note,
        created_by=_actor_id(actor),
        **t.row_values(resolved),
    )
    db.add(row)
    now = utcnow()
    superseded = list(
        (
            await db.execute(
                sa.update(LeaseScheduleLine)
                .where(
                    LeaseScheduleLine.contract_id == contract.id,
                    LeaseScheduleLine.superseded_at.is_(None),
                    LeaseScheduleLine.period_start >= effective,
                    LeaseScheduleLine.period_start < contract.effective_end,
                )
                .values(superseded_at=now)
                .returning(LeaseScheduleLine.id)
            )
        ).scalars()
    )
    end = contract.effective_end
    new_lines = [
        line
        for line in sched.compute_schedule(
            t.lease_terms(resolved, contract.start_date, end, *_areas(units))
        )
        if line.period_start >= effective
    ]
    if new_lines:
        await db.execute(
            sa.insert(LeaseScheduleLine),
            [{"contract_id": contract.id, **line_values(line, new_version)} for line in new_lines],
        )
    data = {
        "version": new_version,
        "effective_from": effective.isoformat(),
        "lines_superseded": len(superseded),
        "lines_added": len(new_lines),
    }
    _event(db, contract, actor, "amend", contract.status, contract.status, note, data)
    audit.record(
        db,
        actor=actor,
        action="lease_terms_amended",
        entity="lease_contract",
        entity_id=contract.id,
        before=t.row_values(t.from_row(latest)),
        after={**t.row_values(resolved), **data},
    )
    contract.updated_at = now
    await db.flush()
    return row


def merge_terms(current: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """The current terms (form values) with the fields a caller gave replaced: an API
    amendment may send only what changes. Giving any escalation (deposit) field without its
    kind drops the current kind, so the given fields decide it."""
    merged = dict(current)
    for group in ("escalation_", "deposit_"):
        if any(k.startswith(group) for k in changes) and f"{group}kind" not in changes:
            merged.pop(f"{group}kind", None)
    if "rent_free_months" in changes and "rent_start" not in changes:
        merged.pop("rent_start", None)
    merged.update(changes)
    return merged


# --- renewal ------------------------------------------------------------------------------------


async def renew(
    db: AsyncSession,
    actor: Actor,
    contract_id: int,
    raw: Mapping[str, Any],
    today: date | None = None,
) -> LeaseContract:
    """Draft the successor of an active (or expired) contract: same enterprise and units, from
    the old end (the day after its last day), on the current terms raised by an optional
    percentage. Approving it marks the old contract renewed."""
    _require_role(actor, LEASING_ROLES)
    today = today or shanghai_today()
    old = await _lock_contract(db, contract_id)
    if old.status not in (ContractStatus.active, ContractStatus.expired):
        raise Conflict(N_("Only an active or expired contract can be renewed."))
    if old.terminated_on is not None:
        raise Conflict(N_("A terminated contract cannot be renewed."))
    existing = await db.scalar(
        sa.select(LeaseContract.id).where(
            LeaseContract.predecessor_id == old.id,
            LeaseContract.status != ContractStatus.cancelled,
        )
    )
    if existing:
        raise Conflict(
            Message(N_("This contract already has a renewal (contract #%(id)s)."), id=existing)
        )
    errors: dict[str, str] = {}
    start = old.end_date
    end = parse_last_day(raw, "last_day", errors) or renewal_default_end(old)
    if end <= start:
        errors["last_day"] = Message(
            N_("The renewal starts on %(start)s: its last day cannot be before that"),
            start=start.isoformat(),
        )
    percent = t.parse_decimal(
        raw.get("increase_percent"), "increase_percent", errors, places=2, maximum=Decimal(100)
    )
    _fail(N_("The renewal was not drafted."), errors)
    versions = await terms_versions(db, old.id)  # type: ignore[arg-type]
    units = await repository.contract_units(db, old.id)  # type: ignore[arg-type]
    latest_lt = lease_terms_for(old, versions[-1], units)
    rate = sched.rent_rate_on(latest_lt, last_day_of(old.end_date))
    new_terms = t.renewal_terms(t.from_row(versions[-1]), rate, percent)
    values = {
        **t.form_values(new_terms),
        "enterprise_id": old.enterprise_id,
        "unit_ids": [u["id"] for u in units],
        "start_date": start.isoformat(),
        "last_day": last_day_of(end).isoformat(),
        "accept_partial_month": raw.get("accept_partial_month"),
        "purpose": old.purpose,
        "purpose_en": old.purpose_en,
        "special_terms": old.special_terms,
        "language": old.language,
    }
    successor = await create_contract(db, actor, values, predecessor_id=old.id, today=today)
    data = {"successor_id": successor.id, "increase_percent": str(percent or 0)}
    _event(db, old, actor, "renewal_drafted", old.status, old.status, data=data)
    _event(
        db,
        successor,
        actor,
        "renewal_of",
        ContractStatus.draft,
        ContractStatus.draft,
        data={"predecessor_id": old.id, "predecessor_number": old.number},
    )
    await db.flush()
    return successor


def renewal_default_end(old: LeaseContract) -> date:
    """The end of a renewal as long as the contract it renews (a started month counts whole)."""
    length = t.term_length(old.start_date, old.end_date)
    return sched.add_months(old.end_date, max(1, length.months + bool(length.days)))


# --- termination --------------------------------------------------------------------------------


async def terminate(
    db: AsyncSession,
    actor: Actor,
    contract_id: int,
    raw: Mapping[str, Any],
    today: date | None = None,
) -> LeaseTermination:
    """End an active contract early, with a settlement statement.

    The statement sets the deposit held (what the contract asked for at signing, terms version
    1; billing's deposit ledger corrects it for receipts, top-ups and deductions) against the
    schedule's charges for the periods up to the end date, the last one cut at the end date and
    prorated per the contract. Lines of later periods (and the one cut) are superseded, the cut
    line added. Money is settled by billing: payments received are netted there, not here.
    """
    today = today or shanghai_today()
    contract = await _lock_contract(db, contract_id)
    try:
        step = plan(
            contract.status,
            ContractAction.terminate,
            getattr(actor, "roles", frozenset()),
            system=_is_system(actor),
        )
    except TransitionNotAllowed as exc:
        raise Conflict(exc.args[0]) from None
    except RoleNotAllowed as exc:
        raise PermissionDenied(exc.args[0]) from None
    errors: dict[str, str] = {}
    end = parse_last_day(raw, "last_day", errors, required=True)
    reason = t.parse_text(raw.get("reason"), "reason", errors, max_length=2000)
    if not reason and "reason" not in errors:
        errors["reason"] = N_("Give the reason for the termination")
    if end is not None and not contract.start_date < end < contract.end_date:
        errors["last_day"] = Message(
            N_(
                "The last day of use must be on or after the start (%(start)s) and before the "
                "contract's last day (%(last)s)"
            ),
            start=contract.start_date.isoformat(),
            last=last_day_of(contract.end_date).isoformat(),
        )
    _fail(N_("The contract was not terminated."), errors)
    assert end is not None
    units = await repository.contract_units(db, contract.id)  # type: ignore[arg-type]
    versions = {v.version: v for v in await terms_versions(db, contract.id)}  # type: ignore[arg-type]
    lines = list(
        (
            await db.execute(
                sa.select(LeaseScheduleLine)
                .where(
                    LeaseScheduleLine.contract_id == contract.id,
                    LeaseScheduleLine.superseded_at.is_(None),
                )
                .order_by(LeaseScheduleLine.period_start)
            )
        ).scalars()
    )
    now = utcnow()
    kept: list[dict] = []
    superseded = 0
    for line in lines:
        if line.period_end <= end:
            kept.append(_statement_line(line.seq, line.period_start, line.period_end, line))
            continue
        line.superseded_at = now
        superseded += 1
        if line.period_start < end:
            cut_terms = lease_terms_for(contract, versions[line.terms_version], units, end=end)
            cut = next(
                c for c in sched.compute_schedule(cut_terms) if c.period_start == line.period_start
            )
            await db.flush()
            db.add(
                LeaseScheduleLine(
                    contract_id=contract.id,  # type: ignore[arg-type]
                    **line_values(cut, line.terms_version),
                )
            )
            kept.append(_statement_line(cut.index, cut.period_start, cut.period_end, cut))
    deposit_held = sched.deposit_fen(lease_terms_for(contract, versions[1], units))
    charges = sum(k["total_fen"] for k in kept)
    statement = {
        "last_day": last_day_of(end).isoformat(),
        "deposit_held_fen": deposit_held,
        "charges_due_fen": charges,
        "balance_fen": deposit_held - charges,
        "lines": kept,
        "lines_superseded": superseded,
        "note": "Charges per the rent schedule up to the last day of use; payments received "
        "are netted by billing.",
    }
    termination = LeaseTermination(
        contract_id=contract.id,  # type: ignore[arg-type]
        end_date=end,
        reason=reason,
        deposit_held_fen=deposit_held,
        charges_due_fen=charges,
        balance_fen=deposit_held - charges,
        statement=statement,
        created_by=_actor_id(actor),
    )
    db.add(termination)
    before = _contract_snapshot(contract)
    contract.status = step.target
    contract.terminated_on = end
    contract.updated_at = now
    await db.execute(
        sa.update(LeaseUnitOccupancy)
        .where(LeaseUnitOccupancy.contract_id == contract.id)
        .values(period=_range(contract.start_date, end))
    )
    _event(
        db,
        contract,
        actor,
        step.action,
        step.source,
        step.target,
        reason,
        {"last_day": last_day_of(end).isoformat(), "balance_fen": deposit_held - charges},
    )
    audit.record(
        db,
        actor=actor,
        action="lease_contract_terminate",
        entity="lease_contract",
        entity_id=contract.id,
        before=before,
        after={**_contract_snapshot(contract), "reason": reason, "statement": statement},
    )
    await db.flush()
    await sync_unit_statuses(db, actor, [u["id"] for u in units], today)
    return termination


def _statement_line(seq: int, start: date, end: date, line: Any) -> dict:
    return {
        "seq": seq,
        "period_start": start.isoformat(),
        "period_last_day": last_day_of(end).isoformat(),
        "due_date": line.due_date.isoformat(),
        "rent_fen": line.rent_fen,
        "property_fee_fen": line.property_fee_fen,
        "total_fen": line.rent_fen + line.property_fee_fen,
    }


# --- reservations -------------------------------------------------------------------------------


async def create_reservation(
    db: AsyncSession, actor: Actor, raw: Mapping[str, Any], today: date | None = None
) -> LeaseReservation:
    """Hold units for a prospect enterprise until ``held_until`` (inclusive)."""
    _require_role(actor, LEASING_ROLES)
    today = today or shanghai_today()
    errors: dict[str, str] = {}
    enterprise_id = await _check_enterprise(db, raw.get("enterprise_id"), errors)
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
    units = await _check_units(db, unit_ids, start, errors)
    _fail(N_("The reservation was not saved."), errors)
    assert enterprise_id and held_until
    ids = [u["id"] for u in units]
    released = await _release_expired_holds(db, actor, today, ids)
    common = {
        "unit_ids": ids,
        "start": start,
        "end": end,
        "enterprise_id": enterprise_id,
        "kind": OccupancyKind.reservation,
        "today": today,
    }
    await _raise_if_conflicts(db, **common)
    reservation = LeaseReservation(
        park_id=units[0]["park_id"],
        enterprise_id=enterprise_id,
        start_date=start,
        end_date=end,
        held_until=held_until,
        status=ReservationStatus.active,
        note=note,
        created_by=_actor_id(actor),
    )
    db.add(reservation)
    await db.flush()
    await db.execute(
        sa.insert(LeaseReservationUnit),
        [{"reservation_id": reservation.id, "unit_id": i} for i in ids],
    )
    await _occupy(
        db,
        [
            {
                "unit_id": i,
                "enterprise_id": enterprise_id,
                "kind": OccupancyKind.reservation.value,
                "period": _range(start, end),
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
    _require_role(actor, LEASING_ROLES)
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
                    _RESERVATION_STATES.get(str(reservation.status), str(reservation.status))
                ),
            )
        )
    reservation.status = ReservationStatus.released
    reservation.closed_at = utcnow()
    reservation.closed_by = _actor_id(actor)
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
    units = await _release_expired_holds(db, actor, today)
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


# --- daily roll-over ----------------------------------------------------------------------------


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
    holds = await _release_expired_holds(db, actor, today)
    await db.flush()
    units = await repository.units_to_refresh(db)
    changed = await sync_unit_statuses(db, actor, units, today)
    return {
        "contracts_expired": len(due),
        "hold_units_released": len(holds),
        "units_changed": changed,
    }


# --- settings -----------------------------------------------------------------------------------


async def park_settings_overview(db: AsyncSession) -> list[dict]:
    """Every park with its contract prefix and lessor name (None where nothing is set yet)."""
    rows = await db.execute(
        sa.select(
            Park.id,
            Park.name,
            LeaseParkSettings.contract_prefix,
            LeaseParkSettings.lessor_name,
            LeaseParkSettings.lessor_uscc,
            LeaseParkSettings.lessor_bank_account,
        )
        .outerjoin(LeaseParkSettings, LeaseParkSettings.park_id == Park.id)
        .order_by(Park.name)
    )
    return [dict(r) for r in rows.mappings()]


async def park_settings_values(db: AsyncSession, park_id: int) -> tuple[str, dict[str, str]]:
    """The park's name and its settings as form values (empty strings where unset)."""
    name = await repository.park_name(db, park_id)
    if name is None:
        raise NotFound(N_("No such park"))
    settings = await db.get(LeaseParkSettings, park_id)
    values = {
        column: (getattr(settings, column) or "") if settings else ""
        for column in LeaseParkSettings.__table__.c.keys()
        if column != "park_id"
    }
    return name, values


async def set_park_settings(
    db: AsyncSession, actor: Actor, park_id: int, raw: Mapping[str, Any]
) -> LeaseParkSettings:
    _require_role(actor, frozenset({Role.park_admin}))
    if await repository.park_name(db, park_id) is None:
        raise NotFound(N_("No such park"))
    errors: dict[str, str] = {}
    prefix = t.parse_text(
        raw.get("contract_prefix"), "contract_prefix", errors, max_length=8
    ).upper()
    if not prefix or not prefix[0].isalpha() or not prefix.isalnum() or not prefix.isascii():
        errors["contract_prefix"] = N_(
            "One to eight capital letters or digits, starting with a letter"
        )
    fields = {
        name: t.parse_text(raw.get(name), name, errors, max_length=column.type.length)
        for name, column in LeaseParkSettings.__table__.c.items()
        if name not in ("park_id", "contract_prefix") and name in raw
    }
    if fields.get("lessor_uscc"):
        # Printed on every contract as the lessor's code: held to the same check as tenants'.
        fields["lessor_uscc"] = normalize_uscc(fields["lessor_uscc"])
        if problem := validate_uscc(fields["lessor_uscc"]):
            errors["lessor_uscc"] = problem
    _fail(N_("The settings were not saved."), errors)
    settings = await db.get(LeaseParkSettings, park_id)
    before = audit.snapshot(settings) if settings else None
    if settings is None:
        settings = LeaseParkSettings(park_id=park_id, contract_prefix=prefix)
        db.add(settings)
    settings.contract_prefix = prefix
    for name, value in fields.items():
        setattr(settings, name, value)
    await db.flush()
    audit.record(
        db,
        actor=actor,
        action="lease_park_settings_saved",
        entity="park",
        entity_id=park_id,
        before=before,
        after=audit.snapshot(settings),
    )
    return settings
