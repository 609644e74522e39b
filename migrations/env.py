"""Alembic environment (async): runs migrations on asyncpg through a sync bridge."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import pool
from sqlalchemy.ext.asyncio import create_async_engine

import parkops.models  # noqa: F401 - registers every table on the metadata
from parkops.db.base import metadata

config = context.config


def _include_object(obj, name, type_, reflected, compare_to):
    # Tables created by extensions or by hand-written SQL are not ours to compare.
    return not (
        type_ == "table" and reflected and compare_to is None and name in {"spatial_ref_sys"}
    )


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        compare_type=True,
        compare_server_default=False,
        include_object=_include_object,
    )


def _run_sync(connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        from parkops.config import get_settings
        from parkops.db.engine import resolve_database_url

        url = resolve_database_url(get_settings())
    engine = create_async_engine(url, poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_run_sync)
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
