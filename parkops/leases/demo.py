"""Demo data of the leases domain: a contract for every leased unit of the demo park.

A newcomer should see a living park: most contracts quarterly (the usual), some monthly,
half-yearly or yearly; rent-free fit-out months; +3% or +5% a year, or flat two years then +10%;
a few contracts ending within 30, 60 and 90 days (one with its renewal waiting for approval);
one contract terminated early (its unit re-let to another tenant), one renewed; a pre-let unit
of phase 3 from its hand-over; a hold on the unit the inventory marks reserved.

Dates are laid out around the first day of the current month (Asia/Shanghai), so "expiring
soon" is true whenever the demo is loaded; everything else is derived from positions (no
randomness). Idempotent and fast: one query tells whether the park already has contracts; rows
go in with multi-row INSERTs (schedules are computed in memory), and only the few units whose
status must change go through the inventory service.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.core import audit
from parkops.core.last_day import last_day_of
from parkops.core.templating import SHANGHAI
from parkops.enterprises.models import Enterprise
from parkops.inventory.models import Building, Floor, Park, Phase, Unit
from parkops.leases.models import (
    LeaseContract,
    LeaseContractEvent,
    LeaseContractUnit,
    LeaseNumberCounter,
    LeaseParkSettings,
    LeaseReservation,
    LeaseReservationUnit,
    LeaseScheduleLine,
    LeaseTerms,
    LeaseUnitOccupancy,
)
from parkops.leases.rules import schedule as sched
from parkops.leases.rules import terms as t
from parkops.leases.services import common, reading, terminations
from parkops.leases.services import occupancy as leases_occupancy

PARK_NAME = "红星羽绒电商产业园"  # parkops.inventory.demo.PARK_NAME
PREFIX = "HX"
CYCLES = ("quarterly", "quarterly", "monthly", "half_yearly", "quarterly", "yearly")
EXPIRING = {3: 1, 11: 2, 19: 3, 27: 1}  # contract index -> months until its end
TERMINATED = 7
RENEWED = 13
PENDING_RENEWAL = 3

LESSOR = {
    "lessor_name": "庐山市红星羽绒电商产业园运营管理有限公司",
    "lessor_name_en": "Lushan Red Star Down E-commerce Industrial Park Operation Management "
    "Co., Ltd.",
    "lessor_uscc": "91360483MA35LH6R1K",
    "lessor_address": "江西省九江市庐山市横塘镇红星羽绒电商产业园管理中心",
    "lessor_address_en": "Park Management Centre, Hengtang Town, Lushan, Jiangxi",
    "lessor_legal_representative": "周建国",
    "lessor_contact": "刘晓敏",
    "lessor_phone": "0792-2660188",
    "lessor_bank_name": "中国工商银行庐山支行",
    "lessor_bank_account": "1507 2100 0920 0168 866",
    "signing_place": "江西省九江市庐山市横塘镇",
    "signing_place_en": "Hengtang Town, Lushan, Jiangxi",
    "park_name_en": "Red Star Down E-commerce Industrial Park",
}


@dataclass
class Planned:
    key: int
    enterprise_id: int
    units: list[dict]
    start: date
    end: date
    terms: t.TermsInput
    status: str
    approved_on: date | None
    predecessor: int | None = None  # key of the contract this one renews
    events: list[tuple[str, str | None, str | None, date, str | None]] = field(default_factory=list)
    number: str | None = None
    id: int | None = None


def _stamp(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), SHANGHAI)


def _terms(i: int, start: date, ground_floor: bool) -> t.TermsInput:
    rate = Decimal(18 + (i % 9) - 4) + (Decimal(4) if ground_floor else 0)
    escalation: sched.Escalation | None = None
    if i % 3 == 0:
        escalation = sched.PercentEscalation(Decimal(5))
    elif i % 3 == 1:
        escalation = sched.PercentEscalation(Decimal(3))
    elif i % 5 == 2:
        escalation = sched.PercentEscalation(Decimal(10), from_year=3, max_increases=1)
    free_months = {0: 2, 1: 1}.get(i % 4, 0)
    return t.TermsInput(
        rent_rate=rate,
        property_fee_rate=Decimal("3") if i % 2 else Decimal("2.5"),
        rent_start=sched.add_months(start, free_months) if free_months else None,
        cycle=sched.PaymentCycle(CYCLES[i % len(CYCLES)]),
        due_rule=sched.DueRule.day_of_month(5) if i % 2 else sched.DueRule.days_before(15),
        escalation=escalation,
        deposit=sched.DepositMonths(3 if i % 4 == 3 else 2),
        late_fee_cap_percent=Decimal(30) if i % 5 == 0 else None,
        signed_on=start - timedelta(days=15),
    )


async def load_demo(db: AsyncSession) -> dict[str, int]:
    park_id, loaded = (
        await db.execute(
            sa.select(
                sa.select(Park.id).where(Park.name == PARK_NAME).scalar_subquery(),
                sa.exists().where(
                    LeaseContract.park_id
                    == sa.select(Park.id).where(Park.name == PARK_NAME).scalar_subquery()
                ),
            )
        )
    ).one()
    if park_id is None or loaded:
        return {}
    return await _load(db, park_id)


async def _units(db: AsyncSession, park_id: int) -> list[dict]:
    rows = await db.execute(
        sa.select(
            Unit.id,
            Unit.code,
            Unit.status,
            Unit.gross_area,
            Unit.leasable_area,
            Building.code.label("building"),
            Floor.number.label("floor"),
            Phase.status.label("phase_status"),
            Phase.handover_date,
        )
        .join(Building, Building.id == Unit.building_id)
        .join(Floor, Floor.id == Unit.floor_id)
        .join(Phase, Phase.id == Unit.phase_id)
        .where(Unit.park_id == park_id, Unit.retired_at.is_(None))
        .order_by(Unit.id)
    )
    return [dict(r) for r in rows.mappings()]


async def _enterprises(db: AsyncSession, status: str) -> list[int]:
    rows = await db.execute(
        sa.select(Enterprise.id).where(Enterprise.status == status).order_by(Enterprise.id)
    )
    return list(rows.scalars())


def _plan(units: list[dict], tenants: list[int], today: date) -> list[Planned]:
    """Which contracts to create (pure, from positions)."""
    month = today.replace(day=1)
    leased = [u for u in units if u["status"] == "leased"]
    # Every fifth contract takes both halves of a floor when both are leased.
    groups: list[list[dict]] = []
    by_floor: dict[tuple, list[dict]] = {}
    for u in leased:
        by_floor.setdefault((u["building"], u["floor"]), []).append(u)
    taken: set[int] = set()
    for u in leased:
        if u["id"] in taken:
            continue
        pair = [x for x in by_floor[(u["building"], u["floor"])] if x["id"] not in taken]
        group = pair if len(groups) % 5 == 4 and len(pair) == 2 else [u]
        taken.update(x["id"] for x in group)
        groups.append(group)
    plans: list[Planned] = []
    tenant_iter = iter(tenants)
    for i, group in enumerate(groups):
        enterprise_id = next(tenant_iter, None)
        if enterprise_id is None:
            break
        years = 5 if i % 3 == 0 else 3
        if i in EXPIRING:
            end = sched.add_months(month, EXPIRING[i])
            start = sched.add_months(end, -12 * years)
        else:
            start = sched.add_months(month, -((i * 7) % (12 * years - 2) + 1))
            end = sched.add_months(start, 12 * years)
        if i == RENEWED:
            start, end = sched.add_months(month, -38), sched.add_months(month, -2)
        ground = group[0]["floor"] == 1
        terms = _terms(i, start, ground)
        approved = start - timedelta(days=10)
        plan = Planned(i, enterprise_id, group, start, end, terms, "active", approved)
        plans.append(plan)
        if i == RENEWED:
            plan.status = "renewed"
            new_start, new_end = end, sched.add_months(end, 36)
            renewal_terms = t.renewal_terms(terms, _rate_at_end(plan), Decimal(5))
            successor = Planned(
                1000 + i,
                enterprise_id,
                group,
                new_start,
                new_end,
                replace(renewal_terms, signed_on=new_start - timedelta(days=20)),
                "active",
                new_start - timedelta(days=15),
                predecessor=i,
            )
            plans.append(successor)
        if i == PENDING_RENEWAL:
            new_end = sched.add_months(end, 36)
            plans.append(
                Planned(
                    2000 + i,
                    enterprise_id,
                    group,
                    end,
                    new_end,
                    t.renewal_terms(terms, _rate_at_end(plan), Decimal(3)),
                    "pending_approval",
                    None,
                    predecessor=i,
                )
            )
        if i == TERMINATED:
            # Ended early last month; the unit went to another tenant right after.
            next_tenant = next(tenant_iter, None)
            if next_tenant is not None:
                cut = sched.add_months(month, -1)
                plans.append(
                    Planned(
                        3000 + i,
                        next_tenant,
                        group,
                        cut,
                        sched.add_months(cut, 36),
                        _terms(i + 1, cut, ground),
                        "active",
                        cut - timedelta(days=10),
                    )
                )
    # Pre-letting: the first phase-3 unit from its phase's hand-over date.
    prelet = next(
        (u for u in units if u["phase_status"] != "operating" and u["handover_date"]), None
    )
    extra_tenant = next(tenant_iter, None)
    if prelet and extra_tenant is not None:
        start = prelet["handover_date"]
        terms = replace(
            _terms(1, start, False),
            rent_start=sched.add_months(start, 3),
            signed_on=min(today, start) - timedelta(days=30),
        )
        plans.append(
            Planned(
                4000,
                extra_tenant,
                [prelet],
                start,
                sched.add_months(start, 60),
                terms,
                "active",
                min(today, start) - timedelta(days=25),
            )
        )
    return plans


def _rate_at_end(plan: Planned) -> Decimal:
    lt = _lease_terms(plan)
    return sched.rent_rate_on(lt, last_day_of(plan.end))


def _lease_terms(plan: Planned) -> sched.LeaseTerms:
    gross = sum((u["gross_area"] for u in plan.units), Decimal("0.00"))
    leasable = sum((u["leasable_area"] for u in plan.units), Decimal("0.00"))
    return t.lease_terms(plan.terms, plan.start, plan.end, gross, leasable)


async def _load(db: AsyncSession, park_id: int) -> dict[str, int]:
    today = common.shanghai_today()
    units = await _units(db, park_id)
    tenants = await _enterprises(db, "tenant")
    prospects = await _enterprises(db, "prospect")
    plans = _plan(units, tenants, today)
    if not plans:
        return {}
    db.add(LeaseParkSettings(park_id=park_id, contract_prefix=PREFIX, **LESSOR))

    # Numbers in order of approval, per year.
    counters: dict[int, int] = {}
    for plan in sorted((p for p in plans if p.approved_on), key=lambda p: (p.approved_on, p.key)):
        year = plan.approved_on.year  # type: ignore[union-attr]
        counters[year] = counters.get(year, 0) + 1
        plan.number = f"{PREFIX}-{year}-{counters[year]:04d}"
    by_key = {p.key: p for p in plans}
    rows = [
        {
            "park_id": park_id,
            "enterprise_id": p.enterprise_id,
            "number": p.number,
            "number_year": p.approved_on.year if p.number else None,  # type: ignore[union-attr]
            "number_seq": int(p.number[-4:]) if p.number else None,
            "status": p.status,
            "start_date": p.start,
            "end_date": p.end,
            "signed_on": p.terms.signed_on if p.number else None,
            "purpose": "羽绒服装生产、仓储及电商直播",
            "purpose_en": "down apparel production, storage and e-commerce live streaming",
            "language": "zh_en" if p.key % 4 == 0 else "zh",
            "approved_at": _stamp(p.approved_on) if p.approved_on else None,
            "created_at": _stamp(p.start - timedelta(days=25))
            if p.approved_on
            else _stamp(today - timedelta(days=3)),
        }
        for p in plans
    ]
    inserted = await db.execute(
        sa.insert(LeaseContract).returning(
            LeaseContract.id, LeaseContract.enterprise_id, LeaseContract.start_date
        ),
        rows,
    )
    ids = {(e, s): i for i, e, s in inserted.all()}
    for p in plans:
        p.id = ids[(p.enterprise_id, p.start)]
    for p in plans:
        if p.predecessor is not None:
            await db.execute(
                sa.update(LeaseContract)
                .where(LeaseContract.id == p.id)
                .values(predecessor_id=by_key[p.predecessor].id)
            )

    await db.execute(
        sa.insert(LeaseContractUnit),
        [
            {
                "contract_id": p.id,
                "unit_id": u["id"],
                "unit_code": u["code"],
                "gross_area": u["gross_area"],
                "leasable_area": u["leasable_area"],
            }
            for p in plans
            for u in p.units
        ],
    )
    await db.execute(
        sa.insert(LeaseTerms),
        [
            {"contract_id": p.id, "version": 1, "effective_from": p.start, **t.row_values(p.terms)}
            for p in plans
        ],
    )
    lines = [
        {"contract_id": p.id, **reading.line_values(line, 1)}
        for p in plans
        if p.number
        for line in sched.compute_schedule(_lease_terms(p))
    ]
    await db.execute(sa.insert(LeaseScheduleLine), lines)
    terminated = by_key.get(TERMINATED)
    cut = sched.add_months(today.replace(day=1), -1)
    occupancy = []
    for p in plans:
        end = cut if p is terminated else p.end
        occupancy += [
            {
                "unit_id": u["id"],
                "enterprise_id": p.enterprise_id,
                "kind": "contract",
                "period": common.period_range(p.start, end),
                "contract_id": p.id,
                "active": True,
            }
            for u in p.units
        ]
    await db.execute(sa.insert(LeaseUnitOccupancy), occupancy)
    await db.execute(
        sa.insert(LeaseNumberCounter),
        [{"park_id": park_id, "year": y, "last_value": n} for y, n in counters.items()],
    )
    events = []
    for p in plans:
        created = p.start - timedelta(days=25) if p.approved_on else today - timedelta(days=3)
        steps = [
            ("create", None, "draft", created),
            ("submit", "draft", "pending_approval", created),
        ]
        if p.approved_on:
            steps.append(("approve", "pending_approval", "active", p.approved_on))
        if p.status == "renewed":
            steps.append(("mark_renewed", "active", "renewed", p.end - timedelta(days=15)))
        events += [
            {
                "contract_id": p.id,
                "at": _stamp(day),
                "actor_label": "demo",
                "action": action,
                "from_status": source,
                "to_status": target,
            }
            for action, source, target, day in steps
        ]
    await db.execute(sa.insert(LeaseContractEvent), events)

    reservations = 0
    reserved = next((u for u in units if u["status"] == "reserved"), None)
    if reserved and prospects:
        reservation = LeaseReservation(
            park_id=park_id,
            enterprise_id=prospects[0],
            start_date=today,
            held_until=today + timedelta(days=20),
            status="active",
            note="意向客户，等待董事会确认 (waiting for the board's decision)",
        )
        db.add(reservation)
        await db.flush()
        db.add(LeaseReservationUnit(reservation_id=reservation.id, unit_id=reserved["id"]))
        await db.execute(
            sa.insert(LeaseUnitOccupancy),
            [
                {
                    "unit_id": reserved["id"],
                    "enterprise_id": prospects[0],
                    "kind": "reservation",
                    "period": common.period_range(today, None),
                    "reservation_id": reservation.id,
                    "active": True,
                }
            ],
        )
        reservations = 1
    await db.flush()

    if terminated is not None and cut > terminated.start:
        await terminations.terminate(
            db,
            "demo",
            terminated.id,  # type: ignore[arg-type]
            {
                "last_day": last_day_of(cut).isoformat(),
                "reason": "企业扩产迁入更大厂房 (moved to a larger workshop)",
            },
            today=today,
        )
    # Only units whose status the contracts change (the pre-let unit, ...) go through inventory.
    changed = await leases_occupancy.sync_unit_statuses(
        db, "demo", [u["id"] for p in plans for u in p.units], today
    )
    audit.record(
        db,
        actor="demo",
        action="lease_demo_loaded",
        entity="park",
        entity_id=park_id,
        after={"contracts": len(plans), "schedule_lines": len(lines)},
    )
    await db.flush()
    return {
        "lease_contracts": len(plans),
        "lease_schedule_lines": len(lines),
        "lease_reservations": reservations,
        "unit_statuses_changed": changed,
    }
