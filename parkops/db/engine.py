"""Engine and session factories, resolution of which PostgreSQL to talk to, and telling a
database that cannot be reached from other errors."""

from __future__ import annotations

import logging
import os

from litestar import Litestar
from sqlalchemy import event, pool
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from parkops.config import Settings

log = logging.getLogger(__name__)
_embedded_server = None  # kept referenced so the server lives as long as this process

# SQLSTATEs meaning "the server is there but will not serve now": connection exceptions (class
# 08), administrator/crash shutdown, starting up or shutting down, too many connections.
_UNAVAILABLE_STATES = {"57P01", "57P02", "57P03", "53300"}


class DatabaseUnavailable(Exception):
    """Connecting to PostgreSQL failed (refused, unknown host, timed out, shutting down,
    authentication refused); the message says where and why, without the password."""


def is_database_unavailable(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what caused it) means the database cannot be reached right now."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, DatabaseUnavailable):
            return True
        if isinstance(exc, DBAPIError) and exc.connection_invalidated:
            return True
        state = getattr(exc, "sqlstate", None)
        if isinstance(state, str) and (state.startswith("08") or state in _UNAVAILABLE_STATES):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def describe_target(url: str) -> str:
    """``host:port/database`` of a URL, for messages (never the password)."""
    parsed = make_url(to_asyncpg_url(url))
    host = parsed.host or parsed.query.get("host") or "localhost"
    if isinstance(host, tuple):
        host = host[0]
    port = f":{parsed.port}" if parsed.port else ""
    return f"{host}{port}/{parsed.database or ''}"


def _raise_unavailable_on_connect_failure(engine: AsyncEngine, url: str) -> None:
    """Connection failures become :class:`DatabaseUnavailable`, so the web app answers 503 and
    the command line prints one line instead of a traceback through the driver."""
    target = describe_target(url)

    @event.listens_for(engine.sync_engine, "do_connect")
    def connect(dialect, conn_rec, cargs, cparams):
        try:
            return dialect.connect(*cargs, **cparams)
        except Exception as exc:
            reason = (str(exc).strip() or type(exc).__name__).splitlines()[0]
            raise DatabaseUnavailable(f"cannot connect to the database {target}: {reason}") from exc


def to_asyncpg_url(url: str) -> str:
    """Accept the usual ``postgresql://`` / ``postgres://`` spellings and use asyncpg."""
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    raise ValueError(f"not a PostgreSQL URL: {url!r}")


def to_libpq_url(url: str) -> str:
    """The URL form pg_dump, psql and raw asyncpg understand."""
    return to_asyncpg_url(url).replace("postgresql+asyncpg://", "postgresql://", 1)


class NoDatabaseConfigured(Exception):
    """No server is configured and the command may not create the embedded one."""


_LOOPBACK = ("127.", "::1", "localhost")


def resolve_database_url(settings: Settings, *, create_embedded: bool = True) -> str:
    """The configured server, or the embedded one (started on first call).

    ``create_embedded=False`` (the administrative commands) refuses to create a new embedded
    cluster: run without the settings file, ``parkops users create`` would otherwise create an
    empty database under the checkout and the admin there, and report success.

    The embedded server's URL is exported as ``PARKOPS_DATABASE_URL`` so that worker processes
    spawned by this one (uvicorn ``--workers``) talk to it instead of starting their own.
    """
    global _embedded_server
    if settings.database_url:
        return to_asyncpg_url(settings.database_url)
    from parkops.db import embedded

    if not create_embedded and not embedded.exists(settings.pgdata_dir):
        raise NoDatabaseConfigured(
            "no database configured: PARKOPS_DATABASE_URL is not set and there is no embedded "
            f"database in {settings.pgdata_dir}. Load the settings first (e.g. "
            "`set -a; . /etc/parkops/parkops.env; set +a`), or run `parkops serve` once to "
            "create the embedded development database."
        )
    if settings.env != "development" or not settings.host.startswith(_LOOPBACK):
        log.warning(
            "PARKOPS_DATABASE_URL is not set, so ParkOps uses the EMBEDDED PostgreSQL under %s, "
            "which is meant for development on one machine (PARKOPS_ENV=%s, PARKOPS_HOST=%s). "
            "Set PARKOPS_DATABASE_URL to a PostgreSQL server for anything else.",
            settings.pgdata_dir,
            settings.env,
            settings.host,
        )
    _embedded_server = embedded.start(settings.pgdata_dir)
    url = embedded.ensure_database(_embedded_server)
    os.environ["PARKOPS_DATABASE_URL"] = url
    settings.database_url = url
    return url


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """The app's pooled engine; ``pool_size=0`` opens a connection per use (migrations)."""
    pooling = (
        {"pool_size": pool_size, "max_overflow": pool_size}
        if pool_size
        else {"poolclass": pool.NullPool}
    )
    engine = create_async_engine(
        to_asyncpg_url(url),
        pool_pre_ping=False,
        # Business dates are shown in Asia/Shanghai but stored and compared in UTC.
        connect_args={"server_settings": {"timezone": "UTC", "application_name": "parkops"}},
        **pooling,
    )
    _raise_unavailable_on_connect_failure(engine, url)
    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True)


async def open_database(app: Litestar) -> None:
    """Start-up hook: the engine of the app's settings, unless the app was given a session maker
    (the tests bind every request to their transaction)."""
    if app.state.session_maker is None:
        settings = app.state.settings
        url = resolve_database_url(settings)
        app.state.engine = create_engine(url, pool_size=settings.db_pool_size)
        app.state.session_maker = session_factory(app.state.engine)


async def close_database(app: Litestar) -> None:
    if app.state.engine is not None:
        await app.state.engine.dispose()
