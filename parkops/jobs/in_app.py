"""A worker inside the app process (``PARKOPS_WORKER_IN_APP``, which ``parkops serve`` turns on
with the embedded development database): one command then serves pages and runs the jobs."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from litestar import Litestar

from parkops.config import Settings
from parkops.db.engine import resolve_database_url

log = logging.getLogger(__name__)


RETRY_SECONDS = 30


async def _keep_working(settings: Settings, url: str) -> None:
    """Run the worker; when it cannot (a database not migrated yet, down for a while), say so in
    one line and try again, rather than taking the app down or filling its log."""
    from parkops.jobs.worker import run_worker

    while True:
        try:
            await run_worker(settings, url, install_signal_handlers=False)
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            reason = (str(exc).strip() or type(exc).__name__).splitlines()[0]
            log.warning(
                "background jobs are not running (%s); trying again in %s s", reason, RETRY_SECONDS
            )
        await asyncio.sleep(RETRY_SECONDS)


async def start_worker(app: Litestar) -> None:
    settings = app.state.settings
    if settings.worker_in_app:
        url = resolve_database_url(settings, create_embedded=False)
        app.state.worker = asyncio.create_task(_keep_working(settings, url), name="parkops-worker")


async def stop_worker(app: Litestar) -> None:
    worker = app.state.get("worker")
    if worker is not None:
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker
        app.state.worker = None
