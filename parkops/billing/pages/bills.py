"""Finance pages of runs and bills: the billing overview, starting and issuing a run, the bill
list, a bill and its actions."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.billing import meters, pdf, repository, run, service
from parkops.billing.http import (
    FINANCE,
    LABELS,
    act,
    document_redirect,
    today,
)
from parkops.billing.models import (
    BillStatus,
)
from parkops.billing.rules import workflow
from parkops.billing.rules.run_plan import month_start, parse_month
from parkops.core.errors import ValidationFailed
from parkops.core.i18n import N_, Message
from parkops.core.web import form_data, redirect, render
from parkops.db.request_session import DbSession


class BillPages(Controller):
    path = "/billing"
    include_in_schema = False
    opt = {"roles": FINANCE}

    async def _overview(
        self, request: Request, db: AsyncSession, status_code: int = 200, **ctx: Any
    ) -> Template:
        day = today()
        overdue = await service.list_bills(db, None, status="overdue", page_size=1, today=day)
        return render(
            request,
            "billing/index.html",
            status_code=status_code,
            runs=await run.list_runs(db),
            run_state=run.run_state,
            suggested_month=month_start(day).strftime("%Y-%m"),
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
        page = f"/billing/bills/{bill_id}"
        return await act(request, lambda: fn(data), back=page, then=page, message="Saved.")

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
        return await act(
            request,
            lambda: service.delete_draft(db, request.user, bill_id),
            back=f"/billing/bills/{bill_id}",
            then="/billing/bills",
            message=N_("The draft was deleted."),
        )

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
        return document_redirect(document)
