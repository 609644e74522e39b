"""What the ``parkops`` command's groups share: the database URL, a transaction of their own,
and errors shown as a one-line message instead of a traceback.

A domain's group is reached through ``parkops.app.DOMAINS``, so every table is imported before
its commands run and rows whose foreign keys point into other domains can be written.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, NoReturn, TypeVar

import click

from parkops.config import get_settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")
SessionMaker = Callable[[], "AsyncSession"]


def database_url(*, create_embedded: bool = False) -> str:
    """The configured database, or the embedded one when it exists (started here when needed).
    Only ``parkops serve`` may create the embedded cluster (``create_embedded``)."""
    from parkops.db.engine import resolve_database_url

    return resolve_database_url(get_settings(), create_embedded=create_embedded)


async def with_session_maker(
    fn: Callable[[SessionMaker], Awaitable[T]], *, pool_size: int = 2
) -> T:
    """Run ``fn(session_maker)`` on an engine of its own (for commands running several
    transactions, e.g. a billing run committing per batch)."""
    from parkops.db.engine import create_engine, session_factory

    engine = create_engine(database_url(), pool_size=pool_size)
    try:
        return await fn(session_factory(engine))
    finally:
        await engine.dispose()


def run_in_transaction(fn: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``fn(session)`` in one transaction of its own (commands own their transaction)."""

    async def in_transaction(session_maker: SessionMaker) -> T:
        async with session_maker() as db, db.begin():
            return await fn(db)

    return asyncio.run(with_session_maker(in_transaction))


def fail(exc: Exception) -> NoReturn:
    """A user error becomes click's one-line message (with its field errors); anything else is
    raised again."""
    from parkops.core.errors import AppError

    if isinstance(exc, AppError):
        details = "".join(f"\n  {k}: {v}" for k, v in exc.field_errors.items())
        raise click.ClickException(f"{exc.message}{details}") from None
    raise exc
