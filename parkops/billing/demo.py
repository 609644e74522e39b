"""Demo data of the billing domain: meters, monthly readings, tariffs, deposits and twelve months
of billing history with payments, so the bills, the portal and the reports look lived in.

Built on the leases demo's contracts. For each of the last twelve months (the current one
included) the loader enters the previous month's meter readings, runs the real billing run of the
month on its second day, and records the payments that had arrived by then. Tenants behave
deterministically by their position: most pay in full around the due date (some a few days late,
which the next run turns into late-fee lines), some pay only part, a few stop paying half a year
ago (long overdue, 90+ days in the aging), and one overpays (credit). One reading of last month
is an unusual jump (flagged for confirmation) and the demo enterprise user has a bank slip
waiting for finance.

Deterministic (positions and a seeded generator, dates relative to the current month) and
idempotent: one query tells whether the park already has meters; everything else goes in with
multi-row INSERTs and the set-based billing run.
"""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.billing import deposits
from parkops.billing import run as billing_run
from parkops.billing.models import (
    Allocation,
    Bill,
    BillingParkSettings,
    DepositEntry,
    Meter,
    MeterReading,
    Payment,
    PaymentSlip,
    Tariff,
)
from parkops.billing.rules.run_plan import add_months, month_start
from parkops.leases.rules.workflow import BINDING

PARK_NAME = "红星羽绒电商产业园"  # parkops.inventory.demo.PARK_NAME
SEED = 2026
MONTHS = 12
# a tiny valid PNG, the demo bank slip
SLIP_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763"
    "f8ffff3f0005fe02fea7d6a6a50000000049454e44ae426082"
)


def _profile(index: int) -> str:
    """How the tenant of the index-th contract pays."""
    if index % 13 == 5:
        return "stopped"  # pays nothing for the last six months
    if index % 9 == 4:
        return "partial"
    if index == 2:
        return "overpays"
    return "good"


async def load_demo(db: AsyncSession) -> dict[str, int]:
    park_id = await db.scalar(sa.text("SELECT id FROM parks WHERE name = :n"), {"n": PARK_NAME})
    if park_id is None:
        return {}
    if await db.scalar(sa.select(sa.exists().where(Meter.park_id == park_id))):
        return {}
    contracts = (
        await db.execute(
            sa.text(
                "SELECT id, enterprise_id, start_date, COALESCE(terminated_on, end_date) AS end "
                "FROM lease_contracts WHERE park_id = :p AND status = ANY(:binding) ORDER BY id"
            ),
            {"p": park_id, "binding": [s.value for s in BINDING]},
        )
    ).all()
    if not contracts:
        return {}
    return await _load(db, park_id, contracts)


