"""Sessions live in PostgreSQL, so several app processes share them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from parkops.core.web import CSRF_COOKIE, SESSION_COOKIE

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(url: str, port: int, storage, **settings: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "PARKOPS_DATABASE_URL": url,
        "PARKOPS_ENV": "test",
        "PARKOPS_STORAGE_DIR": str(storage),
        **settings,
    }
    # stderr to a file, not a pipe: nobody reads a pipe while the server runs, and a full one
    # would block the server. The child keeps its own copy of the file descriptor.
    with open(storage / f"server-{port}.log", "wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "parkops.cli", "serve", "--port", str(port), "--demo"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )


def _wait(port: int, proc: subprocess.Popen, storage) -> None:
    # Generous: under load (a shared machine, the suite on every core) a start with the demo data
    # has taken more than 30 s.
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError((storage / f"server-{port}.log").read_text(errors="replace"))
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError(f"server on {port} did not start")


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def _sign_in_both(a: httpx.Client, b: httpx.Client, username: str) -> str:
    """Sign in a demo user through ``a`` and give ``b`` the same session; the CSRF token."""
    a.get("/login")
    token = a.cookies[CSRF_COOKIE]
    signed_in = a.post(
        "/login",
        data={"username": username, "password": "parkops-demo-2026", "_csrf_token": token},
    )
    assert signed_in.status_code == 303, signed_in.text
    token = a.cookies[CSRF_COOKIE]  # signing in rotated it (bound to the new session)
    b.cookies.set(SESSION_COOKIE, a.cookies[SESSION_COOKIE])
    b.cookies.set(CSRF_COOKIE, token)
    return token


def test_session_shared_and_revoked_across_processes(committed_database_url, tmp_path):
    ports = [_free_port(), _free_port()]
    started: list[subprocess.Popen] = []
    try:
        started.append(_start(committed_database_url, ports[0], tmp_path))
        _wait(ports[0], started[0], tmp_path)  # the first one loads the demo users
        started.append(_start(committed_database_url, ports[1], tmp_path))
        _wait(ports[1], started[1], tmp_path)
        a, b = (httpx.Client(base_url=f"http://127.0.0.1:{p}") for p in ports)
        token = _sign_in_both(a, b, "admin")
        assert b.get("/admin/users").status_code == 200  # process 2 knows process 1's session
        assert b.post("/logout", data={"_csrf_token": token}).status_code == 303
        assert a.get("/admin/users").status_code == 303  # and process 1 sees the logout
    finally:
        for proc in started:
            _stop(proc)
