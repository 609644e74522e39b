"""Finance reports, aggregated in SQL: arrears aging, collection rate, rent roll, revenue by
charge type, contracts in arrears, and late fees accrued but not charged yet.

Each report returns rows of plain values (amounts in fen, ``*_fen``); :func:`report` adds yuan
columns (``*_yuan``) and the column spec used by the CSV/XLSX export (``core.tabular``), so the
pages, the downloads and ``parkops billing report`` show the same numbers.

Amounts open are what is open *now*; "as of" moves the date the ages are counted to (aging) or
the date a contract must cover (rent roll), it does not replay history.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.billing import repository
from parkops.billing.rules import late_fees, vocabulary
from parkops.billing.rules import run_plan as rp
from parkops.billing.run import shanghai_today
from parkops.core.context import language_var
from parkops.core.i18n import N_
from parkops.core.money import fen_to_yuan
from parkops.core.pagination import Page, clamp
from parkops.core.tabular import Column, choice, date_value, integer, text
from parkops.core.tabular import decimal as decimal_cell

MONEY = decimal_cell(places=2)
OPEN = "b.status IN ('issued', 'partially_paid') AND b.total_fen - b.paid_fen - b.credited_fen > 0"
OPEN_AMOUNT = "(b.total_fen - b.paid_fen - b.credited_fen)"

AGING_BUCKETS = (
    ("not_due_fen", "Not yet due", "未到期"),
    ("d1_30_fen", "1-30 days", "1-30天"),
    ("d31_60_fen", "31-60 days", "31-60天"),
    ("d61_90_fen", "61-90 days", "61-90天"),
    ("d90_plus_fen", "Over 90 days", "90天以上"),
)


Window = tuple[int, int]  # (offset, limit) of the rows a page shows


def _window_sql(window: Window | None) -> str:
    return "" if window is None else " LIMIT :limit OFFSET :offset"


def _window_params(window: Window | None) -> dict[str, int]:
    return {} if window is None else {"offset": window[0], "limit": window[1]}


def _money(name: str, en: str, zh: str) -> Column:
    return Column(name.removesuffix("_fen") + "_yuan", en, zh, parse=MONEY)


async def aging(
    db: AsyncSession, as_of: date | None = None, window: Window | None = None
) -> list[dict]:
    as_of = as_of or shanghai_today()
    rows = await db.execute(
        sa.text(
            f"""
            SELECT e.id AS enterprise_id, e.name AS enterprise_name,
                   COALESCE(sum({OPEN_AMOUNT}) FILTER (WHERE b.due_date >= :d), 0)::bigint
                       AS not_due_fen,
                   COALESCE(sum({OPEN_AMOUNT}) FILTER (
                       WHERE :d - b.due_date BETWEEN 1 AND 30), 0)::bigint AS d1_30_fen,
                   COALESCE(sum({OPEN_AMOUNT}) FILTER (
                       WHERE :d - b.due_date BETWEEN 31 AND 60), 0)::bigint AS d31_60_fen,
                   COALESCE(sum({OPEN_AMOUNT}) FILTER (
                       WHERE :d - b.due_date BETWEEN 61 AND 90), 0)::bigint AS d61_90_fen,
                   COALESCE(sum({OPEN_AMOUNT}) FILTER (WHERE :d - b.due_date > 90), 0)::bigint
                       AS d90_plus_fen,
                   sum({OPEN_AMOUNT})::bigint AS total_fen, count(*) OVER () AS total_rows
              FROM billing_bills b JOIN enterprises e ON e.id = b.enterprise_id
             WHERE {OPEN}
             GROUP BY e.id, e.name
             ORDER BY d90_plus_fen DESC, total_fen DESC, e.name, e.id
            """
            + _window_sql(window)
        ),
        {"d": as_of} | _window_params(window),
    )
    return [dict(r) for r in rows.mappings()]


async def open_totals(db: AsyncSession, as_of: date | None = None) -> dict[str, int]:
    """What is open in all and open more than 90 days, for the dashboard: one aggregate over
    the open bills (``ix_billing_bills_status_due_date``), not the aging report's rows."""
    as_of = as_of or shanghai_today()
    row = (
        await db.execute(
            sa.text(
                f"""
                SELECT COALESCE(sum({OPEN_AMOUNT}), 0)::bigint AS open_fen,
                       COALESCE(sum({OPEN_AMOUNT}) FILTER (WHERE :d - b.due_date > 90), 0)::bigint
                           AS overdue_90_fen
                  FROM billing_bills b WHERE {OPEN}
                """
            ),
            {"d": as_of},
        )
    ).one()
    return {"open_fen": row.open_fen, "overdue_90_fen": row.overdue_90_fen}


