"""The enterprise portal of the leases domain: an enterprise user's own signed contracts,
their schedules and PDFs; and the PDF download the staff API shares."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.params import FromPath, FromQuery
from litestar.response import File, Template
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.core.i18n import N_
from parkops.core.web import render
from parkops.db.request_session import DbSession
from parkops.documents import service as documents
from parkops.documents.rules.filenames import content_disposition
from parkops.leases import contract_document
from parkops.leases.access import ENTERPRISE_USER
from parkops.leases.services import (
    reading,
)
from parkops.leases.vocabulary import LABELS


async def contract_pdf_response(request: Request, db: AsyncSession, contract_id: int) -> File:
    """The latest PDF of a contract the user may see (404 otherwise); made on first request."""
    user = request.user
    contract = await reading.get_contract(db, user, contract_id)
    docs = await contract_document.contract_documents(
        db, contract.id, binding_only=not user.is_staff
    )
    settings = request.app.state.settings
    if docs:
        document = await documents.get_document(db, user, docs[0]["id"])
    else:
        document = await contract_document.generate_pdf(
            db, user, contract, documents_dir=settings.documents_dir
        )
    return await documents.file_response(  # type: ignore[no-any-return]
        document,
        settings.documents_dir,
        disposition=content_disposition(document.filename),
        missing=N_("The file of this document is missing"),
    )


class PortalContractPages(Controller):
    """An enterprise user's own contracts (signed ones only), their schedules and PDFs."""

    path = "/portal/contracts"
    include_in_schema = False
    opt = {"roles": ENTERPRISE_USER}

    @get("/")
    async def list_page(
        self, request: Request, db: DbSession, page: FromQuery[int] = 1
    ) -> Template:
        result = await reading.list_contracts(db, request.user, page=page, sort="start")
        return render(request, "leases/portal_contracts.html", page=result, **LABELS)

    @get("/{contract_id:int}")
    async def detail(self, request: Request, db: DbSession, contract_id: FromPath[int]) -> Template:
        view = await reading.contract_view(db, request.user, contract_id)
        return render(
            request,
            "leases/portal_contract.html",
            v=view,
            c=view["contract"],
            documents=await contract_document.contract_documents(
                db, contract_id, binding_only=True
            ),
            **LABELS,
        )

    @get("/{contract_id:int}/pdf")
    async def pdf(self, request: Request, db: DbSession, contract_id: FromPath[int]) -> File:
        return await contract_pdf_response(request, db, contract_id)


ROUTES: list = [PortalContractPages]
