"""Billing run over 10,000 active contracts, against the SQL floor.

    .venv/bin/python bench/billing_run.py          # embedded PostgreSQL in a temporary folder
    PARKOPS_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/billing_run.py      # a scratch database on that server

What it does:
1. creates a scratch database and migrates it to head;
2. loads with set-based SQL one park of 100 buildings x 100 units, 10,000 enterprises and
   10,000 active contracts (60% quarterly, 40% monthly; one unit each; started a year ago), their
   frozen schedule lines from this month on (one line due this month per contract: earlier
   periods are taken as billed before the bench, so the run bills one steady-state month),
   an electricity and a water meter per unit with last month's reading, a common-area meter per
   building (shared out by leased area), and the tariffs; then VACUUM ANALYZE;
3. times the floor: ONE set-based SQL statement (a data-modifying CTE) that inserts the same
   bill rows, with the same lines, computing amounts in SQL; rolled back. Also the same
   statement for the bill rows alone;
4. runs the billing of this month through the product code (``parkops.billing.run``: plan,
   then batches of 1,000 whole bills, each inserted, issued and committed), and checks the bills
   equal the floor's;
5. runs the same month again (it must create nothing) and times it.

Targets: ``billing_bills_per_s`` >= 2,000; the repeat run under 2 s; the run within 5x of the
floor (bills and lines in one statement). The last line is ``billing_bills_per_s=X``.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

os.environ.setdefault("PARKOPS_LOG_LEVEL", "WARNING")

import asyncpg  # noqa: E402
from scratch import scratch_database  # noqa: E402 - bench/ is on sys.path as a script

from parkops.config import Settings  # noqa: E402
from parkops.db import migrate  # noqa: E402
from parkops.db.engine import create_engine, session_factory, to_libpq_url  # noqa: E402

BUILDINGS = 100
UNITS_PER_BUILDING = 100
CONTRACTS = BUILDINGS * UNITS_PER_BUILDING


def load_sql(month: str) -> list[str]:
    m = f"DATE '{month}'"
    return [
        "INSERT INTO parks (name, address) VALUES ('Bench park', '江西省九江市庐山市横塘镇')",
        "INSERT INTO phases (park_id, number, name, status) SELECT id, 1, '一期', 'operating' "
        "FROM parks",
        f"""
        INSERT INTO buildings (park_id, phase_id, code, name, main_use, floor_count)
        SELECT ph.park_id, ph.id, 'B' || lpad(b::text, 3, '0'), '', 'production', 1
          FROM phases ph, generate_series(1, {BUILDINGS}) AS b
        """,
        "INSERT INTO floors (building_id, number, name) SELECT id, 1, '' FROM buildings",
        f"""
        INSERT INTO units (park_id, phase_id, building_id, floor_id, code, unit_type,
                           gross_area, leasable_area, status)
        SELECT b.park_id, b.phase_id, b.id, f.id, b.code || '-' || lpad(u::text, 3, '0'),
               'workshop', a.area, round(a.area * 0.9, 2), 'leased'
          FROM buildings b JOIN floors f ON f.building_id = b.id
          CROSS JOIN generate_series(1, {UNITS_PER_BUILDING}) AS u
          CROSS JOIN LATERAL (SELECT 300 + ((b.id * 37 + u * 11) % 1700)::numeric + 0.5 AS area) a
        """,
        f"""
        INSERT INTO enterprises (name, uscc, legal_representative, contact_person,
                                 contact_mobile, industry, registered_capital_fen,
                                 employee_count, status)
        SELECT '庐山市基准' || n || '羽绒服饰有限公司', '91360483' || lpad(n::text, 10, '0'),
               '王伟', '李娜', '13800138000', 'down_apparel', 100000000, 12, 'tenant'
          FROM generate_series(1, {CONTRACTS}) AS n
        """,
        """
        CREATE TEMP TABLE bench_map AS
        SELECT u.n, u.id AS unit_id, u.park_id, u.code, u.gross_area, u.leasable_area,
               e.id AS enterprise_id
          FROM (SELECT row_number() OVER (ORDER BY id) AS n, * FROM units) u
          JOIN (SELECT row_number() OVER (ORDER BY id) AS n, id FROM enterprises) e USING (n)
        """,
        f"""
        INSERT INTO lease_contracts (park_id, enterprise_id, number, number_year, number_seq,
                                     status, start_date, end_date, signed_on, purpose,
                                     purpose_en, special_terms, language)
        SELECT park_id, enterprise_id, 'BN-' || n, 2025, n, 'active',
               ({m} - interval '12 months')::date, ({m} + interval '24 months')::date,
               ({m} - interval '13 months')::date, '羽绒服装生产', '', '', 'zh'
          FROM bench_map
        """,
        """
        ALTER TABLE bench_map ADD COLUMN contract_id int;
        """,
        """
        UPDATE bench_map b SET contract_id = c.id FROM lease_contracts c
         WHERE c.number = 'BN-' || b.n
        """,
        """
        INSERT INTO lease_contract_units (contract_id, unit_id, unit_code, gross_area,
                                          leasable_area)
        SELECT contract_id, unit_id, code, gross_area, leasable_area FROM bench_map
        """,
        f"""
        INSERT INTO lease_terms (contract_id, version, effective_from, rent_basis, rent_rate,
                                 area_basis, property_fee_rate, property_fee_during_rent_free,
                                 cycle, due_kind, due_value, proration, deposit_kind,
                                 deposit_include_property_fee, late_fee_daily_rate,
                                 vat_included, vat_rate, note)
        SELECT contract_id, 1, ({m} - interval '12 months')::date, 'per_m2_month',
               18 + n % 10, 'gross', 3, true,
               CASE WHEN n % 5 < 3 THEN 'quarterly' ELSE 'monthly' END, 'days_before', 0,
               'by_days', 'none', false, 0.0005, true, 0.09, ''
          FROM bench_map
        """,
        f"""
        INSERT INTO lease_schedule_lines (contract_id, terms_version, seq, period_start,
                                          period_end, due_date, rent_fen, property_fee_fen,
                                          breakdown)
        SELECT b.contract_id, 1, k + 1, s.start, s.end_, s.start,
               round(b.gross_area * (18 + b.n % 10) * s.months * 100)::bigint,
               round(b.gross_area * 3 * s.months * 100)::bigint, '[]'::jsonb
          FROM bench_map b
          CROSS JOIN LATERAL (SELECT CASE WHEN b.n % 5 < 3 THEN 3 ELSE 1 END AS months) c
          CROSS JOIN LATERAL generate_series(0, 12 / c.months - 1) AS k
          CROSS JOIN LATERAL (SELECT ({m} + make_interval(months => k * c.months))::date AS start,
                                     ({m} + make_interval(months => (k + 1) * c.months))::date
                                         AS end_, c.months) s
        """,
        f"""
        INSERT INTO billing_tariffs (park_id, kind, valid_from, unit_price_fen, note)
        SELECT id, k, ({m} - interval '24 months')::date, p, 'bench'
          FROM parks, (VALUES ('electricity', 85.0), ('water', 410.0)) AS t(k, p)
        """,
        f"""
        INSERT INTO billing_meters (park_id, building_id, unit_id, kind, scope, code, multiplier,
                                    initial_reading, installed_on, active, note)
        SELECT b.park_id, u.building_id, u.id, k, 'unit', upper(left(k, 1)) || '-' || u.code, 1,
               0, ({m} - interval '13 months')::date, true, ''
          FROM bench_map b JOIN units u ON u.id = b.unit_id,
               (VALUES ('electricity'), ('water')) AS t(k)
        """,
        f"""
        INSERT INTO billing_meters (park_id, building_id, unit_id, kind, scope, code, multiplier,
                                    initial_reading, installed_on, active, note)
        SELECT park_id, id, NULL, 'electricity', 'common', 'CE-' || code, 20, 0,
               ({m} - interval '13 months')::date, true, ''
          FROM buildings
        """,
        f"""
        INSERT INTO billing_meter_readings (meter_id, reading_month, read_on, value,
                                            previous_value, replaced, consumption, quantity,
                                            flagged, flag_reason)
        SELECT m.id, ({m} - interval '1 month')::date, ({m} - interval '1 day')::date,
               q.used, 0, false, q.used, q.used * m.multiplier, false, ''
          FROM billing_meters m
          CROSS JOIN LATERAL (SELECT CASE WHEN m.scope = 'common' THEN 150.25
                                          WHEN m.kind = 'electricity'
                                          THEN 1000 + (m.id * 7919 % 5000) + 0.37
                                          ELSE 10 + (m.id * 31 % 90) + 0.5 END AS used) q
        """,
    ]


def floor_sql(with_lines: bool) -> str:
    """One statement inserting the run's bills (and lines), amounts computed in SQL."""
    items = """
    WITH common AS (
        -- the building's charge, rounded once, divided by largest remainder (exact integers:
        -- areas have two decimals, every contract held its area the whole month)
        SELECT cu.contract_id, 'common_' || m.kind AS charge_type, r.reading_month AS ps,
               (r.reading_month + interval '1 month')::date AS pe,
               round(r.quantity * cu.gross_area / tot.area, 4) AS quantity,
               t.unit_price_fen AS price, r.id AS source_id,
               round(r.quantity * t.unit_price_fen) * cu.gross_area * 100 AS num,
               tot.area * 100 AS den, round(r.quantity * t.unit_price_fen) AS building_fen
          FROM billing_meter_readings r
          JOIN billing_meters m ON m.id = r.meter_id AND m.scope = 'common'
          JOIN units u ON u.building_id = m.building_id
          JOIN lease_contract_units cu ON cu.unit_id = u.id
          JOIN (SELECT u2.building_id, sum(cu2.gross_area) AS area
                  FROM lease_contract_units cu2 JOIN units u2 ON u2.id = cu2.unit_id
                 GROUP BY u2.building_id) tot ON tot.building_id = m.building_id
          JOIN billing_tariffs t ON t.park_id = m.park_id AND t.kind = m.kind
         WHERE r.reading_month = ($1::date - interval '1 month')::date),
    shares AS (
        SELECT c.*, div(num, den)::bigint AS base,
               (building_fen - sum(div(num, den)) OVER (PARTITION BY source_id))::bigint AS spare,
               row_number() OVER (PARTITION BY source_id ORDER BY mod(num, den) DESC,
                                  contract_id) AS rank
          FROM common c),
    items AS (
        SELECT l.contract_id, 'rent' AS charge_type, l.period_start AS ps, l.period_end AS pe,
               1::numeric AS quantity, l.rent_fen::numeric AS price, l.rent_fen AS amount,
               'schedule' AS source_kind, l.id AS source_id, 1::bigint AS source_part,
               l.due_date AS due, NULL::int AS unit_id
          FROM lease_schedule_lines l
         WHERE l.due_date >= $1::date AND l.due_date < ($1::date + interval '1 month')::date
           AND l.superseded_at IS NULL
        UNION ALL
        SELECT l.contract_id, 'property_fee', l.period_start, l.period_end, 1,
               l.property_fee_fen, l.property_fee_fen, 'schedule', l.id, 2, l.due_date, NULL
          FROM lease_schedule_lines l
         WHERE l.due_date >= $1::date AND l.due_date < ($1::date + interval '1 month')::date
           AND l.superseded_at IS NULL
        UNION ALL
        SELECT cu.contract_id, m.kind, r.reading_month,
               (r.reading_month + interval '1 month')::date, r.quantity, t.unit_price_fen,
               round(r.quantity * t.unit_price_fen)::bigint, 'reading', r.id, 0, NULL, m.unit_id
          FROM billing_meter_readings r
          JOIN billing_meters m ON m.id = r.meter_id AND m.scope = 'unit'
          JOIN lease_contract_units cu ON cu.unit_id = m.unit_id
          JOIN billing_tariffs t ON t.park_id = m.park_id AND t.kind = m.kind
         WHERE r.reading_month = ($1::date - interval '1 month')::date
        UNION ALL
        SELECT contract_id, charge_type, ps, pe, quantity, price,
               base + CASE WHEN rank <= spare THEN 1 ELSE 0 END,
               'common_share', source_id, contract_id, NULL, NULL
          FROM shares),
    bills AS (
        INSERT INTO billing_bills (park_id, enterprise_id, contract_id, run_month, status,
                                   issue_date, due_date, total_fen, paid_fen, credited_fen,
                                   rounding_policy)
        SELECT c.park_id, c.enterprise_id, c.id, $1::date, 'draft', $2::date,
               min(COALESCE(i.due, $2::date + 10)), sum(i.amount), 0, 0, 'half_up_fen'
          FROM items i JOIN lease_contracts c ON c.id = i.contract_id
         GROUP BY c.id
        RETURNING id, contract_id)
    """
    if not with_lines:
        return items + "SELECT count(*) FROM bills"
    return (
        items
        + """,
    lines AS (
        INSERT INTO billing_bill_lines (bill_id, charge_type, description, period_start,
                                        period_end, quantity, unit_price_fen, amount_fen,
                                        unit_id, source_kind, source_id, source_part, due_date)
        SELECT b.id, i.charge_type, '', i.ps, i.pe, i.quantity, i.price, i.amount, i.unit_id,
               i.source_kind, i.source_id, i.source_part, COALESCE(i.due, $2::date + 10)
          FROM items i JOIN bills b ON b.contract_id = i.contract_id
        RETURNING bill_id)
    SELECT (SELECT count(*) FROM bills), (SELECT count(*) FROM lines)
    """
    )


