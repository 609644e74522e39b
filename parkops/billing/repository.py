"""Heavy queries of the billing domain: what a billing run gathers, open bills of an enterprise.

The billing run reads other domains' tables read-only, because no service of theirs answers these
set-based questions for thousands of contracts at once (asking contract by contract would make a
run of 10,000 contracts take minutes):

* ``lease_contracts``, ``lease_contract_units``, ``lease_terms`` and ``lease_schedule_lines``
  (leases): binding contracts, their units and areas, late-fee terms, the frozen schedule;
* ``units`` and ``buildings`` (inventory): unit and building codes, which building a unit is in.

Nothing here writes to those tables.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.billing import common_shares
from parkops.billing.models import BillingParkSettings, Tariff
from parkops.billing.rules import run_plan as rp
from parkops.billing.rules import settlement, utilities
from parkops.leases.rules.workflow import BINDING

BINDING_STATUSES = tuple(sorted(s.value for s in BINDING))
CATCH_UP_MONTHS = 12
"""How far back a run looks for schedule lines and readings that were never billed."""


def _params(month: date) -> dict:
    return {
        "month": month,
        "next_month": rp.add_months(month, 1),
        "window_start": rp.add_months(month, -CATCH_UP_MONTHS),
        "binding": list(BINDING_STATUSES),
    }


async def candidate_contracts(db: AsyncSession, month: date) -> dict[int, rp.ContractInfo]:
    """Binding contracts without a bill for ``month`` yet (the run may still find nothing)."""
    rows = await db.execute(
        sa.text(
            """
            SELECT c.id, c.enterprise_id, c.park_id FROM lease_contracts c
             WHERE c.status = ANY(:binding)
               AND NOT EXISTS (SELECT 1 FROM billing_bills b
                                WHERE b.contract_id = c.id AND b.run_month = :month)
             ORDER BY c.id
            """
        ),
        _params(month),
    )
    return {r.id: rp.ContractInfo(r.id, r.enterprise_id, r.park_id) for r in rows}


async def schedule_items(db: AsyncSession, month: date) -> list[rp.ScheduleItem]:
    rows = await db.execute(
        sa.text(
            """
            SELECT l.id, l.contract_id, l.period_start, l.period_end, l.due_date, l.rent_fen,
                   l.property_fee_fen
              FROM lease_schedule_lines l
              JOIN lease_contracts c ON c.id = l.contract_id
             WHERE l.superseded_at IS NULL
               AND l.due_date >= :window_start AND l.due_date < :next_month
               AND c.status = ANY(:binding)
               -- A period is billed once, through whichever of its lines was current then;
               -- a later change to it is a correction (parkops.billing.corrections).
               AND NOT EXISTS (SELECT 1 FROM lease_schedule_lines o
                                 JOIN billing_bill_lines bl
                                   ON bl.source_kind = 'schedule' AND bl.source_id = o.id
                                WHERE o.contract_id = l.contract_id
                                  AND o.period_start = l.period_start)
            """
        ),
        _params(month),
    )
    return [rp.ScheduleItem(*r) for r in rows]


_READINGS = """
    SELECT r.id, r.reading_month, r.value, r.previous_value, r.quantity, m.id AS meter_id,
           m.kind, m.park_id, m.code AS meter_code, m.multiplier, m.unit_id, m.building_id
      FROM billing_meter_readings r
      JOIN billing_meters m ON m.id = r.meter_id
     WHERE m.scope = :scope
       AND r.reading_month >= :window_start AND r.reading_month < :month
       AND (NOT r.flagged OR r.confirmed_at IS NOT NULL)
