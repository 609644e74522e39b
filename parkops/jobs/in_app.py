"""A worker inside the app process (``PARKOPS_WORKER_IN_APP``, which ``parkops serve`` turns on
with the embedded development database): one command then serves pages and runs the jobs."""

from __future__ import annotations

import asyncio
import contextlib

from litestar import Litestar

from parkops.db.engine import resolve_database_url


async def start_worker(app: Litestar) -> None:
    settings = app.state.settings
    if settings.worker_in_app:
        from parkops.jobs.worker import run_worker

        url = resolve_database_url(settings, create_embedded=False)
        app.state.worker = asyncio.create_task(
            run_worker(settings, url, install_signal_handlers=False), name="parkops-worker"
        )


async def stop_worker(app: Litestar) -> None:
    worker = app.state.get("worker")
    if worker is not None:
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker
        app.state.worker = None
