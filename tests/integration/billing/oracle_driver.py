"""The operator's actions on the real system (services, as the pages and the CLI call them) for
a random case (tests/oracle/cases.py), with the oracle fed the same; and what to compare."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.billing import meters, payments
from parkops.billing import run as billing_run
from parkops.billing.models import Allocation, Bill, BillLine
from tests.integration.enterprises.factories import create_enterprise
from tests.integration.inventory.factories import create_building, create_phase, create_unit
from tests.integration.leases.factories import actor, create_contract
from tests.oracle import ledger
from tests.oracle.cases import FIRST_MONTH, MONTHS, Case, form_values
from tests.oracle.schedule import Lease, add_months


@dataclass
class World:
    """The real system and the oracle, side by side."""

    db: AsyncSession
    case: Case
    park: ledger.Park
    contract_ids: dict[int, int] = field(default_factory=dict)  # case index -> contract id
    enterprise_ids: list[int] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)
    leases: list[Lease] = field(default_factory=list)
    leasing: Any = None
    admin: Any = None


def month(i: int) -> date:
    return add_months(FIRST_MONTH, i)


async def build(db: AsyncSession, case: Case) -> World:
    """A park with one building; the contracts' units in it; meters, readings and a tariff."""
    phase = await create_phase(db, number=1)
    building = await create_building(db, phase)
    park_id = phase.park_id
    prices = {"electricity": Fraction(case.price) * 100}
    world = World(db, case, ledger.Park(prices))
    await meters.create_tariff(
        db,
        "test",
        {
            "park_id": park_id,
            "kind": "electricity",
            "price": str(case.price),
            "valid_from": "2024-01-01",
        },
    )
    leasing, admin = await actor(db, "leasing"), await actor(db, "park_admin")
    meter_ids: list[tuple[int, int | None, int]] = []  # (meter id, unit key, typical kWh)
    for i, c in enumerate(case.contracts):
        units = [
            await create_unit(db, building, gross_area=str(a), leasable_area=str(a))
            for a in c.unit_areas
        ]
        enterprise = await create_enterprise(db)
        approved_on = max(c.terms.start + timedelta(days=c.approve_after_days), date(2025, 12, 1))
        world.events.append((approved_on, 0, "approve", i, units, enterprise))
        if c.change:
            world.events.append((approved_on + timedelta(days=c.change[1]), 1, "change", i))
        world.enterprise_ids.append(enterprise.id)
        if case.unit_kwh[i]:
            m = await meters.create_meter(
                db,
                "test",
                {
                    "kind": "electricity",
                    "scope": "unit",
                    "unit_id": units[0].id,
                    "code": f"E{secrets.token_hex(3)}",
                    "installed_on": "2025-01-01",
                },
            )
            meter_ids.append((m.id, units[0].id, case.unit_kwh[i]))
        t = c.terms
        lease = Lease([(t.start, t)])
        world.leases.append(lease)
        world.park.contracts.append(
            ledger.Contract(
                key=i,
                enterprise=i,
                periods=lease.periods,
                start=t.start,
                last_day=lease.last_day,
                units=[(u.id, Fraction(a)) for u, a in zip(units, c.unit_areas, strict=True)],
                late_rate=Fraction(c.late_rate),
                cap_percent=None if c.cap_percent is None else Fraction(c.cap_percent),
            )
        )
    world.leasing, world.admin = leasing, admin
    if case.common_kwh:
        m = await meters.create_meter(
            db,
            "test",
            {
                "kind": "electricity",
                "scope": "common",
                "building_id": building.id,
                "code": f"C{secrets.token_hex(3)}",
                "installed_on": "2025-01-01",
            },
        )
        meter_ids.append((m.id, None, case.common_kwh))
    await _readings(world, meter_ids)
    return world


async def _readings(world: World, meter_ids) -> None:
    totals = {mid: Decimal(0) for mid, _, _ in meter_ids}
    no = 0
    for i in range(MONTHS - 1):
        for mid, unit, typical in meter_ids:
            kwh = Decimal(typical * world.case.wobble[i]) / 100
            totals[mid] += kwh
            read_on = month(i + 1)
            await meters.record_reading(
                world.db,
                "test",
                mid,
                {
                    "reading_month": month(i).isoformat()[:7],
                    "value": str(totals[mid]),
                    "read_on": read_on.isoformat(),
                },
                today=read_on,
            )
            no += 1
            world.park.readings.append(
                ledger.Reading(no, "electricity", month(i), Fraction(kwh), unit)
            )


def timeline(world: World) -> list[tuple]:
    """Every action in date order: approvals, then the day's billing run, then payments."""
    events = list(world.events)
    for i in range(MONTHS):
        events.append((month(i).replace(day=world.case.run_day), 2, "run", month(i)))
    for who, day, percent in world.case.payments:
        events.append((FIRST_MONTH + timedelta(days=day), 3, "pay", who, percent))
    return sorted(events, key=lambda e: (e[0], e[1]))