async def _load(db: AsyncSession, park_id: int, contracts) -> dict[str, int]:
    today = billing_run.shanghai_today()
    current = month_start(today)
    first = add_months(current, -(MONTHS - 1))
    rng = random.Random(SEED)
    counts: dict[str, int] = defaultdict(int)

    db.add(BillingParkSettings(park_id=park_id))
    db.add_all(
        [
            Tariff(
                park_id=park_id,
                kind="electricity",
                valid_from=add_months(first, -24),
                valid_to=add_months(current, -5),
                unit_price_fen=Decimal("85.00"),
                note="大工业用电 (demo)",
            ),
            Tariff(
                park_id=park_id,
                kind="electricity",
                valid_from=add_months(current, -5),
                unit_price_fen=Decimal("88.00"),
                note="调价后 (demo)",
            ),
            Tariff(
                park_id=park_id,
                kind="water",
                valid_from=add_months(first, -24),
                unit_price_fen=Decimal("410.00"),
                note="非居民用水 (demo)",
            ),
        ]
    )
    counts["billing_tariffs"] = 3

    units = (
        await db.execute(
            sa.text(
                """
                SELECT DISTINCT u.id, u.code, u.building_id, u.gross_area
                  FROM units u JOIN lease_contract_units cu ON cu.unit_id = u.id
                  JOIN lease_contracts c ON c.id = cu.contract_id
                 WHERE c.park_id = :p AND c.status = ANY(:binding) ORDER BY u.id
                """
            ),
            {"p": park_id, "binding": [s.value for s in BINDING]},
        )
    ).all()
    buildings = dict(
        (
            await db.execute(
                sa.text("SELECT id, code FROM buildings WHERE id = ANY(:ids)"),
                {"ids": sorted({u.building_id for u in units})},
            )
        ).all()
    )
    installed = add_months(first, -2)
    meter_rows = []
    for u in units:
        for kind, prefix in (("electricity", "E"), ("water", "W")):
            meter_rows.append(
                {
                    "park_id": park_id,
                    "building_id": u.building_id,
                    "unit_id": u.id,
                    "kind": kind,
                    "scope": "unit",
                    "code": f"{prefix}-{u.code}",
                    "multiplier": Decimal(1),
                    "initial_reading": Decimal(0),
                    "installed_on": installed,
                    "active": True,
                    "note": "",
                }
            )
    for building_id, code in sorted(buildings.items()):
        meter_rows.append(
            {
                "park_id": park_id,
                "building_id": building_id,
                "unit_id": None,
                "kind": "electricity",
                "scope": "common",
                "code": f"CE-{code}",
                "multiplier": Decimal(20),
                "initial_reading": Decimal(0),
                "installed_on": installed,
                "active": True,
                "note": "公共区域照明、电梯",
            }
        )
    meter_ids = list(
        (
            await db.execute(
                sa.insert(Meter).returning(Meter.id, sort_by_parameter_order=True), meter_rows
            )
        ).scalars()
    )
    counts["billing_meters"] = len(meter_ids)
    area = {u.id: Decimal(u.gross_area) for u in units}
    meters = [
        {**row, "id": meter_id, "base": _monthly_base(row, area)}
        for row, meter_id in zip(meter_rows, meter_ids, strict=True)
    ]
    values = {m["id"]: Decimal(0) for m in meters}
    history: dict[int, list[Decimal]] = defaultdict(list)

    await _deposits(db, contracts, counts)

    profiles = {c.id: _profile(i) for i, c in enumerate(contracts)}
    pending: list[tuple[date, int, int, int]] = []  # (received on, enterprise, bill, fen)
    for k in range(MONTHS):
        month = add_months(first, k)
        run_date = min(month + timedelta(days=1), today)
        # the readings of the month before, read on its last day
        read_month = add_months(month, -1)
        rows = []
        for m in meters:
            used = (m["base"] * Decimal(rng.randint(80, 120)) / 100).quantize(Decimal("0.01"))
            if k == MONTHS - 1 and m["scope"] == "unit" and m["id"] == meters[7]["id"]:
                used *= 6  # one unusual jump last month: flagged for confirmation
            flagged = k == MONTHS - 1 and m["id"] == meters[7]["id"]
            previous = values[m["id"]]
            values[m["id"]] = previous + used
            history[m["id"]].append(used)
            rows.append(
                {
                    "meter_id": m["id"],
                    "reading_month": read_month,
                    "read_on": month - timedelta(days=1),
                    "value": values[m["id"]],
                    "previous_value": previous,
                    "replaced": False,
                    "consumption": used,
                    "quantity": used * m["multiplier"],
                    "flagged": flagged,
                    "flag_reason": "Consumption more than 3x the average of the previous months."
                    if flagged
                    else "",
                }
            )
        await db.execute(sa.insert(MeterReading), rows)
        counts["billing_meter_readings"] += len(rows)
        # money that arrived before this run
        due_now = [p for p in pending if p[0] < run_date]
        pending = [p for p in pending if p[0] >= run_date]
        await _payments(db, due_now, counts)
        result = await billing_run.run_month(
            billing_run.savepoints(db), "demo", month, today=run_date
        )
        counts["billing_runs"] += 1
        counts["billing_bills"] += result.bills
        new_bills = (
            await db.execute(
                sa.select(
                    Bill.id,
                    Bill.enterprise_id,
                    Bill.contract_id,
                    Bill.due_date,
                    Bill.total_fen - Bill.paid_fen - Bill.credited_fen,
                )
                .where(Bill.run_id == result.run_id)
                .order_by(Bill.id)
            )
        ).all()
        for bill_id, enterprise_id, contract_id, due, open_fen in new_bills:
            if open_fen <= 0:
                continue
            profile = profiles.get(contract_id, "good")
            if profile == "stopped" and k >= MONTHS - 6:
                continue
            delay = rng.choice((-3, -1, 0, 0, 1, 2, 5, 9, 15))
            amount = open_fen
            if profile == "partial" and k >= MONTHS - 4:
                amount = open_fen * rng.randint(40, 85) // 100
            elif profile == "overpays" and k == MONTHS - 3:
                amount = open_fen + 500_000
            pending.append((due + timedelta(days=delay), enterprise_id, bill_id, amount))
    await _payments(db, [p for p in pending if p[0] <= today], counts)
    await _slip(db, counts)
    return dict(counts)


