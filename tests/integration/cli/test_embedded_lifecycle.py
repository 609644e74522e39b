"""The embedded PostgreSQL lives exactly as long as the processes using it.

Real processes: `parkops serve` without PARKOPS_DATABASE_URL starts the embedded server; the
signals systemd, Docker, `kill` and a closing terminal send must stop it; a command run meanwhile
must leave it to serve; a server orphaned by a crash (kill -9) is found and handled.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def storage(tmp_path_factory) -> Path:
    """One storage folder for the module: the cluster is created once (initdb takes seconds)."""
    return tmp_path_factory.mktemp("embedded")


def _env(storage: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARKOPS_")}
    return {**env, "PARKOPS_ENV": "test", "PARKOPS_STORAGE_DIR": str(storage)}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(storage: Path, *args: str) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "parkops.cli", "serve", "--port", str(port), *args],
        env=_env(storage),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(proc.stderr.read())
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc, port
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("parkops serve did not start")


def _cli(storage: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "parkops.cli", *args],
        env=_env(storage),
        capture_output=True,
        text=True,
        timeout=60,
    )


def _postgres_processes(storage: Path) -> list[psutil.Process]:
    """Postmasters of this storage's cluster (their command line names the data folder)."""
    pgdata = str((storage / "pgdata").resolve())
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if proc.info["name"] == "postgres" and pgdata in cmdline:
            found.append(proc)
    return found


def _exited(process: psutil.Process) -> bool:
    """Gone, or a zombie (exited; reaping it is its parent's business, PID 1 in a container)."""
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _wait_gone(storage: Path, seconds: float = 15) -> list[psutil.Process]:
    deadline = time.monotonic() + seconds
    while (left := _postgres_processes(storage)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


@pytest.mark.parametrize(
    ("sig", "workers"),
    [
        (signal.SIGTERM, "1"),
        (signal.SIGHUP, "1"),
        (signal.SIGINT, "1"),
        (signal.SIGTERM, "2"),
    ],
    ids=["SIGTERM", "SIGHUP", "SIGINT", "SIGTERM-2-workers"],
)
def test_a_signal_to_serve_stops_the_embedded_postgresql(storage, sig, workers):
    serve, port = _serve(storage, "--workers", workers)
    try:
        assert len(_postgres_processes(storage)) == 1
        if sig == signal.SIGTERM and workers == "1":
            # A command run meanwhile uses the same server and leaves it running.
            current = _cli(storage, "db", "current")
            assert current.returncode == 0, current.stderr
            assert len(_postgres_processes(storage)) == 1
            ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
            assert ready.json()["status"] == "migrations pending"  # it answers, from the database
        serve.send_signal(sig)
        serve.wait(30)
    finally:
        if serve.poll() is None:
            serve.kill()
    stderr = serve.stderr.read()
    assert not _wait_gone(storage), stderr
    # The suite runs with PARKOPS_ENV=test: the fallback to the embedded server is announced.
    assert "EMBEDDED PostgreSQL" in stderr


def test_an_orphan_left_by_a_crash_is_found_and_stopped(storage):
    serve, _port = _serve(storage)
    serve.kill()  # kill -9: no clean-up can run
    serve.wait(10)
    serve.stderr.close()
    orphans = _postgres_processes(storage)
    assert len(orphans) == 1, "the crash should have left the server running"
    current = _cli(storage, "db", "current")
    assert current.returncode == 0, current.stderr
    assert f"embedded PostgreSQL (pid {orphans[0].pid})" in current.stderr
    assert "left running by a process that has gone" in current.stderr
    assert _exited(orphans[0])  # stopped, started afresh for the command...
    assert not _wait_gone(storage)  # ...and stopped again by it, its only user
