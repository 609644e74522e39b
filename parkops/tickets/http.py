"""HTTP helpers shared by the ticket pages and the API: reading uploaded files from forms."""

from __future__ import annotations

from typing import Any

from litestar.datastructures import UploadFile

from parkops.tickets import attachments as files_mod
from parkops.tickets.services.common import Upload

UPLOAD_LIMIT = files_mod.MAX_FILES * files_mod.MAX_BYTES + 1024 * 1024
"""Request size for forms with attachments: room for MAX_FILES full files plus the fields, so a
single oversized file reaches the service and gets its explanation instead of a bare 413."""


async def read_uploads(data: dict[str, Any], key: str = "attachments") -> list[Upload]:
    """The files of a multipart field, each read up to one byte past the limit (enough to tell
    that it is too big without holding more of it in memory)."""
    values = data.get(key)
    if values is None:
        return []
    values = values if isinstance(values, list) else [values]
    uploads = []
    for value in values:
        if not isinstance(value, UploadFile):
            continue
        content = await value.read(files_mod.MAX_BYTES + 1)
        if not value.filename and not content:
            continue  # the browser's empty file input
        uploads.append(Upload(value.filename, content))
    return uploads


def form_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The form without its files, for the service and for re-rendering after an error."""
    fields: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, UploadFile):
            continue
        if isinstance(value, list):
            value = [v for v in value if not isinstance(v, UploadFile)]
            if not value:
                continue
        fields[key] = value
    return fields
