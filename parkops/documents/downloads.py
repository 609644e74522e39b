"""A stored document's file as an HTTP answer, for the staff page and the API alike.

What each user may see is decided in the query (``parkops.documents.access``) with the grants
the domains declared, which the app collected into ``app.state.document_access``: a document of
another enterprise answers 404, like a missing one.
"""

from __future__ import annotations

import logging

from litestar import Request
from litestar.response import File
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.core.domain import AccessRules
from parkops.core.errors import NotFound
from parkops.core.i18n import N_
from parkops.documents import service
from parkops.documents.models import Document
from parkops.documents.rules.filenames import content_disposition

log = logging.getLogger(__name__)


def access_rules(request: Request) -> AccessRules:
    """The document grants the domains declared (collected by the app at start)."""
    return request.app.state.document_access


async def visible_document(request: Request, db: AsyncSession, document_id: int) -> Document:
    """The document if the signed-in user may see it, else the 404 of a missing one."""
    return await service.get_document(db, request.user, document_id, access_rules(request))


async def document_file(
    request: Request, db: AsyncSession, document_id: int, *, inline: bool
) -> File:
    document = await visible_document(request, db, document_id)
    try:
        return await service.file_response(
            document,
            request.app.state.settings.documents_dir,
            disposition=content_disposition(document.filename, inline=inline),
            missing=N_("The file of this document is missing"),
        )
    except NotFound:
        # The row exists but the file does not (restored database without the files folder):
        # an operator problem, logged, and a 404 rather than a half response.
        log.error("document %s: file %s is missing", document.id, document.storage_path)
        raise
