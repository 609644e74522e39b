"""The migrations build exactly the schema the models describe, and undo cleanly."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

import parkops.models  # noqa: F401
from parkops.core.audit import AuditEntry
from parkops.db import migrate
from parkops.db.base import metadata


async def test_models_and_migrated_schema_do_not_differ(engine):
    async with engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(sync, opts={"compare_type": True}), metadata
            )
        )
    assert diff == [], f"models and migrations differ: {diff}"


async def test_migrated_to_head(engine, test_settings):
    async with engine.connect() as conn:
        current = (await conn.execute(sa.text("SELECT version_num FROM alembic_version"))).scalar()
    assert current == migrate.head_revision(test_settings)


def test_downgrade_to_base_and_upgrade_again(committed_database_url, test_settings):
    migrate.downgrade(test_settings, committed_database_url, "base")
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
