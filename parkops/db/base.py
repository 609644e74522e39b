"""The declarative base every table shares: one metadata with a constraint naming convention.

Alembic autogenerate and hand-written migrations both rely on predictable constraint names, so
the convention is set on SQLModel's metadata before any model is imported.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata = SQLModel.metadata


def utcnow() -> datetime:
    return datetime.now(UTC)


def created_at_field() -> datetime:
    return Field(
        default_factory=utcnow,
        sa_type=sa.DateTime(timezone=True),
        sa_column_kwargs={"server_default": sa.func.now(), "nullable": False},
    )


def tz_field(nullable: bool = True, index: bool = False) -> datetime | None:
    return Field(
        default=None,
        sa_type=sa.DateTime(timezone=True),
        nullable=nullable,
        index=index,
    )


def enum_check(column: str, values: type) -> sa.CheckConstraint:
    """CHECK constraint keeping a text status column inside its StrEnum."""
    allowed = ", ".join(f"'{v.value}'" for v in values)  # type: ignore[attr-defined]
    return sa.CheckConstraint(f"{column} IN ({allowed})", name=f"{column}_valid")
