"""A scratch database for the benchmarks: a new database on PARKOPS_BENCH_DATABASE_URL's server,
or an embedded PostgreSQL in a temporary folder; dropped again by the returned cleanup."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import tempfile
from pathlib import Path

import asyncpg

from parkops.db.engine import to_libpq_url


def scratch_database() -> tuple[str, object, callable]:
    """(asyncpg URL, embedded server or None, cleanup)."""
    from sqlalchemy.engine import make_url

    from parkops.db.engine import to_asyncpg_url

    configured = os.environ.get("PARKOPS_BENCH_DATABASE_URL")
    name = f"parkops_bench_{secrets.token_hex(4)}"
    if configured:
        admin = to_libpq_url(to_asyncpg_url(configured))

        async def sql(statement: str) -> None:
            conn = await asyncpg.connect(admin)
            try:
                await conn.execute(statement)
            finally:
                await conn.close()

        asyncio.run(sql(f'CREATE DATABASE "{name}"'))
        url = make_url(to_asyncpg_url(configured)).set(database=name)
        return (
            url.render_as_string(hide_password=False),
            None,
            lambda: asyncio.run(sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')),
        )
    from parkops.db import embedded

    folder = Path(tempfile.mkdtemp(prefix="pko-bench-pg-"))
    server = embedded.start(folder / "pg", cleanup="delete")
    url = embedded.ensure_database(server, name)

    def cleanup() -> None:
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)

    return url, server, cleanup
