"""The billing JSON API under ``/api/v1/billing``."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from parkops.billing import (
    payments,
    repository,
    run,
    schemas,
    service,
)
from parkops.billing.http import (
    BILL_READERS,
    FINANCE,
)
from parkops.billing.rules.run_plan import parse_month
from parkops.core.errors import NotFound, ValidationFailed
from parkops.core.i18n import N_
from parkops.db.request_session import DbSession


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
