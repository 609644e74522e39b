"""The worker: procrastinate running :mod:`parkops.jobs.tasks` against the app's database.

Each worker reports a heartbeat every ``worker_heartbeat_seconds``; a worker silent for three
of them is taken for dead (killed, its machine gone) and any worker puts the jobs it was doing
back in the queue, where the next free worker runs them again. Periodic jobs are queued by
whichever worker reaches the slot first; procrastinate's unique key on (task, slot) makes that
once across all machines.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import procrastinate
from procrastinate.worker import Worker

from parkops.config import Settings
from parkops.core import blobs
from parkops.db.engine import create_engine, session_factory, to_libpq_url
from parkops.jobs.tasks import HANDLERS, PERIODIC, RETRIES, Handler, Runtime

log = logging.getLogger(__name__)

STALLED_HEARTBEATS = 3
PRUNE_TASK = "jobs.prune"
KEEP_FINISHED_DAYS = 30


def _task(rt: Runtime, handler: Handler, periodic: bool) -> Any:
    if periodic:

        async def run_periodic(timestamp: int) -> None:
            await handler(rt)

        return run_periodic

    async def run(**args: Any) -> None:
        await handler(rt, **args)

    return run


def build_app(rt: Runtime, database_url: str) -> procrastinate.App:
    """A procrastinate app with every ParkOps task on the database at ``database_url``."""
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=to_libpq_url(database_url))
    )
    for name, handler in HANDLERS.items():
        retry = RETRIES.get(name)
        task = app.task(
            name=name,
            retry=procrastinate.RetryStrategy(**retry) if retry else False,
        )(_task(rt, handler, name in PERIODIC))
        if name in PERIODIC:
            app.periodic(cron=PERIODIC[name])(task)

    # Finished jobs are kept a month (what ran, when, how often it was tried), then deleted, so
    # the queue's tables do not grow for ever; failed ones stay until someone looks.
    @app.periodic(cron="30 19 * * *")  # 03:30 Asia/Shanghai
    @app.task(name=PRUNE_TASK)
    async def prune_finished_jobs(timestamp: int) -> None:
        await app.job_manager.delete_old_jobs(
            nb_hours=KEEP_FINISHED_DAYS * 24, include_cancelled=True, include_aborted=True
        )

    return app


async def requeue_stalled(
    app: procrastinate.App, silent_seconds: float, own_id: int | None = None
) -> list[int]:
    """Put the jobs of workers silent for ``silent_seconds`` back in the queue; their ids.
    ``own_id``: this worker, alive since it is asking, even when a long job kept its event loop
    from sending heartbeats."""
    requeued = []
    for job in await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=silent_seconds):
        if own_id is not None and job.worker_id == own_id:
            continue
        try:
            await app.job_manager.retry_job(job)
        except Exception:  # another worker requeued it first
            log.debug("job %s was requeued elsewhere", job.id, exc_info=True)
            continue
        assert job.id is not None
        requeued.append(job.id)
        log.warning("job %s (%s) of a dead worker is queued again", job.id, job.task_name)
    return requeued


async def _watch_stalled(app: procrastinate.App, worker: Worker, heartbeat: float) -> None:
    while True:
        try:
            await requeue_stalled(app, heartbeat * STALLED_HEARTBEATS, worker.worker_id)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a database hiccup must not end the watch
            log.warning("could not look for the jobs of dead workers: %s", exc.__class__.__name__)
        await asyncio.sleep(heartbeat)


async def run_worker(
    settings: Settings, database_url: str, *, install_signal_handlers: bool = True
) -> None:
    """Run jobs until stopped (SIGINT/SIGTERM, or cancelled when run inside the app)."""
    import parkops.models  # noqa: F401 - every table, so cross-domain foreign keys resolve

    blobs.configure(settings)
    engine = create_engine(database_url, pool_size=settings.worker_concurrency)
    app = build_app(Runtime(settings, session_factory(engine)), database_url)
    heartbeat = settings.worker_heartbeat_seconds
    try:
        async with app.open_async():
            worker = Worker(
                app,
                concurrency=settings.worker_concurrency,
                install_signal_handlers=install_signal_handlers,
                update_heartbeat_interval=heartbeat,
                stalled_worker_timeout=heartbeat * STALLED_HEARTBEATS,
            )
            watch = asyncio.create_task(
                _watch_stalled(app, worker, heartbeat), name="requeue-stalled"
            )
            try:
                await worker.run()
            finally:
                watch.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watch
    finally:
        await engine.dispose()