async def play(world: World) -> None:
    db, park = world.db, world.park
    for event in timeline(world):
        day, kind = event[0], event[2]
        if kind == "approve":
            i, units, enterprise = event[3], event[4], event[5]
            c = world.case.contracts[i]
            contract = await create_contract(
                db,
                leasing=world.leasing,
                admin=world.admin,
                enterprise=enterprise,
                units=units,
                status="active",
                today=day,
                **form_values(c),
            )
            world.contract_ids[i] = contract.id
            park.contracts[i].approved_on = day
            park.contracts[i].order = len(world.contract_ids)
        elif kind == "change":
            await change(world, event[3], day)
        elif kind == "run":
            await billing_run.run_month(billing_run.savepoints(db), "test", event[3], today=day)
            park.run(event[3], day)
        else:
            i, percent = event[3], event[4]
            open_fen = park.balance(i, day)["open_fen"]
            fen = max(1, open_fen * percent // 100) if open_fen else 10_000 * percent
            await payments.record_payment(
                db,
                "test",
                {
                    "enterprise_id": world.enterprise_ids[i],
                    "amount_fen": fen,
                    "method": "bank_transfer",
                    "received_on": day.isoformat(),
                    "reference": "ORACLE",
                    "idempotency_key": secrets.token_urlsafe(12),
                },
                today=day,
            )
            park.pay(i, day, fen)


async def change(world: World, i: int, day: date) -> None:
    """An amendment or an early end of periods not billed yet (a change to billed periods is a
    correction: not modelled, see tests/oracle/choices.py)."""
    from parkops.leases.services import amendments, terminations

    kind, _, how = world.case.contracts[i].change or ("", 0, 0)
    lease, contract = world.leases[i], world.park.contracts[i]
    # After the last period billed (the periods before it with nothing to bill count as billed).
    billed = max(contract.billed_periods, default=date.min)
    unbilled = [p.start for p in lease.periods() if p.start > billed]
    if not unbilled:
        return
    first, start, last = unbilled[0], lease.versions[0][0], lease.last_day()
    if kind == "amend":
        effective = first + timedelta(days=how % 20)
        if not start < effective <= last:
            return
        terms = lease.versions[-1][1]
        rate = (Decimal(terms.rent_rate.numerator) / terms.rent_rate.denominator) * (70 + how)
        rate = (rate / 100).quantize(Decimal("0.01"))
        await amendments.amend_terms(
            world.db,
            world.leasing,
            world.contract_ids[i],
            {"effective_from": effective.isoformat(), "rent_rate": str(rate), "note": "oracle"},
            today=day,
        )
        lease.versions.append((effective, replace(terms, rent_rate=Fraction(rate))))
    else:
        end = first + timedelta(days=(last - first).days * how // 100)
        # Not before the signing date: the product fails on it (a gap, see the README).
        end = max(end, lease.versions[0][1].signed_on or end)
        if not start <= end < last:
            return
        await terminations.terminate(
            world.db,
            world.leasing,
            world.contract_ids[i],
            {"last_day": end.isoformat(), "reason": "oracle"},
            today=day,
        )
        lease.ended = end


async def product_bills(world: World) -> list[tuple]:
    """Every bill of the example as (contract, month, lines, paid, allocations)."""
    db = world.db
    index = {cid: i for i, cid in world.contract_ids.items()}
    bills = (
        (
            await db.execute(
                sa.select(Bill)
                .where(Bill.contract_id.in_(list(world.contract_ids.values())))
                .order_by(Bill.id)
                .execution_options(populate_existing=True)
            )
        )
        .scalars()
        .all()
    )
    out = []
    for b in bills:
        lines = (
            await db.execute(
                sa.select(
                    BillLine.charge_type,
                    BillLine.period_start,
                    BillLine.period_end,
                    BillLine.due_date,
                    BillLine.amount_fen,
                )
                .where(BillLine.bill_id == b.id, BillLine.amount_fen != 0)
                .order_by(BillLine.id)
            )
        ).all()
        allocations = (
            await db.execute(
                sa.select(Allocation.effective_on, sa.func.sum(Allocation.amount_fen))
                .where(Allocation.bill_id == b.id)
                .group_by(Allocation.effective_on)
                .order_by(Allocation.effective_on)
            )
        ).all()
        out.append(
            (
                index[b.contract_id],
                b.run_month,
                b.due_date,
                [tuple(ln) for ln in lines],
                b.total_fen,
                b.paid_fen,
                [tuple(a) for a in allocations],
            )
        )
    return out


def oracle_bills(world: World) -> list[tuple]:
    out = []
    for b in world.park.bills:
        lines = [
            (ln.kind, ln.period_start, ln.period_end, ln.due, ln.amount)
            for ln in b.lines
            if ln.amount
        ]
        by_day: dict[date, int] = {}
        for ln in b.lines:
            for d, fen in ln.paid:
                by_day[d] = by_day.get(d, 0) + fen
        out.append(
            (b.contract, b.month, b.due, lines, b.total, b.total - b.open, sorted(by_day.items()))
        )
    return out


async def balances(world: World, today: date) -> tuple[list[dict], list[dict]]:
    product = [await payments.balance(world.db, e, today) for e in world.enterprise_ids]
    oracle = [world.park.balance(i, today) for i in range(len(world.enterprise_ids))]
    return product, oracle


def explain(got: tuple, want: tuple) -> str:
    """The first bill that differs, line by line (product | oracle)."""
    names = ("contract", "month", "due", "lines", "total", "paid", "allocations")
    out = [f"bill of contract {want[0]} for {want[1]}:"]
    for name, g, w in zip(names, got, want, strict=True):
        if name == "lines":
            for i in range(max(len(g), len(w))):
                a = g[i] if i < len(g) else None
                b = w[i] if i < len(w) else None
                out.append(f"  {'  ' if a == b else '!!'} {a} | {b}")
        elif g != w:
            out.append(f"  !! {name}: {g} | {w}")
    return "\n".join(out)
