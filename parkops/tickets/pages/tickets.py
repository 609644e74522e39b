"""The desk's and the departments' ticket pages: the queue, filing on an enterprise's behalf,
the ticket page with its actions, notes and attachments."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import File, Redirect, Template

from parkops.core.i18n import N_
from parkops.core.parsing import optional_int
from parkops.core.web import as_list, form_data, render, submit
from parkops.db.base import utcnow
from parkops.db.request_session import DbSession
from parkops.tickets import attachments as files_mod
from parkops.tickets import catalogue, repository
from parkops.tickets.http import (
    DESK,
    STAFF_TICKETS,
    UPLOAD_LIMIT,
    act_on_ticket,
    download,
    form_fields,
    read_uploads,
    settings,
)
from parkops.tickets.models import Channel, PreferredContact
from parkops.tickets.rules.states import TicketStatus
from parkops.tickets.services import actions, filing, notes, reading


async def form_choices(db: DbSession) -> dict[str, Any]:
    """The categories and departments a filing form offers."""
    return {
        "categories": await catalogue.list_categories(db, active_only=True),
        "departments": await catalogue.list_departments(db),
    }


NewPage = Callable[..., Awaitable[Template]]


async def submit_filing(
    request: Request, db: DbSession, new_page: NewPage, base: str, message: str
) -> Template | Redirect:
    """The POST of a filing form: the form again with its errors, or the new ticket's page."""
    data = await form_data(request)
    uploads = await read_uploads(data)
    return await submit(
        request,
        lambda: filing.file_ticket(db, settings(request), request.user, data, uploads),
        redisplay=lambda exc: new_page(
            request, db, 422, form=form_fields(data), errors=exc.field_errors
        ),
        then=lambda ticket: f"{base}/{ticket.id}",
        message=message,
    )


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
            **await form_choices(db),
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
            enterprises=await filing.enterprise_options(db),
            preferred_contacts=list(PreferredContact),
            accept=files_mod.ACCEPT_ATTRIBUTE,
            **await form_choices(db),
            **ctx,
        )

    @post("/new", opt={"roles": DESK}, request_max_body_size=UPLOAD_LIMIT)
    async def file_ticket(self, request: Request, db: DbSession) -> Template | Redirect:
        message = N_("The ticket was filed.")
        return await submit_filing(request, db, self._new_page, "/tickets", message)

    @get("/{ticket_id:int}")
    async def detail(
        self,
        request: Request,
        db: DbSession,
        ticket_id: FromPath[int],
        events_page: FromQuery[int] = 1,
    ) -> Template:
        return await self._detail(request, db, ticket_id, events_page=events_page)

    async def _detail(
        self,
        request: Request,
        db: DbSession,
        ticket_id: int,
        status_code: int = 200,
        *,
        events_page: int = 1,
        **ctx: Any,
    ) -> Template:
        view = await reading.ticket_view(db, request.user, ticket_id, events_page=events_page)
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
        uploads = await read_uploads(data)
        return await act_on_ticket(
            request,
            lambda: actions.perform(
                db, settings(request), request.user, ticket_id, action, fields, uploads
            ),
            redisplay=lambda exc: self._detail(
                request,
                db,
                ticket_id,
                422,
                errors=exc.field_errors,
                error_message=exc.message,
                open_action=action,
                form=fields,
            ),
            back=f"/tickets/{ticket_id}",
            message=N_("Saved."),
        )

    @post("/{ticket_id:int}/notes", request_max_body_size=UPLOAD_LIMIT)
    async def add_note(
        self, request: Request, db: DbSession, ticket_id: FromPath[int]
    ) -> Template | Redirect:
        data = await form_data(request)
        note, uploads = str(data.get("note", "")), await read_uploads(data)
        return await submit(
            request,
            lambda: notes.add_note(db, settings(request), request.user, ticket_id, note, uploads),
            redisplay=lambda exc: self._detail(
                request,
                db,
                ticket_id,
                422,
                errors=exc.field_errors,
                open_action="note",
                form=form_fields(data),
            ),
            then=f"/tickets/{ticket_id}",
            message=N_("The internal note was added."),
        )

    @get("/{ticket_id:int}/attachments/{attachment_id:int}")
    async def attachment(
        self,
        request: Request,
        db: DbSession,
        ticket_id: FromPath[int],
        attachment_id: FromPath[int],
    ) -> File:
        return await download(request, db, ticket_id, attachment_id)
