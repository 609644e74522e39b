"""HTTP for the enterprises domain: staff pages, the enterprise portal, invitations, the API."""

from __future__ import annotations

from itertools import zip_longest
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts import service as accounts
from parkops.accounts.pages import session_cookie
from parkops.accounts.roles import STAFF, Role
from parkops.core import importing
from parkops.core.errors import AppError, Conflict, NotFound, ValidationFailed
from parkops.core.i18n import N_, gettext
from parkops.core.mail import MailNotSent
from parkops.core.money import fen_to_yuan
from parkops.core.tabular import csv_response, xlsx_response
from parkops.core.web import as_list, client_ip, form_data, redirect, render, submit
from parkops.db.request_session import DbSession
from parkops.enterprises import schemas, service
from parkops.enterprises.imports import COLUMNS, ENTERPRISE_IMPORT, export_row
from parkops.enterprises.models import Enterprise
from parkops.enterprises.validation import INDUSTRY_LABELS, PLATFORM_LABELS, Industry, Platform
from parkops.enterprises.workflow import STATUS_LABELS, EnterpriseStatus, allowed_statuses

EDITORS = frozenset(service.EDITOR_ROLES)
READERS = STAFF
ENTERPRISE_USER = frozenset({Role.enterprise_user})
API_READERS = STAFF | ENTERPRISE_USER
PUBLIC = {"public": True}
BLANK_SHOP_ROWS = 3

LABELS = {
    "industry_labels": INDUSTRY_LABELS,
    "status_labels": STATUS_LABELS,
    "platform_labels": PLATFORM_LABELS,
    "industries": list(Industry),
    "statuses": list(EnterpriseStatus),
    "platforms": list(Platform),
}


def _html_errors(errors: dict[str, str] | None) -> dict[str, str]:
    """Field errors for the form macros (their ``_()`` escapes what the messages quote)."""
    return dict(errors or {})


def _filters(q, industry, status, sort) -> dict[str, str]:
    return {
        "q": (q or "").strip(),
        "industry": industry if industry in set(Industry) else "",
        "status": status if status in set(EnterpriseStatus) else "",
        "sort": sort or "",
    }


