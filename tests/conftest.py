"""Test infrastructure: a real PostgreSQL, schema built by the migrations, one rolled-back
transaction per test.

PostgreSQL is the embedded server (one per xdist worker, in a temporary folder) unless
``PARKOPS_TEST_DATABASE_URL`` names a server; each worker then uses databases of its own, so
``pytest -n auto`` is safe. Tests that need committed data (browser, several processes,
concurrency) ask for ``committed_database_url``: a fresh copy of the migrated template.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import tempfile
from pathlib import Path

# Cheap password hashing and test mode before any settings are read.
os.environ["PARKOPS_ENV"] = "test"
os.environ["PARKOPS_ARGON2_TIME_COST"] = "1"
os.environ["PARKOPS_ARGON2_MEMORY_KIB"] = "1024"
os.environ.pop("PARKOPS_DATABASE_URL", None)

import asyncpg
import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from parkops.accounts import service as accounts
from parkops.app import create_app
from parkops.config import Settings
from parkops.db import migrate
from parkops.db.engine import to_asyncpg_url, to_libpq_url
from tests.support import bound_to, create_user, make_client, serve_in_thread, sign_in

# `pytest --hypothesis-profile=thorough` (`make oracle`): long runs of the property tests that
# take their example count from the profile (the billing oracle's).
hypothesis_settings.register_profile("thorough", max_examples=300, deadline=None)


def oracle_examples(default: int) -> int:
    """Examples for an oracle test: ``default`` in `make test`, the profile's when thorough."""
    if hypothesis_settings.get_current_profile_name() == "thorough":
        return hypothesis_settings.default.max_examples
    return default


def pytest_terminal_summary(terminalreporter) -> None:
    from tests.oracle import stats

    for line in stats.summary():
        terminalreporter.write_line(line)


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def server_url() -> str:
    """asyncpg URL of the ``postgres`` database of the server the tests use."""
    configured = os.environ.get("PARKOPS_TEST_DATABASE_URL")
    if configured:
        yield str(make_url(to_asyncpg_url(configured)).set(database="postgres"))
        return
    from parkops.db import embedded

    tmp = Path(tempfile.mkdtemp(prefix="pko-"))
    server = embedded.start(tmp / "pg", cleanup="delete")
    yield embedded.asyncpg_url_for_socket(embedded.socket_dir(server), "postgres")
    server.cleanup()


def _url_for(server_url: str, database: str) -> str:
    return str(make_url(server_url).set(database=database).render_as_string(hide_password=False))


def _admin_sql(server_url: str, *statements: str) -> None:
    async def run() -> None:
        conn = await asyncpg.connect(to_libpq_url(server_url))
        try:
            for statement in statements:
                await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(run())


@pytest.fixture(scope="session")
def test_settings() -> Settings:
    return Settings(
        env="test",
        storage_dir=Path(tempfile.mkdtemp(prefix="pko-storage-")),
        argon2_time_cost=1,
        argon2_memory_kib=1024,
    )


@pytest.fixture(scope="session")
def template_database(server_url: str, test_settings: Settings) -> str:
    """A migrated database nobody connects to: the source of every per-test copy."""
    name = f"parkops_tpl_{_worker()}"
    _admin_sql(
        server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'
    )
    migrate.upgrade(test_settings, _url_for(server_url, name))
    yield name
    _admin_sql(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def database_url(server_url: str, template_database: str) -> str:
    name = f"parkops_test_{_worker()}"
    _admin_sql(
        server_url,
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
        f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"',
    )
    yield _url_for(server_url, name)
    _admin_sql(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def committed_database_url(server_url: str, template_database: str) -> str:
    """A fresh migrated database whose commits are real (dropped after the test)."""
    name = f"parkops_c_{_worker()}_{secrets.token_hex(4)}"
    _admin_sql(server_url, f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"')
    yield _url_for(server_url, name)
    _admin_sql(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
async def engine(database_url: str):
    engine = create_async_engine(database_url, pool_size=2)
    yield engine
    await engine.dispose()


@pytest.fixture
async def db(engine) -> AsyncSession:
    """A session inside a transaction that is rolled back after the test; commits made by the
    code under test become savepoints."""
    conn = await engine.connect()
    trans = await conn.begin()
    session = AsyncSession(
        bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        yield session
    finally:
        await session.close()
        await trans.rollback()
        await conn.close()


def _no_test_session() -> AsyncSession:
    raise RuntimeError("the shared test app is used outside a test's `app` fixture")


@pytest.fixture(scope="session")
def shared_app(test_settings: Settings):
    """One app per worker: building one takes seconds, and nothing in it depends on the test.
    Each test binds it to its own transaction through ``app.state.session_maker``."""
    return create_app(test_settings, session_maker=_no_test_session)


@pytest.fixture
def app(shared_app, db: AsyncSession):
    """The app, every request of this test in the test's rolled-back transaction."""
    with bound_to(shared_app, db):
        yield shared_app


@pytest.fixture
async def client(app):
    async with make_client(app) as client:
        yield client


@pytest.fixture
def login(client, db, test_settings):
    """``await login("leasing")`` or ``await login(user=...)``: the client now acts as that user
    (browser session and CSRF for pages, a Bearer token for the API). Returns the user."""

    async def switch(role: str | None = None, *, user=None, enterprise_id=None):
        if user is None:
            user = await create_user(db, role, enterprise_id=enterprise_id)
        client.cookies.clear()
        client.cookies.set("parkops_lang", "en")
        await sign_in(client, db, test_settings, user)
        identity = await accounts.get_identity(db, user.id)
        _token, plaintext = await accounts.create_api_token(db, identity, "tests")
        client.headers["authorization"] = f"Bearer {plaintext}"
        return user

    return switch


@pytest.fixture
def live_server(committed_database_url, test_settings):
    """The app served by uvicorn on a free port (its own thread and event loop) against a
    database whose commits are real: requests really run concurrently, on separate connections.
    A worker runs the background jobs inside it, as in `parkops serve` on the embedded database."""
    from parkops.app import create_app

    settings = test_settings.model_copy(
        update={
            "database_url": committed_database_url,
            "db_pool_size": 12,
            "worker_in_app": True,
            "worker_heartbeat_seconds": 1.0,
        }
    )
    with serve_in_thread(create_app(settings)) as base_url:
        yield base_url, committed_database_url
