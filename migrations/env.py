"""Alembic environment (async): runs migrations on asyncpg through a sync bridge."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from alembic import context

import parkops.models  # noqa: F401 - registers every table on the metadata
from parkops.db.base import metadata
from parkops.db.engine import create_engine
from parkops.db.migrate import MIGRATION_LOCK_KEY, include_object

config = context.config


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        compare_type=True,
        compare_server_default=False,
        include_object=include_object,
    )


def _run_sync(connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        # Two upgrades at once would both read the same revision and run the same DDL; the
        # second waits here until the first commits, then reads the new revision.
        connection.execute(
            sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
        )
        context.run_migrations()


async def _run_async() -> None:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        from parkops.config import get_settings
        from parkops.db.engine import resolve_database_url

        url = resolve_database_url(get_settings())
    engine = create_engine(url, pool_size=0)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_sync)
    finally:
        await engine.dispose()


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # handed a connection (tests comparing schemas)
        _run_sync(connection)
        return
    asyncio.run(_run_async())


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) mode is not supported; run against a database")
run()
