"""The operator CLI against a real database: users, backups, migrations."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import sqlalchemy as sa

from parkops.accounts.models import User
from tests.support import run_in_thread, with_committed_session

pytestmark = pytest.mark.slow


def parkops(url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "PARKOPS_DATABASE_URL": url}
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


def test_backup_and_restore(committed_database_url, tmp_path):
    url = committed_database_url
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
    assert restored.returncode == 0, restored.stderr
    names = usernames(url)
    assert "before.backup" in names and "after.backup" not in names


def test_db_current_reports_head(committed_database_url):
    result = parkops(committed_database_url, "db", "current")
    assert result.returncode == 0, result.stderr
    assert "head:" in result.stdout
