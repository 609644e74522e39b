"""Backups with S3 storage: the archive holds the database and a manifest of the bucket; a
restore checks the bucket against it and names what is missing."""

from __future__ import annotations

import asyncio
import json
import tarfile

import pytest

from parkops.core import blobs
from tests.integration.cli.test_cli import _store_pdf, parkops
from tests.integration.storage.conftest import s3_env
from tests.support import with_committed_session

pytestmark = pytest.mark.slow


def test_backup_lists_the_bucket_and_restore_checks_it(
    committed_database_url, s3_server, s3_settings, tmp_path
):
    url = committed_database_url
    blobs.configure(s3_settings)
    try:
        key = "documents/" + asyncio.run(
            with_committed_session(url, lambda db: _store_pdf(db, tmp_path, b"%PDF-s3"))
        )
        store = blobs.remote()
        assert store is not None and store.get(key) == b"%PDF-s3"
        env = {"PARKOPS_STORAGE_DIR": str(tmp_path), **s3_env(s3_server, s3_settings.s3_prefix)}
        archive = tmp_path / "parkops.backup"
        made = parkops(url, "backup", "create", str(archive), env=env)
        assert made.returncode == 0, made.stderr
        with tarfile.open(archive) as tar:
            manifest = json.load(tar.extractfile("manifest.json"))
            assert not any(name.startswith("files/") for name in tar.getnames())
        assert manifest["storage"]["backend"] == "s3"
        assert [(f["key"], f["size"]) for f in manifest["files"]] == [(key, 7)]

        assert parkops(url, "backup", "restore", str(archive), "--yes", env=env).returncode == 0
        store.delete(key)
        lost = parkops(url, "backup", "restore", str(archive), "--yes", env=env)
        assert lost.returncode == 1
        assert "1 files of the backup are missing from the storage" in lost.stderr
        assert key in lost.stderr
    finally:
        blobs.configure(s3_settings.model_copy(update={"storage_backend": "local"}))
