"""The staff pages of the enterprise register: list (search, filters, sort, exports), import,
detail with users and invitations, and the form to register or change an enterprise."""

from __future__ import annotations

from dataclasses import replace
from itertools import zip_longest
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts.identity import CurrentUser
from parkops.core import importing
from parkops.core.errors import AppError, Conflict, ValidationFailed
from parkops.core.i18n import N_, gettext
from parkops.core.mail import MailNotSent
from parkops.core.money import fen_to_yuan
from parkops.core.tabular import csv_response, xlsx_response
from parkops.core.web import as_list, form_data, redirect, render, submit
from parkops.db.request_session import DbSession
from parkops.enterprises import repository
from parkops.enterprises.access import EDITORS, READERS
from parkops.enterprises.imports import COLUMNS, ENTERPRISE_IMPORT, export_row
from parkops.enterprises.models import Enterprise, EnterpriseShop
from parkops.enterprises.repository import ListFilters
from parkops.enterprises.services import register, users
from parkops.enterprises.vocabulary import TEMPLATE_LABELS
from parkops.enterprises.workflow import EnterpriseStatus, allowed_statuses

BLANK_SHOP_ROWS = 3
# The form's fields: the audited ones, with the capital in yuan as typed.
FORM_FIELDS = tuple(
    "registered_capital" if f == "registered_capital_fen" else f for f in register.AUDITED_FIELDS
)


def _sort_links(filters: ListFilters) -> dict[str, dict[str, Any]]:
    """Per sortable column: the URL that sorts by it (toggling direction) and the current arrow."""
    key, descending = repository.parse_sort(filters.sort)
    links = {}
    for column in repository.SORTS:
        new = f"-{column}" if column == key and not descending else column
        params = replace(filters, sort=new).as_query()
        arrow = ("▼" if descending else "▲") if column == key else ""
        links[column] = {"url": f"/enterprises?{urlencode(params)}", "arrow": arrow}
    return links


async def _export_rows(request: Request, db: AsyncSession) -> list[dict[str, Any]]:
    filters = ListFilters.from_query(request.query_params)
    return [export_row(r) for r in await repository.export_rows(db, request.user, filters)]


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
    values: dict[str, Any] = {f: str(data.get(f, "") or "") for f in FORM_FIELDS}
    values["shops"] = _shops_from_form(data)
    return values


def _form_values(enterprise: Enterprise, shops: list[EnterpriseShop]) -> dict[str, Any]:
    values = register.editable_values(enterprise, shops)
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
        errors=dict(errors or {}),
        status_choices=statuses,
        **TEMPLATE_LABELS,
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
    enterprise = await repository.get_enterprise(db, request.user, enterprise_id)
    return render(
        request,
        "enterprises/detail.html",
        status_code=status_code,
        enterprise=enterprise,
        shops=await repository.list_shops(db, enterprise_id),
        users=await repository.list_users(db, enterprise_id),
        invitations=await repository.list_invitations(db, enterprise_id),
        can_edit=bool(request.user.roles & EDITORS),
        invite_form=invite_form or {},
        invite_errors=dict(invite_errors or {}),
        **TEMPLATE_LABELS,
    )


class EnterprisePages(Controller):
    path = "/enterprises"
    include_in_schema = False

    @get("/", opt={"roles": READERS})
    async def list_page(
        self, request: Request, db: DbSession, page: FromQuery[int] = 1
    ) -> Template:
        """The register, filtered by ``q``, ``industry`` and ``status``, sorted by ``sort``."""
        filters = ListFilters.from_query(request.query_params)
        result = await repository.list_enterprises(db, request.user, filters, page=page)
        return render(
            request,
            "enterprises/list.html",
            page=result,
            filters=filters,
            sort_links=_sort_links(filters),
            query_string=urlencode(filters.as_query()),
            can_edit=bool(request.user.roles & EDITORS),
            **TEMPLATE_LABELS,
        )

    @get("/export.csv", opt={"roles": READERS})
    async def export_csv(self, request: Request, db: DbSession) -> Response:
        """The filtered list (``q``, ``industry``, ``status``, ``sort``) as CSV."""
        return csv_response(COLUMNS, await _export_rows(request, db), "enterprises.csv")

    @get("/export.xlsx", opt={"roles": READERS})
    async def export_xlsx(self, request: Request, db: DbSession) -> Response:
        return xlsx_response(COLUMNS, await _export_rows(request, db), "enterprises.xlsx")

    @get("/new", opt={"roles": EDITORS})
    async def new_form(self, request: Request) -> Template:
        return _form_page(request, form={"status": EnterpriseStatus.prospect.value, "shops": []})

    @post("/new", opt={"roles": EDITORS})
    async def create(self, request: Request, db: DbSession) -> Template | Redirect:
        values = _form_input(await form_data(request))
        return await submit(
            request,
            lambda: register.create_enterprise(db, request.user, values),
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
        enterprise = await repository.get_enterprise(db, request.user, enterprise_id)
        shops = await repository.list_shops(db, enterprise_id)
        return _form_page(request, form=_form_values(enterprise, shops), enterprise=enterprise)

    @post("/{enterprise_id:int}/edit", opt={"roles": EDITORS})
    async def update(
        self, request: Request, db: DbSession, enterprise_id: FromPath[int]
    ) -> Template | Redirect:
        values = _form_input(await form_data(request))

        async def again(exc: AppError) -> Template:
            enterprise = await repository.get_enterprise(db, request.user, enterprise_id)
            return _form_page(
                request, form=values, enterprise=enterprise,
                errors=exc.field_errors, status_code=exc.status_code,
            )  # fmt: skip

        return await submit(
            request,
            lambda: register.update_enterprise(db, request.user, enterprise_id, values),
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
            invitation = await users.invite_user(
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
        await users.revoke_invitation(db, request.user, enterprise_id, invitation_id)
        return redirect(
            request,
            f"/enterprises/{enterprise_id}",
            flash=("success", N_("The invitation was withdrawn.")),
        )

    @post("/{enterprise_id:int}/users/{user_id:int}/disable", opt={"roles": EDITORS})
    async def disable_user(
        self, request: Request, db: DbSession, enterprise_id: FromPath[int], user_id: FromPath[int]
    ) -> Redirect:
        await users.set_user_active(db, request.user, enterprise_id, user_id, False)
        return redirect(
            request,
            f"/enterprises/{enterprise_id}",
            flash=("success", N_("The account was disabled and its sessions ended.")),
        )

    @post("/{enterprise_id:int}/users/{user_id:int}/enable", opt={"roles": EDITORS})
    async def enable_user(
        self, request: Request, db: DbSession, enterprise_id: FromPath[int], user_id: FromPath[int]
    ) -> Redirect:
        await users.set_user_active(db, request.user, enterprise_id, user_id, True)
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


async def dashboard_card(db: AsyncSession, user: CurrentUser) -> dict[str, Any]:
    return {"enterprise_status_counts": await repository.status_counts(db)}


ROUTES = [EnterprisePages, EnterpriseImportPages]