AGING_COLUMNS = [
    Column("enterprise_name", "Enterprise", "企业", parse=text()),
    *[_money(name, en, zh) for name, en, zh in AGING_BUCKETS],
    _money("total_fen", "Total open", "欠费合计"),
]


async def collection(db: AsyncSession) -> list[dict]:
    """Per billing month (and per phase within it): billed (less credit notes), collected,
    rate. Phase rows have ``phase``; the month's total row has none."""
    rows = await db.execute(
        sa.text(
            """
            WITH cp AS (  -- a contract's phase: that of its first unit (once, not per bill)
                SELECT DISTINCT ON (cu.contract_id) cu.contract_id, ph.name AS phase
                  FROM lease_contract_units cu
                  JOIN units u ON u.id = cu.unit_id JOIN phases ph ON ph.id = u.phase_id
                 ORDER BY cu.contract_id, cu.unit_id),
            bp AS (
                SELECT b.run_month, b.total_fen - b.credited_fen AS billed, b.paid_fen, cp.phase
                  FROM billing_bills b LEFT JOIN cp ON cp.contract_id = b.contract_id
                 WHERE b.status <> 'draft')
            SELECT run_month, phase, sum(billed)::bigint AS billed_fen,
                   sum(paid_fen)::bigint AS collected_fen, GROUPING(phase) AS is_total
              FROM bp
             GROUP BY GROUPING SETS ((run_month), (run_month, phase))
             ORDER BY run_month DESC, GROUPING(phase) DESC, phase
            """
        )
    )
    out = []
    for r in rows.mappings():
        row = dict(r)
        row["month"] = row["run_month"].strftime("%Y-%m")
        row["phase"] = "" if row["is_total"] else (row["phase"] or "-")
        billed = row["billed_fen"] or 0
        row["rate_percent"] = (
            (Decimal(row["collected_fen"] or 0) * 100 / billed).quantize(Decimal("0.1"))
            if billed
            else None
        )
        out.append(row)
    return out


COLLECTION_COLUMNS = [
    Column("month", "Month", "账期", parse=text()),
    Column("phase", "Phase", "期数", parse=text()),
    _money("billed_fen", "Billed", "应收"),
    _money("collected_fen", "Collected", "实收"),
    Column("rate_percent", "Collection rate (%)", "收缴率(%)", parse=decimal_cell(places=1)),
]


async def rent_roll(
    db: AsyncSession, as_of: date | None = None, window: Window | None = None
) -> list[dict]:
    as_of = as_of or shanghai_today()
    rows = await db.execute(
        sa.text(
            """
            SELECT c.id AS contract_id, COALESCE(c.number, '#' || c.id) AS contract_number,
                   e.name AS enterprise_name,
                   cu.units, cu.area,
                   c.start_date, COALESCE(c.terminated_on, c.end_date) AS end_date,
                   l.period_start, l.period_end, l.rent_fen, l.property_fee_fen,
                   t.cycle, t.rent_basis, t.rent_rate,
                   COALESCE(d.held_fen, 0) AS deposit_held_fen, count(*) OVER () AS total_rows
              FROM lease_contracts c
              JOIN enterprises e ON e.id = c.enterprise_id
              LEFT JOIN (  -- units and area of every contract in one pass, not one per row
                SELECT contract_id, string_agg(unit_code, ', ' ORDER BY unit_code) AS units,
                       sum(gross_area) AS area
                  FROM lease_contract_units GROUP BY contract_id) cu ON cu.contract_id = c.id
              LEFT JOIN LATERAL (
                SELECT * FROM lease_schedule_lines s
                 WHERE s.contract_id = c.id AND s.superseded_at IS NULL
                   AND s.period_start <= :d AND s.period_end > :d LIMIT 1) l ON true
              LEFT JOIN LATERAL (
                SELECT cycle, rent_basis, rent_rate FROM lease_terms lt
                 WHERE lt.contract_id = c.id ORDER BY lt.version DESC LIMIT 1) t ON true
              LEFT JOIN billing_deposit_accounts d ON d.contract_id = c.id
             WHERE c.status IN ('active', 'expired', 'terminated', 'renewed')
               AND c.start_date <= :d AND COALESCE(c.terminated_on, c.end_date) > :d
             ORDER BY units, c.id
            """
            + _window_sql(window)
        ),
        {"d": as_of} | _window_params(window),
    )
    out = []
    for r in rows.mappings():
        row = dict(r)
        row["last_day"] = row["end_date"] - timedelta(days=1)
        out.append(row)
    return out


