"""The storage folder must be writable: checked at start-up and by ``/readyz``.

Without this check an unwritable folder (a volume mounted read-only, owned by another user)
goes unnoticed until the first upload or PDF fails with a 500.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from litestar import Litestar

# Where the domains keep their files, below PARKOPS_STORAGE_DIR: generated PDFs (documents),
# ticket attachments, payment slips (billing/slips) and import previews (imports).
FOLDERS = ("documents", "attachments", "billing/slips", "imports")


class StorageNotWritable(Exception):
    """The storage folder or one of its folders cannot be written."""


def check_writable(storage_dir: Path) -> None:
    """Create the folders if needed and write and delete a probe file in each; raise
    :class:`StorageNotWritable` naming the first that fails."""
    for folder in (storage_dir, *(storage_dir / name for name in FOLDERS)):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, probe = tempfile.mkstemp(dir=folder, prefix=".write-probe-")
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            raise StorageNotWritable(
                f"the storage folder {folder} is not writable ({exc.strerror or exc}); "
                "check PARKOPS_STORAGE_DIR and that folder's owner and permissions"
            ) from exc


async def check_storage(app: Litestar) -> None:
    """Start-up hook: refuse to start rather than fail every upload."""
    check_writable(app.state.settings.storage_dir)
