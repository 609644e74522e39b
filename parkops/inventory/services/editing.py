"""What every inventory edit does: refuse bad input before writing, apply a partial change over
the current values, audit what changed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.core import audit
from parkops.core.actor import Actor
from parkops.core.errors import NotFound, ValidationFailed
from parkops.core.parsing import BIGINT_MAX, BIGINT_MIN

M = TypeVar("M")


def fail(message: str, errors: Mapping[str, Any]) -> None:
    """Raise ``ValidationFailed(message)`` with ``errors`` when there are any."""
    if errors:
        raise ValidationFailed(message, field_errors=dict(errors))


def merge_raw(
    current: Mapping[str, Any], changes: Mapping[str, Any], fields: Iterable[str]
) -> dict[str, Any]:
    """The values of ``fields`` after a change of some of them (a PATCH, a form)."""
    return {f: changes[f] if f in changes else current.get(f) for f in fields}


def changed(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(old, new) of the keys whose values differ."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def record_update(
    db: AsyncSession,
    actor: Actor,
    entity: str,
    row: Any,
    before: Mapping[str, Any],
    fields: Iterable[str],
) -> None:
    """Audit what an edit changed (nothing when it changed nothing) as ``<entity>_updated``."""
    old, new = changed(before, audit.snapshot(row, *fields))
    if new:
        audit.record(
            db,
            actor=actor,
            action=f"{entity}_updated",
            entity=entity,
            entity_id=row.id,
            before=old,
            after=new,
        )


async def exists(
    db: AsyncSession, model: Any, *conditions: Any, except_id: int | None = None
) -> bool:
    """Whether a row of ``model`` other than ``except_id`` meets ``conditions`` (a uniqueness
    check before the constraint, for the friendly message)."""
    stmt = sa.select(model.id).where(*conditions)
    if except_id is not None:
        stmt = stmt.where(model.id != except_id)
    return bool(await db.scalar(stmt.limit(1)))


async def lock(db: AsyncSession, model: type[M], ident: int, message: str) -> M:
    """The row, locked FOR UPDATE; ``NotFound(message)`` when there is none (or the id is
    one no ``bigint`` holds)."""
    if not BIGINT_MIN <= ident <= BIGINT_MAX:
        raise NotFound(message)
    row = (
        await db.execute(sa.select(model).where(model.id == ident).with_for_update())  # type: ignore[attr-defined]
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(message)
    return row


def record_created(
    db: AsyncSession, actor: Actor, entity: str, row: Any, after: Mapping[str, Any]
) -> None:
    """Audit a new row as ``<entity>_created``."""
    audit.record(
        db,
        actor=actor,
        action=f"{entity}_created",
        entity=entity,
        entity_id=row.id,
        after=dict(after),
    )
