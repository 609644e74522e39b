"""HTTP for the documents domain: downloading stored documents (page and API).

Every route is open to all signed-in roles; what each user may see is decided in the query
(``parkops.documents.access``), so a document of another enterprise answers 404, like a
missing one.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import Controller, Request, get
from litestar.params import FromPath, FromQuery
from litestar.response import File

from parkops.accounts.roles import ANY_USER
from parkops.core.domain import AccessRules
from parkops.core.errors import NotFound
from parkops.core.i18n import N_
from parkops.db.request_session import DbSession
from parkops.documents import schemas, service
from parkops.documents.filenames import content_disposition
from parkops.documents.models import Document

log = logging.getLogger(__name__)


async def _file_response(request: Request, document: Document, *, inline: bool) -> File:
    try:
        return await service.file_response(  # type: ignore[no-any-return]
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


def _access(request: Request) -> AccessRules:
    """The document grants the domains declared (collected by the app at start)."""
    return request.app.state.document_access


def _out(row: Any) -> schemas.DocumentOut:
    data = row if isinstance(row, dict) else row.model_dump()
    fields = schemas.DocumentOut.model_fields.keys() - {"file_url"}
    return schemas.DocumentOut(
        **{k: data[k] for k in fields}, file_url=f"/api/v1/documents/{data['id']}/file"
    )


class DocumentPages(Controller):
    path = "/documents"
    include_in_schema = False
    opt = {"roles": ANY_USER}

    @get("/{document_id:int}")
    async def download(
        self,
        request: Request,
        db: DbSession,
        document_id: FromPath[int],
        inline: FromQuery[bool] = False,
    ) -> File:
        document = await service.get_document(db, request.user, document_id, _access(request))
        return await _file_response(request, document, inline=inline)


class DocumentsApi(Controller):
    path = "/api/v1/documents"
    tags = ["documents"]
    opt = {"roles": ANY_USER}

    @get("/", summary="Documents you may see, newest first")
    async def list_documents(
        self,
        request: Request,
        db: DbSession,
        entity: FromQuery[str | None] = None,
        entity_id: FromQuery[int | None] = None,
        kind: FromQuery[str | None] = None,
        page: FromQuery[int] = 1,
        page_size: FromQuery[int] = 20,
    ) -> schemas.DocumentPage:
        result = await service.list_documents(
            db,
            request.user,
            entity=entity,
            entity_id=entity_id,
            kind=kind,
            page=page,
            page_size=page_size,
            access=_access(request),
        )
        return schemas.DocumentPage(**result.as_dict([_out(r) for r in result.items]))

    @get("/{document_id:int}", summary="A document's metadata")
    async def get_document(
        self, request: Request, db: DbSession, document_id: FromPath[int]
    ) -> schemas.DocumentOut:
        return _out(await service.get_document(db, request.user, document_id, _access(request)))

    @get("/{document_id:int}/file", summary="A document's file (PDF)")
    async def get_file(
        self,
        request: Request,
        db: DbSession,
        document_id: FromPath[int],
        inline: FromQuery[bool] = False,
    ) -> File:
        document = await service.get_document(db, request.user, document_id, _access(request))
        return await _file_response(request, document, inline=inline)


ROUTES: list = [DocumentPages, DocumentsApi]
