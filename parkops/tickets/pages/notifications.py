"""The notification centre: every user's in-app notifications."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from parkops.accounts.identity import CurrentUser
from parkops.accounts.roles import ANY_USER, Role
from parkops.core.i18n import N_
from parkops.core.web import redirect, render
from parkops.db.request_session import DbSession
from parkops.tickets import notifications


def _ticket_base(user: CurrentUser) -> str:
    """Where the user opens a ticket: the portal for enterprise users, else the staff pages."""
    return "/portal/tickets" if Role.enterprise_user in user.roles else "/tickets"


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
            ticket_base=_ticket_base(request.user),
        )

    @post("/{notification_id:int}/read")
    async def read(
        self, request: Request, db: DbSession, notification_id: FromPath[int]
    ) -> Redirect:
        row = await notifications.mark_read(db, request.user, notification_id)
        if row.ticket_id is not None:
            return redirect(request, f"{_ticket_base(request.user)}/{row.ticket_id}")
        return redirect(request, "/notifications")

    @post("/read-all")
    async def read_all(self, request: Request, db: DbSession) -> Redirect:
        await notifications.mark_all_read(db, request.user)
        return redirect(
            request, "/notifications", flash=("success", N_("All notifications are marked read."))
        )
