"""Finance pages of reports (with their CSV and Excel downloads) and the per-park billing
settings."""

from __future__ import annotations

from datetime import date

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from parkops.billing import (
    park_settings,
    reports,
    repository,
    service,
)
from parkops.billing.http import (
    FINANCE,
    LABELS,
    today,
)
from parkops.core.errors import NotFound
from parkops.core.i18n import N_
from parkops.core.tabular import csv_response, xlsx_response
from parkops.core.web import form_data, render, submit
from parkops.db.request_session import DbSession


class ReportPages(Controller):
    path = "/billing"
    include_in_schema = False
    opt = {"roles": FINANCE}

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
        filename = f"{title_zh}-{(day or today()).isoformat()}"
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
            as_of=(day or today()).isoformat(),
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
        return await submit(
            request,
            lambda: service.set_park_settings(db, request.user, park_id, data),
            redisplay=lambda exc: self._settings(
                request, db, 422, errors=exc.field_errors, error_park=park_id
            ),
            then="/billing/settings",
            message=N_("Settings saved."),
        )
