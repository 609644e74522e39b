"""Finance pages of money received and owed: payments, an enterprise's account (credit, refunds),
contract adjustments and dunning letters, deposits and the bank slips enterprises report."""

from __future__ import annotations

import secrets

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import File, Redirect, Template

from parkops.billing import (
    deposits,
    payments,
    pdf,
    repository,
    service,
)
from parkops.billing.http import (
    FINANCE,
    LABELS,
    act,
    document_redirect,
    error_flash,
    slip_file_response,
    today,
)
from parkops.billing.models import (
    DepositEntryKind,
)
from parkops.core.errors import AppError, NotFound, ValidationFailed
from parkops.core.i18n import N_, Message
from parkops.core.parsing import optional_int
from parkops.core.web import form_data, redirect, render, submit
from parkops.db.request_session import DbSession


class PaymentPages(Controller):
    path = "/billing"
    include_in_schema = False
    opt = {"roles": FINANCE}

    @get("/payments")
    async def payments_list(
        self,
        request: Request,
        db: DbSession,
        enterprise_id: FromQuery[int | None] = None,
        page: FromQuery[int] = 1,
    ) -> Template:
        result = await repository.list_payments(db, None, enterprise_id=enterprise_id, page=page)
        return render(request, "billing/payments.html", page=result, **LABELS)

    async def _payment_form(
        self, request, db, enterprise_id: int | None, status_code=200, **ctx
    ) -> Template:
        bills = []
        if enterprise_id:
            bills = await service.list_bills(
                db, None, enterprise_id=enterprise_id, status=None, page_size=100
            )
            bills = [b for b in bills.items if b["status"] in payments.OPEN]
        form = {
            "enterprise_id": enterprise_id or "",
            "received_on": today().isoformat(),
            "method": "bank_transfer",
            "idempotency_key": secrets.token_urlsafe(18),
            **ctx.pop("form", {}),
        }
        return render(
            request,
            "billing/payment_form.html",
            status_code=status_code,
            enterprises=await repository.enterprise_choices(db),
            open_bills=bills,
            methods=payments.MANUAL_METHODS,
            form=form,
            **LABELS,
            **ctx,
        )

    @get("/payments/new")
    async def new_payment(
        self, request: Request, db: DbSession, enterprise_id: FromQuery[int | None] = None
    ) -> Template:
        return await self._payment_form(request, db, enterprise_id)

    @post("/payments/new")
    async def record(self, request: Request, db: DbSession) -> Template | Redirect:
        data = await form_data(request)
        raw = {**data, "allocations": payments.form_allocations(data)}
        try:
            payment, created = await payments.record_payment(db, request.user, raw)
        except ValidationFailed as exc:
            return await self._payment_form(
                request,
                db,
                optional_int(data.get("enterprise_id")),
                422,
                errors=exc.field_errors,
                form=data,
            )
        message = (
            N_("The payment was recorded.") if created else N_("This payment was already recorded.")
        )
        return redirect(request, f"/billing/payments/{payment.id}", flash=("success", message))

    @get("/payments/{payment_id:int}")
    async def payment(self, request: Request, db: DbSession, payment_id: FromPath[int]) -> Template:
        record = await payments.get_payment(db, None, payment_id)
        return render(
            request,
            "billing/payment.html",
            p=record,
            allocations=await payments.payment_allocations(db, payment_id),
            refunds=await payments.payment_refunds(db, payment_id),
            enterprise_name=await repository.enterprise_name(db, record.enterprise_id),
            **LABELS,
        )

    @get("/payments/{payment_id:int}/receipt")
    async def receipt(self, request: Request, db: DbSession, payment_id: FromPath[int]) -> Redirect:
        await payments.get_payment(db, None, payment_id)
        document = await pdf.receipt_document(
            db, request.user, payment_id, request.app.state.settings.documents_dir
        )
        return document_redirect(document)

    async def _account(self, request, db, enterprise_id: int, status_code=200, **ctx) -> Template:
        name = await repository.enterprise_name(db, enterprise_id)
        if name is None:
            raise NotFound(N_("No such enterprise"))
        return render(
            request,
            "billing/account.html",
            status_code=status_code,
            enterprise_id=enterprise_id,
            enterprise_name=name,
            balance=await payments.balance(db, enterprise_id),
            bills=await service.list_bills(db, None, enterprise_id=enterprise_id, page_size=50),
            payments_page=await repository.list_payments(db, None, enterprise_id=enterprise_id),
            methods=payments.MANUAL_METHODS,
            today=today(),
            **LABELS,
            **ctx,
        )

    @get("/enterprises/{enterprise_id:int}")
    async def account(
        self, request: Request, db: DbSession, enterprise_id: FromPath[int]
    ) -> Template:
        return await self._account(request, db, enterprise_id)

    @post("/enterprises/{enterprise_id:int}/apply-credit")
    async def apply_credit(
        self, request: Request, db: DbSession, enterprise_id: FromPath[int]
    ) -> Redirect:
        applied = await payments.apply_credit(db, request.user, [enterprise_id], today())
        return redirect(
            request,
            f"/billing/enterprises/{enterprise_id}",
            flash=(
                "success",
                Message(
                    N_("Credit applied to open bills: %(amount)s yuan."),
                    amount=f"{applied / 100:.2f}",
                ),
            ),
        )

    @post("/enterprises/{enterprise_id:int}/refund")
    async def refund(
        self, request: Request, db: DbSession, enterprise_id: FromPath[int]
    ) -> Template | Redirect:
        data = await form_data(request)
        return await submit(
            request,
            lambda: payments.refund_credit(db, request.user, enterprise_id, data),
            redisplay=lambda exc: self._account(
                request, db, enterprise_id, 422, errors=exc.field_errors, form=data
            ),
            then=f"/billing/enterprises/{enterprise_id}",
            message=N_("The refund was recorded."),
        )

    # contracts: adjustments, deposits, dunning

    @post("/contracts/{contract_id:int}/adjustments")
    async def adjustment(
        self, request: Request, db: DbSession, contract_id: FromPath[int]
    ) -> Redirect:
        data = await form_data(request)
        back = str(data.get("back") or f"/billing/deposits/{contract_id}")
        back = back if back.startswith("/billing/") else f"/billing/deposits/{contract_id}"
        return await act(
            request,
            lambda: service.add_adjustment(db, request.user, contract_id, data),
            back=back,
            then=back,
            message=N_("The adjustment will be on the next bill."),
        )

    @get("/contracts/{contract_id:int}/dunning")
    async def dunning(
        self, request: Request, db: DbSession, contract_id: FromPath[int]
    ) -> Redirect:
        try:
            document = await pdf.dunning_document(
                db, request.user, contract_id, request.app.state.settings.documents_dir
            )
        except AppError as exc:
            return error_flash(request, "/billing/reports/arrears", exc)
        return document_redirect(document)

    async def _deposit(self, request, db, contract_id, status_code=200, **ctx) -> Template:
        return render(
            request,
            "billing/deposit.html",
            status_code=status_code,
            v=await deposits.ledger(db, contract_id),
            kinds=list(DepositEntryKind),
            methods=payments.MANUAL_METHODS,
            today=today(),
            **LABELS,
            **ctx,
        )

    @get("/deposits/{contract_id:int}")
    async def deposit(
        self, request: Request, db: DbSession, contract_id: FromPath[int]
    ) -> Template:
        return await self._deposit(request, db, contract_id)

    @post("/deposits/{contract_id:int}/entries")
    async def deposit_entry(
        self, request: Request, db: DbSession, contract_id: FromPath[int]
    ) -> Template | Redirect:
        data = await form_data(request)
        return await submit(
            request,
            lambda: deposits.record_entry(db, request.user, contract_id, data),
            redisplay=lambda exc: self._deposit(
                request, db, contract_id, 422, errors=exc.field_errors, form=data
            ),
            then=f"/billing/deposits/{contract_id}",
            message=N_("The deposit entry was recorded."),
        )

    @post("/deposits/{contract_id:int}/settle")
    async def settle(self, request: Request, db: DbSession, contract_id: FromPath[int]) -> Redirect:
        data = await form_data(request)
        try:
            done = await deposits.settle(db, request.user, contract_id, data)
        except AppError as exc:
            return error_flash(request, f"/billing/deposits/{contract_id}", exc)
        return redirect(
            request,
            f"/billing/deposits/{contract_id}",
            flash=(
                "success",
                Message(
                    N_("Settled: %(applied)s applied to the bills, %(refunded)s refunded."),
                    applied=f"{done['applied_fen'] / 100:.2f}",
                    refunded=f"{done['refunded_fen'] / 100:.2f}",
                ),
            ),
        )

    # bank slips

    @get("/slips")
    async def slips(self, request: Request, db: DbSession) -> Template:
        return render(
            request,
            "billing/slips.html",
            slips=await repository.pending_slips(db),
            recent=await repository.recent_slips(db),
            **LABELS,
        )

    @post("/slips/{slip_id:int}/confirm")
    async def confirm_slip(
        self, request: Request, db: DbSession, slip_id: FromPath[int]
    ) -> Redirect:
        return await act(
            request,
            lambda: payments.confirm_slip(db, request.user, slip_id),
            back="/billing/slips",
            then=lambda payment: f"/billing/payments/{payment.id}",
            message=N_("The payment was confirmed and recorded."),
        )

    @post("/slips/{slip_id:int}/reject")
    async def reject_slip(
        self, request: Request, db: DbSession, slip_id: FromPath[int]
    ) -> Redirect:
        data = await form_data(request)
        return await act(
            request,
            lambda: payments.reject_slip(
                db, request.user, slip_id, str(data.get("review_note", ""))
            ),
            back="/billing/slips",
            then="/billing/slips",
            message=N_("The report was rejected."),
        )

    @get("/slips/{slip_id:int}/file")
    async def slip_file(self, request: Request, db: DbSession, slip_id: FromPath[int]) -> File:
        return await slip_file_response(request, db, slip_id)
