"""The enterprise's bills in the portal: bills, receipts, the balance and reporting a payment with
its bank slip."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery
from litestar.response import File, Redirect, Template

from parkops.billing import (
    payments,
    pdf,
    repository,
    service,
)
from parkops.billing.http import (
    ENTERPRISE,
    LABELS,
    document_redirect,
    slip_file_response,
    today,
)
from parkops.core.i18n import N_
from parkops.core.web import render, submit
from parkops.db.request_session import DbSession


class PortalBillPages(Controller):
    path = "/portal/bills"
    include_in_schema = False
    opt = {"roles": ENTERPRISE}

    async def _index(self, request, db, status_code=200, **ctx) -> Template:
        user = request.user
        enterprise_id = user.enterprise_id or 0
        form = {"paid_on": today().isoformat(), "method": "bank_transfer", **ctx.pop("form", {})}
        return render(
            request,
            "billing/portal_bills.html",
            status_code=status_code,
            bills=await service.list_bills(db, user, page=int(ctx.pop("page", 1)), page_size=20),
            balance=await payments.balance(db, enterprise_id),
            payments_page=await repository.list_payments(db, user, page_size=10),
            slips=await repository.enterprise_slips(db, enterprise_id),
            methods=payments.MANUAL_METHODS,
            form=form,
            **LABELS,
            **ctx,
        )

    @get("/")
    async def index(self, request: Request, db: DbSession, page: FromQuery[int] = 1) -> Template:
        return await self._index(request, db, page=page)

    @get("/{bill_id:int}")
    async def bill(self, request: Request, db: DbSession, bill_id: FromPath[int]) -> Template:
        view = await service.bill_view(db, request.user, bill_id)
        return render(request, "billing/portal_bill.html", v=view, b=view["bill"], **LABELS)

    @get("/{bill_id:int}/pdf")
    async def bill_pdf(self, request: Request, db: DbSession, bill_id: FromPath[int]) -> Redirect:
        await service.get_bill(db, request.user, bill_id)  # 404 unless it is theirs
        document = await pdf.bill_document(
            db, request.user, bill_id, request.app.state.settings.documents_dir
        )
        return document_redirect(document)

    @get("/payments/{payment_id:int}/receipt")
    async def receipt(self, request: Request, db: DbSession, payment_id: FromPath[int]) -> Redirect:
        await payments.get_payment(db, request.user, payment_id)
        document = await pdf.receipt_document(
            db, request.user, payment_id, request.app.state.settings.documents_dir
        )
        return document_redirect(document)

    @post("/report-payment", request_max_body_size=payments.MAX_SLIP_BYTES + 1024 * 1024)
    async def report(self, request: Request, db: DbSession) -> Template | Redirect:
        form = await request.form()
        data = {k: form.get(k) for k in form if k != "slip"}
        upload = form.get("slip")
        content, filename = b"", ""
        if isinstance(upload, UploadFile):
            content = await upload.read(payments.MAX_SLIP_BYTES + 1)
            filename = upload.filename or ""
        return await submit(
            request,
            lambda: payments.report_slip(
                db,
                request.user,
                data,
                filename=filename,
                data=content,
                storage_dir=request.app.state.settings.storage_dir,
            ),
            redisplay=lambda exc: self._index(request, db, 422, errors=exc.field_errors, form=data),
            then="/portal/bills",
            message=N_("Thank you: finance will confirm your payment."),
        )

    @get("/slips/{slip_id:int}/file")
    async def slip_file(self, request: Request, db: DbSession, slip_id: FromPath[int]) -> File:
        return await slip_file_response(request, db, slip_id)
