"""A ticket with a long history (issue 13 defect 8: 1,897 events, a note answered 435 KB).

    .venv/bin/python bench/ticket_timeline.py       # embedded PostgreSQL in a temporary folder
    PARKOPS_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/ticket_timeline.py   # a scratch database on that server

What it does:
1. creates a scratch database and migrates it to head;
2. files a ticket through the services (the desk for an enterprise), accepts and dispatches it,
   then adds EVENTS internal notes of about 100 characters with set-based SQL; VACUUM ANALYZE;
3. the baseline: the whole history as the API answered every note and action before the
   timeline came in pages (``ticket_view(events_page=None)`` as a ``TicketDetail``): its size
   and the time to build it (median of RUNS);
4. through the app in-process (httpx over ASGI, a signed-in desk officer; an API token for the
   POSTs): a note and an action through the API, the API detail, the oldest page of
   ``/events``, and the staff ticket page: size and median time of RUNS each.

The last line is ``ticket_note_bytes=...`` (the answer to a note). Target: under 2 KB, and the
note, the detail and the page each under 1/10 of the baseline's size.
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

import httpx  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from scratch import scratch_database  # noqa: E402 - bench/ is on sys.path as a script

from parkops.config import Settings  # noqa: E402
from parkops.db import migrate  # noqa: E402
from parkops.db.engine import create_engine, session_factory  # noqa: E402

EVENTS = 1_897
RUNS = 10

NOTES_SQL = f"""
INSERT INTO ticket_events (ticket_id, at, actor_id, actor_label, actor_role, action,
                           from_status, to_status, note, visibility, data)
SELECT e.ticket_id, e.at + n * interval '1 minute', e.actor_id, e.actor_label, e.actor_role,
       'note', e.to_status, e.to_status,
       '第' || n || '次跟进：已电话联系企业负责人，核实网店销售情况，并将材料转市场监督管理局。',
       'internal', NULL
