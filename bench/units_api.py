"""Unit list API against a bare asyncpg twin, over 100,000 units; and the occupancy query.

    .venv/bin/python bench/units_api.py            # embedded PostgreSQL in a temporary folder
    PARKOPS_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/units_api.py        # a scratch database on that server

What it does:
1. creates a scratch database and migrates it to head;
2. loads, with set-based SQL (generate_series), one park of 4 phases x 125 buildings x 10 floors
   x 20 units = 100,000 units (phases 1-3 operating, phase 4 under construction; statuses,
   types and areas spread deterministically), plus 5,000 enterprises when the enterprises table
   exists (the unit list does not read them; they only make the database realistic);
   then VACUUM ANALYZE, as autovacuum would after such a load;
3. creates a leasing user with an API token;
4. starts the app with uvicorn in a subprocess (1 worker, uvloop, httptools, access log off),
   and, in another, the bare app of ``bench/units_raw.py`` (no middleware, no guards) whose
   ``GET /bench/raw/units`` runs the same two SQL statements (count + page) compiled from the
   same SQLAlchemy code on a plain asyncpg pool;
5. checks both endpoints return the same units, then drives each for BENCH_SECONDS (default
   12) in BENCH_ROUNDS (default 4) alternating rounds with ``wrk`` (Debian package ``wrk``;
   BENCH_THREADS, default 2, BENCH_CONNECTIONS, default 8);
6. times the occupancy dashboard query (``repository.occupancy``) in-process: median of 25.

The query driven is a typical filtered list: one phase, status ``available``, sorted by code,
20 rows a page. The last lines are ``occupancy_ms=...`` and ``units_api_vs_raw_ratio=...``.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

os.environ.setdefault("PARKOPS_LOG_LEVEL", "WARNING")

import asyncpg  # noqa: E402
import httpx  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from http_load import CONNECTIONS, require_wrk, run_wrk, start_server, stop  # noqa: E402
from scratch import scratch_database  # noqa: E402 - bench/ is on sys.path as a script

from parkops.config import Settings  # noqa: E402
from parkops.db import migrate  # noqa: E402
from parkops.db.engine import create_engine, session_factory, to_libpq_url  # noqa: E402

UNITS_PER_FLOOR = 20
FLOORS = 10
BUILDINGS_PER_PHASE = 125
PHASES = 4
ENTERPRISES = 5_000
SECONDS = float(os.environ.get("BENCH_SECONDS", "12"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "4"))
OCCUPANCY_RUNS = 25

LOAD_SQL = [
    "INSERT INTO parks (name, address) VALUES ('Bench park', '江西省九江市庐山市横塘镇')",
    f"""
    INSERT INTO phases (park_id, number, name, status, planned_area)
    SELECT p.id, n, 'Phase ' || n,
           CASE WHEN n = {PHASES} THEN 'under_construction' ELSE 'operating' END, 500000
    FROM parks p, generate_series(1, {PHASES}) AS n
    """,
    f"""
    INSERT INTO buildings (park_id, phase_id, code, name, main_use, floor_count)
    SELECT ph.park_id, ph.id, 'P' || ph.number || '-B' || lpad(b::text, 3, '0'), '',
           (ARRAY['production', 'office', 'warehousing', 'hotel_apartment', 'ecommerce'])
               [1 + b % 5],
           {FLOORS}
    FROM phases ph, generate_series(1, {BUILDINGS_PER_PHASE}) AS b
    """,
    f"""
    INSERT INTO floors (building_id, number, name)
    SELECT b.id, f, '' FROM buildings b, generate_series(1, {FLOORS}) AS f
    """,
    # Status by a hash of the position: ~80% leased, 10% available, 6% reserved, 4% unavailable
    # in operating phases; the phase under construction has no leased units.
    f"""
    INSERT INTO units (park_id, phase_id, building_id, floor_id, code, unit_type, gross_area,
                       leasable_area, floor_load, power_kva, status, unavailable_reason)
    SELECT b.park_id, b.phase_id, b.id, fl.id,
           b.code || '-' || lpad(fl.number::text, 2, '0') || lpad(u::text, 2, '0'),
           (ARRAY['workshop', 'office', 'warehouse', 'shop', 'apartment', 'live_streaming'])
               [1 + (b.id + u) % 6],
           area, round(area * 0.85, 2), 500, 100,
           st, CASE WHEN st = 'unavailable' THEN 'maintenance' END
    FROM floors fl
    JOIN buildings b ON b.id = fl.building_id
    JOIN phases ph ON ph.id = b.phase_id
    CROSS JOIN generate_series(1, {UNITS_PER_FLOOR}) AS u
    CROSS JOIN LATERAL (SELECT (b.id * 7919 + fl.number * 104729 + u * 31) % 100 AS h) AS x
    CROSS JOIN LATERAL (SELECT 50 + ((b.id * 13 + fl.number * 7 + u * 3) % 1950)::numeric + 0.25
                        AS area) AS a
    CROSS JOIN LATERAL (SELECT CASE
        WHEN ph.status <> 'operating' THEN
            CASE WHEN x.h < 70 THEN 'unavailable' WHEN x.h < 85 THEN 'reserved'
                 ELSE 'available' END
        WHEN x.h < 80 THEN 'leased' WHEN x.h < 90 THEN 'available'
        WHEN x.h < 96 THEN 'reserved' ELSE 'unavailable' END AS st) AS s
    """,
]


def enterprise_sql() -> str | None:
    """5,000 enterprises, if the enterprises domain's table is there (valid-shaped values)."""
    try:
        from parkops.enterprises.vocabulary import Industry
        from parkops.enterprises.workflow import EnterpriseStatus
    except ImportError:
        return None
    industry = next(iter(Industry)).value
    status = next(iter(EnterpriseStatus)).value
    return f"""
    INSERT INTO enterprises (name, uscc, legal_representative, contact_person, contact_mobile,
                             industry, registered_capital_fen, employee_count, status)
    SELECT '庐山市测试' || n || '羽绒服饰有限公司', '91360483' || lpad(n::text, 10, '0'),
           '王伟', '李娜', '138' || lpad(n::text, 8, '0'), '{industry}', 100000000, 12,
           '{status}'
    FROM generate_series(1, {ENTERPRISES}) AS n
    """


