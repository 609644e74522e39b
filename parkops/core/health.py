"""Liveness and readiness for load balancers and orchestrators."""

from __future__ import annotations

import sqlalchemy as sa
from litestar import Request, Response, get

from parkops.db.migrate import head_revision

PUBLIC = {"public": True}


@get("/healthz", opt=PUBLIC, include_in_schema=False)
async def healthz() -> dict[str, str]:
    """The process is alive (no dependencies checked, so a slow database does not kill it)."""
    return {"status": "ok"}


@get("/readyz", opt=PUBLIC, include_in_schema=False)
async def readyz(request: Request) -> Response:
    """Ready to serve: the database answers and its schema is at the migrations' head."""
    head = head_revision(request.app.state.settings)
    try:
        async with request.app.state.session_maker() as db:
            current = (
                await db.execute(sa.text("SELECT version_num FROM alembic_version"))
            ).scalar()
    except Exception as exc:  # any failure to reach the database means not ready
        return Response(
            {"status": "unavailable", "database": str(exc.__class__.__name__)}, status_code=503
        )
    if current != head:
        return Response(
            {"status": "migrations pending", "current": current, "head": head}, status_code=503
        )
    return Response({"status": "ok", "revision": current}, status_code=200)
