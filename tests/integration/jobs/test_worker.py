"""`parkops worker` as real processes on a committed database: a worker killed with SIGKILL in
the middle of a billing run is replaced, and the run completes exactly once; two workers run the
periodic ticket sweep once per slot between them."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import date

import pytest
import sqlalchemy as sa

from parkops.billing import run
from parkops.jobs.tasks import TICKETS_SWEEP
from tests.integration.billing.test_processes import CONTRACTS, _check_whole, _setup, _state
from tests.integration.tickets.test_supervision import _scenario
from tests.support import with_committed_session

pytestmark = pytest.mark.slow

# Seconds: a worker silent for 6 s is taken for dead (shorter, a worker on a busy machine is
# wrongly taken for dead and its job run twice, harmlessly but not what this test shows).
HEARTBEAT = "2"


def _worker(url: str, tmp_path, name: str, **env: str) -> subprocess.Popen:
    environment = {
        **os.environ,
        "PARKOPS_DATABASE_URL": url,
        "PARKOPS_ENV": "test",
        "PARKOPS_STORAGE_DIR": str(tmp_path),
        "PARKOPS_WORKER_HEARTBEAT_SECONDS": HEARTBEAT,
        **env,
    }
    with open(tmp_path / f"{name}.log", "wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "parkops.cli", "worker"],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


async def _start_and_queue(db) -> int:
    started = await run.start_run(db, "test", "2026-01", today=date(2026, 1, 2))
    await run.queue_run(db, started.id)
    return started.id


async def _job(db) -> dict:
    job = (
        await db.execute(
            sa.text("SELECT id, status FROM procrastinate_jobs WHERE task_name = 'billing.run'")
        )
    ).one()
    events = (
        await db.execute(
            sa.text("SELECT type FROM procrastinate_events WHERE job_id = :id ORDER BY id"),
            {"id": job.id},
        )
    ).scalars()
    return {"status": job.status, "events": [str(e) for e in events]}


def _wait_for(check, timeout: float, what: str, logs) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what}: " + "\n".join(p.read_text(errors="replace") for p in logs))


def test_a_job_whose_worker_is_killed_runs_again_and_completes_once(
    committed_database_url, tmp_path
):
    url = committed_database_url
    asyncio.run(with_committed_session(url, _setup))
    asyncio.run(with_committed_session(url, _start_and_queue))
    logs = [tmp_path / "first.log", tmp_path / "second.log"]

    # The first worker writes the bills, then pauses before marking the run completed.
    first = _worker(url, tmp_path, "first", PARKOPS_BILLING_BATCH_PAUSE="60")
    try:
        _wait_for(
            lambda: len(asyncio.run(with_committed_session(url, _state))["bills"]) == CONTRACTS,
            90,
            "the first worker did not write the bills",
            logs[:1],
        )
        assert asyncio.run(with_committed_session(url, _job))["status"] == "doing"
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        first.kill()
    assert [r.status for r in asyncio.run(with_committed_session(url, _state))["runs"]] == [
        "running"
    ]

    second = _worker(url, tmp_path, "second")
    try:
        _wait_for(
            lambda: asyncio.run(with_committed_session(url, _job))["status"] == "succeeded",
            90,
            "the job was not run again",
            logs,
        )
    finally:
        second.terminate()
        second.wait(20)
    assert second.returncode == 0, logs[1].read_text()
    assert "of a dead worker is queued again" in logs[1].read_text()

    final = asyncio.run(with_committed_session(url, _state))
    assert len(final["bills"]) == CONTRACTS  # each contract billed once
    _check_whole(final)
    assert [r.status for r in final["runs"]] == ["completed"]
    events = asyncio.run(with_committed_session(url, _job))["events"]
    assert events.count("started") == 2 and events.count("succeeded") == 1, events


async def _sweep_jobs(db) -> dict:
    jobs = (
        await db.execute(
            sa.text(
                "SELECT status, args->>'timestamp' AS slot FROM procrastinate_jobs "
                "WHERE task_name = :task"
            ),
            {"task": TICKETS_SWEEP},
        )
    ).all()
    return {
        "jobs": len(jobs),
        "slots": len({j.slot for j in jobs}),
        "succeeded": sum(j.status == "succeeded" for j in jobs),
        "workers": await db.scalar(sa.text("SELECT count(*) FROM procrastinate_workers")),
        "chases": await db.scalar(
            sa.text("SELECT count(*) FROM ticket_events WHERE action = 'chase'")
        ),
    }


def test_two_workers_run_the_periodic_ticket_sweep_once_per_slot(
    committed_database_url, tmp_path, test_settings
):
    """Both workers start within the current 10-minute slot and each defers the sweep of it
    (procrastinate defers the slot that began less than 10 minutes ago); one job runs."""
    url = committed_database_url

    async def overdue_tickets(db):
        await _scenario(db, test_settings)  # tickets of March 2026: deadlines long passed

    asyncio.run(with_committed_session(url, overdue_tickets))
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    workers = [_worker(url, tmp_path, "a"), _worker(url, tmp_path, "b")]
    try:
        _wait_for(
            lambda: (
                (state := asyncio.run(with_committed_session(url, _sweep_jobs)))["workers"] == 2
                and state["succeeded"] >= 1
            ),
            90,
            "the workers did not sweep",
            logs,
        )
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(20)
    state = asyncio.run(with_committed_session(url, _sweep_jobs))
    assert state["jobs"] == state["slots"], state  # one job per slot, whichever worker queued it
    assert state["chases"] > 0  # the sweep did its work: the overdue deadlines were chased
    assert [w.returncode for w in workers] == [0, 0], [log.read_text() for log in logs]
