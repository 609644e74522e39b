"""Liveness and readiness for load balancers and orchestrators."""

from __future__ import annotations

import logging

import anyio
import sqlalchemy as sa
from litestar import Request, Response, get

from parkops.core import blobs
from parkops.core.storage import StorageNotWritable, check_writable
from parkops.db.migrate import head_revision

log = logging.getLogger(__name__)

PUBLIC = {"public": True}


@get("/healthz", opt=PUBLIC, include_in_schema=False)
async def healthz() -> dict[str, str]:
    """The process is alive (no dependencies checked, so a slow database does not kill it)."""
    return {"status": "ok"}


@get("/readyz", opt=PUBLIC, include_in_schema=False)
async def readyz(request: Request) -> Response:
    """Ready to serve: the database answers, its schema is at the migrations' head, and the
    storage folder can be written."""
    settings = request.app.state.settings
    head = head_revision(settings)
    try:
        async with request.app.state.session_maker() as db:
            # A database never migrated has no alembic_version table: pending, not down.
            has_versions = await db.scalar(sa.text("SELECT to_regclass('alembic_version')"))
            current = (
                await db.scalar(sa.text("SELECT version_num FROM alembic_version"))
                if has_versions
                else None
            )
    except Exception as exc:  # any failure to reach the database means not ready
        return Response(
            {"status": "unavailable", "database": str(exc.__class__.__name__)}, status_code=503
        )
    if current != head:
        return Response(
            {"status": "migrations pending", "current": current, "head": head}, status_code=503
        )
    try:
        await anyio.to_thread.run_sync(check_writable, settings.storage_dir)
    except StorageNotWritable as exc:
        log.warning("not ready: %s", exc)  # the path stays in the log, not the public answer
        return Response({"status": "storage not writable"}, status_code=503)
    store = blobs.remote()
    if store is not None:
        try:
            await anyio.to_thread.run_sync(store.check)
        except Exception as exc:
            log.warning("not ready: the S3 bucket cannot be written: %s", exc)
            return Response({"status": "storage not writable"}, status_code=503)
    return Response({"status": "ok", "revision": current}, status_code=200)
