"""Factories and helpers shared by the tests: plain functions, no magic."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from itertools import count
from typing import Any

import httpx
import sqlalchemy as sa
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts import service
from parkops.accounts.models import User
from parkops.config import Settings
from parkops.core.web import CSRF_COOKIE, SESSION_COOKIE

PASSWORD = "correct-horse-battery"
_seq = count(1)


async def create_user(
    db: AsyncSession,
    *roles: str,
    username: str | None = None,
    password: str = PASSWORD,
    enterprise_id: int | None = None,
    department_id: int | None = None,
) -> User:
    roles = roles or ("park_admin",)
    if "enterprise_user" in roles and enterprise_id is None:
        from tests.integration.enterprises.factories import create_enterprise

        enterprise_id = (await create_enterprise(db)).id
    if "gov_officer" in roles and department_id is None:
        department_id = 1
    return await service.create_user(
        db,
        "test",
        username=username or f"user{next(_seq)}_{secrets.token_hex(3)}",
        display_name="Test User",
        password=password,
        roles=list(roles),
        enterprise_id=enterprise_id,
        department_id=department_id,
    )


def run_in_thread(fn, *args):
    """Run ``asyncio.run(fn(*args))`` on a thread of its own: Playwright's sync API keeps an event
    loop running on the main thread, where asyncio.run refuses to start another."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, fn(*args)).result()


async def with_committed_session(url: str, fn):
    """Run ``fn(session)`` in a transaction that commits, against the database at ``url``."""
    from parkops.db.engine import create_engine, session_factory

    engine = create_engine(url, pool_size=1)
    try:
        async with session_factory(engine)() as db, db.begin():
            return await fn(db)
    finally:
        await engine.dispose()


@contextmanager
def serve_in_thread(app, **options) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free port, on a thread and event loop of its own; yields
    the base URL. Requests really run concurrently, on connections of the app's own pool."""
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on", **options)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "live server did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@contextmanager
def bound_to(app, db: AsyncSession) -> Iterator:
    """``app`` with every request in ``db``'s rolled-back transaction (commits become
    savepoints), for the length of the ``with`` block."""
    conn = db.bind

    def session_maker() -> AsyncSession:
        return AsyncSession(
            bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
        )

    previous = app.state.session_maker
    app.state.session_maker = session_maker
    try:
        yield app
    finally:
        app.state.session_maker = previous


def make_client(app, base_url: str = "http://testserver.local") -> httpx.AsyncClient:
    """An HTTP client calling the app in the test's own event loop (Litestar's AsyncTestClient
    runs the app on another loop, where the test's database connection cannot be used)."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)


async def sign_in(client: AsyncClient, db: AsyncSession, settings: Settings, user: User) -> str:
    """Give the client a session cookie for ``user`` without going through the form."""
    cookie = await service.open_session(db, settings, user.id, ip="test", user_agent="pytest")
    await db.flush()
    client.cookies.set(SESSION_COOKIE, cookie)
    return cookie


def csrf(client: AsyncClient) -> str:
    """Set the CSRF cookie as a browser would have it after loading a form; return the token."""
    from parkops.config import get_settings
    from parkops.core.web import csrf_token_valid, mint_csrf_token

    secret = get_settings().secret_key
    jar = client.cookies.jar
    session = next((c.value for c in jar if c.name == SESSION_COOKIE), None)
    tokens = [c.value for c in jar if c.name == CSRF_COOKIE]
    token = tokens[-1] if tokens else None
    if len(tokens) > 1 or not token or not csrf_token_valid(token, secret, session):
        # the server rotates the cookie at sign-in and sign-out: keep one, bound to the session
        for cookie in [c for c in jar if c.name == CSRF_COOKIE]:
            jar.clear(cookie.domain, cookie.path, cookie.name)
        if not token or not csrf_token_valid(token, secret, session):
            token = mint_csrf_token(secret, session)
        client.cookies.set(CSRF_COOKIE, token)
    return token


async def post_form(
    client: AsyncClient, url: str, data: dict | None = None, *, with_csrf: bool = True, **kwargs
):
    payload = dict(data or {})
    if with_csrf:
        payload["_csrf_token"] = csrf(client)
    return await client.post(url, data=payload, follow_redirects=False, **kwargs)


async def run_queued_jobs(db: AsyncSession, settings: Settings) -> list[str]:
    """Run the jobs queued in the test's transaction, as a worker would (the same task
    functions, their transactions savepoints of the test's); returns the task names run."""
    import sqlalchemy as sa

    from parkops.jobs.tasks import HANDLERS, Runtime

    conn = db.bind

    def session_maker() -> AsyncSession:
        return AsyncSession(
            bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
        )

    runtime = Runtime(settings, session_maker)
    done = []
    while True:
        job = (
            await db.execute(
                sa.text(
                    "SELECT id, task_name, args FROM procrastinate_jobs WHERE status = 'todo' "
                    "ORDER BY id LIMIT 1"
                )
            )
        ).first()
        if job is None:
            return done
        await HANDLERS[job.task_name](runtime, **job.args)
        await db.execute(
            sa.text("UPDATE procrastinate_jobs SET status = 'succeeded' WHERE id = :id"),
            {"id": job.id},
        )
        done.append(job.task_name)


@asynccontextmanager
async def statements_sent(db: AsyncSession) -> AsyncIterator[list[tuple[str, Any]]]:
    """Every statement sent on ``db``'s connection inside the block, as (SQL, arguments): those
    SQLAlchemy executes (its events) and those run on the driver directly (asyncpg's query
    logger; SQLAlchemy's own go through prepared statements, which that logger does not see)."""
    from sqlalchemy import event

    conn = await db.connection()
    driver = (await conn.get_raw_connection()).driver_connection
    sent: list[tuple[str, Any]] = []

    def on_execute(_conn, _cursor, statement, parameters, _context, _many) -> None:
        sent.append((statement, parameters))

    def on_driver(query) -> None:
        sent.append((query.query, query.args))

    event.listen(conn.sync_connection, "before_cursor_execute", on_execute)
    driver.add_query_logger(on_driver)
    try:
        yield sent
    finally:
        driver.remove_query_logger(on_driver)
        event.remove(conn.sync_connection, "before_cursor_execute", on_execute)


async def blocked_on_lock(sessions, task: asyncio.Future | None = None, within: float = 60) -> None:
    """Return once another session of this database waits for a lock (or ``task`` is done):
    race tests hold the first transaction open until the second is really queued behind it,
    instead of sleeping for a guess that a loaded machine overruns."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    async with sessions() as db:
        while loop.time() < deadline:
            waiting = await db.scalar(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    " AND datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            await db.rollback()
            if waiting or (task is not None and task.done()):
                return
            await asyncio.sleep(0.02)
    raise AssertionError(f"no session waited for a lock within {within} s")