def _monthly_base(meter: dict, area: dict[int, Decimal]) -> Decimal:
    """A plausible monthly consumption: workshops use 3 kWh and 0.03 m³ per m² and month."""
    if meter["scope"] == "common":
        return Decimal(150)  # x20 = 3,000 kWh for a building's corridors, lifts and lights
    m2 = area[meter["unit_id"]]
    per_m2 = Decimal("3") if meter["kind"] == "electricity" else Decimal("0.03")
    return (m2 * per_m2).quantize(Decimal("0.01"))


async def _payments(db: AsyncSession, due: list[tuple[date, int, int, int]], counts) -> None:
    """Record arrived payments in bulk: one payment per bill, allocated to it; an overpayment
    stays on the payment as credit."""
    if not due:
        return
    open_now = dict(
        (
            await db.execute(
                sa.select(Bill.id, Bill.total_fen - Bill.paid_fen - Bill.credited_fen).where(
                    Bill.id.in_([d[2] for d in due])
                )
            )
        ).all()
    )
    rows, allocations = [], []
    for received_on, enterprise_id, bill_id, amount in sorted(due):
        key = hashlib.sha256(f"demo-{bill_id}".encode()).hexdigest()[:32]
        rows.append(
            {
                "enterprise_id": enterprise_id,
                "amount_fen": amount,
                "method": ("bank_transfer", "bank_transfer", "wechat_pay", "alipay")[bill_id % 4],
                "reference": f"DEMO{bill_id:08d}",
                "received_on": received_on,
                "idempotency_key": key,
                "note": "",
            }
        )
        allocations.append((bill_id, min(amount, int(open_now.get(bill_id, 0))), received_on))
    ids = list(
        (
            await db.execute(
                sa.insert(Payment).returning(Payment.id, sort_by_parameter_order=True), rows
            )
        ).scalars()
    )
    alloc_rows = [
        {
            "payment_id": pid,
            "bill_id": bill_id,
            "amount_fen": fen,
            "effective_on": day,
            "source": "payment",
        }
        for pid, (bill_id, fen, day) in zip(ids, allocations, strict=True)
        if fen > 0
    ]
    if alloc_rows:
        await db.execute(sa.insert(Allocation), alloc_rows)
    counts["billing_payments"] += len(ids)


async def _deposits(db: AsyncSession, contracts, counts) -> None:
    rows = []
    for c in contracts:
        required = await deposits.required_fen(db, c.id)
        if required:
            rows.append(
                {
                    "contract_id": c.id,
                    "enterprise_id": c.enterprise_id,
                    "kind": "received",
                    "amount_fen": required,
                    "entry_date": c.start_date,
                    "method": "bank_transfer",
                    "reference": f"DEPOSIT{c.id:06d}",
                    "reason": "",
                }
            )
    if rows:
        await db.execute(sa.insert(DepositEntry), rows)
    counts["billing_deposit_entries"] = len(rows)


async def _slip(db: AsyncSession, counts) -> None:
    """The demo enterprise user reported a payment of its oldest open bill."""
    from parkops.config import get_settings
    from parkops.core import blobs

    row = (
        (
            await db.execute(
                sa.text(
                    """
                SELECT u.id AS user_id, u.enterprise_id,
                       (SELECT b.total_fen - b.paid_fen - b.credited_fen FROM billing_bills b
                         WHERE b.enterprise_id = u.enterprise_id
                           AND b.status IN ('issued', 'partially_paid')
                         ORDER BY b.due_date LIMIT 1) AS open_fen
                  FROM users u WHERE lower(u.username) = 'qiye'
                """
                )
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        return
    amount = int(row["open_fen"] or 1_000_000)
    sha = hashlib.sha256(SLIP_PNG).hexdigest()
    relative = f"{sha[:2]}/{sha}.png"
    from parkops.billing.payments import SLIP_KEY_PREFIX, slips_dir

    local = slips_dir(get_settings().storage_dir) / relative
    await blobs.save(SLIP_KEY_PREFIX + relative, local, SLIP_PNG)
    db.add(
        PaymentSlip(
            enterprise_id=row["enterprise_id"],
            reported_by=row["user_id"],
            amount_fen=amount,
            method="bank_transfer",
            reference="DEMO-SLIP-1",
            paid_on=billing_run.shanghai_today(),
            note="",
            filename="银行回单.png",
            content_type="image/png",
            size_bytes=len(SLIP_PNG),
            sha256=sha,
            storage_path=relative,
            status="pending",
        )
    )
    await db.flush()
    counts["billing_payment_slips"] = 1
