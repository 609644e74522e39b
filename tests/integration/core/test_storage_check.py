"""An unwritable storage folder is reported at start-up and by /readyz, not by the first upload
failing with a 500. The tests run as root, for whom permissions do not stop a write, so the
folder is made unusable by putting a file where a folder must be."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.app import create_app
from tests.support import make_client


@pytest.fixture
def blocked_storage(tmp_path):
    """A storage folder whose documents folder cannot be created (a file is in the way)."""
    storage = tmp_path / "storage"
    storage.mkdir()
    (storage / "documents").write_text("not a folder")
    return storage


async def test_readyz_reports_unwritable_storage(db, test_settings, blocked_storage):
    conn = db.bind

    def session_maker() -> AsyncSession:
        return AsyncSession(bind=conn, join_transaction_mode="create_savepoint")

    healthy = create_app(test_settings, session_maker=session_maker)
    async with make_client(healthy) as client:
        assert (await client.get("/readyz")).status_code == 200
    blocked = create_app(
        test_settings.model_copy(update={"storage_dir": blocked_storage}),
        session_maker=session_maker,
    )
    async with make_client(blocked) as client:
        ready = await client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["status"] == "storage not writable"
    assert str(blocked_storage) not in ready.text  # paths stay in the log


def test_serve_refuses_to_start_with_unwritable_storage(tmp_path, blocked_storage):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARKOPS_")}
    env.update(
        PARKOPS_STORAGE_DIR=str(blocked_storage),
        PARKOPS_DATABASE_URL="postgresql://postgres@127.0.0.1:9/parkops",
    )
    result = subprocess.run(
        [sys.executable, "-m", "parkops.cli", "serve", "--port", "9"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("Error: the storage folder")
    assert f"{blocked_storage / 'documents'} is not writable" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
