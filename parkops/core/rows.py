"""Fetching one row by its primary key, or the 404 a missing one deserves."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from parkops.core.errors import NotFound
from parkops.core.parsing import BIGINT_MAX, BIGINT_MIN

M = TypeVar("M")


async def get_or_404(
    db: AsyncSession, model: type[M], ident: Any, message: str | None = None, **options: Any
) -> M:
    """``db.get(model, ident, **options)``, raising ``NotFound(message)`` when there is no such
    row. An integer key no ``bigint`` column can hold is not looked up: no such row exists, and
    the database would refuse the parameter."""
    if isinstance(ident, int) and not BIGINT_MIN <= ident <= BIGINT_MAX:
        raise NotFound(message)
    row = await db.get(model, ident, **options)
    if row is None:
        raise NotFound(message)
    return row


def stored_id(row: Any) -> int:
    """The id of a row that is in the database (loaded, or flushed): SQLModel types it
    ``int | None`` because a row not yet flushed has none."""
    if row.id is None:
        raise RuntimeError(f"{type(row).__name__} has no id: it was never flushed")
    return row.id
