"""Staff and enterprise pages of documents: downloading a stored document (open to every
signed-in role; who sees what is decided in the query, ``parkops.documents.downloads``)."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.params import FromPath, FromQuery
from litestar.response import File

from parkops.accounts.roles import ANY_USER
from parkops.db.request_session import DbSession
from parkops.documents.downloads import document_file


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
        return await document_file(request, db, document_id, inline=inline)
