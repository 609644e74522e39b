"""What the ticket pages, the portal and the API share: who may use them, reading uploaded files
from forms, sending an attachment, and the POST of an action form."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request
from litestar.datastructures import UploadFile
from litestar.response import File, Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts.roles import Role
from parkops.config import Settings
from parkops.core import blobs
from parkops.core.errors import AppError, Conflict
from parkops.core.i18n import N_
from parkops.core.web import redirect, submit
from parkops.documents.rules.filenames import content_disposition
from parkops.tickets import attachments as files_mod
from parkops.tickets.services import notes
from parkops.tickets.services.common import Upload

DESK = frozenset({Role.service_desk, Role.park_admin})
STAFF_TICKETS = DESK | {Role.gov_officer}
ENTERPRISE = frozenset({Role.enterprise_user})
TICKET_USERS = STAFF_TICKETS | ENTERPRISE
FILERS = DESK | ENTERPRISE
RECORD_ROLES = DESK | {Role.gov_officer}
"""Who may generate a ticket's handling record (officers: for the tickets their department
leads)."""

UPLOAD_LIMIT = files_mod.MAX_FILES * files_mod.MAX_BYTES + 1024 * 1024
"""Request size for forms with attachments: room for MAX_FILES full files plus the fields, so a
single oversized file reaches the service and gets its explanation instead of a bare 413."""


def settings(request: Request) -> Settings:
    return request.app.state.settings


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


async def download(request: Request, db: AsyncSession, ticket_id: int, attachment_id: int) -> File:
    """An attachment of a ticket, for a user who may see it (404 otherwise): from the local
    folder, or the S3 bucket (parkops.core.blobs)."""
    attachment, path = await notes.get_attachment(
        db, settings(request), request.user, ticket_id, attachment_id
    )
    return await blobs.download(  # type: ignore[return-value]
        files_mod.KEY_PREFIX + attachment.stored_name,
        path,
        media_type=attachment.content_type,
        disposition=content_disposition(attachment.original_name, inline=False),
        missing=N_("The file of this attachment is missing"),
    )


async def act_on_ticket(
    request: Request,
    save: Callable[[], Awaitable[Any]],
    *,
    redisplay: Callable[[AppError], Awaitable[Template]],
    back: str,
    message: str,
) -> Template | Redirect:
    """The POST of an action form on a ticket page (``core.web.submit``): the page again with
    the errors when the input is refused; back to the page with the reason when the ticket's
    state does not allow the action (someone else acted first); else back with ``message``."""
    try:
        return await submit(request, save, redisplay=redisplay, then=back, message=message)
    except Conflict as exc:
        return redirect(request, back, flash=("error", exc.message))
