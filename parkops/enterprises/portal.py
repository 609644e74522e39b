"""What enterprise users see: their own enterprise (read-only), and the public page an
invitation link opens, where an invitee chooses a username and password."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts import service as accounts
from parkops.accounts.pages import session_cookie
from parkops.core.errors import AppError, Conflict, NotFound, ValidationFailed
from parkops.core.i18n import N_
from parkops.core.web import client_ip, form_data, redirect, render
from parkops.db.request_session import DbSession
from parkops.enterprises import repository
from parkops.enterprises.access import ENTERPRISE_USER
from parkops.enterprises.services import users
from parkops.enterprises.vocabulary import TEMPLATE_LABELS

PUBLIC = {"public": True}


class PortalPages(Controller):
    """What an enterprise user sees of their own enterprise (read-only)."""

    path = "/portal"
    include_in_schema = False
    opt = {"roles": ENTERPRISE_USER}

    @get("/enterprise")
    async def enterprise(self, request: Request, db: DbSession) -> Template:
        if request.user.enterprise_id is None:
            raise NotFound(N_("No such enterprise"))
        enterprise = await repository.get_enterprise(db, request.user, request.user.enterprise_id)
        return render(
            request,
            "enterprises/portal.html",
            enterprise=enterprise,
            shops=await repository.list_shops(db, enterprise.id),
            **TEMPLATE_LABELS,
        )


class InvitePages(Controller):
    """The public page an invitation link opens: choose a username and password."""

    path = "/invite"
    include_in_schema = False

    async def _page(
        self,
        request: Request,
        db: AsyncSession,
        token: str,
        *,
        form: dict | None = None,
        errors: dict | None = None,
        status_code: int = 200,
    ) -> Template:
        try:
            invitation, enterprise_name = await users.find_invitation(db, token)
        except AppError as exc:
            return render(
                request,
                "enterprises/invite_unusable.html",
                status_code=exc.status_code,
                message=exc.message,
            )
        return render(
            request,
            "enterprises/invite.html",
            status_code=status_code,
            invitation=invitation,
            enterprise_name=enterprise_name,
            token=token,
            form=form or {"display_name": invitation.display_name},
            errors=dict(errors or {}),
        )

    @get("/{token:str}", opt=PUBLIC)
    async def show(self, request: Request, db: DbSession, token: FromPath[str]) -> Template:
        return await self._page(request, db, token)

    @post("/{token:str}", opt=PUBLIC)
    async def accept(
        self, request: Request, db: DbSession, token: FromPath[str]
    ) -> Template | Redirect:
        data = await form_data(request)
        form = {
            "username": str(data.get("username", "")),
            "display_name": str(data.get("display_name", "")),
        }
        try:
            user = await users.accept_invitation(
                db,
                token,
                username=form["username"],
                display_name=form["display_name"],
                password=str(data.get("password", "")),
                confirm=str(data.get("confirm_password", "")),
            )
        except (ValidationFailed, Conflict) as exc:
            return await self._page(
                request, db, token, form=form, errors=exc.field_errors, status_code=exc.status_code
            )
        except AppError:
            return await self._page(request, db, token)
        assert user.id is not None
        cookie = await accounts.open_session(
            db,
            request.app.state.settings,
            user.id,
            ip=client_ip(request),
            user_agent=request.headers.get("user-agent"),
        )
        return redirect(
            request,
            "/portal/enterprise",
            flash=("success", N_("Welcome to ParkOps. Your account is ready.")),
            cookies=[session_cookie(request, cookie)],
        )


ROUTES = [PortalPages, InvitePages]
