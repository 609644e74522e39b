"""Engine and session factories, and resolution of which PostgreSQL to talk to."""

from __future__ import annotations

import os

from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from parkops.config import Settings

_embedded_server = None  # kept referenced so the server lives as long as this process


def to_asyncpg_url(url: str) -> str:
    """Accept the usual ``postgresql://`` / ``postgres://`` spellings and use asyncpg."""
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    raise ValueError(f"not a PostgreSQL URL: {url!r}")


def to_libpq_url(url: str) -> str:
    """The URL form pg_dump, psql and raw asyncpg understand."""
    return to_asyncpg_url(url).replace("postgresql+asyncpg://", "postgresql://", 1)


def resolve_database_url(settings: Settings) -> str:
    """The configured server, or the embedded one (started on first call).

    The embedded server's URL is exported as ``PARKOPS_DATABASE_URL`` so that worker processes
    spawned by this one (uvicorn ``--workers``) talk to it instead of starting their own.
    """
    global _embedded_server
    if settings.database_url:
        return to_asyncpg_url(settings.database_url)
    from parkops.db import embedded

    _embedded_server = embedded.start(settings.pgdata_dir)
    url = embedded.ensure_database(_embedded_server)
    os.environ["PARKOPS_DATABASE_URL"] = url
    settings.database_url = url
    return url


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    return create_async_engine(
        to_asyncpg_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=False,
        # Business dates are shown in Asia/Shanghai but stored and compared in UTC.
        connect_args={"server_settings": {"timezone": "UTC", "application_name": "parkops"}},
    )


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True)