async def load(url: str) -> dict:
    from parkops.accounts import service as accounts

    engine = create_engine(url, pool_size=2)
    enterprises = 0
    try:
        started = time.perf_counter()
        async with engine.begin() as conn:
            for statement in LOAD_SQL:
                await conn.execute(sa.text(statement))
        units = time.perf_counter() - started
        sql = enterprise_sql()
        if sql:
            try:
                async with engine.begin() as conn:
                    enterprises = (await conn.execute(sa.text(sql))).rowcount
            except Exception as exc:  # the enterprises schema may still be changing
                print(f"enterprises not loaded: {type(exc).__name__}: {str(exc)[:200]}")
        async with session_factory(engine)() as db, db.begin():
            user = await accounts.create_user(
                db,
                "bench",
                username="bench.leasing",
                display_name="Bench",
                password=secrets.token_urlsafe(16),
                roles=["leasing"],
            )
            identity = await accounts.get_identity(db, user.id)
            _token, plaintext = await accounts.create_api_token(db, identity, "bench")
        async with engine.connect() as conn:
            phase_id = (
                await conn.execute(sa.text("SELECT id FROM phases WHERE number = 2"))
            ).scalar()
            park_id = (await conn.execute(sa.text("SELECT id FROM parks"))).scalar()
            total = (await conn.execute(sa.text("SELECT count(*) FROM units"))).scalar()
    finally:
        await engine.dispose()
    conn = await asyncpg.connect(to_libpq_url(url))
    try:
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    return {
        "token": plaintext,
        "phase_id": phase_id,
        "park_id": park_id,
        "units": total,
        "enterprises": enterprises,
        "load_seconds": units,
    }


async def time_occupancy(url: str, park_id: int) -> tuple[float, int]:
    from parkops.inventory import repository

    engine = create_engine(url, pool_size=1)
    try:
        async with session_factory(engine)() as db:
            rows = await repository.occupancy(db, park_id)  # warm the plan and the cache
            times = []
            for _ in range(OCCUPANCY_RUNS):
                started = time.perf_counter()
                await repository.occupancy(db, park_id)
                times.append((time.perf_counter() - started) * 1000)
    finally:
        await engine.dispose()
    return statistics.median(times), len(rows)


