"""The JSON API of documents: the documents a user may see, their metadata and their files
(open to every signed-in role; who sees what is decided in the query,
``parkops.documents.downloads``)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.params import FromPath, FromQuery
from litestar.response import File

from parkops.accounts.roles import ANY_USER
from parkops.db.request_session import DbSession
from parkops.documents import schemas, service
from parkops.documents.downloads import access_rules, document_file, visible_document


def _out(row: Any) -> schemas.DocumentOut:
    data = row if isinstance(row, dict) else row.model_dump()
    fields = schemas.DocumentOut.model_fields.keys() - {"file_url"}
    return schemas.DocumentOut(
        **{k: data[k] for k in fields}, file_url=f"/api/v1/documents/{data['id']}/file"
    )


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
            access=access_rules(request),
        )
        return schemas.DocumentPage(**result.as_dict([_out(r) for r in result.items]))

    @get("/{document_id:int}", summary="A document's metadata")
    async def get_document(
        self, request: Request, db: DbSession, document_id: FromPath[int]
    ) -> schemas.DocumentOut:
        return _out(await visible_document(request, db, document_id))

    @get("/{document_id:int}/file", summary="A document's file (PDF)", media_type="application/pdf")
    async def get_file(
        self,
        request: Request,
        db: DbSession,
        document_id: FromPath[int],
        inline: FromQuery[bool] = False,
    ) -> File:
        return await document_file(request, db, document_id, inline=inline)
