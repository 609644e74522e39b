"""Serving an app with uvicorn in a subprocess and driving it with ``wrk``, for the HTTP
benchmarks (``units_api.py``, ``pages.py``). ``wrk`` is the Debian package of that name (``make
bench`` installs it when run as root): an httpx load generator saturates before the app does and
would make every ratio look better than it is, so there is no fallback."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
THREADS = int(os.environ.get("BENCH_THREADS", "2"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))


def require_wrk() -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk (make bench does, as root)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(factory: str, env: dict[str, str], probe: str) -> tuple[subprocess.Popen, str]:
    """Serve ``module:function`` (a uvicorn factory, module under bench/ or importable) with one
    worker; returns the process and its base URL once ``probe`` answers 200."""
    port = free_port()
    command = [
        sys.executable, "-m", "uvicorn", "--app-dir", str(ROOT / "bench"), factory, "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--loop", "uvloop",
        "--http", "httptools", "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    process = subprocess.Popen(command, env={**os.environ, **env}, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + probe, timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise SystemExit(f"{factory} exited during start-up")
        time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"{factory} did not start")


def stop(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        process.terminate()
        process.wait(10)


class LoadError(Exception):
    """The server answered something else than 2xx under load."""


@dataclass(frozen=True)
class Result:
    rate: float  # requests per second
    requests: int
    p50_ms: float
    p99_ms: float


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def run_wrk(url: str, headers: dict[str, str], seconds: float) -> Result:
    """Drive ``url`` for ``seconds``; a non-2xx answer stops the benchmark."""
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s",
               "--latency", "--timeout", "30s"]  # fmt: skip
    for key, value in headers.items():
        command += ["-H", f"{key}: {value}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        raise LoadError(f"errors while driving {url}:\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    done = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"^\s*50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s*99%\s+(\S+)", out, re.M)
    return Result(rate, done, _ms(p50.group(1)) if p50 else 0.0, _ms(p99.group(1)) if p99 else 0.0)