"""


async def unit_readings(db: AsyncSession, month: date) -> list[rp.UnitReading]:
    """Unbilled unit-meter readings, each with the contract that leased the unit for most of
    the reading's month (ties: the lower contract id). Readings of vacant units are left out:
    the park bears them."""
    rows = await db.execute(
        sa.text(
            f"""
            WITH r AS ({_READINGS}
               AND NOT EXISTS (SELECT 1 FROM billing_bill_lines bl
                                WHERE bl.source_kind = 'reading' AND bl.source_id = r.id))
            SELECT DISTINCT ON (r.id) r.*, u.code AS unit_code, c.id AS contract_id
              FROM r
              JOIN units u ON u.id = r.unit_id
              JOIN lease_contract_units cu ON cu.unit_id = r.unit_id
              JOIN lease_contracts c ON c.id = cu.contract_id
             WHERE c.status = ANY(:binding)
               AND c.start_date < (r.reading_month + interval '1 month')::date
               AND COALESCE(c.terminated_on, c.end_date) > r.reading_month
             ORDER BY r.id,
                      LEAST(COALESCE(c.terminated_on, c.end_date),
                            (r.reading_month + interval '1 month')::date)
                      - GREATEST(c.start_date, r.reading_month) DESC,
                      c.id
            """
        ),
        {**_params(month), "scope": "unit"},
    )
    return [
        rp.UnitReading(
            reading_id=r.id,
            contract_id=r.contract_id,
            park_id=r.park_id,
            kind=r.kind,
            unit_id=r.unit_id,
            unit_code=r.unit_code,
            meter_code=r.meter_code,
            reading_month=r.reading_month,
            previous_value=r.previous_value,
            value=r.value,
            multiplier=r.multiplier,
            quantity=r.quantity,
        )
        for r in rows
    ]


async def common_readings(db: AsyncSession, month: date) -> list[rp.CommonReading]:
    """Common-area readings of the window with the leased area of each contract in their
    building and the days it held it in the reading's month (or, once a run divided it, that
    division: ``common_shares``); shares already billed are named so the run skips them."""
    params = {**_params(month), "scope": "common"}
    readings = (await db.execute(sa.text(_READINGS), params)).all()
    if not readings:
        return []
    ids = [r.id for r in readings]
    billed: dict[int, set[int]] = defaultdict(set)
    for source_id, part in await db.execute(
        sa.text(
            "SELECT source_id, source_part FROM billing_bill_lines "
            "WHERE source_kind = 'common_share' AND source_id = ANY(:ids)"
        ),
        {"ids": ids},
    ):
        billed[source_id].add(part)
    buildings = sorted({r.building_id for r in readings})
    codes = dict(
        (
            await db.execute(
                sa.text("SELECT id, code FROM buildings WHERE id = ANY(:ids)"), {"ids": buildings}
            )
        ).all()
    )
    leased = (
        await db.execute(
            sa.text(
                """
                SELECT u.building_id, cu.contract_id, sum(cu.gross_area) AS area,
                       c.start_date, COALESCE(c.terminated_on, c.end_date) AS end_date
                  FROM lease_contract_units cu
                  JOIN lease_contracts c ON c.id = cu.contract_id
                  JOIN units u ON u.id = cu.unit_id
                 WHERE u.building_id = ANY(:buildings) AND c.status = ANY(:binding)
                   AND c.start_date < :month
                   AND COALESCE(c.terminated_on, c.end_date) > :window_start
                 GROUP BY u.building_id, cu.contract_id, c.start_date,
                          COALESCE(c.terminated_on, c.end_date)
                """
            ),
            {**params, "buildings": buildings},
        )
    ).all()
    by_building: dict[int, list] = defaultdict(list)
    for row in leased:
        by_building[row.building_id].append(row)
    divided = await common_shares.recorded(db, ids)
    out = []
    for r in readings:
        start, end = r.reading_month, rp.add_months(r.reading_month, 1)
        bases = []
        for row in by_building.get(r.building_id, []):
            days = (min(end, row.end_date) - max(start, row.start_date)).days
            if days > 0:
                bases.append(utilities.ShareBasis(row.contract_id, Decimal(row.area), days))
        out.append(
            rp.CommonReading(
                reading_id=r.id,
                park_id=r.park_id,
                building_code=codes.get(r.building_id, str(r.building_id)),
                kind=r.kind,
                meter_code=r.meter_code,
                reading_month=r.reading_month,
                quantity=r.quantity,
                shares=divided.get(r.id, tuple(bases)),
                billed_contract_ids=frozenset(billed.get(r.id, ())),
                divided=r.id in divided,
            )
        )
    return out


async def tariffs(db: AsyncSession) -> list[rp.TariffInfo]:
    rows = (await db.execute(sa.select(Tariff))).scalars().all()
    return [
        rp.TariffInfo(
            t.park_id,
            t.kind,
            t.valid_from,
            t.valid_to,
            t.unit_price_fen,
            utilities.parse_tiers(t.tiers),
        )
        for t in rows
    ]


_OVERDUE_BILLS = sa.text(
    """
    WITH candidates AS (
        -- cheap first cut: bills paid in full on time never owe anything. (Issue 17: a
        -- paid_late join instead of this EXISTS under an OR was tried and, on some data, the
        -- planner ran it for minutes; kept until a plan test covers that data.)
        SELECT b.id, b.contract_id, b.status FROM billing_bills b
         WHERE b.due_date + 1 < :cutoff
           AND (b.status IN ('issued', 'partially_paid')
                OR (b.status = 'paid' AND EXISTS (
                    SELECT 1 FROM billing_allocations a
                     WHERE a.bill_id = b.id AND a.effective_on > b.due_date)))),
    first_day AS (  -- per bill, the earliest day not charged yet on any line
        SELECT c.id, c.contract_id, c.status,
               min(GREATEST(l.due_date + 1, lf.charged_to, bf.charged_to)) AS day
          FROM candidates c
          JOIN billing_bill_lines l ON l.bill_id = c.id
          LEFT JOIN LATERAL (
            SELECT max(f.period_end) AS charged_to FROM billing_bill_lines f
             WHERE f.source_kind = 'overdue_line' AND f.source_id = l.id) lf ON true
          LEFT JOIN LATERAL (
            SELECT max(f.period_end) AS charged_to FROM billing_bill_lines f
             WHERE f.source_kind = 'late_fee' AND f.source_id = c.id) bf ON true
         WHERE l.charge_type <> 'late_fee' AND l.amount_fen > 0
         GROUP BY c.id, c.contract_id, c.status)
    SELECT d.id, d.contract_id FROM first_day d
     WHERE d.day < :cutoff
       AND (d.status <> 'paid' OR EXISTS (
            SELECT 1 FROM billing_allocations a
             WHERE a.bill_id = d.id AND a.effective_on > d.day))
     ORDER BY d.id
    """
)


async def overdue_bills(db: AsyncSession, cutoff: date) -> list[rp.OverdueBill]:
    """Issued bills with a line that may owe late fees for days before ``cutoff``: a principal
    line past due whose days were not all charged yet, on a bill that is open, or paid with
    money that arrived after the first uncharged day (the late days before it still count)."""
    rows = (await db.execute(_OVERDUE_BILLS, {"cutoff": cutoff})).all()
    if not rows:
        return []
    ids = [r.id for r in rows]
    inputs = await settlement_inputs(db, ids)
    charged: dict[int, dict[int, rp.FeesCharged]] = defaultdict(dict)
    legacy: dict[int, rp.FeesCharged] = {}
    for kind, bill_id, source_id, fen, to in await db.execute(
        sa.text(
            """
            SELECT f.source_kind, l.bill_id, f.source_id, sum(f.amount_fen), max(f.period_end)
              FROM billing_bill_lines f
              JOIN billing_bill_lines l ON l.id = f.source_id
             WHERE f.source_kind = 'overdue_line' AND l.bill_id = ANY(:ids)
             GROUP BY f.source_kind, l.bill_id, f.source_id
            UNION ALL
            SELECT f.source_kind, f.source_id, f.source_id, sum(f.amount_fen), max(f.period_end)
              FROM billing_bill_lines f
             WHERE f.source_kind = 'late_fee' AND f.source_id = ANY(:ids)
             GROUP BY f.source_kind, f.source_id
            """
        ),
        {"ids": ids},
    ):
        if kind == "late_fee":
            legacy[bill_id] = rp.FeesCharged(int(fen), to)
        else:
            charged[bill_id][source_id] = rp.FeesCharged(int(fen), to)
    terms = await late_fee_terms(db, sorted({r.contract_id for r in rows}))
    out = []
    for r in rows:
        rate, cap = terms.get(r.contract_id, (Decimal("0"), None))
        if rate <= 0:
            continue
        lines, credits, payments = inputs[r.id]
        out.append(
            rp.OverdueBill(
                bill_id=r.id,
                contract_id=r.contract_id,
                lines=tuple(lines),
                credits=tuple(credits),
                payments=tuple(payments),
                charged=charged.get(r.id, {}),
                rate=Decimal(rate),
                cap_percent=None if cap is None else Decimal(cap),
                legacy=legacy.get(r.id),
            )
        )
    return out


SettlementInputs = tuple[list[rp.ChargedLine], list[settlement.Credit], list[tuple[date, int]]]


async def settlement_inputs(db: AsyncSession, bill_ids: list[int]) -> dict[int, SettlementInputs]:
    """Per bill: its lines, its credit notes (with the line each names, if any) and the money
    allocated to it (effective date, fen, in recorded order), for ``settlement.settle``.

    A late-fee waiver names its line; a credit note made by a schedule correction names the line
    that charged the corrected period (the same bill's line of that period and part).
    """
    out: dict[int, SettlementInputs] = {i: ([], [], []) for i in bill_ids}
    if not bill_ids:
        return out
    params = {"ids": bill_ids}
    for r in await db.execute(
        sa.text(
            "SELECT id, bill_id, charge_type, period_start, period_end, due_date, amount_fen "
            "FROM billing_bill_lines WHERE bill_id = ANY(:ids) ORDER BY id"
        ),
        params,
    ):
        out[r.bill_id][0].append(
            rp.ChargedLine(
                r.id, r.charge_type, r.period_start, r.period_end, r.due_date, r.amount_fen
            )
        )
    for bill_id, amount, line_id in await db.execute(
        sa.text(
            """
            WITH notes AS (SELECT n.id, n.bill_id, n.amount_fen, n.bill_line_id
                  FROM billing_credit_notes n WHERE n.bill_id = ANY(:ids)),
            corrected AS (  -- one join for all notes, not a subquery per note
                SELECT DISTINCT ON (n.id) n.id, bl.id AS line_id FROM notes n
                  JOIN billing_schedule_corrections k ON k.credit_note_id = n.id
                  JOIN lease_schedule_lines o
                    ON o.contract_id = k.contract_id AND o.period_start = k.period_start
                  JOIN billing_bill_lines bl
                    ON bl.source_kind = 'schedule' AND bl.source_id = o.id
                   AND bl.source_part = k.part AND bl.bill_id = n.bill_id
                 WHERE n.bill_line_id IS NULL
                 ORDER BY n.id, bl.id)
            SELECT n.bill_id, n.amount_fen, COALESCE(n.bill_line_id, c.line_id) AS line_id
              FROM notes n LEFT JOIN corrected c ON c.id = n.id
             ORDER BY n.id
            """
        ),
        params,
    ):
        out[bill_id][1].append(settlement.Credit(int(amount), line_id))
    for bill_id, day, amount in await db.execute(
        sa.text(
            "SELECT bill_id, effective_on, amount_fen FROM billing_allocations "
            "WHERE bill_id = ANY(:ids) ORDER BY id"
        ),
        params,
    ):
        out[bill_id][2].append((day, int(amount)))
    return out


async def late_fee_terms(
    db: AsyncSession, contract_ids: list[int]
) -> dict[int, tuple[Decimal, Decimal | None]]:
    """Contract id -> (daily late-fee rate, cap in % of the overdue amount) of its latest terms."""
    if not contract_ids:
        return {}
    rows = await db.execute(
        sa.text(
            """
            SELECT DISTINCT ON (contract_id) contract_id, late_fee_daily_rate, late_fee_cap_percent
              FROM lease_terms WHERE contract_id = ANY(:ids)
             ORDER BY contract_id, version DESC
            """
        ),
        {"ids": contract_ids},
    )
    return {r[0]: (r[1], r[2]) for r in rows}


async def pending_adjustments(
    db: AsyncSession, contract_id: int | None = None
) -> list[rp.PendingAdjustment]:
    """Adjustments not on a bill yet (of one contract, or all)."""
    rows = await db.execute(
        sa.text(
            """
            SELECT a.id, a.contract_id, a.amount_fen, a.reason FROM billing_adjustments a
             WHERE NOT EXISTS (SELECT 1 FROM billing_bill_lines bl
                                WHERE bl.source_kind = 'adjustment' AND bl.source_id = a.id)
               AND (CAST(:contract_id AS integer) IS NULL OR a.contract_id = :contract_id)
            """
        ),
        {"contract_id": contract_id},
    )
    return [rp.PendingAdjustment(*r) for r in rows]


async def utility_due_days(db: AsyncSession) -> dict[int, int]:
    rows = await db.execute(
        sa.select(BillingParkSettings.park_id, BillingParkSettings.utility_due_days)
    )
    return dict(rows.all())


async def missing_tariffs(db: AsyncSession, month: date) -> list[tuple[int, str, date]]:
    """(park, kind, month) of readings a run of ``month`` would bill without a tariff, and of
    parks with active meters of a kind but no tariff for the month before ``month``."""
    previous = rp.add_months(month, -1)
    rows = await db.execute(
        sa.text(
            """
            WITH needed AS (
                SELECT DISTINCT m.park_id, m.kind, r.reading_month AS day
                  FROM billing_meter_readings r JOIN billing_meters m ON m.id = r.meter_id
                 WHERE r.reading_month >= :window_start AND r.reading_month < :month
                   AND NOT EXISTS (SELECT 1 FROM billing_bill_lines bl
                                    WHERE bl.source_kind IN ('reading', 'common_share')
                                      AND bl.source_id = r.id)
                UNION
                SELECT DISTINCT m.park_id, m.kind, CAST(:previous AS date)
                  FROM billing_meters m WHERE m.active)
            SELECT n.park_id, n.kind, n.day FROM needed n
             WHERE NOT EXISTS (
                SELECT 1 FROM billing_tariffs t
                 WHERE t.park_id = n.park_id AND t.kind = n.kind AND t.valid_from <= n.day
                   AND (t.valid_to IS NULL OR t.valid_to > n.day))
             ORDER BY n.day, n.park_id, n.kind
            """
        ),
        {**_params(month), "previous": previous},
    )
    return [(r[0], r[1], r[2]) for r in rows]


def month_days(month: date) -> int:
    return (rp.add_months(month, 1) - month).days


# --- names of other domains' rows, for lists and documents (read-only) ----------------------


def enterprise_name_column(enterprise_id_column) -> sa.ScalarSelect:
    from parkops.enterprises.models import Enterprise

    return sa.select(Enterprise.name).where(Enterprise.id == enterprise_id_column).scalar_subquery()


def contract_number_column(contract_id_column) -> sa.ScalarSelect:
    from parkops.leases.models import LeaseContract

    return (
        sa.select(sa.func.coalesce(LeaseContract.number, sa.cast(LeaseContract.id, sa.String)))
        .where(LeaseContract.id == contract_id_column)
        .scalar_subquery()
    )


async def bill_parties(db: AsyncSession, enterprise_id: int, contract_id: int) -> dict:
    """The enterprise, contract, park and unit codes a bill is about."""
    row = (
        (
            await db.execute(
                sa.text(
                    """
                SELECT e.id AS enterprise_id, e.name AS enterprise_name, e.uscc,
                       e.contact_person, e.contact_mobile,
                       c.id AS contract_id, COALESCE(c.number, '#' || c.id) AS contract_number,
                       c.status AS contract_status, c.start_date, c.end_date, c.terminated_on,
                       p.id AS park_id, p.name AS park_name, p.address AS park_address,
                       (SELECT string_agg(cu.unit_code, ', ' ORDER BY cu.unit_code)
                          FROM lease_contract_units cu WHERE cu.contract_id = c.id) AS unit_codes
                  FROM enterprises e, lease_contracts c JOIN parks p ON p.id = c.park_id
                 WHERE e.id = :e AND c.id = :c
                """
                ),
                {"e": enterprise_id, "c": contract_id},
            )
        )
        .mappings()
        .first()
    )
    return {"parties": dict(row) if row else {}}


async def enterprise_choices(db: AsyncSession) -> list[dict]:
    rows = await db.execute(
        sa.text(
            "SELECT id, name FROM enterprises WHERE status IN ('tenant', 'former_tenant') "
            "OR id IN (SELECT enterprise_id FROM billing_bills) ORDER BY name"
        )
    )
    return [dict(r) for r in rows.mappings()]


async def park_choices(db: AsyncSession) -> list[dict]:
    rows = await db.execute(sa.text("SELECT id, name FROM parks ORDER BY id"))
    return [dict(r) for r in rows.mappings()]


async def enterprise_name(db: AsyncSession, enterprise_id: int) -> str | None:
    return await db.scalar(
        sa.text("SELECT name FROM enterprises WHERE id = :id"), {"id": enterprise_id}
    )


# --- lists ---------------------------------------------------------------------------------


async def list_payments(
    db: AsyncSession, user, *, enterprise_id: int | None = None, page: int = 1, page_size: int = 20
):
    from parkops.billing.models import Payment
    from parkops.core.pagination import paginate
    from parkops.enterprises.models import Enterprise

    stmt = (
        sa.select(
            Payment.id,
            Payment.enterprise_id,
            Payment.amount_fen,
            Payment.allocated_fen,
            Payment.refunded_fen,
            Payment.method,
            Payment.reference,
            Payment.received_on,
            Payment.created_at,
            Enterprise.name.label("enterprise_name"),
        )
        .join(Enterprise, Enterprise.id == Payment.enterprise_id)
        .order_by(Payment.received_on.desc(), Payment.id.desc())
    )
    if enterprise_id is not None:
        stmt = stmt.where(Payment.enterprise_id == enterprise_id)
    if user is not None and not user.is_staff:
        stmt = stmt.where(
            Payment.enterprise_id == user.enterprise_id
            if user.enterprise_id is not None and "enterprise_user" in user.roles
            else sa.false()
        )
    return await paginate(db, stmt, page=page, page_size=page_size)


async def _slips(db: AsyncSession, where, limit: int = 100) -> list[dict]:
    from parkops.billing.models import PaymentSlip
    from parkops.enterprises.models import Enterprise

    rows = await db.execute(
        sa.select(PaymentSlip.__table__, Enterprise.name.label("enterprise_name"))
        .join(Enterprise, Enterprise.id == PaymentSlip.enterprise_id)
        .where(where)
        .order_by(PaymentSlip.id.desc())
        .limit(limit)
    )
    return [dict(r) for r in rows.mappings()]


async def pending_slips(db: AsyncSession) -> list[dict]:
    from parkops.billing.models import PaymentSlip

    return await _slips(db, PaymentSlip.status == "pending", 500)


async def count_pending_slips(db: AsyncSession) -> int:
    from parkops.billing.models import PaymentSlip

    query = sa.select(sa.func.count()).where(PaymentSlip.status == "pending")
    return int((await db.execute(query)).scalar_one())


async def recent_slips(db: AsyncSession) -> list[dict]:
    from parkops.billing.models import PaymentSlip

    return await _slips(db, PaymentSlip.status != "pending", 20)


async def enterprise_slips(db: AsyncSession, enterprise_id: int) -> list[dict]:
    from parkops.billing.models import PaymentSlip

    return await _slips(db, PaymentSlip.enterprise_id == enterprise_id, 20)