async def time_floor(url: str, month, today) -> dict:
    conn = await asyncpg.connect(to_libpq_url(url))
    out = {}
    try:
        for with_lines in (False, True):
            best = None
            for _ in range(3):
                tx = conn.transaction()
                await tx.start()
                started = time.perf_counter()
                row = await conn.fetchrow(floor_sql(with_lines), month, today)
                elapsed = time.perf_counter() - started
                totals = await conn.fetch(
                    "SELECT contract_id, total_fen FROM billing_bills ORDER BY contract_id"
                )
                await tx.rollback()
                best = elapsed if best is None else min(best, elapsed)
            out["lines" if with_lines else "bills"] = (best, tuple(row))
            out["totals"] = {r["contract_id"]: r["total_fen"] for r in totals}
    finally:
        await conn.close()
    return out


async def load(url: str, month: str) -> float:
    conn = await asyncpg.connect(to_libpq_url(url))
    started = time.perf_counter()
    try:
        async with conn.transaction():
            for statement in load_sql(month):
                await conn.execute(statement)
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    return time.perf_counter() - started


async def run_billing(url: str, month, today):
    import parkops.models  # noqa: F401
    from parkops.billing import run

    engine = create_engine(url, pool_size=2)
    try:
        tx = run.committing(session_factory(engine))
        started = time.perf_counter()
        first = await run.run_month(tx, "bench", month, today=today)
        first_s = time.perf_counter() - started
        started = time.perf_counter()
        second = await run.run_month(tx, "bench", month, today=today)
        second_s = time.perf_counter() - started
        conn = await asyncpg.connect(to_libpq_url(url))
        try:
            totals = {
                r["contract_id"]: r["total_fen"]
                for r in await conn.fetch(
                    "SELECT contract_id, total_fen FROM billing_bills WHERE run_month = $1",
                    month,
                )
            }
            statuses = await conn.fetch(
                "SELECT status, count(*) FROM billing_bills GROUP BY status"
            )
        finally:
            await conn.close()
    finally:
        await engine.dispose()
    return first, first_s, second, second_s, totals, statuses


