"""The enterprise portal's ticket pages: its tickets, filing one, rating the reply, answering the
desk's or the department's question, withdrawing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import File, Redirect, Template

from parkops.core.i18n import N_
from parkops.core.web import form_data, render
from parkops.db.base import utcnow
from parkops.db.request_session import DbSession
from parkops.tickets import attachments as files_mod
from parkops.tickets import repository
from parkops.tickets.http import (
    ENTERPRISE,
    UPLOAD_LIMIT,
    act_on_ticket,
    download,
    form_fields,
    read_uploads,
    settings,
)
from parkops.tickets.models import PreferredContact
from parkops.tickets.pages.tickets import form_choices, submit_filing
from parkops.tickets.rules.states import TicketAction
from parkops.tickets.services import actions, reading


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
            **await form_choices(db),
            **ctx,
        )

    @post("/new", request_max_body_size=UPLOAD_LIMIT)
    async def file_ticket(self, request: Request, db: DbSession) -> Template | Redirect:
        message = N_("Your ticket was filed. The service desk will accept it shortly.")
        return await submit_filing(request, db, self._new_page, "/portal/tickets", message)

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
        return render(
            request,
            "tickets/portal_detail.html",
            status_code=status_code,
            view=view,
            accept=files_mod.ACCEPT_ATTRIBUTE,
            **ctx,
        )

    async def _act(
        self,
        request: Request,
        db: DbSession,
        ticket_id: int,
        save: Callable[[dict[str, Any]], Awaitable[Any]],
        done: str,
    ) -> Template | Redirect:
        data = await form_data(request)
        return await act_on_ticket(
            request,
            lambda: save(data),
            redisplay=lambda exc: self._detail(
                request, db, ticket_id, 422, errors=exc.field_errors, form=form_fields(data)
            ),
            back=f"/portal/tickets/{ticket_id}",
            message=done,
        )

    @post("/{ticket_id:int}/rate")
    async def rate(
        self, request: Request, db: DbSession, ticket_id: FromPath[int]
    ) -> Template | Redirect:
        async def save(data: dict[str, Any]) -> Any:
            comment = str(data.get("comment") or "")
            return await actions.rate(
                db, settings(request), request.user, ticket_id, data.get("rating"), comment
            )

        return await self._act(request, db, ticket_id, save, N_("Thank you for your rating."))

    @post("/{ticket_id:int}/answer", request_max_body_size=UPLOAD_LIMIT)
    async def answer(
        self, request: Request, db: DbSession, ticket_id: FromPath[int]
    ) -> Template | Redirect:
        async def save(data: dict[str, Any]) -> Any:
            return await actions.perform(
                db, settings(request), request.user, ticket_id, TicketAction.PROVIDE_INFO,
                {"note": data.get("note")}, await read_uploads(data),
            )  # fmt: skip

        return await self._act(request, db, ticket_id, save, N_("Your answer was sent."))

    @post("/{ticket_id:int}/withdraw")
    async def withdraw(
        self, request: Request, db: DbSession, ticket_id: FromPath[int]
    ) -> Template | Redirect:
        async def save(data: dict[str, Any]) -> Any:
            return await actions.perform(
                db, settings(request), request.user, ticket_id, TicketAction.WITHDRAW,
                {"note": data.get("note")},
            )  # fmt: skip

        return await self._act(request, db, ticket_id, save, N_("The ticket was withdrawn."))

    @get("/{ticket_id:int}/attachments/{attachment_id:int}")
    async def attachment(
        self,
        request: Request,
        db: DbSession,
        ticket_id: FromPath[int],
        attachment_id: FromPath[int],
    ) -> File:
        return await download(request, db, ticket_id, attachment_id)
