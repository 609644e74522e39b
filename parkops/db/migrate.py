"""Alembic, driven from Python: the ``parkops db`` commands, start-up and tests use this."""

from __future__ import annotations

from functools import lru_cache

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from parkops.config import Settings


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


def downgrade(settings: Settings, database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(settings, database_url), revision)