def same_units(api: dict, raw: dict) -> bool:
    def key(items):
        return [(u["id"], u["code"], str(u["gross_area"]), u["status"]) for u in items]

    return api["total"] == raw["total"] and key(api["items"]) == key(raw["items"])


def serve(url: str, storage: Path):
    """(product process, its base URL, bare process, its base URL)."""
    env = {
        "PARKOPS_DATABASE_URL": url,
        "PARKOPS_STORAGE_DIR": str(storage),
        "PARKOPS_LOG_LEVEL": "WARNING",
        "PARKOPS_ENV": "development",
    }
    app, app_base = start_server("parkops.app:create_app_from_env", env, "/healthz")
    bare, bare_base = start_server("units_raw:create_app", env, "/bench/const")
    return app, app_base, bare, bare_base


def main() -> None:
    require_wrk()
    url, _server, cleanup = scratch_database()
    storage = Path(tempfile.mkdtemp(prefix="pko-bench-storage-"))
    app = bare = None
    try:
        settings = Settings(env="development", database_url=url, storage_dir=storage)
        started = time.perf_counter()
        migrate.upgrade(settings, url)
        print(f"migrated in {time.perf_counter() - started:.1f} s")
        data = asyncio.run(load(url))
        print(
            f"loaded {data['units']:,} units in {data['load_seconds']:.1f} s"
            + (
                f" and {data['enterprises']:,} enterprises"
                if data["enterprises"]
                else " (no enterprises: the enterprises table is not ready)"
            )
        )
        app, app_base, bare, bare_base = serve(url, storage)
        query = f"phase_id={data['phase_id']}&status=available&sort=code&page=1&page_size=20"
        api_url = f"{app_base}/api/v1/units?{query}"
        raw_url = f"{bare_base}/bench/raw/units?{query}"
        auth = {"Authorization": f"Bearer {data['token']}"}
        api = httpx.get(api_url, headers=auth, timeout=10)
        raw = httpx.get(raw_url, timeout=10)
        api.raise_for_status()
        raw.raise_for_status()
        if not same_units(api.json(), raw.json()):
            raise SystemExit("the API and the raw endpoint disagree")
        print(
            f"query: {query} -> {api.json()['total']:,} matching units, 20 a page; "
            f"{CONNECTIONS} connections, {SECONDS:.0f} s each in {ROUNDS} alternating rounds (wrk)"
        )
        run_wrk(api_url, auth, 2)  # warm-up: connection pools, statement caches
        run_wrk(raw_url, {}, 2)
        # Alternate short rounds so that a change in the machine's load (other processes)
        # hits both endpoints alike; the ratio is that of the total request counts.
        api_rates, raw_rates = [], []
        for n in range(1, ROUNDS + 1):
            a = run_wrk(api_url, auth, SECONDS / ROUNDS)
            r = run_wrk(raw_url, {}, SECONDS / ROUNDS)
            api_rates.append(a.rate)
            raw_rates.append(r.rate)
            print(
                f"round {n}: units API {a.rate:6.0f}/s (p50 {a.p50_ms:.1f} ms, p99 "
                f"{a.p99_ms:.1f} ms); raw {r.rate:6.0f}/s (p50 {r.p50_ms:.1f} ms, p99 "
                f"{r.p99_ms:.1f} ms); ratio {a.rate / r.rate:.2f}"
            )
        api_rate = sum(api_rates) / ROUNDS
        raw_rate = sum(raw_rates) / ROUNDS
        print(f"units API   /api/v1/units:     {api_rate:8.0f} requests/s")
        print(f"raw asyncpg /bench/raw/units:  {raw_rate:8.0f} requests/s (bare app)")
        stop(app)
        stop(bare)
        app = bare = None
        median, rows = asyncio.run(time_occupancy(url, data["park_id"]))
        print(f"occupancy query over {data['units']:,} units: {rows} rows, median of "
              f"{OCCUPANCY_RUNS}")  # fmt: skip
        print(f"occupancy_ms={median:.1f}")
        print(f"units_api_vs_raw_ratio={api_rate / raw_rate:.2f}")
    finally:
        stop(app)
        stop(bare)
        cleanup()
        shutil.rmtree(storage, ignore_errors=True)


if __name__ == "__main__":
    main()