RENT_ROLL_COLUMNS = [
    Column("units", "Units", "单元", parse=text()),
    Column("enterprise_name", "Enterprise", "企业", parse=text()),
    Column("contract_number", "Contract", "合同编号", parse=text()),
    Column("area", "Area (m²)", "面积(m²)", parse=decimal_cell(places=2)),
    Column("rent_rate", "Rent rate", "租金单价", parse=decimal_cell(places=4)),
    Column(
        "cycle", "Cycle", "付款周期", parse=choice(vocabulary.bilingual(vocabulary.CYCLE_LABELS))
    ),
    _money("rent_fen", "Rent of the current period", "本期租金"),
    _money("property_fee_fen", "Property fee of the current period", "本期物业费"),
    Column("start_date", "From", "起始日", parse=date_value()),
    Column("last_day", "To", "终止日", parse=date_value()),
    _money("deposit_held_fen", "Deposit held", "押金余额"),
]


async def revenue(db: AsyncSession) -> list[dict]:
    """Billed per month and charge type; credit notes as negative rows."""
    rows = await db.execute(
        sa.text(
            """
            SELECT b.run_month, l.charge_type, sum(l.amount_fen)::bigint AS amount_fen
              FROM billing_bill_lines l JOIN billing_bills b ON b.id = l.bill_id
             WHERE b.status <> 'draft'
             GROUP BY b.run_month, l.charge_type
            UNION ALL
            SELECT b.run_month, :credit_notes, -sum(n.amount_fen)::bigint
              FROM billing_credit_notes n JOIN billing_bills b ON b.id = n.bill_id
             GROUP BY b.run_month
             ORDER BY 1 DESC, 2
            """
        ),
        {"credit_notes": vocabulary.CREDIT_NOTES},
    )
    out = []
    for r in rows.mappings():
        row = dict(r)
        row["month"] = row["run_month"].strftime("%Y-%m")
        out.append(row)
    return out


REVENUE_COLUMNS = [
    Column("month", "Month", "账期", parse=text()),
    Column(
        "charge_type",
        "Charge",
        "费用类型",
        parse=choice(vocabulary.bilingual(vocabulary.REVENUE_LABELS)),
    ),
    _money("amount_fen", "Amount", "金额"),
]


async def arrears(
    db: AsyncSession, days: int = 90, as_of: date | None = None, window: Window | None = None
) -> list[dict]:
    """Contracts with a bill open more than ``days`` days after its due date."""
    as_of = as_of or shanghai_today()
    rows = await db.execute(
        sa.text(
            f"""
            SELECT c.id AS contract_id, COALESCE(c.number, '#' || c.id) AS contract_number,
                   e.id AS enterprise_id, e.name AS enterprise_name, c.status AS contract_status,
                   min(b.due_date) AS oldest_due, :d - min(b.due_date) AS days_overdue,
                   count(*) AS bills,
                   sum({OPEN_AMOUNT})::bigint AS overdue_fen,
                   sum({OPEN_AMOUNT}) FILTER (WHERE :d - b.due_date > :n)::bigint
                       AS over_limit_fen, count(*) OVER () AS total_rows
              FROM billing_bills b
              JOIN lease_contracts c ON c.id = b.contract_id
              JOIN enterprises e ON e.id = b.enterprise_id
             WHERE {OPEN} AND b.due_date < :d
             GROUP BY c.id, e.id, e.name
            HAVING :d - min(b.due_date) > :n
             ORDER BY days_overdue DESC, overdue_fen DESC, c.id
            """
            + _window_sql(window)
        ),
        {"d": as_of, "n": days} | _window_params(window),
    )
    return [dict(r) for r in rows.mappings()]


ARREARS_COLUMNS = [
    Column("contract_number", "Contract", "合同编号", parse=text()),
    Column("enterprise_name", "Enterprise", "企业", parse=text()),
    Column("oldest_due", "Oldest due date", "最早应付日", parse=date_value()),
    Column("days_overdue", "Days overdue", "逾期天数", parse=integer()),
    Column("bills", "Overdue bills", "逾期账单数", parse=integer()),
    _money("overdue_fen", "Overdue", "逾期金额"),
    _money("over_limit_fen", "Overdue beyond the limit", "超期金额"),
]


