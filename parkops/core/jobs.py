"""Queue background work in the caller's transaction.

The queue is procrastinate's (tables ``procrastinate_*``, created by our migrations); the
workers that run it live in :mod:`parkops.jobs`. Deferring here is a plain ``INSERT`` through
procrastinate's own SQL function on the caller's SQLAlchemy session, so a job exists exactly when
the work that asked for it was committed: a billing run that rolled back leaves no job behind,
and an invitation whose email job was queued is never lost because the process died after the
commit. Tasks are named by string, so domains queue work without importing the tasks (which
import the domains).
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

DEFAULT_QUEUE = "default"

_DEFER = sa.text(
    "SELECT unnest(procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, 0, :lock, "
    "NULL, CAST(:args AS jsonb), NULL)]::procrastinate_job_to_defer_v1[]))"
)


async def defer(
    db: AsyncSession,
    task: str,
    *,
    queue: str = DEFAULT_QUEUE,
    lock: str | None = None,
    **args: Any,
) -> int:
    """Queue ``task(**args)`` (JSON-serialisable args) in ``db``'s transaction; returns the job
    id. Jobs sharing a ``lock`` never run at the same time."""
    job_id = await db.scalar(
        _DEFER, {"queue": queue, "task": task, "lock": lock, "args": json.dumps(args)}
    )
    assert job_id is not None
    return int(job_id)