FROM ticket_events e, generate_series(1, {EVENTS}) AS n
WHERE e.id = (SELECT max(id) FROM ticket_events)
"""


async def setup(url: str, settings: Settings) -> dict:
    import parkops.models  # noqa: F401
    from parkops.accounts import service as accounts
    from parkops.enterprises.models import Enterprise
    from parkops.tickets.models import TicketCategory
    from parkops.tickets.services import actions, filing

    engine = create_engine(url, pool_size=2)
    try:
        async with session_factory(engine)() as db, db.begin():
            enterprise = Enterprise(
                name="庐山市红星羽绒服饰有限公司",
                uscc="91360483MA35XXXX0X",
                legal_representative="王伟",
                contact_person="李娜",
                contact_mobile="13800000000",
                industry="down_apparel",
                registered_capital_fen=100_000_000,
                employee_count=12,
                status="tenant",
            )
            db.add(enterprise)
            await db.flush()
            user = await accounts.create_user(
                db,
                "bench",
                username="bench.desk",
                display_name="Bench desk",
                password=secrets.token_urlsafe(16),
                roles=["service_desk"],
            )
            desk = await accounts.get_identity(db, user.id)
            category = (await db.execute(sa.select(TicketCategory).limit(1))).scalar_one()
            data = {"category_id": category.id, "subject": "网店销售假冒我司品牌羽绒服"}
            data |= {"enterprise_id": enterprise.id, "channel": "phone"}
            ticket = await filing.file_ticket(db, settings, desk, data)
            for action in ("accept", "dispatch"):
                await actions.perform(db, settings, desk, ticket.id, action)
            await db.execute(sa.text(NOTES_SQL))
            _row, token = await accounts.create_api_token(db, desk, "bench")
            cookie = await accounts.open_session(db, settings, user.id, ip="bench", user_agent="b")
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(sa.text("VACUUM ANALYZE"))
        return {"ticket_id": ticket.id, "token": token, "cookie": cookie, "desk_id": user.id}
    finally:
        await engine.dispose()


async def baseline(url: str, ticket_id: int, desk_id: int) -> tuple[int, float, int]:
    """The whole history as one ``TicketDetail`` (what every note answered before the pages)."""
    from litestar.serialization import encode_json

    from parkops.accounts import service as accounts
    from parkops.tickets.api import _detail
    from parkops.tickets.services import reading

    engine = create_engine(url, pool_size=1)
    try:
        async with session_factory(engine)() as db:
            desk = await accounts.get_identity(db, desk_id)
            times, size, events = [], 0, 0
            for _ in range(RUNS + 1):
                started = time.perf_counter()
                view = await reading.ticket_view(db, desk, ticket_id, events_page=None)
                size = len(encode_json(_detail(view).model_dump(mode="json")))  # as the app does
                times.append((time.perf_counter() - started) * 1000)
                events = len(view["timeline"])
        return size, stats.median(times[1:]), events
    finally:
        await engine.dispose()


async def _measure(client, method: str, path: str, **kw) -> tuple[int, float]:
    times, size = [], 0
    for _ in range(RUNS + 1):
        started = time.perf_counter()
        response = await client.request(method, path, **kw)
        times.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
        size = len(response.content)
    return size, stats.median(times[1:])


async def through_the_app(url: str, settings: Settings, ids: dict) -> dict[str, tuple[int, float]]:
    from parkops.app import create_app
    from parkops.core.web import SESSION_COOKIE

    engine = create_engine(url, pool_size=4)
    maker = session_factory(engine)
    t = ids["ticket_id"]
    bearer = {"authorization": f"Bearer {ids['token']}"}
    out = {}
    try:
        app = create_app(settings, session_maker=maker)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench.local") as client:
            note = {"note": "已转交市场监督管理局，请于三个工作日内回复。"}
            out["POST note (API)"] = await _measure(
                client, "POST", f"/api/v1/tickets/{t}/notes", json=note, headers=bearer
            )
            detail = (await client.get(f"/api/v1/tickets/{t}", headers=bearer)).json()
            out["GET detail (API)"] = await _measure(
                client, "GET", f"/api/v1/tickets/{t}", headers=bearer
            )
            last = detail["events_pages"]
            out[f"GET events page {last} (API)"] = await _measure(
                client, "GET", f"/api/v1/tickets/{t}/events?page={last}", headers=bearer
            )
            client.cookies.set(SESSION_COOKIE, ids["cookie"])
            out["GET ticket page"] = await _measure(client, "GET", f"/tickets/{t}")
            # Last: the action changes the ticket (one run of it: it can be done once).
            started = time.perf_counter()
            act = {"action": "redispatch", "note": "改由主办部门重新核实"}
            act["lead_department_id"] = detail["lead_department_id"]
            r = await client.post(f"/api/v1/tickets/{t}/actions", json=act, headers=bearer)
            r.raise_for_status()
            took = (time.perf_counter() - started) * 1000
            out["POST action (API, once)"] = (len(r.content), took)
    finally:
        await engine.dispose()
    return out


def main() -> None:
    url, _server, cleanup = scratch_database()
    storage = Path(tempfile.mkdtemp(prefix="pko-bench-storage-"))
    try:
        settings = Settings(env="development", database_url=url, storage_dir=storage)
        migrate.upgrade(settings, url)
        ids = asyncio.run(setup(url, settings))
        size, ms, events = asyncio.run(baseline(url, ids["ticket_id"], ids["desk_id"]))
        print(f"ticket with {events:,} events")
        print(f"baseline, the whole history as one answer: {size / 1024:,.1f} KB, {ms:.0f} ms")
        results = asyncio.run(through_the_app(url, settings, ids))
        for name, (bytes_, took) in results.items():
            print(f"{name:32} {bytes_ / 1024:8,.1f} KB {took:7.0f} ms  ({bytes_ / size:.1%})")
        print(f"ticket_note_bytes={results['POST note (API)'][0]}")
    finally:
        cleanup()
        shutil.rmtree(storage, ignore_errors=True)


if __name__ == "__main__":
    main()