async def accrued_late_fees(
    db: AsyncSession, as_of: date | None = None, lang: str | None = None
) -> list[dict]:
    """Late fees accrued up to ``as_of`` (exclusive) and not charged yet, one row per overdue
    line (what the next billing run will charge); ``basis`` in ``lang`` (default: the
    reader's)."""
    as_of = as_of or shanghai_today()
    lang = lang or language_var.get()
    overdue = await repository.overdue_bills(db, as_of)
    names = (
        dict(
            (
                await db.execute(
                    sa.text(
                        "SELECT b.id, e.name FROM billing_bills b JOIN enterprises e "
                        "ON e.id = b.enterprise_id WHERE b.id = ANY(:ids)"
                    ),
                    {"ids": [b.bill_id for b in overdue]},
                )
            ).all()
        )
        if overdue
        else {}
    )
    out = []
    for bill in sorted(overdue, key=lambda b: b.bill_id):
        # due_date: of the lines the run would write; nothing is written here.
        for line in rp.late_fee_lines(bill, as_of, due_date=as_of):
            detail = line.detail or {}
            out.append(
                {
                    "bill_id": bill.bill_id,
                    "contract_id": bill.contract_id,
                    "line_id": detail["line_id"],
                    "enterprise_name": names.get(bill.bill_id, ""),
                    "charge_type": detail["charge_type"],
                    "line_due_date": date.fromisoformat(detail["due_date"]),
                    "from_date": line.period_start,
                    "days": int(line.quantity),
                    "amount_fen": line.amount_fen,
                    "basis": late_fees.describe(detail, lang) or line.description,
                }
            )
    return out


LATE_FEE_COLUMNS = [
    Column("bill_id", "Bill", "账单", parse=integer()),
    Column("enterprise_name", "Enterprise", "企业", parse=text()),
    Column(
        "charge_type",
        "Charge",
        "费用项目",
        parse=choice(vocabulary.bilingual(vocabulary.CHARGE_LABELS)),
    ),
    Column("line_due_date", "Due date", "应付日", parse=date_value()),
    Column("from_date", "From", "起算日", parse=date_value()),
    Column("days", "Days", "天数", parse=integer()),
    _money("amount_fen", "Late fee", "滞纳金"),
    Column("basis", "Basis", "计算依据", parse=text()),
]

REPORTS = {
    "aging": (N_("Arrears aging"), "欠费账龄", AGING_COLUMNS),
    "collection": (N_("Collection rate"), "收缴率", COLLECTION_COLUMNS),
    "rent-roll": (N_("Rent roll"), "租金清单", RENT_ROLL_COLUMNS),
    "revenue": (N_("Revenue by charge type"), "分类收入", REVENUE_COLUMNS),
    "arrears": (N_("Contracts in arrears"), "逾期合同", ARREARS_COLUMNS),
    "late-fees": (N_("Accrued late fees"), "应计滞纳金", LATE_FEE_COLUMNS),
}


async def report_page(
    db: AsyncSession, name: str, page: int, page_size: int, *, as_of: date | None, days: int
) -> tuple[list[Column], Page]:
    """One page of a report, for the report page: the reports whose rows grow with the park
    (one per enterprise or contract) read only that page in SQL (the total comes with it, as a
    window count); the others have a row per month, or (late fees) are computed whole first."""
    page, page_size = clamp(page, page_size)
    windowed = {
        "aging": lambda w: aging(db, as_of, w),
        "rent-roll": lambda w: rent_roll(db, as_of, w),
        "arrears": lambda w: arrears(db, days, as_of, w),
    }
    offset = (page - 1) * page_size
    if name in windowed:
        rows = await windowed[name]((offset, page_size))
        if not rows and page > 1:  # past the end: the total still shows
            rows_first = await windowed[name]((0, 1))
            total = rows_first[0]["total_rows"] if rows_first else 0
        else:
            total = rows[0]["total_rows"] if rows else 0
        return REPORTS[name][2], Page(with_yuan(rows), total, page, page_size)
    columns, rows = await report(db, name, as_of=as_of, days=days)
    return columns, Page(rows[offset : offset + page_size], len(rows), page, page_size)


def with_yuan(rows: list[dict]) -> list[dict]:
    """Add ``x_yuan`` (Decimal yuan) next to every ``x_fen`` for the exports."""
    out = []
    for row in rows:
        extra = {
            k.removesuffix("_fen") + "_yuan": fen_to_yuan(int(v)) if v is not None else None
            for k, v in row.items()
            if k.endswith("_fen")
        }
        out.append({**row, **extra})
    return out


async def report(
    db: AsyncSession, name: str, *, as_of: date | None = None, days: int = 90
) -> tuple[list[Column], list[dict[str, Any]]]:
    """(columns, rows) of a report by its name in :data:`REPORTS`."""
    if name == "aging":
        rows = await aging(db, as_of)
    elif name == "collection":
        rows = await collection(db)
    elif name == "rent-roll":
        rows = await rent_roll(db, as_of)
    elif name == "revenue":
        rows = await revenue(db)
    elif name == "arrears":
        rows = await arrears(db, days, as_of)
    elif name == "late-fees":
        rows = await accrued_late_fees(db, as_of)
    else:
        raise KeyError(name)
    return REPORTS[name][2], with_yuan(rows)
