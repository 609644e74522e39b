"""The audit log: who changed what, written in the same transaction as the change.

The table is append-only. A trigger (see the migration) refuses UPDATE, DELETE and TRUNCATE for
every role, including the table owner the application connects as, so a bug or a compromised
app process cannot rewrite history.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, SQLModel

from parkops.core.actor import Actor, actor_id, actor_label
from parkops.core.context import request_id_var
from parkops.core.pagination import Page, paginate
from parkops.core.templating import SHANGHAI
from parkops.db.base import created_at_field


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_log"
    __table_args__ = (
        sa.Index("ix_audit_log_entity", "entity", "entity_id"),
        sa.Index("ix_audit_log_at", "at"),
    )

    id: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, primary_key=True))
    at: datetime = created_at_field()
    actor_id: int | None = Field(default=None, index=True)
    actor_label: str = Field(max_length=120)
    action: str = Field(max_length=64)
    entity: str = Field(max_length=64)
    entity_id: str | None = Field(default=None, max_length=64)
    before: dict | None = Field(default=None, sa_type=JSONB)
    after: dict | None = Field(default=None, sa_type=JSONB)
    request_id: str | None = Field(default=None, max_length=64)
    ip: str | None = Field(default=None, max_length=64)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items() if k != "password_hash"}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


def snapshot(obj: SQLModel, *fields: str) -> dict:
    """The audited view of a row (secrets such as password hashes are never copied)."""
    data = obj.model_dump(include=set(fields) if fields else None)
    return _jsonable(data)


def record(
    session: AsyncSession,
    *,
    actor: Actor | None,
    action: str,
    entity: str,
    entity_id: Any = None,
    before: dict | None = None,
    after: dict | None = None,
    ip: str | None = None,
) -> AuditEntry:
    """Add an audit row to the caller's transaction; it commits or rolls back with the change."""
    entry = AuditEntry(
        actor_id=actor_id(actor),
        actor_label=actor_label(actor),
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        request_id=request_id_var.get(),
        ip=ip,
    )
    session.add(entry)
    return entry


_LOG: sa.Table = AuditEntry.__table__  # type: ignore[attr-defined]

# --- reading the log ------------------------------------------------------------------------------


async def search(
    db: AsyncSession,
    *,
    actor: str | None,
    action: str | None,
    entity: str | None,
    entity_id: str | None,
    since: date | None,
    until: date | None,
    page: int,
    page_size: int = 50,
) -> Page:
    """The log newest first, filtered; ``since``/``until`` are Asia/Shanghai days, inclusive."""
    log = _LOG.c
    stmt = sa.select(_LOG).order_by(log.id.desc())
    if actor:
        stmt = stmt.where(log.actor_label.ilike(f"%{actor}%"))
    if action:
        stmt = stmt.where(log.action == action)
    if entity:
        stmt = stmt.where(log.entity == entity)
    if entity_id:
        stmt = stmt.where(log.entity_id == entity_id)
    # Days are Asia/Shanghai days, as people read them on the page.
    if since:
        stmt = stmt.where(log.at >= datetime.combine(since, time(), SHANGHAI))
    if until:
        stmt = stmt.where(log.at < datetime.combine(until + timedelta(days=1), time(), SHANGHAI))
    return await paginate(db, stmt, page=page, page_size=page_size)


async def distinct_values(db: AsyncSession, column: str) -> list[str]:
    """The values the ``action`` or ``entity`` column takes, for filter choices."""
    values = _LOG.c[column]
    return list((await db.execute(sa.select(values).distinct().order_by(values))).scalars())


async def recent(db: AsyncSession, limit: int = 8) -> list[AuditEntry]:
    stmt = sa.select(AuditEntry).order_by(_LOG.c.id.desc()).limit(limit)
    return list((await db.execute(stmt)).scalars())
