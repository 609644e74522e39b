"""The operator CLI against a real database: users, backups, migrations."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from parkops.accounts.models import User
from parkops.db import migrate
from parkops.db.engine import to_asyncpg_url, to_libpq_url
from tests.support import run_in_thread, with_committed_session

pytestmark = pytest.mark.slow


def parkops(
    url: str, *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    env = {**os.environ, "PARKOPS_DATABASE_URL": url, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "parkops.cli", *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def usernames(url: str) -> set[str]:
    async def query(db):
        return set((await db.execute(sa.select(User.username))).scalars())

    return run_in_thread(with_committed_session, url, query)


def test_help_documents_every_command():
    out = subprocess.run(
        [sys.executable, "-m", "parkops.cli", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for command in ("serve", "db", "users", "demo"):
        assert command in out
    db_help = subprocess.run(
        [sys.executable, "-m", "parkops.cli", "db", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for command in ("upgrade", "downgrade", "current", "revision", "backup", "restore"):
        assert command in db_help


def test_users_create_and_set_password(committed_database_url):
    url = committed_database_url
    made = parkops(
        url,
        "users",
        "create",
        "chen.jing",
        "--role",
        "leasing",
        "--role",
        "finance",
        "--name",
        "陈静",
        stdin="a-strong-password\n",
    )
    assert made.returncode == 0, made.stderr
    assert "chen.jing" in usernames(url)
    again = parkops(
        url, "users", "create", "chen.jing", "--role", "leasing", stdin="another-password\n"
    )
    assert again.returncode != 0 and "already taken" in again.stderr
    weak = parkops(url, "users", "create", "weak.one", "--role", "leasing", stdin="short\n")
    assert weak.returncode != 0 and "at least 10 characters" in weak.stderr
    assert "weak.one" not in usernames(url)
    mixed = parkops(
        url,
        "users",
        "create",
        "mixed",
        "--role",
        "leasing",
        "--role",
        "enterprise_user",
        "--enterprise-id",
        "1",
        stdin="a-strong-password\n",
    )
    assert mixed.returncode != 0 and "cannot hold other roles" in mixed.stderr
    changed = parkops(url, "users", "set-password", "chen.jing", stdin="the-new-password\n")
    assert changed.returncode == 0, changed.stderr
    missing = parkops(url, "users", "set-password", "nobody", stdin="the-new-password\n")
    assert missing.returncode != 0 and "No user named" in missing.stderr


SERVER_5432 = "postgresql://postgres@127.0.0.1:5432/postgres"


def _admin(url: str, *statements: str) -> list:
    async def run():
        conn = await asyncpg.connect(to_libpq_url(url))
        try:
            return [await conn.fetchval(statement) for statement in statements]
        finally:
            await conn.close()

    return asyncio.run(run())


@pytest.fixture
def database_on_5432(server_url, test_settings):
    """A migrated database on the PostgreSQL server at 127.0.0.1:5432 (15 on the development
    machines), whatever server the rest of the suite uses."""
    try:
        socket.create_connection(("127.0.0.1", 5432), 1).close()
    except OSError:
        pytest.skip("no PostgreSQL server answers on 127.0.0.1:5432")
    here = make_url(server_url)
    if here.host == "127.0.0.1" and (here.port or 5432) == 5432:
        pytest.skip("the suite already runs on the server at 127.0.0.1:5432")
    name = f"parkops_restore_{secrets.token_hex(4)}"
    _admin(SERVER_5432, f'CREATE DATABASE "{name}"')
    url = str(make_url(to_asyncpg_url(SERVER_5432)).set(database=name))
    try:
        migrate.upgrade(test_settings, url)
        yield url
    finally:
        _admin(SERVER_5432, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["suite server", "server on 127.0.0.1:5432"])
def restore_target(request) -> str:
    if request.param == "suite server":
        return request.getfixturevalue("committed_database_url")
    return request.getfixturevalue("database_on_5432")


def test_backup_and_restore(restore_target, tmp_path):
    """Round trip on the suite's server (embedded PostgreSQL 18 by default) and on the server at
    127.0.0.1:5432 (PostgreSQL 15 here), with the bundled PostgreSQL 18 tools."""
    url = restore_target
    version = _admin(url, "SHOW server_version_num")[0]
    assert (
        parkops(
            url,
            "users",
            "create",
            "before.backup",
            "--role",
            "finance",
            stdin="a-strong-password\n",
        ).returncode
        == 0
    )
    dump = tmp_path / "parkops.dump"
    backup = parkops(url, "db", "backup", str(dump))
    assert backup.returncode == 0, backup.stderr
    assert dump.stat().st_size > 1000
    assert (
        parkops(
            url, "users", "create", "after.backup", "--role", "finance", stdin="a-strong-password\n"
        ).returncode
        == 0
    )
    restored = parkops(url, "db", "restore", str(dump), "--yes")
    assert restored.returncode == 0, (version, restored.stderr)
    names = usernames(url)
    assert "before.backup" in names and "after.backup" not in names
    # The restored schema is at the code's migration head.
    current = parkops(url, "db", "current")
    assert current.returncode == 0 and "head" in current.stdout


def test_a_broken_backup_changes_nothing(committed_database_url, tmp_path):
    url = committed_database_url
    dump = tmp_path / "parkops.dump"
    assert parkops(url, "db", "backup", str(dump)).returncode == 0
    assert (
        parkops(url, "users", "create", "stays", "--role", "finance", stdin="a-strong-pw\n")
    ).returncode == 0
    cut = tmp_path / "cut.dump"
    cut.write_bytes(dump.read_bytes()[: dump.stat().st_size * 2 // 3])
    failed = parkops(url, "db", "restore", str(cut), "--yes")
    assert failed.returncode == 1, failed.stderr
    assert failed.stderr.startswith("Error: ") and "nothing was changed" in failed.stderr
    assert "stays" in usernames(url)


def test_db_current_reports_head(committed_database_url):
    result = parkops(committed_database_url, "db", "current")
    assert result.returncode == 0, result.stderr
    assert "head:" in result.stdout


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_operator_mistakes_end_in_one_line_not_a_traceback(tmp_path):
    """Each case: exit status 1, one line on stderr that names the problem, no traceback."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("PARKOPS_")}
    base["PARKOPS_STORAGE_DIR"] = str(tmp_path / "storage")
    dead = f"postgresql://postgres@127.0.0.1:{_closed_port()}/parkops"
    cases = {
        "dead port": (
            {"PARKOPS_DATABASE_URL": dead},
            ["db", "upgrade"],
            "cannot connect to the database 127.0.0.1:",
        ),
        "bad scheme": (
            {"PARKOPS_DATABASE_URL": "mysql://parkops:s3cret-pw@db/parkops"},
            ["db", "current"],
            "PARKOPS_DATABASE_URL must be a PostgreSQL URL",
        ),
        "production without a secret": (
            {"PARKOPS_ENV": "production", "PARKOPS_DATABASE_URL": dead},
            ["users", "create", "admin", "--role", "park_admin", "--password", "x" * 12],
            "PARKOPS_SECRET_KEY must be set",
        ),
        "no settings at all": (
            {},
            ["users", "create", "admin", "--role", "park_admin", "--password", "x" * 12],
            "no database configured: PARKOPS_DATABASE_URL is not set",
        ),
    }
    running = {
        name: subprocess.Popen(
            [sys.executable, "-m", "parkops.cli", *args],
            env={**base, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, (env, args, _) in cases.items()
    }
    for name, proc in running.items():
        _out, err = proc.communicate(timeout=60)
        expected = cases[name][2]
        assert proc.returncode == 1, (name, err)
        assert len(err.strip().splitlines()) == 1, (name, err)
        assert err.startswith("Error: ") and expected in err, (name, err)
        assert "s3cret-pw" not in err
    # Nothing was created where the settings would have put an embedded database.
    assert not (tmp_path / "storage" / "pgdata").exists()


def _cli(monkeypatch, url: str, *args: str):
    """Run the command in this process (faster than a subprocess for the database steps)."""
    from click.testing import CliRunner

    from parkops.cli import main
    from parkops.config import get_settings

    monkeypatch.setenv("PARKOPS_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)
    finally:
        get_settings.cache_clear()


def _revision(url: str) -> str:
    async def query(db):
        return (await db.execute(sa.text("SELECT version_num FROM alembic_version"))).scalar_one()

    return run_in_thread(with_committed_session, url, query)


def _tables(url: str) -> set[str]:
    async def query(db):
        return set(
            (
                await db.execute(
                    sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                )
            ).scalars()
        )

    return run_in_thread(with_committed_session, url, query)


def test_downgrade_refuses_to_drop_data_unless_told(committed_database_url, monkeypatch):
    url = committed_database_url
    made = parkops(url, "users", "create", "keeper", "--role", "finance", stdin="a-strong-pw\n")
    assert made.returncode == 0, made.stderr
    tables = _tables(url)

    refused = _cli(monkeypatch, url, "db", "downgrade", "base")
    assert refused.exit_code == 1
    assert "users (" in refused.output and "--i-understand-data-loss" in refused.output
    assert _tables(url) == tables and "keeper" in usernames(url)  # nothing changed

    # README's form: one step down (the last migration touches no data here), then back up.
    head = _revision(url)
    one_step = _cli(monkeypatch, url, "db", "downgrade", "-1")
    assert one_step.exit_code == 0, one_step.output
    assert _revision(url) != head
    assert _cli(monkeypatch, url, "db", "upgrade").exit_code == 0
    assert _revision(url) == head
    assert _tables(url) == tables

    told = _cli(monkeypatch, url, "db", "downgrade", "base", "--i-understand-data-loss")
    assert told.exit_code == 0, told.output
    assert "dropped with their data:" in told.output and "users (" in told.output
    assert _tables(url) <= {"alembic_version"}


async def _store_pdf(db, storage: Path, content: bytes) -> str:
    from parkops.documents.service import store_document

    document = await store_document(
        db, "test", "bill", "billing_bill", 1, None, content, "bill", 1, "zh",
        documents_dir=storage / "documents",
    )  # fmt: skip
    return document.storage_path


async def _document_paths(db) -> list[str]:
    rows = await db.execute(sa.text("SELECT storage_path FROM documents ORDER BY id"))
    return list(rows.scalars())


def test_backup_with_files_round_trip(restore_target, tmp_path):
    """One archive holds the database and the stored files; a restore brings back both (on the
    suite's PostgreSQL 18 and on the 15 at 127.0.0.1:5432)."""
    url = restore_target
    storage = tmp_path / "storage"
    env = {"PARKOPS_STORAGE_DIR": str(storage)}
    kept = asyncio.run(with_committed_session(url, lambda db: _store_pdf(db, storage, b"%PDF-a")))
    archive = tmp_path / "parkops.backup"
    made = parkops(url, "backup", "create", str(archive), env=env)
    assert made.returncode == 0, made.stderr
    assert "1 files" in made.stdout
    later = asyncio.run(with_committed_session(url, lambda db: _store_pdf(db, storage, b"%PDF-b")))
    shutil.rmtree(storage / "documents")  # the folder is lost as well

    restored = parkops(url, "backup", "restore", str(archive), "--yes", env=env)
    assert restored.returncode == 0, restored.stderr
    assert asyncio.run(with_committed_session(url, _document_paths)) == [kept]
    assert (storage / "documents" / kept).read_bytes() == b"%PDF-a"
    assert not (storage / "documents" / later).exists()

    (tmp_path / "notes.txt").write_text("not a backup")
    refused = parkops(url, "backup", "restore", str(tmp_path / "notes.txt"), "--yes", env=env)
    assert refused.returncode == 1 and refused.stderr.startswith("Error: ")
    assert "is not a ParkOps backup" in refused.stderr
