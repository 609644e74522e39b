"""Finance pages of utilities: meters, their readings (one by one or imported), flagged readings
and tariffs."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from parkops.billing import (
    meters,
    repository,
)
from parkops.billing.http import (
    FINANCE,
    LABELS,
    act,
    today,
)
from parkops.billing.models import (
    MeterKind,
    MeterScope,
)
from parkops.billing.rules.run_plan import add_months, month_start
from parkops.core import importing
from parkops.core.errors import ValidationFailed
from parkops.core.i18n import N_
from parkops.core.web import form_data, redirect, render, submit
from parkops.db.request_session import DbSession


class MeterPages(Controller):
    path = "/billing"
    include_in_schema = False
    opt = {"roles": FINANCE}

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
            today=today(),
            **LABELS,
            **ctx,
        )

    @post("/meters")
    async def create_meter(self, request: Request, db: DbSession) -> Template | Redirect:
        data = await form_data(request)
        return await submit(
            request,
            lambda: meters.create_meter(db, request.user, data),
            redisplay=lambda exc: self._meters(
                request, db, 422, errors=exc.field_errors, form=data
            ),
            then=lambda meter: f"/billing/meters/{meter.id}",
            message=N_("The meter was added."),
        )

    async def _meter(self, request, db, meter_id, status_code=200, **ctx) -> Template:
        meter = await meters.get_meter(db, meter_id)
        last_month = None
        readings = await meters.meter_readings(db, meter_id)
        if readings:
            last_month = readings[0].reading_month
        suggested = add_months(last_month, 1) if last_month else month_start(today())
        form = {
            "reading_month": suggested.strftime("%Y-%m"),
            "read_on": today().isoformat(),
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
        return await act(
            request,
            lambda: meters.confirm_reading(db, request.user, reading_id),
            back="/billing/readings/flagged",
            then="/billing/readings/flagged",
            message=N_("The reading was confirmed."),
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
        return await submit(
            request,
            lambda: meters.create_tariff(db, request.user, data),
            redisplay=lambda exc: self._tariffs(
                request, db, 422, errors=exc.field_errors, form=data
            ),
            then="/billing/tariffs",
            message=N_("The tariff was saved."),
        )

    @post("/tariffs/{tariff_id:int}/end")
    async def end_tariff(
        self, request: Request, db: DbSession, tariff_id: FromPath[int]
    ) -> Redirect:
        data = await form_data(request)
        return await act(
            request,
            lambda: meters.end_tariff(db, request.user, tariff_id, data),
            back="/billing/tariffs",
            then="/billing/tariffs",
            message=N_("The tariff was ended."),
        )


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
