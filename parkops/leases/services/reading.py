"""Reading contracts: visibility per user, lists and counts, terms versions, the schedule
(computed before approval, frozen after), events and the contract page's view.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts.identity import CurrentUser
from parkops.accounts.roles import Role
from parkops.core.errors import NotFound
from parkops.core.i18n import N_
from parkops.core.last_day import last_day_of, last_day_sql
from parkops.core.pagination import Page, paginate
from parkops.enterprises.models import Enterprise
from parkops.leases import repository
from parkops.leases.models import (
    LeaseContract,
    LeaseContractEvent,
    LeaseContractUnit,
    LeaseScheduleLine,
    LeaseTermination,
    LeaseTerms,
)
from parkops.leases.rules import schedule as sched
from parkops.leases.rules import terms as t
from parkops.leases.rules.cut_short import cut_short
from parkops.leases.rules.workflow import (
    BINDING,
    ContractStatus,
)
from parkops.leases.services.common import EXPIRING_WINDOWS, shanghai_today


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


async def lock_contract(db: AsyncSession, contract_id: int) -> LeaseContract:
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


def unit_areas(units: list[dict]) -> tuple[Decimal, Decimal]:
    gross = sum((u["gross_area"] for u in units), Decimal("0.00"))
    leasable = sum((u["leasable_area"] for u in units), Decimal("0.00"))
    return gross, leasable


def lease_terms_for(
    contract: LeaseContract, version: LeaseTerms, units: list[dict], end: date | None = None
) -> sched.LeaseTerms:
    gross, leasable = unit_areas(units)
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
    gross, leasable = unit_areas(units)
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
        "monthly_rent_fen": monthly_rent_fen(lt),
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


def monthly_rent_fen(lt: sched.LeaseTerms, on: date | None = None) -> int:
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