def main() -> None:
    from parkops.billing.rules.run_plan import month_start
    from parkops.billing.run import shanghai_today

    today = shanghai_today()
    month = month_start(today)
    url, _server, cleanup = scratch_database()
    try:
        settings = Settings(
            env="development",
            database_url=url,
            storage_dir=Path(tempfile.mkdtemp(prefix="pko-bench-storage-")),
        )
        migrate.upgrade(settings, url)
        loaded = asyncio.run(load(url, month.isoformat()))
        print(f"loaded {CONTRACTS:,} contracts with meters and readings in {loaded:.1f} s")
        floor = asyncio.run(time_floor(url, month, today))
        bills_only, (n_bills,) = floor["bills"]
        with_lines, (f_bills, f_lines) = floor["lines"]
        print(
            f"SQL floor, bills only (1 statement):        {bills_only:.3f} s for {n_bills:,} bills"
        )
        print(
            f"SQL floor, bills and lines (1 statement):   {with_lines:.3f} s for {f_bills:,} "
            f"bills, {f_lines:,} lines"
        )
        first, first_s, second, second_s, totals, statuses = asyncio.run(
            run_billing(url, month, today)
        )
        rate = first.bills / first_s
        print(
            f"billing run {month:%Y-%m}:  {first_s:.3f} s, {first.bills:,} bills, "
            f"{first.lines:,} lines, {rate:,.0f} bills/s"
        )
        print(f"same month again:   {second_s:.3f} s, {second.bills} bills, {second.lines} lines")
        print("bill statuses: " + ", ".join(f"{s}={n}" for s, n in statuses))
        same = totals == floor["totals"]
        print(f"bills equal to the floor's: {same} ({len(totals):,} vs {len(floor['totals']):,})")
        print(
            f"run / floor (bills and lines): {first_s / with_lines:.1f}x; "
            f"run / floor (bills only): {first_s / bills_only:.1f}x"
        )
        print(
            f"targets: >= 2,000 bills/s: {rate >= 2000}; repeat < 2 s: {second_s < 2}; "
            f"within 5x of the floor: {first_s <= 5 * with_lines}"
        )
        print(f"billing_bills_per_s={rate:.0f}")
    finally:
        cleanup()


if __name__ == "__main__":
    main()
