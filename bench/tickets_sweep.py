"""The supervision sweep and the department statistics over 200,000 tickets (20,000 open).

    .venv/bin/python bench/tickets_sweep.py         # embedded PostgreSQL in a temporary folder
    PARKOPS_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/tickets_sweep.py     # a scratch database on that server

What it does:
1. creates a scratch database and migrates it to head (the seeded catalogue: 7 departments, 9
   categories);
2. loads with set-based SQL (generate_series): 2,000 enterprises, 3 desk officers, 3 officers
   per department and 2 park admins (all with email addresses), 200,000 tickets filed over the
   past year (180,000 finished, with realistic milestones, ratings, and a pause on one in ten;
   the 20,000 newest open in every state, about 20% of them past their deadline by 1 to 15
   days), one ``file`` event per ticket and, for half the overdue tickets, the chase event of an
   earlier sweep; the stored working days to first reply / resolution
   (``parkops.tickets.services.elapsed_days``); then VACUUM ANALYZE;
3. times the sweep (``parkops.tickets.services.supervision.run_sweep``: mark, chase, escalate,
   audit, and the email digests prepared) five times, each in a transaction rolled back
   afterwards so every run does the full work (thousands of events and notifications), then once
   for real (committed) and once more (the idempotent re-run: nothing to do);
4. times the department statistics (``statistics.report`` over the default twelve months, i.e.
   all 200,000 tickets) and the statistics and supervision pages through the app in-process
   (httpx over ASGI, a signed-in desk officer): median of 10 each.

The last line is ``tickets_sweep_ms=...`` (median of the five full sweeps). Targets: sweep under
1,000 ms, statistics under 300 ms. ``BENCH_KEEP=1`` keeps the scratch database of a
``PARKOPS_BENCH_DATABASE_URL`` server for a closer look (EXPLAIN).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import statistics as stats
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
from scratch import scratch_database  # noqa: E402 - bench/ is on sys.path as a script

from parkops.config import Settings  # noqa: E402
from parkops.db import migrate  # noqa: E402
from parkops.db.engine import create_engine, session_factory, to_libpq_url  # noqa: E402

TICKETS = 200_000
OPEN = 20_000
ENTERPRISES = 2_000
SWEEP_RUNS = 5
RUNS = 10
CLOSED = TICKETS - OPEN

LOAD_SQL = [
    f"""
    INSERT INTO enterprises (name, uscc, legal_representative, contact_person, contact_mobile,
                             industry, registered_capital_fen, employee_count, status)
    SELECT '庐山市测试' || n || '羽绒服饰有限公司', '91360483' || lpad(n::text, 10, '0'),
           '王伟', '李娜', '138' || lpad(n::text, 8, '0'), :industry, 100000000, 12, :status
    FROM generate_series(1, {ENTERPRISES}) AS n
    """,
    # Officers: 3 at the desk, 3 per department, 2 park admins; every one with an email address.
    """
    INSERT INTO users (username, display_name, email, password_hash, department_id)
    SELECT 'desk' || n, 'Desk ' || n, 'desk' || n || '@bench.test', 'x', NULL
    FROM generate_series(1, 3) n
    UNION ALL
    SELECT 'officer' || d.id || '_' || n, 'Officer ' || n, 'officer' || d.id || '_' || n
           || '@bench.test', 'x', d.id
    FROM departments d, generate_series(1, 3) n
    UNION ALL
    SELECT 'leader' || n, 'Leader ' || n, 'leader' || n || '@bench.test', 'x', NULL
    FROM generate_series(1, 2) n
    """,
    """
    INSERT INTO user_roles (user_id, role)
    SELECT id, CASE WHEN username LIKE 'desk%' THEN 'service_desk'
                    WHEN username LIKE 'leader%' THEN 'park_admin'
                    ELSE 'gov_officer' END
    FROM users
    """,
    # 200,000 tickets. h is a cheap deterministic hash of n, 0..999.
    f"""
    WITH cat AS (SELECT array_agg(id ORDER BY id) AS ids, array_agg(lead_department_id ORDER BY id)
                        AS leads FROM ticket_categories),
    ent AS (SELECT array_agg(id ORDER BY id) AS ids FROM enterprises),
    desk AS (SELECT min(id) AS id FROM users WHERE username LIKE 'desk%'),
    base AS (
        SELECT n, (n * 2654435761::bigint) % 1000 AS h,
               CASE WHEN n <= {CLOSED}
                    THEN now() - interval '365 days' + (n::float / {CLOSED}) * interval '320 days'
                    ELSE now() - interval '40 days'
                         + ((n - {CLOSED})::float / {OPEN}) * interval '40 days'
                         - interval '2 hours'
               END AS sub
        FROM generate_series(1, {TICKETS}) n
    ),
    shaped AS (
        SELECT b.*,
               CASE WHEN n <= {CLOSED} THEN
                        CASE WHEN h % 100 < 3 THEN 'rejected' WHEN h % 100 < 5 THEN 'withdrawn'
                             ELSE 'closed' END
                    ELSE (ARRAY['submitted', 'accepted', 'dispatched', 'in_progress',
                                'in_progress', 'in_progress', 'awaiting_enterprise', 'returned',
                                'replied', 'reopened'])[1 + n % 10]
               END AS st,
               -- open tickets: the current deadline 1-15 days past for 20%, else ahead
               CASE WHEN h % 100 < 20 THEN now() - (1 + h % 15) * interval '1 day'
                    ELSE now() + (1 + h % 10) * interval '10 hours' END AS due
        FROM base b
    )
    INSERT INTO tickets (
        number, enterprise_id, category_id, filed_by_id, channel, subject, description,
        confidential, preferred_contact, contact_name, contact_detail, status,
        lead_department_id, reopen_count, accept_days, first_reply_days, resolve_days,
        return_days, follow_up_days, extension_days, submitted_at, accepted_at, dispatched_at,
        first_reply_from, resolve_from, first_replied_at, resolved_at, replied_at, closed_at,
        accept_due_at, accept_due_provisional, first_reply_due_at, first_reply_due_provisional,
        resolve_due_at, resolve_due_provisional, return_due_at, return_due_provisional,
        follow_up_due_at, follow_up_due_provisional, next_due_at, overdue, rating, rated_at,
        created_at, updated_at)
    SELECT 'BN-' || lpad(n::text, 7, '0'),
           ent.ids[1 + n % cardinality(ent.ids)],
           cat.ids[1 + n % cardinality(cat.ids)],
           desk.id, 'phone', '测试诉求 ' || n, '', false, 'in_app', '', '', st,
           CASE WHEN st IN ('submitted', 'accepted') OR (st = 'rejected') THEN NULL
                ELSE cat.leads[1 + n % cardinality(cat.ids)] END,
           CASE WHEN st = 'reopened' THEN 1 ELSE 0 END,
           1, 3, 15, 2, 5, 0,
           sub,
           -- accepted_at
           CASE WHEN st IN ('submitted', 'rejected') THEN NULL
                WHEN n <= {CLOSED} THEN sub + (h % 40) * interval '1 hour'
                ELSE sub + interval '3 hours' END,
           -- dispatched_at, first_reply_from, resolve_from
           CASE WHEN st IN ('submitted', 'accepted', 'rejected') THEN NULL
                WHEN n <= {CLOSED} THEN sub + (h % 40 + 1) * interval '1 hour'
                ELSE sub + interval '4 hours' END,
           CASE WHEN st IN ('submitted', 'rejected') THEN NULL
                WHEN n <= {CLOSED} THEN sub + (h % 40 + 1) * interval '1 hour'
                ELSE sub + interval '4 hours' END,
           CASE WHEN st IN ('submitted', 'rejected') THEN NULL
                WHEN n <= {CLOSED} THEN sub + (h % 40 + 1) * interval '1 hour'
                ELSE sub + interval '4 hours' END,
           -- first_replied_at
           CASE WHEN n <= {CLOSED} AND st = 'closed' THEN sub + (1 + h % 6) * interval '1 day'
                WHEN st IN ('in_progress', 'awaiting_enterprise', 'replied', 'reopened')
                    THEN sub + interval '1 day'
                ELSE NULL END,
           -- resolved_at, replied_at
           CASE WHEN n <= {CLOSED} AND st = 'closed'
                    THEN sub + (2 + h % 6 + h % 23) * interval '1 day'
                WHEN st = 'replied' THEN least(sub + interval '3 days', now() - interval '1 hour')
                ELSE NULL END,
           CASE WHEN n <= {CLOSED} AND st = 'closed'
                    THEN sub + (2 + h % 6 + h % 23) * interval '1 day'
                WHEN st = 'replied' THEN least(sub + interval '3 days', now() - interval '1 hour')
                ELSE NULL END,
           -- closed_at
           CASE WHEN st = 'closed' THEN sub + (5 + h % 6 + h % 23) * interval '1 day'
                WHEN st IN ('rejected', 'withdrawn') THEN sub + interval '5 hours'
                ELSE NULL END,
           -- deadlines
           CASE WHEN st = 'submitted' THEN due ELSE sub + interval '31 hours' END, false,
           CASE WHEN st IN ('submitted', 'rejected') THEN NULL
                WHEN st IN ('accepted', 'dispatched', 'returned') THEN due
                ELSE sub + (h % 40 + 1) * interval '1 hour' + interval '4 days 8 hours' END, false,
           CASE WHEN st IN ('submitted', 'rejected') THEN NULL
                WHEN st IN ('in_progress', 'reopened') THEN due
                WHEN st IN ('accepted', 'dispatched', 'returned') THEN due + interval '16 days'
                ELSE sub + (h % 40 + 1) * interval '1 hour' + interval '21 days' END, false,
           NULL, false,
           CASE WHEN st = 'replied' THEN due
                WHEN st = 'closed' THEN sub + (9 + h % 6 + h % 23) * interval '1 day'
                ELSE NULL END, false,
           CASE WHEN st IN ('closed', 'rejected', 'withdrawn', 'awaiting_enterprise') THEN NULL
                ELSE due END,
           false,
           CASE WHEN st = 'closed' AND h % 4 <> 0 THEN 1 + (h * 7) % 5 ELSE NULL END,
           CASE WHEN st = 'closed' AND h % 4 <> 0
                THEN sub + (4 + h % 6 + h % 23) * interval '1 day' ELSE NULL END,
           sub, sub
    FROM shaped, cat, ent, desk
    """,
    # One pause on one finished ticket in ten.
    """
    INSERT INTO ticket_pauses (ticket_id, paused_at, resumed_at, from_status)
    SELECT id, first_replied_at + interval '1 day', first_replied_at + interval '3 days',
           'in_progress'
    FROM tickets WHERE status = 'closed' AND id % 10 = 0
    """,
    # The filing event of every ticket.
    """
    INSERT INTO ticket_events (ticket_id, at, actor_label, action, to_status, visibility, data)
    SELECT id, submitted_at, 'bench', 'file', 'submitted', 'public', '{"channel": "phone"}'
    FROM tickets
    """,
    # An earlier sweep chased half of today's overdue deadlines already.
    """
    INSERT INTO ticket_events (ticket_id, at, actor_label, action, from_status, to_status,
                               visibility, data)
    SELECT id, now() - interval '1 day', 'bench', 'chase', status, status, 'internal',
           jsonb_build_object('deadline', CASE status WHEN 'submitted' THEN 'accept'
                                          WHEN 'in_progress' THEN 'resolve'
                                          WHEN 'reopened' THEN 'resolve'
                                          ELSE 'first_reply' END,
                              'due_at', next_due_at)
    FROM tickets
    WHERE next_due_at < now() AND id % 2 = 0
      AND status IN ('submitted', 'accepted', 'dispatched', 'returned', 'in_progress', 'reopened')
    """,
]


async def load(url: str) -> dict:
    from parkops.enterprises.vocabulary import Industry
    from parkops.enterprises.workflow import EnterpriseStatus
    from parkops.tickets.services import elapsed_days

    params = {
        "industry": next(iter(Industry)).value,
        "status": EnterpriseStatus.tenant.value,
    }
    engine = create_engine(url, pool_size=2)
    try:
        started = time.perf_counter()
        async with engine.begin() as conn:
            for statement in LOAD_SQL:
                needs = {k: v for k, v in params.items() if f":{k}" in statement}
                await conn.execute(sa.text(statement), needs)
            # The stored working days to first reply / resolution, as the service keeps them.
            await conn.run_sync(
                lambda sync: elapsed_days.recompute_sync(
                    sync, elapsed_days.load_calendar_sync(sync)
                )
            )
        seconds = time.perf_counter() - started
        async with engine.connect() as conn:
            counts = dict(
                (
                    await conn.execute(
                        sa.text(
                            "SELECT 'tickets', count(*) FROM tickets UNION ALL "
                            "SELECT 'open', count(*) FROM tickets WHERE closed_at IS NULL "
                            "UNION ALL SELECT 'overdue', count(*) FROM tickets "
                            "WHERE next_due_at < now() UNION ALL "
                            "SELECT 'events', count(*) FROM ticket_events UNION ALL "
                            "SELECT 'pauses', count(*) FROM ticket_pauses"
                        )
                    )
                ).all()
            )
    finally:
        await engine.dispose()
    conn = await asyncpg.connect(to_libpq_url(url))
    try:
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    return {**counts, "load_seconds": seconds}


async def time_sweep(url: str, settings: Settings) -> dict:
    import parkops.models  # noqa: F401
    from parkops.tickets.services import supervision

    engine = create_engine(url, pool_size=2)
    maker = session_factory(engine)
    times, results = [], []
    try:
        for _ in range(SWEEP_RUNS):
            async with maker() as db:
                await db.begin()
                started = time.perf_counter()
                result = await supervision.run_sweep(db, settings)
                await db.flush()
                times.append((time.perf_counter() - started) * 1000)
                results.append(result)
                await db.rollback()
        started = time.perf_counter()
        committed = await supervision.sweep_once(maker, settings)
        commit_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        again = await supervision.sweep_once(maker, settings)
        again_ms = (time.perf_counter() - started) * 1000
    finally:
        await engine.dispose()
    return {
        "median_ms": stats.median(times),
        "times": times,
        "result": results[-1],
        "committed": committed,
        "commit_ms": commit_ms,
        "again": again,
        "again_ms": again_ms,
    }


async def time_statistics(url: str, settings: Settings) -> dict:
    import parkops.models  # noqa: F401
    from parkops.accounts import service as accounts
    from parkops.app import create_app
    from parkops.core.web import SESSION_COOKIE
    from parkops.db.base import utcnow
    from parkops.tickets import statistics

    engine = create_engine(url, pool_size=4)
    maker = session_factory(engine)
    out: dict = {}
    try:
        today = utcnow().astimezone(statistics.SHANGHAI).date()
        period = statistics.Period.default(today)
        async with maker() as db:
            report = await statistics.report(db, period, "department")  # warm up
            times = []
            for _ in range(RUNS):
                started = time.perf_counter()
                report = await statistics.report(db, period, "department")
                times.append((time.perf_counter() - started) * 1000)
        out["query_ms"] = stats.median(times)
        out["received"] = report.total.received
        out["rows"] = len(report.rows)

        async with maker() as db, db.begin():
            user = await accounts.create_user(
                db,
                "bench",
                username="bench.desk",
                display_name="Bench desk",
                password=secrets.token_urlsafe(16),
                roles=["service_desk"],
            )
            cookie = await accounts.open_session(db, settings, user.id, ip="bench", user_agent="b")
        app = create_app(settings, session_maker=maker)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench.local") as client:
            client.cookies.set(SESSION_COOKIE, cookie)
            for path, key in (
                ("/tickets/statistics", "page_ms"),
                ("/tickets/supervision", "supervision_page_ms"),
            ):
                response = await client.get(path)  # warm up
                response.raise_for_status()
                times = []
                for _ in range(RUNS):
                    started = time.perf_counter()
                    response = await client.get(path)
                    times.append((time.perf_counter() - started) * 1000)
                    response.raise_for_status()
                out[key] = stats.median(times)
    finally:
        await engine.dispose()
    return out


def main() -> None:
    url, _server, cleanup = scratch_database()
    storage = Path(tempfile.mkdtemp(prefix="pko-bench-storage-"))
    try:
        settings = Settings(env="development", database_url=url, storage_dir=storage)
        started = time.perf_counter()
        migrate.upgrade(settings, url)
        print(f"migrated in {time.perf_counter() - started:.1f} s")
        data = asyncio.run(load(url))
        print(
            f"loaded {data['tickets']:,} tickets ({data['open']:,} open, {data['overdue']:,} past "
            f"their current deadline), {data['events']:,} events, {data['pauses']:,} pauses "
            f"in {data['load_seconds']:.1f} s"
        )
        sweep = asyncio.run(time_sweep(url, settings))
        r = sweep["result"]
        print(
            f"sweep (rolled back, {SWEEP_RUNS} runs): median {sweep['median_ms']:.0f} ms "
            f"[{', '.join(f'{t:.0f}' for t in sweep['times'])}]; each run: {r.marked:,} marked, "
            f"{r.chased:,} chased, {r.escalated:,} escalated, {r.notifications:,} notifications, "
            f"{len(r.mails)} email digests"
        )
        c, a = sweep["committed"], sweep["again"]
        print(
            f"sweep committed (emails to the log outbox): {sweep['commit_ms']:.0f} ms "
            f"({c.chased:,} chased); re-run: {sweep['again_ms']:.0f} ms "
            f"({a.marked} marked, {a.chased} chased, {a.escalated} escalated)"
        )
        st = asyncio.run(time_statistics(url, settings))
        print(
            f"department statistics over {st['received']:,} tickets ({st['rows']} rows): "
            f"query {st['query_ms']:.0f} ms, page {st['page_ms']:.0f} ms, supervision page "
            f"{st['supervision_page_ms']:.0f} ms (median of {RUNS})"
        )
        print(f"tickets_stats_ms={st['query_ms']:.1f}")
        print(f"tickets_sweep_ms={sweep['median_ms']:.1f}")
    finally:
        if os.environ.get("BENCH_KEEP") and not _server:
            print(f"kept the scratch database: {url}")
        else:
            cleanup()
        shutil.rmtree(storage, ignore_errors=True)


if __name__ == "__main__":
    main()
