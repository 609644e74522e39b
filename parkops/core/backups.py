"""Backups of everything ParkOps keeps: the database and the stored files, in one archive.

``parkops backup create FILE`` writes a tar archive holding ``database.dump`` (pg_dump's custom
format, :mod:`parkops.db.backup`), ``manifest.json`` (when, which revision, which storage, and
every stored file with its size and checksum) and, with the local storage folder, the files
themselves under ``files/``. With an S3 bucket the manifest lists the bucket's objects instead of
copying them: the bucket is the shared, replicated store, and copying it is the provider's
business (versioning, replication), while the manifest tells a restore what must be there.

Consistency without stopping the app: the dump is taken first, the files listed after it. Every
file is written before the row naming it commits (documents, attachments and slips alike), and
files are never changed or deleted once written (they are named by their content or at random),
so every file the dump refers to exists when the files are listed; files added meanwhile are
harmless extras. ``parkops backup restore FILE`` replaces the database (in one transaction), then
puts back the files of a local archive, or checks that the bucket still holds every object of
the manifest and names the missing ones.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from parkops.config import Settings
from parkops.core import blobs

DUMP = "database.dump"
MANIFEST = "manifest.json"
FILES = "files/"
# The folders below the storage folder that hold stored files (not the embedded database, not
# the import previews, which live for minutes).
FOLDERS = ("documents", "attachments", "billing/slips")


class BackupError(Exception):
    """The archive cannot be read or restored; the message says why."""


@dataclass
class Summary:
    files: int = 0
    bytes: int = 0
    missing: list[str] = field(default_factory=list)


def _local_files(storage_dir: Path) -> Iterator[tuple[str, Path]]:
    for folder in FOLDERS:
        root = storage_dir / folder
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file() and not path.name.startswith(".tmp-"):
                    yield path.relative_to(storage_dir).as_posix(), path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    tar.addfile(info, io.BytesIO(data))


def create(settings: Settings, database_url: str, archive: Path, revision: str | None) -> Summary:
    """Write the database and the files (or the bucket's manifest) to ``archive``."""
    from parkops.db import backup as db_backup

    summary = Summary()
    store = blobs.remote()
    with tempfile.TemporaryDirectory(prefix="parkops-backup-") as work:
        dump = Path(work) / DUMP
        db_backup.backup(database_url, dump)  # first: see the module's docstring
        tmp = archive.with_name(f".{archive.name}.partial")
        with tarfile.open(tmp, "w") as tar:
            tar.add(dump, DUMP)
            entries = []
            if store is None:
                for key, path in _local_files(settings.storage_dir):
                    size = path.stat().st_size
                    entries.append({"key": key, "size": size, "sha256": _sha256(path)})
                    tar.add(path, FILES + key)
                    summary.files, summary.bytes = summary.files + 1, summary.bytes + size
            else:
                for key, size, etag in store.keys():
                    if key.startswith(tuple(f"{folder}/" for folder in FOLDERS)):
                        entries.append({"key": key, "size": size, "etag": etag})
                        summary.files, summary.bytes = summary.files + 1, summary.bytes + size
            manifest = {
                "created_at": datetime.now(UTC).isoformat(),
                "revision": revision,
                "storage": (
                    {"backend": "local"}
                    if store is None
                    else {"backend": "s3", "bucket": store.bucket, "prefix": store.prefix}
                ),
                "files": entries,
            }
            _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=1).encode())
        tmp.replace(archive)  # a crash half-way never leaves a truncated archive behind
    return summary


def read_manifest(archive: Path) -> dict:
    try:
        with tarfile.open(archive) as tar:
            member = tar.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            return dict(json.load(member))
    except (tarfile.TarError, KeyError, json.JSONDecodeError, OSError) as exc:
        raise BackupError(f"{archive} is not a ParkOps backup ({exc})") from exc


def restore(settings: Settings, database_url: str, archive: Path) -> Summary:
    """Replace the database with the archive's, then bring back (or check) the files."""
    from parkops.db import backup as db_backup

    manifest = read_manifest(archive)
    store = blobs.remote()
    summary = Summary()
    with (
        tempfile.TemporaryDirectory(prefix="parkops-restore-") as work,
        tarfile.open(archive) as tar,
    ):
        tar.extract(DUMP, work, filter="data")
        db_backup.restore(database_url, Path(work) / DUMP)
        for entry in manifest["files"]:
            key = entry["key"]
            if "sha256" in entry:  # a local archive: the file is in it
                member = tar.extractfile(FILES + key)
                if member is None:
                    raise BackupError(f"the archive lacks the file {key}")
                target = settings.storage_dir / key
                if store is None:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as out:
                        shutil.copyfileobj(member, out)
                    Path(out.name).replace(target)
                else:  # moving from a folder to a bucket
                    store.put(key, member.read())
            elif store is None or not store.exists(key):
                summary.missing.append(key)
            summary.files, summary.bytes = summary.files + 1, summary.bytes + int(entry["size"])
    return summary
