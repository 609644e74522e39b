"""HTTP pages of the tickets domain: the desk's and departments' queue and ticket page, the
enterprise portal, the catalogue and calendar admin pages, and the notification centre.

The JSON API lives in :mod:`parkops.tickets.api`; both are listed in ``ROUTES``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import File, Redirect, Template

from parkops.accounts.roles import ANY_USER, Role
from parkops.core import blobs
from parkops.core.errors import AppError, ValidationFailed
from parkops.core.i18n import N_, Message
from parkops.core.parsing import optional_int
from parkops.core.web import as_list, form_data, redirect, render
from parkops.db.base import utcnow
from parkops.db.request_session import DbSession
from parkops.documents.filenames import content_disposition
from parkops.tickets import attachments as files_mod
from parkops.tickets import catalogue, notifications, repository, service, work_calendar
from parkops.tickets.http import UPLOAD_LIMIT, form_fields, read_uploads
from parkops.tickets.models import Channel, DepartmentKind, PreferredContact
from parkops.tickets.workflow import TicketAction, TicketStatus

DESK = frozenset({Role.service_desk, Role.park_admin})
STAFF_TICKETS = DESK | {Role.gov_officer}
ENTERPRISE = frozenset({Role.enterprise_user})
TICKET_USERS = STAFF_TICKETS | ENTERPRISE


async def _form_choices(db: DbSession) -> dict[str, Any]:
    return {
        "categories": await catalogue.list_categories(db, active_only=True),
        "departments": await catalogue.list_departments(db),
    }


def _settings(request: Request):
    return request.app.state.settings


async def _download(attachment, path) -> File:
    return await blobs.download(  # type: ignore[return-value]
        files_mod.KEY_PREFIX + attachment.stored_name,
        path,
        media_type=attachment.content_type,
        disposition=content_disposition(attachment.original_name, inline=False),
        missing=N_("The file of this attachment is missing"),
    )


# --- desk and departments ---------------------------------------------------------------------


class TicketPages(Controller):
    path = "/tickets"
    include_in_schema = False
    opt = {"roles": STAFF_TICKETS}

    @get("/")
    async def queue(
        self,
        request: Request,
        db: DbSession,
        status: FromQuery[str | None] = None,
        category_id: FromQuery[str | None] = None,
        department_id: FromQuery[str | None] = None,
        overdue: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
        page: FromQuery[int] = 1,
    ) -> Template:
        filters = repository.QueueFilters(
            status=status or "open",
            category_id=optional_int(category_id),
            department_id=optional_int(department_id),
            overdue=bool(overdue),
            q=q or None,
        )
        result = await repository.queue(db, request.user, filters, now=utcnow(), page=page)
        return render(
            request,
            "tickets/queue.html",
            page=result,
            filters=filters,
            statuses=list(TicketStatus),
            is_desk=repository.is_desk(request.user),
            **await _form_choices(db),
        )

    @get("/new", opt={"roles": DESK})
    async def new_ticket(self, request: Request, db: DbSession) -> Template:
        return await self._new_page(request, db, form={"channel": Channel.PHONE.value})

    async def _new_page(
        self, request: Request, db: DbSession, status_code: int = 200, **ctx: Any
    ) -> Template:
        return render(
            request,
            "tickets/new.html",
            status_code=status_code,
            enterprises=await service.enterprise_options(db),
            preferred_contacts=list(PreferredContact),
            accept=files_mod.ACCEPT_ATTRIBUTE,
            **await _form_choices(db),
            **ctx,
        )

    @post("/new", opt={"roles": DESK}, request_max_body_size=UPLOAD_LIMIT)
    async def file_ticket(self, request: Request, db: DbSession) -> Template | Redirect:
        data = await form_data(request)
        try:
            ticket = await service.file_ticket(
                db, _settings(request), request.user, data, await read_uploads(data)
            )
        except ValidationFailed as exc:
            return await self._new_page(
                request, db, 422, form=form_fields(data), errors=exc.field_errors
            )
        return redirect(
            request,
            f"/tickets/{ticket.id}",
            flash=("success", N_("The ticket was filed.")),
        )

    @get("/{ticket_id:int}")
    async def detail(self, request: Request, db: DbSession, ticket_id: FromPath[int]) -> Template:
        return await self._detail(request, db, ticket_id)

    async def _detail(
        self, request: Request, db: DbSession, ticket_id: int, status_code: int = 200, **ctx: Any
    ) -> Template:
        view = await service.ticket_view(db, request.user, ticket_id)
        category_co = await catalogue.co_department_ids(db, view["ticket"].category_id)
        return render(
            request,
            "tickets/detail.html",
            status_code=status_code,
            view=view,
            departments=await catalogue.list_departments(db, active_only=True),
            category_co=category_co,
            accept=files_mod.ACCEPT_ATTRIBUTE,
            **ctx,
        )

    @post("/{ticket_id:int}/act", request_max_body_size=UPLOAD_LIMIT)
    async def act(
        self, request: Request, db: DbSession, ticket_id: FromPath[int]
    ) -> Template | Redirect:
        data = await form_data(request)
        action = str(data.get("action", ""))
        fields = form_fields(data)
        if "co_department_ids" in fields or action in ("dispatch", "redispatch"):
            fields["co_department_ids"] = as_list(fields.get("co_department_ids"))
        try:
            await service.perform(
                db,
                _settings(request),
                request.user,
                ticket_id,
                action,
                fields,
                await read_uploads(data),
            )
        except ValidationFailed as exc:
            return await self._detail(
                request,
                db,
                ticket_id,
                422,
                errors=exc.field_errors,
                error_message=exc.message,
                open_action=action,
                form=fields,
            )
        except AppError as exc:
            if exc.status_code != 409:
                raise
            return redirect(request, f"/tickets/{ticket_id}", flash=("error", exc.message))
        return redirect(request, f"/tickets/{ticket_id}", flash=("success", N_("Saved.")))

    @post("/{ticket_id:int}/notes", request_max_body_size=UPLOAD_LIMIT)
    async def add_note(
        self, request: Request, db: DbSession, ticket_id: FromPath[int]
    ) -> Template | Redirect:
        data = await form_data(request)
        try:
            await service.add_note(
                db,
                _settings(request),
                request.user,
                ticket_id,
                str(data.get("note", "")),
                await read_uploads(data),
            )
        except ValidationFailed as exc:
            return await self._detail(
                request,
                db,
                ticket_id,
                422,
                errors=exc.field_errors,
                open_action="note",
                form=form_fields(data),
            )
        return redirect(
            request, f"/tickets/{ticket_id}", flash=("success", N_("The internal note was added."))
        )

    @get("/{ticket_id:int}/attachments/{attachment_id:int}")
    async def attachment(
        self,
        request: Request,
        db: DbSession,
        ticket_id: FromPath[int],
        attachment_id: FromPath[int],
    ) -> File:
        attachment, path = await service.get_attachment(
            db, _settings(request), request.user, ticket_id, attachment_id
        )
        return await _download(attachment, path)


# --- the enterprise portal --------------------------------------------------------------------


class PortalPages(Controller):
    path = "/portal/tickets"
    include_in_schema = False
    opt = {"roles": ENTERPRISE}

    @get("/")
    async def list_tickets(
        self,
        request: Request,
        db: DbSession,
        status: FromQuery[str | None] = None,
        page: FromQuery[int] = 1,
    ) -> Template:
        filters = repository.QueueFilters(status=status or "all", newest_first=True)
        result = await repository.queue(db, request.user, filters, now=utcnow(), page=page)
        return render(request, "tickets/portal_list.html", page=result, status=status or "all")

    @get("/new")
    async def new_ticket(self, request: Request, db: DbSession) -> Template:
        return await self._new_page(request, db, form={"contact_name": request.user.display_name})

    async def _new_page(
        self, request: Request, db: DbSession, status_code: int = 200, **ctx: Any
    ) -> Template:
        return render(
            request,
            "tickets/portal_new.html",
            status_code=status_code,
            preferred_contacts=list(PreferredContact),
            accept=files_mod.ACCEPT_ATTRIBUTE,
            **await _form_choices(db),
            **ctx,
        )

    @post("/new", request_max_body_size=UPLOAD_LIMIT)
    async def file_ticket(self, request: Request, db: DbSession) -> Template | Redirect:
        data = await form_data(request)
        try:
            ticket = await service.file_ticket(
                db, _settings(request), request.user, data, await read_uploads(data)
            )
        except ValidationFailed as exc:
            return await self._new_page(
                request, db, 422, form=form_fields(data), errors=exc.field_errors
            )
        return redirect(
            request,
            f"/portal/tickets/{ticket.id}",
            flash=(
                "success",
                N_("Your ticket was filed. The service desk will accept it shortly."),
            ),
        )

    @get("/{ticket_id:int}")
    async def detail(self, request: Request, db: DbSession, ticket_id: FromPath[int]) -> Template:
        return await self._detail(request, db, ticket_id)

    async def _detail(
        self, request: Request, db: DbSession, ticket_id: int, status_code: int = 200, **ctx: Any
    ) -> Template:
        view = await service.ticket_view(db, request.user, ticket_id)
        return render(
            request,
            "tickets/portal_detail.html",
            status_code=status_code,
            view=view,
            accept=files_mod.ACCEPT_ATTRIBUTE,
            **ctx,
        )

    async def _run(self, request: Request, db: DbSession, ticket_id: int, what, done: str):
        data = await form_data(request)
        try:
            await what(data)
        except ValidationFailed as exc:
            return await self._detail(
                request, db, ticket_id, 422, errors=exc.field_errors, form=form_fields(data)
            )
        except AppError as exc:
            if exc.status_code != 409:
                raise
            return redirect(request, f"/portal/tickets/{ticket_id}", flash=("error", exc.message))
        return redirect(request, f"/portal/tickets/{ticket_id}", flash=("success", done))

    @post("/{ticket_id:int}/rate")
    async def rate(
        self, request: Request, db: DbSession, ticket_id: FromPath[int]
    ) -> Template | Redirect:
        async def do(data):
            await service.rate(
                db,
                _settings(request),
                request.user,
                ticket_id,
                data.get("rating"),
                str(data.get("comment") or ""),
            )

        return await self._run(request, db, ticket_id, do, N_("Thank you for your rating."))

    @post("/{ticket_id:int}/answer", request_max_body_size=UPLOAD_LIMIT)
    async def answer(
        self, request: Request, db: DbSession, ticket_id: FromPath[int]
    ) -> Template | Redirect:
        async def do(data):
            await service.perform(
                db,
                _settings(request),
                request.user,
                ticket_id,
                TicketAction.PROVIDE_INFO,
                {"note": data.get("note")},
                await read_uploads(data),
            )

        return await self._run(request, db, ticket_id, do, N_("Your answer was sent."))

    @post("/{ticket_id:int}/withdraw")
    async def withdraw(
        self, request: Request, db: DbSession, ticket_id: FromPath[int]
    ) -> Template | Redirect:
        async def do(data):
            await service.perform(
                db,
                _settings(request),
                request.user,
                ticket_id,
                TicketAction.WITHDRAW,
                {"note": data.get("note")},
            )

        return await self._run(request, db, ticket_id, do, N_("The ticket was withdrawn."))

    @get("/{ticket_id:int}/attachments/{attachment_id:int}")
    async def attachment(
        self,
        request: Request,
        db: DbSession,
        ticket_id: FromPath[int],
        attachment_id: FromPath[int],
    ) -> File:
        attachment, path = await service.get_attachment(
            db, _settings(request), request.user, ticket_id, attachment_id
        )
        return await _download(attachment, path)


# --- catalogue --------------------------------------------------------------------------------


def _category_form(data: dict[str, Any]) -> dict[str, Any]:
    form = form_fields(data)
    form["co_department_ids"] = as_list(data.get("co_department_ids"))
    form["is_active"] = "on" if data.get("is_active") else "off"
    return form


class CataloguePages(Controller):
    path = "/tickets/catalogue"
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
        data = await form_data(request)
        form = _category_form(data)
        try:
            await catalogue.create_category(db, request.user, form)
        except ValidationFailed as exc:
            return await self._category_page(
                request, db, 422, form=form, errors=exc.field_errors, category=None
            )
        return redirect(
            request, "/tickets/catalogue", flash=("success", N_("The category was created."))
        )

    @get("/categories/{category_id:int}")
    async def edit_category(
        self, request: Request, db: DbSession, category_id: FromPath[int]
    ) -> Template:
        category = await catalogue.get_category(db, category_id)
        form = {
            **category.model_dump(),
            "is_active": "on" if category.is_active else "off",
            "co_department_ids": [
                str(i) for i in await catalogue.co_department_ids(db, category_id)
            ],
        }
        return await self._category_page(request, db, form=form, category=category)

    @post("/categories/{category_id:int}")
    async def update_category(
        self, request: Request, db: DbSession, category_id: FromPath[int]
    ) -> Template | Redirect:
        category = await catalogue.get_category(db, category_id)
        data = await form_data(request)
        form = _category_form(data)
        try:
            await catalogue.update_category(db, request.user, category_id, form)
        except ValidationFailed as exc:
            return await self._category_page(
                request, db, 422, form=form, errors=exc.field_errors, category=category
            )
        return redirect(
            request, "/tickets/catalogue", flash=("success", N_("The category was saved."))
        )

    @post("/departments/new")
    async def create_department(self, request: Request, db: DbSession) -> Template | Redirect:
        data = await form_data(request)
        form = {**form_fields(data), "is_active": "on"}
        try:
            await catalogue.create_department(db, request.user, form)
        except ValidationFailed as exc:
            return await self._index(request, db, 422, form=form, errors=exc.field_errors)
        return redirect(
            request, "/tickets/catalogue", flash=("success", N_("The department was created."))
        )

    @get("/departments/{department_id:int}")
    async def edit_department(
        self, request: Request, db: DbSession, department_id: FromPath[int]
    ) -> Template:
        department = await catalogue.get_department(db, department_id)
        form = {**department.model_dump(), "is_active": "on" if department.is_active else "off"}
        return render(
            request,
            "tickets/department_form.html",
            department=department,
            form=form,
            kinds=list(DepartmentKind),
        )

    @post("/departments/{department_id:int}")
    async def update_department(
        self, request: Request, db: DbSession, department_id: FromPath[int]
    ) -> Template | Redirect:
        department = await catalogue.get_department(db, department_id)
        data = await form_data(request)
        form = {**form_fields(data), "is_active": "on" if data.get("is_active") else "off"}
        try:
            await catalogue.update_department(db, request.user, department_id, form)
        except ValidationFailed as exc:
            return render(
                request,
                "tickets/department_form.html",
                status_code=422,
                department=department,
                form=form,
                errors=exc.field_errors,
                kinds=list(DepartmentKind),
            )
        return redirect(
            request, "/tickets/catalogue", flash=("success", N_("The department was saved."))
        )


# --- working-day calendar ---------------------------------------------------------------------


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
        this_year = dt.datetime.now(work_calendar.SHANGHAI).year
        year = year or this_year
        view = await work_calendar.year_view(db, year)
        return render(
            request,
            "tickets/calendar.html",
            status_code=status_code,
            view=view,
            years=list(range(this_year - 1, this_year + 3)),
            filled=await work_calendar.filled_years(db),
            **ctx,
        )

    @post("/days")
    async def set_day(self, request: Request, db: DbSession) -> Template | Redirect:
        data = await form_data(request)
        try:
            row = await work_calendar.set_day(db, request.user, data)
        except ValidationFailed as exc:
            day = work_calendar.parse_day(data.get("day"))
            return await self._page(
                request,
                db,
                day.year if day and 2000 <= day.year <= 2100 else None,
                422,
                form=form_fields(data),
                errors=exc.field_errors,
            )
        return redirect(
            request,
            f"/tickets/calendar?year={row.day.year}",
            flash=("success", N_("The calendar was changed and the deadlines recomputed.")),
        )

    @post("/days/{day:str}/delete")
    async def delete_day(self, request: Request, db: DbSession, day: FromPath[str]) -> Redirect:
        parsed = work_calendar.parse_day(day)
        if parsed is None:
            raise ValidationFailed(field_errors={"day": N_("Not a date")})
        await work_calendar.delete_day(db, request.user, parsed)
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
        count = await work_calendar.set_year_filled(db, request.user, year, filled)
        message = (
            N_("The year was marked complete; provisional deadlines were recomputed.")
            if filled
            else N_("The year was marked incomplete again.")
        )
        return redirect(
            request,
            f"/tickets/calendar?year={year}",
            flash=(
                "success",
                Message(N_("%(message)s (%(count)s)"), message=Message(message), count=count)
                if count
                else message,
            ),
        )


# --- notifications ------------------------------------------------------------------------------


class NotificationPages(Controller):
    path = "/notifications"
    include_in_schema = False
    opt = {"roles": ANY_USER}

    @get("/")
    async def index(
        self,
        request: Request,
        db: DbSession,
        unread: FromQuery[str | None] = None,
        page: FromQuery[int] = 1,
    ) -> Template:
        result = await notifications.list_for_user(
            db, request.user, unread_only=bool(unread), page=page
        )
        return render(
            request,
            "tickets/notifications.html",
            page=result,
            unread=await notifications.unread_count(db, request.user.id),
            unread_only=bool(unread),
            ticket_base="/portal/tickets"
            if Role.enterprise_user in request.user.roles
            else "/tickets",
        )

    @post("/{notification_id:int}/read")
    async def read(
        self, request: Request, db: DbSession, notification_id: FromPath[int]
    ) -> Redirect:
        row = await notifications.mark_read(db, request.user, notification_id)
        if row.ticket_id is not None:
            base = "/portal/tickets" if Role.enterprise_user in request.user.roles else "/tickets"
            return redirect(request, f"{base}/{row.ticket_id}")
        return redirect(request, "/notifications")

    @post("/read-all")
    async def read_all(self, request: Request, db: DbSession) -> Redirect:
        await notifications.mark_all_read(db, request.user)
        return redirect(
            request, "/notifications", flash=("success", N_("All notifications are marked read."))
        )


# --- dashboard ------------------------------------------------------------------------------------


async def dashboard_card(db: DbSession, user) -> dict:
    from parkops.tickets import dashboard

    return {"tickets": await dashboard.card(db, user)}


from parkops.tickets.api import NotificationsApi, TicketsApi  # noqa: E402

ROUTES: list = [
    TicketPages,
    PortalPages,
    CataloguePages,
    CalendarPages,
    NotificationPages,
    TicketsApi,
    NotificationsApi,
]
