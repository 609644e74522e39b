"""Staff HTML pages of accounts: sign in/out, one's own account and API tokens, user
administration, the audit log."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from parkops.accounts import service
from parkops.accounts.roles import ADMIN, ANY_USER, ROLE_LABELS, Role
from parkops.core import audit
from parkops.core.errors import AppError, TooManyRequests, ValidationFailed
from parkops.core.i18n import LANGUAGES, N_
from parkops.core.parsing import optional_date, optional_int
from parkops.core.web import (
    LANG_COOKIE,
    SESSION_COOKIE,
    as_list,
    client_ip,
    cookie_secure,
    form_data,
    redirect,
    render,
    safe_next,
    submit,
)
from parkops.db.request_session import DbSession

PUBLIC = {"public": True}


def session_cookie(request: Request, value: str) -> Cookie:
    lifetime = request.app.state.settings.session_lifetime_hours * 3600
    return Cookie(
        key=SESSION_COOKIE,
        value=value,
        httponly=True,
        samesite="lax",
        secure=cookie_secure(request),
        path="/",
        max_age=lifetime,
    )


class LoginController(Controller):
    include_in_schema = False

    @get("/login", opt=PUBLIC)
    async def login_form(self, request: Request, next: FromQuery[str | None] = None) -> Template:
        return render(request, "accounts/login.html", next=safe_next(next))

    @post("/login", opt=PUBLIC)
    async def login(self, request: Request, db: DbSession) -> Template | Redirect:
        data = await form_data(request)
        target = safe_next(data.get("next"))
        try:
            cookie, _user = await service.login(
                db,
                request.app.state.session_maker,
                request.app.state.settings,
                username=str(data.get("username", "")),
                password=str(data.get("password", "")),
                ip=client_ip(request),
                user_agent=request.headers.get("user-agent"),
            )
        except (ValidationFailed, TooManyRequests) as exc:
            response = render(
                request,
                "accounts/login.html",
                status_code=exc.status_code,
                error=exc.message,
                next=target,
                form={"username": data.get("username", "")},
            )
            response.headers.update(exc.headers)
            return response
        return redirect(request, target, cookies=[session_cookie(request, cookie)])

    @post("/logout", opt={"roles": ANY_USER})
    async def logout(self, request: Request, db: DbSession) -> Redirect:
        await service.logout(db, request.user)
        gone = Cookie(key=SESSION_COOKIE, value="", max_age=0, path="/")
        return redirect(
            request, "/login", flash=("info", N_("You have signed out.")), cookies=[gone]
        )

    @post("/language", opt=PUBLIC)
    async def set_language(self, request: Request) -> Redirect:
        data = await form_data(request)
        lang = data.get("lang") if data.get("lang") in LANGUAGES else "zh"
        cookie = Cookie(
            key=LANG_COOKIE,
            value=lang,
            max_age=365 * 86400,
            path="/",
            samesite="lax",
            secure=cookie_secure(request),
        )
        return redirect(request, safe_next(data.get("next")), cookies=[cookie])


class AccountController(Controller):
    path = "/account"
    include_in_schema = False
    opt = {"roles": ANY_USER}

    async def _page(
        self, request: Request, db: DbSession, status_code: int = 200, **ctx
    ) -> Template:
        tokens = await service.list_api_tokens(db, request.user)
        sessions = await service.list_sessions(db, request.user.id)
        return render(
            request,
            "accounts/account.html",
            status_code=status_code,
            tokens=tokens,
            sessions=sessions,
            **ctx,
        )

    @get("/")
    async def account(self, request: Request, db: DbSession) -> Template:
        return await self._page(request, db)

    @post("/password")
    async def change_password(self, request: Request, db: DbSession) -> Template | Redirect:
        data = await form_data(request)
        try:
            cookie = await service.change_password(
                db,
                request.app.state.settings,
                request.user,
                current=str(data.get("current_password", "")),
                new=str(data.get("new_password", "")),
                confirm=str(data.get("confirm_password", "")),
                ip=client_ip(request),
                user_agent=request.headers.get("user-agent"),
            )
        except ValidationFailed as exc:
            return await self._page(request, db, 422, errors=exc.field_errors)
        return redirect(
            request,
            "/account",
            flash=("success", N_("Password changed. Other sessions were signed out.")),
            cookies=[session_cookie(request, cookie)],
        )

    @post("/tokens")
    async def create_token(self, request: Request, db: DbSession) -> Template:
        data = await form_data(request)
        try:
            token, plaintext = await service.create_api_token(
                db, request.user, str(data.get("name", ""))
            )
        except ValidationFailed as exc:
            return await self._page(request, db, 422, errors=exc.field_errors)
        return await self._page(request, db, new_token=plaintext, new_token_name=token.name)

    @post("/tokens/{token_id:int}/revoke")
    async def revoke_token(
        self, request: Request, db: DbSession, token_id: FromPath[int]
    ) -> Redirect:
        await service.revoke_api_token(db, request.user, token_id)
        return redirect(request, "/account", flash=("success", N_("The API token was revoked.")))


class AdminUsersController(Controller):
    path = "/admin/users"
    include_in_schema = False
    opt = {"roles": ADMIN}

    @get("/")
    async def list_users(
        self,
        request: Request,
        db: DbSession,
        q: FromQuery[str | None] = None,
        role: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        page: FromQuery[int] = 1,
    ) -> Template:
        active = {"active": True, "disabled": False}.get(status or "")
        result = await service.list_users(
            db, q=q, role=role if role in set(Role) else None, active=active, page=page
        )
        return render(
            request,
            "admin/users.html",
            page=result,
            q=q or "",
            role=role or "",
            status=status or "",
            roles=list(Role),
        )

    @get("/new")
    async def new_user(self, request: Request) -> Template:
        return render(request, "admin/user_form.html", roles=list(Role), form={"roles": []})

    @post("/new")
    async def create_user(self, request: Request, db: DbSession) -> Template | Redirect:
        data = await form_data(request)
        form = {**data, "roles": as_list(data.get("roles")), "password": ""}
        return await submit(
            request,
            lambda: service.create_user(
                db,
                request.user,
                username=data.get("username", ""),
                display_name=data.get("display_name", ""),
                password=data.get("password", ""),
                email=data.get("email"),
                roles=as_list(data.get("roles")),
                enterprise_id=optional_int(data.get("enterprise_id")),
                department_id=optional_int(data.get("department_id")),
            ),
            redisplay=lambda exc: render(
                request,
                "admin/user_form.html",
                exc.status_code,
                roles=list(Role),
                form=form,
                errors=exc.field_errors,
            ),
            then=lambda user: f"/admin/users/{user.id}",
            message=N_("The user was created."),
        )

    @get("/{user_id:int}")
    async def detail(self, request: Request, db: DbSession, user_id: FromPath[int]) -> Template:
        user = await service.get_user(db, user_id)
        roles = sorted(await service.roles_of(db, user_id))
        return render(
            request,
            "admin/user_detail.html",
            subject=user,
            subject_roles=roles,
            roles=list(Role),
            role_labels=ROLE_LABELS,
        )

    @post("/{user_id:int}/roles")
    async def update_roles(
        self, request: Request, db: DbSession, user_id: FromPath[int]
    ) -> Template | Redirect:
        data = await form_data(request)

        async def again(exc: AppError) -> Template:
            return render(
                request, "admin/user_detail.html", status_code=422,
                subject=await service.get_user(db, user_id),
                subject_roles=as_list(data.get("roles")), roles=list(Role),
                errors=exc.field_errors, role_labels=ROLE_LABELS,
            )  # fmt: skip

        return await submit(
            request,
            lambda: service.set_roles(
                db,
                request.user,
                user_id,
                as_list(data.get("roles")),
                enterprise_id=optional_int(data.get("enterprise_id")),
                department_id=optional_int(data.get("department_id")),
            ),
            redisplay=again,
            then=f"/admin/users/{user_id}",
            message=N_("Roles saved."),
        )

    @post("/{user_id:int}/disable")
    async def disable(self, request: Request, db: DbSession, user_id: FromPath[int]) -> Redirect:
        await service.set_active(db, request.user, user_id, False)
        return redirect(
            request,
            f"/admin/users/{user_id}",
            flash=("success", N_("The account was disabled and its sessions ended.")),
        )

    @post("/{user_id:int}/enable")
    async def enable(self, request: Request, db: DbSession, user_id: FromPath[int]) -> Redirect:
        await service.set_active(db, request.user, user_id, True)
        return redirect(
            request, f"/admin/users/{user_id}", flash=("success", N_("The account was enabled."))
        )


class AuditPages(Controller):
    path = "/admin/audit"
    include_in_schema = False
    opt = {"roles": ADMIN}

    @get("/")
    async def audit_log(
        self,
        request: Request,
        db: DbSession,
        actor: FromQuery[str | None] = None,
        action: FromQuery[str | None] = None,
        entity: FromQuery[str | None] = None,
        entity_id: FromQuery[str | None] = None,
        since: FromQuery[str | None] = None,
        until: FromQuery[str | None] = None,
        page: FromQuery[int] = 1,
    ) -> Template:
        result = await audit.search(
            db,
            actor=actor,
            action=action,
            entity=entity,
            entity_id=entity_id,
            since=optional_date(since),
            until=optional_date(until),
            page=page,
        )
        filters = {
            "actor": actor or "",
            "action": action or "",
            "entity": entity or "",
            "entity_id": entity_id or "",
            "since": since or "",
            "until": until or "",
        }
        return render(
            request,
            "admin/audit.html",
            page=result,
            filters=filters,
            actions=await audit.distinct_values(db, "action"),
            entities=await audit.distinct_values(db, "entity"),
        )


async def dashboard_card(db: DbSession, user: object) -> dict:
    """The park administrator's cards: active users and the latest changes."""
    return {
        "active_users": await service.count_active_users(db),
        "recent_audit": await audit.recent(db),
    }
