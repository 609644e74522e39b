"""Alembic, driven from Python: the ``parkops db`` commands, start-up and tests use this.

Migrations run under a PostgreSQL advisory lock (taken in migrations/env.py), so two upgrades
started at once (two pods, a deploy next to a timer) run one after the other: the second finds
the schema at head and does nothing.

A downgrade runs in one transaction that is rolled back when it would drop tables or columns
holding rows, unless the caller says data loss is intended.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from parkops.config import Settings

MIGRATION_LOCK_KEY = 0x706B6F_6D6967_72
"""The advisory lock every migration run takes ("pkomigr")."""

# Tables created by extensions or by hand-written SQL are not described by our models: the job
# queue's (migrations/versions/20261206_1020_job_queue.py) and PostGIS's.
_FOREIGN_TABLES = ("procrastinate_", "spatial_ref_sys")


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic's filter: leave tables we do not model (and their indexes) out of comparisons."""
    table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", "")
    return not (reflected and compare_to is None and str(table).startswith(_FOREIGN_TABLES))


def alembic_config(settings: Settings, database_url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(settings.migrations_dir))
    cfg.set_main_option(
        "file_template", "%%(year)d%%(month).2d%%(day).2d_%%(hour).2d%%(minute).2d_%%(slug)s"
    )
    if database_url:
        cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


@lru_cache
def _head(migrations_dir: str) -> str | None:
    cfg = Config()
    cfg.set_main_option("script_location", migrations_dir)
    return ScriptDirectory.from_config(cfg).get_current_head()


def head_revision(settings: Settings) -> str | None:
    return _head(str(settings.migrations_dir))


def upgrade(settings: Settings, database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(settings, database_url), revision)


@dataclass(frozen=True)
class DataLoss:
    """What a downgrade drops that holds data: tables with their row counts, and columns."""

    tables: dict[str, int]
    columns: list[str]

    def __bool__(self) -> bool:
        return bool(self.tables or self.columns)

    def describe(self) -> str:
        parts = [
            f"{name} ({rows} row{'' if rows == 1 else 's'})"
            for name, rows in sorted(self.tables.items())
        ]
        parts += [f"column {name}" for name in self.columns]
        return ", ".join(parts)


class DataLossRefused(Exception):
    def __init__(self, loss: DataLoss) -> None:
        self.loss = loss
        super().__init__(f"the downgrade would drop data: {loss.describe()}")


def _contents(connection: sa.Connection) -> tuple[dict[str, int], set[tuple[str, str]]]:
    """Row count of every table of the schema, and every (table, column)."""
    inspector = sa.inspect(connection)
    rows = {}
    columns = set()
    for table in inspector.get_table_names():
        if table == "alembic_version":
            continue
        quoted = connection.dialect.identifier_preparer.quote(table)
        rows[table] = connection.execute(sa.text(f"SELECT count(*) FROM {quoted}")).scalar_one()
        columns |= {(table, column["name"]) for column in inspector.get_columns(table)}
    return rows, columns


def _downgrade_checked(
    connection: sa.Connection, cfg: Config, revision: str, allow_data_loss: bool
) -> DataLoss:
    with connection.begin():
        rows_before, columns_before = _contents(connection)
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, revision)
        rows_after, columns_after = _contents(connection)
        loss = DataLoss(
            tables={t: n for t, n in rows_before.items() if n and t not in rows_after},
            columns=sorted(
                f"{t}.{c}"
                for t, c in columns_before - columns_after
                if rows_before[t] and t in rows_after
            ),
        )
        if loss and not allow_data_loss:
            raise DataLossRefused(loss)  # leaving the block rolls the downgrade back
    return loss


def downgrade(
    settings: Settings, database_url: str, revision: str, *, allow_data_loss: bool = False
) -> DataLoss:
    """Revert to ``revision``; raises :class:`DataLossRefused` (changing nothing) when that
    would drop tables or columns holding rows and ``allow_data_loss`` is not set. Returns what
    was dropped."""
    from parkops.db.engine import create_engine

    cfg = alembic_config(settings, database_url)

    async def run() -> DataLoss:
        engine = create_engine(database_url, pool_size=0)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(_downgrade_checked, cfg, revision, allow_data_loss)
        finally:
            await engine.dispose()

    return asyncio.run(run())
