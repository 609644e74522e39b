"""The desk's settings pages: departments and the dispatch catalogue, and the working-day
calendar."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from parkops.core.errors import ValidationFailed
from parkops.core.i18n import N_, Message
from parkops.core.parsing import optional_int
from parkops.core.web import as_list, form_data, redirect, render, submit
from parkops.db.request_session import DbSession
from parkops.tickets import catalogue
from parkops.tickets.http import DESK, form_fields
from parkops.tickets.models import DepartmentKind
from parkops.tickets.services import calendar_table

CATALOGUE = "/tickets/catalogue"


def _on_off(value: Any) -> str:
    return "on" if value else "off"


def _category_form(data: dict[str, Any]) -> dict[str, Any]:
    form = form_fields(data)
    form["co_department_ids"] = as_list(data.get("co_department_ids"))
    form["is_active"] = _on_off(data.get("is_active"))
    return form


class CataloguePages(Controller):
    path = CATALOGUE
    include_in_schema = False
    opt = {"roles": DESK}

    @get("/")
    async def index(self, request: Request, db: DbSession) -> Template:
        return await self._index(request, db)

    async def _index(
        self, request: Request, db: DbSession, status_code: int = 200, **ctx: Any
    ) -> Template:
        departments = await catalogue.list_departments(db)
        return render(
            request,
            "tickets/catalogue.html",
            status_code=status_code,
            categories=await catalogue.list_categories(db),
            departments=departments,
            department_by_id={d.id: d for d in departments},
            kinds=list(DepartmentKind),
            **ctx,
        )

    async def _category_page(
        self, request: Request, db: DbSession, status_code: int = 200, **ctx: Any
    ) -> Template:
        return render(
            request,
            "tickets/category_form.html",
            status_code=status_code,
            departments=await catalogue.list_departments(db, active_only=True),
            limits=catalogue.LIMITS,
            **ctx,
        )

    @get("/categories/new")
    async def new_category(self, request: Request, db: DbSession) -> Template:
        form = {**catalogue.LIMIT_DEFAULTS, "is_active": "on", "co_department_ids": []}
        return await self._category_page(request, db, form=form, category=None)

    @post("/categories/new")
    async def create_category(self, request: Request, db: DbSession) -> Template | Redirect:
        form = _category_form(await form_data(request))
        return await submit(
            request,
            lambda: catalogue.create_category(db, request.user, form),
            redisplay=lambda exc: self._category_page(
                request, db, 422, form=form, errors=exc.field_errors, category=None
            ),
            then=CATALOGUE,
            message=N_("The category was created."),
        )

    @get("/categories/{category_id:int}")
    async def edit_category(
        self, request: Request, db: DbSession, category_id: FromPath[int]
    ) -> Template:
        category = await catalogue.get_category(db, category_id)
        co = await catalogue.co_department_ids(db, category_id)
        form = {
            **category.model_dump(),
            "is_active": _on_off(category.is_active),
            "co_department_ids": [str(i) for i in co],
        }
        return await self._category_page(request, db, form=form, category=category)

    @post("/categories/{category_id:int}")
    async def update_category(
        self, request: Request, db: DbSession, category_id: FromPath[int]
    ) -> Template | Redirect:
        category = await catalogue.get_category(db, category_id)
        form = _category_form(await form_data(request))
        return await submit(
            request,
            lambda: catalogue.update_category(db, request.user, category_id, form),
            redisplay=lambda exc: self._category_page(
                request, db, 422, form=form, errors=exc.field_errors, category=category
            ),
            then=CATALOGUE,
            message=N_("The category was saved."),
        )

    @post("/departments/new")
    async def create_department(self, request: Request, db: DbSession) -> Template | Redirect:
        form = {**form_fields(await form_data(request)), "is_active": "on"}
        return await submit(
            request,
            lambda: catalogue.create_department(db, request.user, form),
            redisplay=lambda exc: self._index(request, db, 422, form=form, errors=exc.field_errors),
            then=CATALOGUE,
            message=N_("The department was created."),
        )

    def _department_page(self, request: Request, status_code: int = 200, **ctx: Any) -> Template:
        return render(
            request,
            "tickets/department_form.html",
            status_code=status_code,
            kinds=list(DepartmentKind),
            **ctx,
        )

    @get("/departments/{department_id:int}")
    async def edit_department(
        self, request: Request, db: DbSession, department_id: FromPath[int]
    ) -> Template:
        department = await catalogue.get_department(db, department_id)
        form = {**department.model_dump(), "is_active": _on_off(department.is_active)}
        return self._department_page(request, department=department, form=form)

    @post("/departments/{department_id:int}")
    async def update_department(
        self, request: Request, db: DbSession, department_id: FromPath[int]
    ) -> Template | Redirect:
        department = await catalogue.get_department(db, department_id)
        data = await form_data(request)
        form = {**form_fields(data), "is_active": _on_off(data.get("is_active"))}
        return await submit(
            request,
            lambda: catalogue.update_department(db, request.user, department_id, form),
            redisplay=lambda exc: self._department_page(
                request, 422, department=department, form=form, errors=exc.field_errors
            ),
            then=CATALOGUE,
            message=N_("The department was saved."),
        )


class CalendarPages(Controller):
    path = "/tickets/calendar"
    include_in_schema = False
    opt = {"roles": DESK}

    @get("/")
    async def index(
        self, request: Request, db: DbSession, year: FromQuery[int | None] = None
    ) -> Template:
        return await self._page(request, db, year)

    async def _page(
        self, request: Request, db: DbSession, year: int | None, status_code: int = 200, **ctx
    ) -> Template:
        this_year = dt.datetime.now(calendar_table.SHANGHAI).year
        year = year or this_year
        view = await calendar_table.year_view(db, year)
        return render(
            request,
            "tickets/calendar.html",
            status_code=status_code,
            view=view,
            years=list(range(this_year - 1, this_year + 3)),
            filled=await calendar_table.filled_years(db),
            **ctx,
        )

    @post("/days")
    async def set_day(self, request: Request, db: DbSession) -> Template | Redirect:
        data = await form_data(request)
        day = calendar_table.parse_day(data.get("day"))
        return await submit(
            request,
            lambda: calendar_table.set_day(db, request.user, data),
            redisplay=lambda exc: self._page(
                request,
                db,
                day.year if day and 2000 <= day.year <= 2100 else None,
                422,
                form=form_fields(data),
                errors=exc.field_errors,
            ),
            then=lambda row: f"/tickets/calendar?year={row.day.year}",
            message=N_("The calendar was changed and the deadlines recomputed."),
        )

    @post("/days/{day:str}/delete")
    async def delete_day(self, request: Request, db: DbSession, day: FromPath[str]) -> Redirect:
        parsed = calendar_table.parse_day(day)
        if parsed is None:
            raise ValidationFailed(field_errors={"day": N_("Not a date")})
        await calendar_table.delete_day(db, request.user, parsed)
        return redirect(
            request,
            f"/tickets/calendar?year={parsed.year}",
            flash=("success", N_("The entry was removed and the deadlines recomputed.")),
        )

    @post("/years")
    async def set_year(self, request: Request, db: DbSession) -> Redirect:
        data = await form_data(request)
        year = optional_int(data.get("year"))
        if year is None:
            raise ValidationFailed(field_errors={"year": N_("Enter a year")})
        filled = str(data.get("filled", "")) == "1"
        count = await calendar_table.set_year_filled(db, request.user, year, filled)
        message = (
            N_("The year was marked complete; provisional deadlines were recomputed.")
            if filled
            else N_("The year was marked incomplete again.")
        )
        if count:
            message = Message(N_("%(message)s (%(count)s)"), message=Message(message), count=count)
        return redirect(request, f"/tickets/calendar?year={year}", flash=("success", message))
