"""Every page and API list at 1x, 10x and 100x of the demo park's data, against the framework
ceiling and a bare asyncpg twin of the unit list, in one run.

    .venv/bin/python bench/pages.py                       # 1x, 10x, 100x (a few minutes)
    BENCH_SCALES=1,10 BENCH_SECONDS=1 .venv/bin/python bench/pages.py     # quicker
    PARKOPS_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/pages.py                   # a scratch database on that server

What it does:
1. creates a scratch database, migrates it and loads the demo park (``parkops demo load``'s
   loaders: units, enterprises, contracts, 12 months of bills and payments, tickets): 1x;
2. opens a browser session and an API token for the demo admin, enterprise user and government
   officer;
3. serves the app (uvicorn, one worker) and, in another process, the bare app of
   ``bench/units_raw.py`` (constant JSON: the framework ceiling; the unit list's SQL on a plain
   asyncpg pool: the raw twin);
4. for each scale: multiplies the data (``parkops.loadtest.multiply``: whole copies of the park,
   one INSERT ... SELECT per table), VACUUM ANALYZE, then drives with ``wrk`` (BENCH_THREADS 2,
   BENCH_CONNECTIONS 8, BENCH_SECONDS 2 each, longer for pages that served under 20) every page
   and API list (``parkops.loadtest.pages``: every GET route without path parameters, as the
   role that sees the most of it), ``/healthz``, the ceiling and the twin;
5. prints a table: req/s and p50/p99 per scale, growth = 1x rate / largest-scale rate.

The machine may be shared: compare rows of one run, not runs. The last lines are
``pages_min_rps_1x=`` (slowest staff or tenant page at 1x), ``pages_worst_growth=`` (the largest
1x/Nx rate ratio of any page or list) and ``api_vs_raw_min=`` (the slowest API list at 1x over the
raw twin at 1x).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

os.environ.setdefault("PARKOPS_LOG_LEVEL", "WARNING")

import asyncpg  # noqa: E402
import httpx  # noqa: E402
from http_load import LoadError, Result, require_wrk, run_wrk, start_server, stop  # noqa: E402
from scratch import scratch_database  # noqa: E402 - bench/ is on sys.path as a script

from parkops import loadtest  # noqa: E402
from parkops.config import Settings  # noqa: E402
from parkops.db import migrate  # noqa: E402
from parkops.db.engine import create_engine, session_factory, to_libpq_url  # noqa: E402

SCALES = [int(s) for s in os.environ.get("BENCH_SCALES", "1,10,100").split(",")]
SECONDS = float(os.environ.get("BENCH_SECONDS", "2"))
# The demo login of each role the pages are measured as.
LOGINS = {"park_admin": "admin", "enterprise_user": "qiye", "gov_officer": "shichang"}


async def load_demo(url: str, settings: Settings) -> dict[str, dict[str, str]]:
    """Demo data, then {role: headers} for pages (session cookie) and the API (token)."""
    import sqlalchemy as sa

    from parkops.accounts import service as accounts
    from parkops.app import DOMAINS
    from parkops.core.web import SESSION_COOKIE
    from parkops.demo import load_demo

    engine = create_engine(url, pool_size=2)
    headers: dict[str, dict[str, str]] = {}
    try:
        async with session_factory(engine)() as db, db.begin():
            counts = await load_demo(db, DOMAINS)
        print("demo park: " + ", ".join(f"{k} {v:,}" for k, v in counts.items() if v))
        async with session_factory(engine)() as db, db.begin():
            for role, username in LOGINS.items():
                query = sa.text("SELECT id FROM users WHERE username = :u")
                user_id = (await db.execute(query, {"u": username})).scalar_one()
                cookie = await accounts.open_session(
                    db, settings, user_id, ip="127.0.0.1", user_agent="bench"
                )
                identity = await accounts.get_identity(db, user_id)
                _token, plaintext = await accounts.create_api_token(db, identity, "bench")
                headers[role] = {"Cookie": f"{SESSION_COOKIE}={cookie}"}
                headers[role + ":api"] = {"Authorization": f"Bearer {plaintext}"}
    finally:
        await engine.dispose()
    return headers


async def grow(url: str, base: dict[str, int] | None, have: int, want: int) -> dict[str, int]:
    conn = await asyncpg.connect(to_libpq_url(url))
    try:
        base = base or await loadtest.snapshot(conn)
        if want > have:
            started = time.perf_counter()
            async with conn.transaction():
                await loadtest.multiply(conn, base, have, want - 1)
            print(f"grew to {want}x in {time.perf_counter() - started:.1f} s", flush=True)
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    return base


def measure(base_url: str, page: loadtest.Page, headers: dict) -> Result | str:
    auth = headers[page.role + (":api" if page.is_api else "")]
    try:
        response = httpx.get(base_url + page.path, headers=auth, timeout=60)
    except httpx.TimeoutException:
        return "over 60 s"
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    try:
        result = run_wrk(base_url + page.path, auth, SECONDS)
        if result.requests < 20:  # too few for a rate or a p99: a slow page gets a longer run
            seconds = min(15, SECONDS * 40 / (result.requests + 1))
            result = run_wrk(base_url + page.path, auth, seconds)
    except LoadError:
        return "errors under load"
    return result


def cell(result: Result | str | None) -> str:
    if result is None:
        return f"{'-':>24}"
    if isinstance(result, str):
        return f"{result:>24}"
    return f"{result.rate:7.0f}/s {result.p50_ms:6.1f} {result.p99_ms:7.1f}"


def report(rows: dict[str, dict[int, Result | str]]) -> None:
    head = "".join(f"{f'{s}x: req/s p50 p99 ms':>25}" for s in SCALES)
    print(f"\n{'request':<44}{head}  growth")
    worst, slowest, api_min = 0.0, float("inf"), float("inf")
    raw = rows["bare asyncpg unit list (raw twin)"][SCALES[0]]
    for name, results in rows.items():
        first, last = results.get(SCALES[0]), results.get(SCALES[-1])
        growth = ""
        if isinstance(first, Result) and isinstance(last, Result) and last.rate > 0:
            g = first.rate / last.rate
            growth = f"{g:6.1f}x"
            if not name.startswith(("constant", "bare", "/healthz")):
                worst = max(worst, g)
        if isinstance(first, Result) and name.startswith("/"):
            if name.startswith("/api/"):
                assert isinstance(raw, Result)
                api_min = min(api_min, first.rate / raw.rate)
            elif not name.startswith("/healthz"):
                slowest = min(slowest, first.rate)
        print(f"{name:<44}" + "".join(f" {cell(results.get(s))}" for s in SCALES) + f"  {growth}")
    print(f"pages_min_rps_1x={slowest:.0f}")
    print(f"pages_worst_growth={worst:.1f}")
    print(f"api_vs_raw_min={api_min:.2f}")


def main() -> None:
    from parkops.app import create_app
    from parkops.billing.reports import REPORTS

    require_wrk()
    url, _server, cleanup = scratch_database()
    storage = Path(tempfile.mkdtemp(prefix="pko-bench-storage-"))
    app = bare = None
    try:
        settings = Settings(env="development", database_url=url, storage_dir=storage)
        migrate.upgrade(settings, url)
        headers = asyncio.run(load_demo(url, settings))
        env = {
            "PARKOPS_DATABASE_URL": url,
            "PARKOPS_STORAGE_DIR": str(storage),
            "PARKOPS_ENV": "development",
        }
        app, app_base = start_server("parkops.app:create_app_from_env", env, "/healthz")
        bare, bare_base = start_server("units_raw:create_app", env, "/bench/const")
        targets = loadtest.pages(create_app(settings), REPORTS)
        print(f"{len(targets)} pages and API lists; wrk {SECONDS:.0f} s each; scales {SCALES}")
        rows: dict[str, dict[int, Result | str]] = {}
        base, have = None, 1
        for scale in SCALES:
            base = asyncio.run(grow(url, base, have, scale))
            have = max(have, scale)
            fixed = {
                "constant JSON (framework ceiling)": (f"{bare_base}/bench/const", {}),
                "bare asyncpg unit list (raw twin)": (f"{bare_base}/bench/raw/units", {}),
                "/healthz (app middleware, no handler work)": (f"{app_base}/healthz", {}),
            }
            for name, (target, auth) in fixed.items():
                rows.setdefault(name, {})[scale] = result = run_wrk(target, auth, SECONDS)
                print(f"{scale}x {name}: {cell(result).strip()}", flush=True)
            for page in targets:
                name = f"{page.path} ({page.role})"
                rows.setdefault(name, {})[scale] = result = measure(app_base, page, headers)
                print(f"{scale}x {name}: {cell(result).strip()}", flush=True)
        report(rows)
    finally:
        stop(app)
        stop(bare)
        cleanup()
        shutil.rmtree(storage, ignore_errors=True)


if __name__ == "__main__":
    main()
