"""HTTP for the billing domain: finance pages under ``/billing``, the enterprise portal under
``/portal/bills``, and the JSON API under ``/api/v1/billing``."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import File, Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts.roles import Role
from parkops.billing import (
    deposits,
    meters,
    park_settings,
    payments,
    pdf,
    reports,
    repository,
    run,
    schemas,
    service,
    vocabulary,
    workflow,
)
from parkops.billing.models import (
    BillStatus,
    DepositEntryKind,
    MeterKind,
    MeterScope,
)
from parkops.billing.run_plan import add_months, month_start, parse_month
from parkops.core import blobs, i18n, importing
from parkops.core.errors import AppError, NotFound, ValidationFailed
from parkops.core.i18n import N_, Message
from parkops.core.parsing import optional_int
from parkops.core.tabular import csv_response, xlsx_response
from parkops.core.web import form_data, redirect, render
from parkops.db.request_session import DbSession
from parkops.leases.rules.workflow import STATUS_LABELS as CONTRACT_STATUS_LABELS

FINANCE = frozenset({Role.finance, Role.park_admin})
ENTERPRISE = frozenset({Role.enterprise_user})
BILL_READERS = FINANCE | ENTERPRISE

RUN_LABELS = {
    "running": N_("Running"),
    "completed": N_("Completed"),
    "failed": N_("Failed"),
    "interrupted": N_("Interrupted"),
}
LABELS = {
    "status_labels": workflow.STATUS_LABELS,
    "run_labels": RUN_LABELS,
    "source_labels": vocabulary.SOURCE_LABELS,
    "rounding_labels": vocabulary.ROUNDING_LABELS,
    "charge_labels": vocabulary.CHARGE_LABELS,
    "method_labels": vocabulary.METHOD_LABELS,
    "credit_note_labels": vocabulary.CREDIT_NOTE_LABELS,
    "slip_labels": vocabulary.SLIP_STATUS_LABELS,
    "contract_status_labels": CONTRACT_STATUS_LABELS,
    "kind_labels": meters.KIND_LABELS,
    "scope_labels": meters.SCOPE_LABELS,
    "deposit_labels": deposits.KIND_LABELS,
    "bill_number": service.bill_number,
    "receipt_number": pdf.receipt_number,
    "last_day": lambda end: end - timedelta(days=1) if end else None,
    "plain": lambda d: "" if d is None else format(d.normalize(), "f"),
}


def _today() -> date:
    return run.shanghai_today()


def _error_flash(request: Request, path: str, exc: AppError) -> Redirect:
    message = exc.message
    if exc.field_errors:
        message = i18n.join([message, i18n.join(list(exc.field_errors.values()))], sep=" ")
    return redirect(request, path, flash=("error", message))


def _document_redirect(document) -> Redirect:
    return Redirect(path=f"/documents/{document.id}", status_code=303)


# --- finance pages --------------------------------------------------------------------------


class BillingPages(Controller):
    path = "/billing"
    include_in_schema = False
    opt = {"roles": FINANCE}

    async def _overview(
        self, request: Request, db: AsyncSession, status_code: int = 200, **ctx: Any
    ) -> Template:
        today = _today()
        overdue = await service.list_bills(db, None, status="overdue", page_size=1, today=today)
        return render(
            request,
            "billing/index.html",
            status_code=status_code,
            runs=await run.list_runs(db),
            run_state=run.run_state,
            suggested_month=month_start(today).strftime("%Y-%m"),
            overdue_count=overdue.total,
            pending_slips=len(await repository.pending_slips(db)),
            flagged=len(await meters.flagged_readings(db)),
            **LABELS,
            **ctx,
        )

    @get("/")
    async def index(self, request: Request, db: DbSession) -> Template:
        return await self._overview(request, db)

    @post("/runs")
    async def start(self, request: Request, db: DbSession) -> Template | Redirect:
        data = await form_data(request)
        try:
            started = await run.start_run(
                db, request.user, str(data.get("month", "")), issue=data.get("draft") != "1"
            )
        except ValidationFailed as exc:
            return await self._overview(
                request, db, 422, errors=exc.field_errors, form={"month": data.get("month", "")}
            )
        await run.queue_run(db, started.id)
        return redirect(
            request,
            f"/billing/runs/{started.id}",
            flash=("success", N_("The billing run has started.")),
        )

    @get("/runs/{run_id:int}")
    async def run_page(self, request: Request, db: DbSession, run_id: FromPath[int]) -> Template:
        record = await run.get_run(db, run_id)
        return render(request, "billing/run.html", r=record, s=run.status_payload(record), **LABELS)

    @get("/runs/{run_id:int}/status")
    async def run_status(self, db: DbSession, run_id: FromPath[int]) -> dict:
        return run.status_payload(await run.get_run(db, run_id))

    @post("/runs/{run_id:int}/issue")
    async def issue_run(self, request: Request, db: DbSession, run_id: FromPath[int]) -> Redirect:
        n = await service.issue_run_drafts(db, request.user, run_id)
        return redirect(
            request,
            f"/billing/bills?run={run_id}",
            flash=("success", Message(N_("%(n)s draft bills were issued."), n=n)),
        )

    # bills

    @get("/bills")
    async def bills(
        self,
        request: Request,
        db: DbSession,
        status: FromQuery[str | None] = None,
        month: FromQuery[str | None] = None,
        enterprise_id: FromQuery[int | None] = None,
        page: FromQuery[int] = 1,
    ) -> Template:
        try:
            month_date = parse_month(month) if month else None
        except ValueError:
            month_date = None
        result = await service.list_bills(
            db,
            None,
            status=status or None,
            month=month_date,
            enterprise_id=enterprise_id,
            page=page,
        )
        return render(
            request,
            "billing/bills.html",
            page=result,
            filters={"status": status or "", "month": month or "", "enterprise_id": enterprise_id},
            statuses=[*BillStatus, "overdue"],
            **LABELS,
        )

    @get("/bills/{bill_id:int}")
    async def bill(self, request: Request, db: DbSession, bill_id: FromPath[int]) -> Template:
        view = await service.bill_view(db, None, bill_id)
        return render(
            request,
            "billing/bill.html",
            v=view,
            b=view["bill"],
            actions=workflow.ALLOWED[BillStatus(view["bill"].status)],
            **LABELS,
        )

    async def _bill_action(self, request, db, bill_id, fn) -> Redirect:
        data = await form_data(request)
        try:
            await fn(data)
        except AppError as exc:
            return _error_flash(request, f"/billing/bills/{bill_id}", exc)
        return redirect(request, f"/billing/bills/{bill_id}", flash=("success", "Saved."))

    @post("/bills/{bill_id:int}/issue")
    async def issue(self, request: Request, db: DbSession, bill_id: FromPath[int]) -> Redirect:
        return await self._bill_action(
            request, db, bill_id, lambda d: service.issue_bill(db, request.user, bill_id)
        )

    @post("/bills/{bill_id:int}/void")
    async def void(self, request: Request, db: DbSession, bill_id: FromPath[int]) -> Redirect:
        return await self._bill_action(
            request, db, bill_id, lambda d: service.void_bill(db, request.user, bill_id, d)
        )

    @post("/bills/{bill_id:int}/credit")
    async def credit(self, request: Request, db: DbSession, bill_id: FromPath[int]) -> Redirect:
        return await self._bill_action(
            request, db, bill_id, lambda d: service.credit_bill(db, request.user, bill_id, d)
        )

    @post("/bills/{bill_id:int}/lines")
    async def add_line(self, request: Request, db: DbSession, bill_id: FromPath[int]) -> Redirect:
        return await self._bill_action(
            request, db, bill_id, lambda d: service.add_draft_line(db, request.user, bill_id, d)
        )

    @post("/bills/{bill_id:int}/delete")
    async def delete(self, request: Request, db: DbSession, bill_id: FromPath[int]) -> Redirect:
        try:
            await service.delete_draft(db, request.user, bill_id)
        except AppError as exc:
            return _error_flash(request, f"/billing/bills/{bill_id}", exc)
        return redirect(request, "/billing/bills", flash=("success", N_("The draft was deleted.")))

    @post("/bills/{bill_id:int}/lines/{line_id:int}/waive")
    async def waive(
        self, request: Request, db: DbSession, bill_id: FromPath[int], line_id: FromPath[int]
    ) -> Redirect:
        return await self._bill_action(
            request, db, bill_id, lambda d: service.waive_late_fee(db, request.user, line_id, d)
        )

    @get("/bills/{bill_id:int}/pdf")
    async def bill_pdf(self, request: Request, db: DbSession, bill_id: FromPath[int]) -> Redirect:
        document = await pdf.bill_document(
            db, request.user, bill_id, request.app.state.settings.documents_dir
        )
        return _document_redirect(document)

    # payments and enterprise accounts

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
            "received_on": _today().isoformat(),
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
        return _document_redirect(document)

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
            today=_today(),
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
        applied = await payments.apply_credit(db, request.user, [enterprise_id], _today())
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
        try:
            await payments.refund_credit(db, request.user, enterprise_id, data)
        except ValidationFailed as exc:
            return await self._account(
                request, db, enterprise_id, 422, errors=exc.field_errors, form=data
            )
        return redirect(
            request,
            f"/billing/enterprises/{enterprise_id}",
            flash=("success", N_("The refund was recorded.")),
        )

    # contracts: adjustments, deposits, dunning

    @post("/contracts/{contract_id:int}/adjustments")
    async def adjustment(
        self, request: Request, db: DbSession, contract_id: FromPath[int]
    ) -> Redirect:
        data = await form_data(request)
        back = str(data.get("back") or f"/billing/deposits/{contract_id}")
        back = back if back.startswith("/billing/") else f"/billing/deposits/{contract_id}"
        try:
            await service.add_adjustment(db, request.user, contract_id, data)
        except AppError as exc:
            return _error_flash(request, back, exc)
        return redirect(
            request, back, flash=("success", N_("The adjustment will be on the next bill."))
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
            return _error_flash(request, "/billing/reports/arrears", exc)
        return _document_redirect(document)

    async def _deposit(self, request, db, contract_id, status_code=200, **ctx) -> Template:
        return render(
            request,
            "billing/deposit.html",
            status_code=status_code,
            v=await deposits.ledger(db, contract_id),
            kinds=list(DepositEntryKind),
            methods=payments.MANUAL_METHODS,
            today=_today(),
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
        try:
            await deposits.record_entry(db, request.user, contract_id, data)
        except ValidationFailed as exc:
            return await self._deposit(
                request, db, contract_id, 422, errors=exc.field_errors, form=data
            )
        return redirect(
            request,
            f"/billing/deposits/{contract_id}",
            flash=("success", N_("The deposit entry was recorded.")),
        )

    @post("/deposits/{contract_id:int}/settle")
    async def settle(self, request: Request, db: DbSession, contract_id: FromPath[int]) -> Redirect:
        data = await form_data(request)
        try:
            done = await deposits.settle(db, request.user, contract_id, data)
        except AppError as exc:
            return _error_flash(request, f"/billing/deposits/{contract_id}", exc)
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
        try:
            payment = await payments.confirm_slip(db, request.user, slip_id)
        except AppError as exc:
            return _error_flash(request, "/billing/slips", exc)
        return redirect(
            request,
            f"/billing/payments/{payment.id}",
            flash=("success", N_("The payment was confirmed and recorded.")),
        )

    @post("/slips/{slip_id:int}/reject")
    async def reject_slip(
        self, request: Request, db: DbSession, slip_id: FromPath[int]
    ) -> Redirect:
        data = await form_data(request)
        try:
            await payments.reject_slip(db, request.user, slip_id, str(data.get("review_note", "")))
        except AppError as exc:
            return _error_flash(request, "/billing/slips", exc)
        return redirect(
            request, "/billing/slips", flash=("success", N_("The report was rejected."))
        )

    @get("/slips/{slip_id:int}/file")
    async def slip_file(self, request: Request, db: DbSession, slip_id: FromPath[int]) -> File:
        return await slip_file_response(request, db, slip_id)

    # meters, readings, tariffs

    @get("/meters")
    async def meters_page(
        self,
        request: Request,
        db: DbSession,
        kind: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
        page: FromQuery[int] = 1,
    ) -> Template:
        return await self._meters(request, db, kind=kind, q=q, page=page)

    async def _meters(self, request, db, status_code=200, kind=None, q=None, page=1, **ctx):
        return render(
            request,
            "billing/meters.html",
            status_code=status_code,
            page=await meters.list_meters(db, kind=kind or None, q=q or None, page=page),
            filters={"kind": kind or "", "q": q or ""},
            kinds=list(MeterKind),
            scopes=list(MeterScope),
            units=await meters.unit_choices(db),
            buildings=await meters.building_choices(db),
            today=_today(),
            **LABELS,
            **ctx,
        )

    @post("/meters")
    async def create_meter(self, request: Request, db: DbSession) -> Template | Redirect:
        data = await form_data(request)
        try:
            meter = await meters.create_meter(db, request.user, data)
        except ValidationFailed as exc:
            return await self._meters(request, db, 422, errors=exc.field_errors, form=data)
        return redirect(
            request, f"/billing/meters/{meter.id}", flash=("success", N_("The meter was added."))
        )

    async def _meter(self, request, db, meter_id, status_code=200, **ctx) -> Template:
        meter = await meters.get_meter(db, meter_id)
        last_month = None
        readings = await meters.meter_readings(db, meter_id)
        if readings:
            last_month = readings[0].reading_month
        suggested = add_months(last_month, 1) if last_month else month_start(_today())
        form = {
            "reading_month": suggested.strftime("%Y-%m"),
            "read_on": _today().isoformat(),
            **ctx.pop("form", {}),
        }
        return render(
            request,
            "billing/meter.html",
            status_code=status_code,
            m=meter,
            readings=readings,
            form=form,
            unit=meters.UNITS[MeterKind(meter.kind)],
            **LABELS,
            **ctx,
        )

    @get("/meters/{meter_id:int}")
    async def meter(self, request: Request, db: DbSession, meter_id: FromPath[int]) -> Template:
        return await self._meter(request, db, meter_id)

    @post("/meters/{meter_id:int}/readings")
    async def reading(
        self, request: Request, db: DbSession, meter_id: FromPath[int]
    ) -> Template | Redirect:
        data = await form_data(request)
        try:
            recorded = await meters.record_reading(db, request.user, meter_id, data)
        except ValidationFailed as exc:
            return await self._meter(request, db, meter_id, 422, errors=exc.field_errors, form=data)
        if recorded.flagged:
            flash = (
                "warning",
                N_(
                    "The reading was saved but flagged: the consumption is unusually "
                    "high. Confirm it under Flagged readings before billing."
                ),
            )
        else:
            flash = ("success", N_("The reading was saved."))
        return redirect(request, f"/billing/meters/{meter_id}", flash=flash)

    @get("/readings/flagged")
    async def flagged(self, request: Request, db: DbSession) -> Template:
        return render(
            request, "billing/flagged.html", readings=await meters.flagged_readings(db), **LABELS
        )

    @post("/readings/{reading_id:int}/confirm")
    async def confirm_reading(
        self, request: Request, db: DbSession, reading_id: FromPath[int]
    ) -> Redirect:
        try:
            await meters.confirm_reading(db, request.user, reading_id)
        except AppError as exc:
            return _error_flash(request, "/billing/readings/flagged", exc)
        return redirect(
            request,
            "/billing/readings/flagged",
            flash=("success", N_("The reading was confirmed.")),
        )

    async def _tariffs(self, request, db, status_code=200, **ctx) -> Template:
        return render(
            request,
            "billing/tariffs.html",
            status_code=status_code,
            tariffs=await meters.list_tariffs(db),
            parks=await repository.park_choices(db),
            kinds=list(MeterKind),
            units=meters.UNITS,
            **LABELS,
            **ctx,
        )

    @get("/tariffs")
    async def tariffs(self, request: Request, db: DbSession) -> Template:
        return await self._tariffs(request, db)

    @post("/tariffs")
    async def create_tariff(self, request: Request, db: DbSession) -> Template | Redirect:
        data = await form_data(request)
        try:
            await meters.create_tariff(db, request.user, data)
        except ValidationFailed as exc:
            return await self._tariffs(request, db, 422, errors=exc.field_errors, form=data)
        return redirect(request, "/billing/tariffs", flash=("success", N_("The tariff was saved.")))

    @post("/tariffs/{tariff_id:int}/end")
    async def end_tariff(
        self, request: Request, db: DbSession, tariff_id: FromPath[int]
    ) -> Redirect:
        data = await form_data(request)
        try:
            await meters.end_tariff(db, request.user, tariff_id, data)
        except AppError as exc:
            return _error_flash(request, "/billing/tariffs", exc)
        return redirect(request, "/billing/tariffs", flash=("success", N_("The tariff was ended.")))

    # reports

    @get("/reports/{name:str}")
    async def report(
        self,
        request: Request,
        db: DbSession,
        name: FromPath[str],
        as_of: FromQuery[str | None] = None,
        days: FromQuery[int] = 90,
        page: FromQuery[int] = 1,
        page_size: FromQuery[int] = 50,
    ) -> Template | Response:
        base, _, ext = name.partition(".")
        if base not in reports.REPORTS:
            raise NotFound(N_("No such report"))
        try:
            day = date.fromisoformat(as_of) if as_of else None
        except ValueError:
            day = None
        title_en, title_zh, _cols = reports.REPORTS[base]
        filename = f"{title_zh}-{(day or _today()).isoformat()}"
        if ext in ("csv", "xlsx"):
            columns, rows = await reports.report(db, base, as_of=day, days=days)
            respond = csv_response if ext == "csv" else xlsx_response
            return respond(columns, rows, f"{filename}.{ext}")
        if ext:
            raise NotFound(N_("No such report format"))
        # the page shows a page of rows; the downloads above have them all
        columns, listing = await reports.report_page(
            db, base, page, page_size, as_of=day, days=days
        )
        return render(
            request,
            "billing/report.html",
            name=base,
            title=title_en,
            columns=columns,
            rows=listing.items,
            page=listing,
            as_of=(day or _today()).isoformat(),
            days=days,
            reports=reports.REPORTS,
            **LABELS,
        )

    # settings

    async def _settings(self, request, db, status_code=200, **ctx) -> Template:
        parks = await repository.park_choices(db)
        current = await park_settings.parks_settings(db, [p["id"] for p in parks])
        return render(
            request,
            "billing/settings.html",
            status_code=status_code,
            parks=parks,
            current=current,
            **LABELS,
            **ctx,
        )

    @get("/settings")
    async def settings(self, request: Request, db: DbSession) -> Template:
        return await self._settings(request, db)

    @post("/settings/{park_id:int}")
    async def save_settings(
        self, request: Request, db: DbSession, park_id: FromPath[int]
    ) -> Template | Redirect:
        data = await form_data(request)
        try:
            await service.set_park_settings(db, request.user, park_id, data)
        except ValidationFailed as exc:
            return await self._settings(
                request, db, 422, errors=exc.field_errors, error_park=park_id
            )
        return redirect(request, "/billing/settings", flash=("success", N_("Settings saved.")))


class ReadingImportPages(Controller):
    path = "/billing/readings/import"
    include_in_schema = False
    opt = {"roles": FINANCE}
    flow = importing.ImportPages(
        meters.READING_IMPORT, base="/billing/readings/import", back_url="/billing/meters"
    )

    @get("/")
    async def form(self, request: Request) -> Template:
        return self.flow.form(request)

    @get("/template.csv")
    async def blank(self) -> Response:
        return self.flow.blank_template()

    @post("/", request_max_body_size=importing.UPLOAD_MAX_BODY)
    async def upload(self, request: Request, db: DbSession) -> Template:
        return await self.flow.preview(request, db)

    @post("/commit")
    async def commit(self, request: Request, db: DbSession) -> Template | Redirect:
        return await self.flow.commit(request, db, done_url="/billing/meters")


async def slip_file_response(request: Request, db: AsyncSession, slip_id: int) -> File:
    slip = await payments.get_slip(db, request.user, slip_id)
    path = payments.slips_dir(request.app.state.settings.storage_dir) / slip.storage_path
    from parkops.documents.rules.filenames import content_disposition

    return await blobs.download(  # type: ignore[return-value]
        payments.SLIP_KEY_PREFIX + slip.storage_path,
        path,
        media_type=slip.content_type,
        disposition=content_disposition(slip.filename, inline=True),
        missing=N_("The file of this payment report is missing"),
    )


# --- the enterprise portal ------------------------------------------------------------------


class PortalBillPages(Controller):
    path = "/portal/bills"
    include_in_schema = False
    opt = {"roles": ENTERPRISE}

    async def _index(self, request, db, status_code=200, **ctx) -> Template:
        user = request.user
        enterprise_id = user.enterprise_id or 0
        form = {"paid_on": _today().isoformat(), "method": "bank_transfer", **ctx.pop("form", {})}
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
        return _document_redirect(document)

    @get("/payments/{payment_id:int}/receipt")
    async def receipt(self, request: Request, db: DbSession, payment_id: FromPath[int]) -> Redirect:
        await payments.get_payment(db, request.user, payment_id)
        document = await pdf.receipt_document(
            db, request.user, payment_id, request.app.state.settings.documents_dir
        )
        return _document_redirect(document)

    @post("/report-payment", request_max_body_size=payments.MAX_SLIP_BYTES + 1024 * 1024)
    async def report(self, request: Request, db: DbSession) -> Template | Redirect:
        form = await request.form()
        data = {k: form.get(k) for k in form if k != "slip"}
        upload = form.get("slip")
        content, filename = b"", ""
        if isinstance(upload, UploadFile):
            content = await upload.read(payments.MAX_SLIP_BYTES + 1)
            filename = upload.filename or ""
        try:
            await payments.report_slip(
                db,
                request.user,
                data,
                filename=filename,
                data=content,
                storage_dir=request.app.state.settings.storage_dir,
            )
        except ValidationFailed as exc:
            return await self._index(request, db, 422, errors=exc.field_errors, form=data)
        return redirect(
            request,
            "/portal/bills",
            flash=("success", N_("Thank you: finance will confirm your payment.")),
        )

    @get("/slips/{slip_id:int}/file")
    async def slip_file(self, request: Request, db: DbSession, slip_id: FromPath[int]) -> File:
        return await slip_file_response(request, db, slip_id)


# --- API ------------------------------------------------------------------------------------


class BillingApi(Controller):
    path = "/api/v1/billing"
    tags = ["billing"]

    @get("/bills", opt={"roles": BILL_READERS}, summary="Bills you may see, newest due first")
    async def list_bills(
        self,
        request: Request,
        db: DbSession,
        status: FromQuery[str | None] = None,
        month: FromQuery[str | None] = None,
        enterprise_id: FromQuery[int | None] = None,
        page: FromQuery[int] = 1,
        page_size: FromQuery[int] = 20,
    ) -> schemas.BillPage:
        try:
            month_date = parse_month(month) if month else None
        except ValueError:
            raise ValidationFailed(field_errors={"month": N_("A month like 2026-12")}) from None
        result = await service.list_bills(
            db,
            request.user,
            status=status,
            month=month_date,
            enterprise_id=enterprise_id,
            page=page,
            page_size=page_size,
        )
        return schemas.BillPage(**result.as_dict([schemas.BillOut(**r) for r in result.items]))

    @get("/bills/{bill_id:int}", opt={"roles": BILL_READERS}, summary="A bill with its lines")
    async def get_bill(
        self, request: Request, db: DbSession, bill_id: FromPath[int]
    ) -> schemas.BillDetail:
        view = await service.bill_view(db, request.user, bill_id)
        return schemas.bill_detail(view)

    @post(
        "/payments",
        opt={"roles": FINANCE},
        summary="Record a payment (idempotent)",
        status_code=201,
    )
    async def record_payment(
        self, request: Request, db: DbSession, data: JSONBody[schemas.PaymentIn]
    ) -> Response[schemas.PaymentOut]:
        payment, created = await payments.record_payment(
            db, request.user, data.model_dump(exclude_none=True)
        )
        return Response(
            schemas.payment_out(payment, await payments.payment_allocations(db, payment.id)),
            status_code=201 if created else 200,
        )

    @get("/payments/{payment_id:int}", opt={"roles": BILL_READERS}, summary="A payment")
    async def get_payment(
        self, request: Request, db: DbSession, payment_id: FromPath[int]
    ) -> schemas.PaymentOut:
        payment = await payments.get_payment(db, request.user, payment_id)
        return schemas.payment_out(payment, await payments.payment_allocations(db, payment_id))

    @post(
        "/runs", opt={"roles": FINANCE}, summary="Start the billing run of a month", status_code=202
    )
    async def start_run(
        self, request: Request, db: DbSession, data: JSONBody[schemas.RunIn]
    ) -> Response[dict]:
        started = await run.start_run(db, request.user, data.month, issue=not data.draft)
        await run.queue_run(db, started.id)
        return Response(
            {"id": started.id, "status_url": f"/api/v1/billing/runs/{started.id}"},
            status_code=202,
        )

    @get("/runs/{run_id:int}", opt={"roles": FINANCE}, summary="A billing run's progress")
    async def get_run(self, db: DbSession, run_id: FromPath[int]) -> dict:
        return run.status_payload(await run.get_run(db, run_id))

    @get(
        "/enterprises/{enterprise_id:int}/balance",
        opt={"roles": BILL_READERS},
        summary="Open, overdue and credit of an enterprise (fen)",
    )
    async def balance(self, request: Request, db: DbSession, enterprise_id: FromPath[int]) -> dict:
        user = request.user
        if not user.is_staff and user.enterprise_id != enterprise_id:
            raise NotFound(N_("No such enterprise"))
        if await repository.enterprise_name(db, enterprise_id) is None:
            raise NotFound(N_("No such enterprise"))
        return await payments.balance(db, enterprise_id)


# --- dashboard ------------------------------------------------------------------------------


async def dashboard_card(db: AsyncSession, user) -> dict:
    from parkops.billing import reports as r

    totals = await r.open_totals(db)
    return {
        "billing_open_fen": totals["open_fen"],
        "billing_overdue_90_fen": totals["overdue_90_fen"],
        "billing_pending_slips": await repository.count_pending_slips(db),
        "billing_last_run": (await run.list_runs(db, limit=1) or [None])[0],
    }


ROUTES: list = [BillingPages, ReadingImportPages, PortalBillPages, BillingApi]