def _sort_links(filters: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Per sortable column: the URL that sorts by it (toggling direction) and the current arrow."""
    key, descending = service.parse_sort(filters["sort"])
    links = {}
    for column in service.SORTS:
        new = f"-{column}" if column == key and not descending else column
        params = {k: v for k, v in {**filters, "sort": new}.items() if v}
        arrow = ("▼" if descending else "▲") if column == key else ""
        links[column] = {"url": f"/enterprises?{urlencode(params)}", "arrow": arrow}
    return links


def _query_string(filters: dict[str, str]) -> str:
    return urlencode({k: v for k, v in filters.items() if v})


def _shops_from_form(data: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {"platform": p or "", "shop_name": n or "", "url": u or ""}
        for p, n, u in zip_longest(
            as_list(data.get("shop_platform[]")),
            as_list(data.get("shop_name[]")),
            as_list(data.get("shop_url[]")),
        )
    ]


def _form_input(data: dict[str, Any]) -> dict[str, Any]:
    fields = (
        "name",
        "name_en",
        "uscc",
        "legal_representative",
        "address",
        "address_en",
        "contact_person",
        "contact_mobile",
        "industry",
        "status",
        "registered_capital",
        "employee_count",
    )
    values: dict[str, Any] = {f: str(data.get(f, "") or "") for f in fields}
    values["shops"] = _shops_from_form(data)
    return values


def _form_values(enterprise: Enterprise, shops) -> dict[str, Any]:
    values = service.editable_values(enterprise, shops)
    values["registered_capital"] = str(fen_to_yuan(values.pop("registered_capital_fen")))
    values["name_en"] = values["name_en"] or ""
    values["address_en"] = values["address_en"] or ""
    return values


def _with_blank_shops(form: dict[str, Any]) -> dict[str, Any]:
    shops = [s for s in form.get("shops", []) if any((s.get(k) or "") for k in s)]
    blank = {"platform": "", "shop_name": "", "url": ""}
    return {**form, "shops": shops + [dict(blank) for _ in range(BLANK_SHOP_ROWS)]}


def _form_page(
    request: Request,
    *,
    form: dict[str, Any],
    enterprise: Enterprise | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    statuses = allowed_statuses(enterprise.status) if enterprise else list(EnterpriseStatus)
    return render(
        request,
        "enterprises/form.html",
        status_code=status_code,
        form=_with_blank_shops(form),
        enterprise=enterprise,
        errors=_html_errors(errors),
        status_choices=statuses,
        **LABELS,
    )


async def _detail_page(
    request: Request,
    db: AsyncSession,
    enterprise_id: int,
    *,
    status_code: int = 200,
    invite_form: dict | None = None,
    invite_errors: dict | None = None,
) -> Template:
    enterprise = await service.get_enterprise(db, request.user, enterprise_id)
    return render(
        request,
        "enterprises/detail.html",
        status_code=status_code,
        enterprise=enterprise,
        shops=await service.list_shops(db, enterprise_id),
        users=await service.list_users(db, enterprise_id),
        invitations=await service.list_invitations(db, enterprise_id),
        can_edit=bool(request.user.roles & EDITORS),
        invite_form=invite_form or {},
        invite_errors=_html_errors(invite_errors),
        **LABELS,
    )


class EnterprisePages(Controller):
    path = "/enterprises"
    include_in_schema = False

    @get("/", opt={"roles": READERS})
    async def list_page(
        self,
        request: Request,
        db: DbSession,
        q: FromQuery[str | None] = None,
        industry: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        sort: FromQuery[str | None] = None,
        page: FromQuery[int] = 1,
    ) -> Template:
        filters = _filters(q, industry, status, sort)
        result = await service.list_enterprises(db, request.user, page=page, **filters)
        return render(
            request,
            "enterprises/list.html",
            page=result,
            filters=filters,
            sort_links=_sort_links(filters),
            query_string=_query_string(filters),
            can_edit=bool(request.user.roles & EDITORS),
            **LABELS,
        )

    @get("/export.csv", opt={"roles": READERS})
    async def export_csv(
        self,
        request: Request,
        db: DbSession,
        q: FromQuery[str | None] = None,
        industry: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        sort: FromQuery[str | None] = None,
    ) -> Response:
        rows = await service.export_rows(db, request.user, **_filters(q, industry, status, sort))
        return csv_response(COLUMNS, [export_row(r) for r in rows], "enterprises.csv")

    @get("/export.xlsx", opt={"roles": READERS})
    async def export_xlsx(
        self,
        request: Request,
        db: DbSession,
        q: FromQuery[str | None] = None,
        industry: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        sort: FromQuery[str | None] = None,
    ) -> Response:
        rows = await service.export_rows(db, request.user, **_filters(q, industry, status, sort))
        return xlsx_response(COLUMNS, [export_row(r) for r in rows], "enterprises.xlsx")

    @get("/new", opt={"roles": EDITORS})
    async def new_form(self, request: Request) -> Template:
        return _form_page(request, form={"status": EnterpriseStatus.prospect.value, "shops": []})

    @post("/new", opt={"roles": EDITORS})
    async def create(self, request: Request, db: DbSession) -> Template | Redirect:
        values = _form_input(await form_data(request))
        return await submit(
            request,
            lambda: service.create_enterprise(db, request.user, values),
            redisplay=lambda exc: _form_page(
                request, form=values, errors=exc.field_errors, status_code=exc.status_code
            ),
            then=lambda enterprise: f"/enterprises/{enterprise.id}",
            message=N_("The enterprise was saved."),
            catch=(ValidationFailed, Conflict),
        )

    @get("/{enterprise_id:int}", opt={"roles": READERS})
    async def detail(
        self, request: Request, db: DbSession, enterprise_id: FromPath[int]
    ) -> Template:
        return await _detail_page(request, db, enterprise_id)

    @get("/{enterprise_id:int}/edit", opt={"roles": EDITORS})
    async def edit_form(
        self, request: Request, db: DbSession, enterprise_id: FromPath[int]
    ) -> Template:
        enterprise = await service.get_enterprise(db, request.user, enterprise_id)
        shops = await service.list_shops(db, enterprise_id)
        return _form_page(request, form=_form_values(enterprise, shops), enterprise=enterprise)

    @post("/{enterprise_id:int}/edit", opt={"roles": EDITORS})
    async def update(
        self, request: Request, db: DbSession, enterprise_id: FromPath[int]
    ) -> Template | Redirect:
        values = _form_input(await form_data(request))

        async def again(exc: AppError) -> Template:
            enterprise = await service.get_enterprise(db, request.user, enterprise_id)
            return _form_page(
                request, form=values, enterprise=enterprise,
                errors=exc.field_errors, status_code=exc.status_code,
            )  # fmt: skip

        return await submit(
            request,
            lambda: service.update_enterprise(db, request.user, enterprise_id, values),
            redisplay=again,
            then=f"/enterprises/{enterprise_id}",
            message=N_("The enterprise was saved."),
            catch=(ValidationFailed, Conflict),
        )

    @post("/{enterprise_id:int}/invitations", opt={"roles": EDITORS})
    async def invite(
        self, request: Request, db: DbSession, enterprise_id: FromPath[int]
    ) -> Template | Redirect:
        data = await form_data(request)
        invite_form = {
            "email": str(data.get("email", "")),
            "display_name": str(data.get("display_name", "")),
        }
        try:
            invitation = await service.invite_user(
                db,
                request.app.state.settings,
                request.user,
                enterprise_id,
                email=invite_form["email"],
                display_name=invite_form["display_name"],
                base_url=str(request.base_url),
            )
        except ValidationFailed as exc:
            return await _detail_page(
                request,
                db,
                enterprise_id,
                status_code=exc.status_code,
                invite_form=invite_form,
                invite_errors=exc.field_errors,
            )
        except MailNotSent as exc:
            # Rendered, not redirected: a 5xx rolls the invitation back with the failed email.
            return await _detail_page(
                request,
                db,
                enterprise_id,
                status_code=exc.status_code,
                invite_form=invite_form,
                invite_errors={"email": exc.message},
            )
        return redirect(
            request,
            f"/enterprises/{enterprise_id}",
            flash=(
                "success",
                gettext("The invitation was emailed to %(email)s.") % {"email": invitation.email},
            ),
        )

    @post("/{enterprise_id:int}/invitations/{invitation_id:int}/revoke", opt={"roles": EDITORS})
    async def revoke_invitation(
        self,
        request: Request,
        db: DbSession,
        enterprise_id: FromPath[int],
        invitation_id: FromPath[int],
    ) -> Redirect:
        await service.revoke_invitation(db, request.user, enterprise_id, invitation_id)
        return redirect(
            request,
            f"/enterprises/{enterprise_id}",
            flash=("success", N_("The invitation was withdrawn.")),
        )

    @post("/{enterprise_id:int}/users/{user_id:int}/disable", opt={"roles": EDITORS})
    async def disable_user(
        self, request: Request, db: DbSession, enterprise_id: FromPath[int], user_id: FromPath[int]
    ) -> Redirect:
        await service.set_user_active(db, request.user, enterprise_id, user_id, False)
        return redirect(
            request,
            f"/enterprises/{enterprise_id}",
            flash=("success", N_("The account was disabled and its sessions ended.")),
        )

    @post("/{enterprise_id:int}/users/{user_id:int}/enable", opt={"roles": EDITORS})
    async def enable_user(
        self, request: Request, db: DbSession, enterprise_id: FromPath[int], user_id: FromPath[int]
    ) -> Redirect:
        await service.set_user_active(db, request.user, enterprise_id, user_id, True)
        return redirect(
            request,
            f"/enterprises/{enterprise_id}",
            flash=("success", N_("The account was enabled.")),
        )


EnterpriseImportPages = importing.import_pages(
    ENTERPRISE_IMPORT,
    base="/enterprises/import",
    opt={"roles": EDITORS},
    back_url="/enterprises",
    done_url="/enterprises",
    done_message=N_("Imported %(count)s enterprises."),
)


class PortalPages(Controller):
    """What an enterprise user sees of their own enterprise (read-only)."""

    path = "/portal"
    include_in_schema = False
    opt = {"roles": ENTERPRISE_USER}

    @get("/enterprise")
    async def enterprise(self, request: Request, db: DbSession) -> Template:
        if request.user.enterprise_id is None:
            raise NotFound(N_("No such enterprise"))
        enterprise = await service.get_enterprise(db, request.user, request.user.enterprise_id)
        return render(
            request,
            "enterprises/portal.html",
            enterprise=enterprise,
            shops=await service.list_shops(db, enterprise.id),
            **LABELS,
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
            invitation, enterprise_name = await service.find_invitation(db, token)
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
            errors=_html_errors(errors),
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
            user = await service.accept_invitation(
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


# --- API --------------------------------------------------------------------------------------


async def _enterprise_out(db: AsyncSession, enterprise: Enterprise) -> schemas.EnterpriseOut:
    shops = await service.list_shops(db, enterprise.id)
    return schemas.EnterpriseOut(
        **enterprise.model_dump(),
        shops=[schemas.ShopOut.model_validate(s, from_attributes=True) for s in shops],
    )


class EnterprisesApi(Controller):
    path = "/api/v1/enterprises"
    tags = ["enterprises"]

    @get(
        "/",
        opt={"roles": API_READERS},
        summary="List enterprises",
        description="Enterprise users see only their own enterprise. `sort` is one of "
        + ", ".join(service.SORTS)
        + ", optionally prefixed with `-` for descending.",
    )
    async def list_enterprises(
        self,
        request: Request,
        db: DbSession,
        q: FromQuery[str | None] = None,
        industry: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        sort: FromQuery[str | None] = None,
        page: FromQuery[int] = 1,
        page_size: FromQuery[int] = 20,
    ) -> schemas.EnterprisePage:
        result = await service.list_enterprises(
            db,
            request.user,
            page=page,
            page_size=page_size,
            **_filters(q, industry, status, sort),
        )
        items = [schemas.EnterpriseSummary(**r) for r in result.items]
        return schemas.EnterprisePage(**result.as_dict(items))

    @get("/{enterprise_id:int}", opt={"roles": API_READERS}, summary="One enterprise")
    async def get_enterprise(
        self, request: Request, db: DbSession, enterprise_id: FromPath[int]
    ) -> schemas.EnterpriseOut:
        enterprise = await service.get_enterprise(db, request.user, enterprise_id)
        return await _enterprise_out(db, enterprise)

    @post("/", opt={"roles": EDITORS}, summary="Register an enterprise", status_code=201)
    async def create_enterprise(
        self, request: Request, db: DbSession, data: JSONBody[schemas.EnterpriseCreate]
    ) -> schemas.EnterpriseOut:
        enterprise = await service.create_enterprise(db, request.user, data.model_dump())
        return await _enterprise_out(db, enterprise)

    @patch(
        "/{enterprise_id:int}",
        opt={"roles": EDITORS},
        summary="Change an enterprise (only the fields sent)",
    )
    async def update_enterprise(
        self,
        request: Request,
        db: DbSession,
        enterprise_id: FromPath[int],
        data: JSONBody[schemas.EnterpriseUpdate],
    ) -> schemas.EnterpriseOut:
        enterprise = await service.update_enterprise(
            db, request.user, enterprise_id, data.model_dump(exclude_unset=True)
        )
        return await _enterprise_out(db, enterprise)


# --- dashboard ----------------------------------------------------------------------------------


async def dashboard_card(db: AsyncSession, user) -> dict:
    return {"enterprise_status_counts": await service.status_counts(db)}


ROUTES: list = [EnterprisePages, EnterpriseImportPages, PortalPages, InvitePages, EnterprisesApi]
