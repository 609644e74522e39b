"""The migrations build exactly the schema the models describe, and undo cleanly."""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys

import asyncpg
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

import parkops.models  # noqa: F401
from parkops.core.audit import AuditEntry
from parkops.db import migrate
from parkops.db.base import metadata
from parkops.db.engine import to_libpq_url


async def test_models_and_migrated_schema_do_not_differ(engine):
    async with engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(
                    sync, opts={"compare_type": True, "include_object": migrate.include_object}
                ),
                metadata,
            )
        )
    assert diff == [], f"models and migrations differ: {diff}"


async def test_migrated_to_head(engine, test_settings):
    async with engine.connect() as conn:
        current = (await conn.execute(sa.text("SELECT version_num FROM alembic_version"))).scalar()
    assert current == migrate.head_revision(test_settings)


def test_downgrade_to_base_and_upgrade_again(committed_database_url, test_settings):
    migrate.downgrade(test_settings, committed_database_url, "base", allow_data_loss=True)
    migrate.upgrade(test_settings, committed_database_url, "head")


async def test_audit_log_is_append_only(db):
    db.add(AuditEntry(actor_label="t", action="x", entity="y"))
    await db.flush()
    for statement in (
        "UPDATE audit_log SET action = 'forged'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            async with db.begin_nested():
                await db.execute(sa.text(statement))
    assert await db.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) >= 1


async def test_server_version_is_supported(database_url):
    engine = create_async_engine(database_url)
    async with engine.connect() as conn:
        version = (await conn.execute(sa.text("SHOW server_version_num"))).scalar()
    await engine.dispose()
    assert int(version) >= 150000


def test_downgrade_that_drops_rows_is_refused_and_changes_nothing(
    committed_database_url, test_settings
):
    async def count_users(conn):
        return (await conn.execute(sa.text("SELECT count(*) FROM users"))).scalar()

    async def add_user_and_count():
        engine = create_async_engine(committed_database_url)
        async with engine.begin() as conn:
            await conn.execute(
                sa.text(
                    "INSERT INTO users (username, display_name, password_hash, is_active) "
                    "VALUES ('kept', 'Kept', 'x', true)"
                )
            )
            await conn.execute(
                sa.text(
                    "INSERT INTO audit_log (actor_label, action, entity) "
                    "VALUES ('test', 'kept', 'users')"
                )
            )
        async with engine.connect() as conn:
            counted = await count_users(conn)
        await engine.dispose()
        return counted

    assert asyncio.run(add_user_and_count()) >= 1
    with pytest.raises(migrate.DataLossRefused) as refused:
        migrate.downgrade(test_settings, committed_database_url, "base")
    assert "users" in refused.value.loss.tables
    assert "audit_log" in refused.value.loss.tables  # the append-only log would go too

    async def still_there():
        engine = create_async_engine(committed_database_url)
        async with engine.connect() as conn:
            version = (
                await conn.execute(sa.text("SELECT version_num FROM alembic_version"))
            ).scalar()
            users = await count_users(conn)
        await engine.dispose()
        return version, users

    version, users = asyncio.run(still_there())
    assert version == migrate.head_revision(test_settings) and users >= 1


def test_two_upgrades_at_once_both_succeed(server_url, test_settings):
    """Two `parkops db upgrade` on an empty database at the same moment: the advisory lock makes
    the second wait for the first and then find nothing to do."""
    name = f"parkops_race_{secrets.token_hex(4)}"

    async def admin(statement: str) -> None:
        conn = await asyncpg.connect(to_libpq_url(server_url))
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    url = str(make_url(server_url).set(database=name).render_as_string(hide_password=False))
    try:
        env = {**os.environ, "PARKOPS_DATABASE_URL": url}
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "parkops.cli", "db", "upgrade"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        results = [(p.wait(120), p.stderr.read()) for p in procs]
        for proc in procs:
            proc.stdout.close()
            proc.stderr.close()
        assert [code for code, _ in results] == [0, 0], results

        async def version():
            conn = await asyncpg.connect(to_libpq_url(url))
            try:
                return await conn.fetchval("SELECT version_num FROM alembic_version")
            finally:
                await conn.close()

        assert asyncio.run(version()) == migrate.head_revision(test_settings)
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
