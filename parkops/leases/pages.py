"""The staff pages of the leases domain: contracts (list, form, detail, amendments, renewal,
termination, expiring lists), reservations (holds) and the per-park settings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts.roles import STAFF
from parkops.core import i18n
from parkops.core.errors import Conflict, PermissionDenied, ValidationFailed
from parkops.core.i18n import N_, Message
from parkops.core.last_day import last_day_of
from parkops.core.parsing import optional_int
from parkops.core.web import as_list, form_data, redirect, render
from parkops.db.request_session import DbSession
from parkops.leases import contract_document, repository
from parkops.leases.access import ADMIN, LEASING
from parkops.leases.rules import terms as t
from parkops.leases.rules.workflow import (
    ACTION_LABELS,
    ContractStatus,
    available_actions,
)
from parkops.leases.services import (
    amendments,
    common,
    park_settings,
    reading,
    renewal,
    reservations,
    terminations,
    writing,
)
from parkops.leases.vocabulary import LABELS


def _errors(errors: dict[str, str] | None) -> dict[str, Any]:
    """Field errors for the form macros, as the service gave them: ``_()`` in the templates
    translates them (an ``i18n.Message`` with the values it quotes) and escapes the result.
    Escaping them here first turned a Message into plain English text that matched no entry."""
    return dict(errors or {})


def _default_form() -> dict[str, Any]:
    return {
        **t.form_values(t.TermsInput(rent_rate=Decimal(0))),
        "rent_rate": "",
        "language": "zh",
        "deposit_kind": "months",
        "deposit_months": "2",
        "due_kind": "day_of_month",
        "due_value": "5",
    }


async def _form_page(
    request: Request,
    db: AsyncSession,
    *,
    form: dict[str, Any],
    contract=None,
    errors: dict | None = None,
    status_code: int = 200,
) -> Template:
    selected = [optional_int(v) for v in as_list(form.get("unit_ids"))]
    selected_ids = [i for i in selected if i]
    picker = await repository.unit_picker(
        db,
        park_id=optional_int(form.get("park_id")),
        q=str(form.get("unit_q") or ""),
        include_ids=selected_ids,
    )
    return render(
        request,
        "leases/contract_form.html",
        status_code=status_code,
        form=form,
        contract=contract,
        errors=_errors(errors),
        term=t.typed_term_length(form),
        selected_ids=set(selected_ids),
        picker=picker,
        parks=await repository.park_choices(db),
        enterprises=await repository.enterprise_choices(db),
        **LABELS,
    )


async def _detail_page(
    request: Request,
    db: AsyncSession,
    contract_id: int,
    *,
    status_code: int = 200,
    action_error: str | None = None,
) -> Template:
    view = await reading.contract_view(db, request.user, contract_id)
    contract = view["contract"]
    return render(
        request,
        "leases/contract.html",
        status_code=status_code,
        v=view,
        c=contract,
        # Termination needs a date and a reason: it has its own form, not a button here.
        actions=[
            a for a in available_actions(contract.status, request.user.roles) if a != "terminate"
        ],
        can_edit=bool(request.user.roles & LEASING),
        documents=await contract_document.contract_documents(db, contract.id, binding_only=False),
        action_error=action_error,
        **LABELS,
    )


def _list_filters(q, status, park_id, enterprise_id) -> dict[str, Any]:
    return {
        "q": (q or "").strip(),
        "status": status if status in set(ContractStatus) else "",
        "park_id": park_id or "",
        "enterprise_id": enterprise_id or "",
    }


class ContractPages(Controller):
    path = "/leases"
    include_in_schema = False

    @get("/", opt={"roles": STAFF})
    async def index(self, request: Request) -> Redirect:
        return redirect(request, "/leases/contracts")

    @get("/contracts", opt={"roles": STAFF})
    async def list_page(
        self,
        request: Request,
        db: DbSession,
        q: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        park_id: FromQuery[int | None] = None,
        enterprise_id: FromQuery[int | None] = None,
        page: FromQuery[int] = 1,
    ) -> Template:
        filters = _list_filters(q, status, park_id, enterprise_id)
        result = await reading.list_contracts(
            db,
            request.user,
            page=page,
            q=filters["q"],
            status=filters["status"] or None,
            park_id=park_id,
            enterprise_id=enterprise_id,
        )
        return render(
            request,
            "leases/contracts.html",
            page=result,
            filters=filters,
            parks=await repository.park_choices(db),
            can_edit=bool(request.user.roles & LEASING),
            counts=await reading.status_counts(db),
            **LABELS,
        )

    @get("/contracts/new", opt={"roles": LEASING})
    async def new_form(
        self,
        request: Request,
        db: DbSession,
        enterprise_id: FromQuery[int | None] = None,
        unit_id: FromQuery[int | None] = None,
    ) -> Template:
        form = _default_form()
        if enterprise_id:
            form["enterprise_id"] = str(enterprise_id)
        if unit_id:
            form["unit_ids"] = [str(unit_id)]
        return await _form_page(request, db, form=form)

    @post("/contracts/new", opt={"roles": LEASING})
    async def create(self, request: Request, db: DbSession) -> Template | Redirect:
        data = await form_data(request)
        if data.get("_action") == "search":
            return await _form_page(request, db, form=data)
        try:
            contract = await writing.create_contract(
                db, request.user, data, submit=data.get("_action") == "submit"
            )
        except (ValidationFailed, Conflict) as exc:
            return await _form_page(
                request, db, form=data, errors=exc.field_errors, status_code=exc.status_code
            )
        return redirect(
            request,
            f"/leases/contracts/{contract.id}",
            flash=("success", N_("The contract was saved.")),
        )

    @get("/contracts/{contract_id:int}", opt={"roles": STAFF})
    async def detail(self, request: Request, db: DbSession, contract_id: FromPath[int]) -> Template:
        return await _detail_page(request, db, contract_id)

    @get("/contracts/{contract_id:int}/edit", opt={"roles": LEASING})
    async def edit_form(
        self, request: Request, db: DbSession, contract_id: FromPath[int]
    ) -> Template:
        contract = await reading.get_contract(db, request.user, contract_id)
        form = await writing.draft_form_values(db, request.user, contract_id)
        form["unit_ids"] = [str(i) for i in form["unit_ids"]]
        return await _form_page(request, db, form=form, contract=contract)

    @post("/contracts/{contract_id:int}/edit", opt={"roles": LEASING})
    async def update(
        self, request: Request, db: DbSession, contract_id: FromPath[int]
    ) -> Template | Redirect:
        contract = await reading.get_contract(db, request.user, contract_id)
        data = await form_data(request)
        if data.get("_action") == "search":
            return await _form_page(request, db, form=data, contract=contract)
        try:
            await writing.update_draft(db, request.user, contract_id, data)
        except (ValidationFailed, Conflict) as exc:
            return await _form_page(
                request,
                db,
                form=data,
                contract=contract,
                errors=exc.field_errors,
                status_code=exc.status_code,
            )
        return redirect(
            request,
            f"/leases/contracts/{contract_id}",
            flash=("success", N_("The draft was saved.")),
        )

    @post("/contracts/{contract_id:int}/transition", opt={"roles": LEASING})
    async def transition(
        self, request: Request, db: DbSession, contract_id: FromPath[int]
    ) -> Template | Redirect:
        data = await form_data(request)
        action = str(data.get("action", ""))
        try:
            await writing.transition(db, request.user, contract_id, action, data.get("note"))
        except (ValidationFailed, Conflict, PermissionDenied) as exc:
            message = exc.message
            if exc.field_errors:
                message = i18n.join([message, i18n.join(list(exc.field_errors.values()))], sep=" ")
            return await _detail_page(
                request, db, contract_id, status_code=exc.status_code, action_error=message
            )
        return redirect(
            request,
            f"/leases/contracts/{contract_id}",
            flash=(
                "success",
                Message(N_("%(action)s: done."), action=Message(ACTION_LABELS.get(action, action))),
            ),
        )

    @post("/contracts/{contract_id:int}/pdf", opt={"roles": STAFF})
    async def generate_pdf(
        self, request: Request, db: DbSession, contract_id: FromPath[int]
    ) -> Redirect:
        contract = await reading.get_contract(db, request.user, contract_id)
        data = await form_data(request)
        language = data.get("language") if data.get("language") in ("zh", "zh_en") else None
        await contract_document.generate_pdf(
            db,
            request.user,
            contract,
            language,
            documents_dir=request.app.state.settings.documents_dir,
        )
        return redirect(
            request,
            f"/leases/contracts/{contract_id}",
            flash=("success", N_("The contract PDF was generated.")),
        )

    # --- amendment, renewal, termination ------------------------------------------------------

    async def _change_page(
        self,
        request: Request,
        db: AsyncSession,
        contract_id: int,
        template: str,
        *,
        form: dict,
        errors: dict | None = None,
        status_code: int = 200,
        **extra: Any,
    ) -> Template:
        view = await reading.contract_view(db, request.user, contract_id)
        return render(
            request,
            template,
            status_code=status_code,
            v=view,
            c=view["contract"],
            form=form,
            errors=_errors(errors),
            **extra,
            **LABELS,
        )

    @get("/contracts/{contract_id:int}/amend", opt={"roles": LEASING})
    async def amend_form(
        self, request: Request, db: DbSession, contract_id: FromPath[int]
    ) -> Template:
        view = await reading.contract_view(db, request.user, contract_id)
        form = t.form_values(view["terms_input"])
        return await self._change_page(request, db, contract_id, "leases/amend.html", form=form)

    @post("/contracts/{contract_id:int}/amend", opt={"roles": LEASING})
    async def amend(
        self, request: Request, db: DbSession, contract_id: FromPath[int]
    ) -> Template | Redirect:
        data = await form_data(request)
        try:
            await amendments.amend_terms(db, request.user, contract_id, data)
        except (ValidationFailed, Conflict) as exc:
            return await self._change_page(
                request,
                db,
                contract_id,
                "leases/amend.html",
                form=data,
                errors=exc.field_errors or {"effective_from": exc.message},
                status_code=exc.status_code,
            )
        return redirect(
            request,
            f"/leases/contracts/{contract_id}",
            flash=(
                "success",
                N_("The amendment was saved; the schedule was recomputed from its date."),
            ),
        )

    async def _renew_page(
        self,
        request: Request,
        db: AsyncSession,
        contract_id: int,
        *,
        form: dict,
        errors: dict | None = None,
        status_code: int = 200,
    ) -> Template:
        contract = await reading.get_contract(db, request.user, contract_id)
        form = {"last_day": last_day_of(renewal.renewal_default_end(contract)), **form}
        start = contract.end_date  # the day after the renewed contract's last day
        return await self._change_page(
            request,
            db,
            contract_id,
            "leases/renew.html",
            form=form,
            errors=errors,
            status_code=status_code,
            term_start_date=start,
            term=t.typed_term_length(form, start=start),
        )

    @get("/contracts/{contract_id:int}/renew", opt={"roles": LEASING})
    async def renew_form(
        self, request: Request, db: DbSession, contract_id: FromPath[int]
    ) -> Template:
        return await self._renew_page(request, db, contract_id, form={"increase_percent": "0"})

    @post("/contracts/{contract_id:int}/renew", opt={"roles": LEASING})
    async def renew(
        self, request: Request, db: DbSession, contract_id: FromPath[int]
    ) -> Template | Redirect:
        data = await form_data(request)
        try:
            successor = await renewal.renew(db, request.user, contract_id, data)
        except (ValidationFailed, Conflict) as exc:
            return await self._renew_page(
                request,
                db,
                contract_id,
                form=data,
                errors=exc.field_errors or {"last_day": exc.message},
                status_code=exc.status_code,
            )
        return redirect(
            request,
            f"/leases/contracts/{successor.id}",
            flash=("success", N_("The renewal was drafted. Check it and submit it for approval.")),
        )

    @get("/contracts/{contract_id:int}/terminate", opt={"roles": LEASING})
    async def terminate_form(
        self, request: Request, db: DbSession, contract_id: FromPath[int]
    ) -> Template:
        return await self._change_page(request, db, contract_id, "leases/terminate.html", form={})

    @post("/contracts/{contract_id:int}/terminate", opt={"roles": LEASING})
    async def terminate(
        self, request: Request, db: DbSession, contract_id: FromPath[int]
    ) -> Template | Redirect:
        data = await form_data(request)
        try:
            await terminations.terminate(db, request.user, contract_id, data)
        except (ValidationFailed, Conflict, PermissionDenied) as exc:
            return await self._change_page(
                request,
                db,
                contract_id,
                "leases/terminate.html",
                form=data,
                errors=exc.field_errors or {"last_day": exc.message},
                status_code=exc.status_code,
            )
        return redirect(
            request,
            f"/leases/contracts/{contract_id}",
            flash=(
                "success",
                N_("The contract was terminated; the settlement statement is below."),
            ),
        )

    # --- lists ----------------------------------------------------------------------------------

    @get("/expiring", opt={"roles": STAFF})
    async def expiring(
        self, request: Request, db: DbSession, days: FromQuery[int] = 30, page: FromQuery[int] = 1
    ) -> Template:
        days = days if days in common.EXPIRING_WINDOWS else 30
        result = await reading.list_contracts(db, request.user, expiring_within=days, page=page)
        return render(
            request,
            "leases/expiring.html",
            page=result,
            days=days,
            counts=await reading.expiring_counts(db),
            windows=common.EXPIRING_WINDOWS,
            **LABELS,
        )


class ParkSettingsPages(Controller):
    """Per park: the contract number prefix and the lessor's details printed on contracts."""

    path = "/leases/settings"
    include_in_schema = False

    @get("/", opt={"roles": ADMIN})
    async def overview(self, request: Request, db: DbSession) -> Template:
        parks = await park_settings.park_settings_overview(db)
        return render(request, "leases/settings.html", parks=parks)

    async def _form(
        self,
        request: Request,
        db: AsyncSession,
        park_id: int,
        form: dict | None = None,
        errors: dict | None = None,
        status_code: int = 200,
    ) -> Template:
        park_name, saved = await park_settings.park_settings_values(db, park_id)
        return render(
            request,
            "leases/settings_form.html",
            status_code=status_code,
            park_id=park_id,
            park_name=park_name,
            form=form if form is not None else saved,
            errors=_errors(errors),
            is_new=not saved["contract_prefix"],
        )

    @get("/{park_id:int}", opt={"roles": ADMIN})
    async def edit(self, request: Request, db: DbSession, park_id: FromPath[int]) -> Template:
        return await self._form(request, db, park_id)

    @post("/{park_id:int}", opt={"roles": ADMIN})
    async def save(
        self, request: Request, db: DbSession, park_id: FromPath[int]
    ) -> Template | Redirect:
        data = await form_data(request)
        try:
            await park_settings.set_park_settings(db, request.user, park_id, data)
        except ValidationFailed as exc:
            return await self._form(request, db, park_id, data, exc.field_errors, exc.status_code)
        return redirect(
            request, "/leases/settings", flash=("success", N_("The contract settings were saved."))
        )


class ReservationPages(Controller):
    path = "/leases/reservations"
    include_in_schema = False

    @get("/", opt={"roles": STAFF})
    async def list_page(
        self,
        request: Request,
        db: DbSession,
        status: FromQuery[str | None] = "live",
        q: FromQuery[str | None] = None,
        page: FromQuery[int] = 1,
    ) -> Template:
        result = await reservations.list_reservations(db, status=status or None, q=q, page=page)
        return render(
            request,
            "leases/reservations.html",
            page=result,
            filters={"status": status or "", "q": q or ""},
            can_edit=bool(request.user.roles & LEASING),
            **LABELS,
        )

    async def _form(
        self,
        request: Request,
        db: AsyncSession,
        form: dict,
        errors: dict | None = None,
        status_code: int = 200,
    ) -> Template:
        selected = [i for i in (optional_int(v) for v in as_list(form.get("unit_ids"))) if i]
        picker = await repository.unit_picker(
            db,
            park_id=optional_int(form.get("park_id")),
            q=str(form.get("unit_q") or ""),
            include_ids=selected,
        )
        return render(
            request,
            "leases/reservation_form.html",
            status_code=status_code,
            form=form,
            errors=_errors(errors),
            selected_ids=set(selected),
            picker=picker,
            parks=await repository.park_choices(db),
            enterprises=await repository.enterprise_choices(db),
            **LABELS,
        )

    @get("/new", opt={"roles": LEASING})
    async def new_form(
        self, request: Request, db: DbSession, enterprise_id: FromQuery[int | None] = None
    ) -> Template:
        return await self._form(request, db, {"enterprise_id": str(enterprise_id or "")})

    @post("/new", opt={"roles": LEASING})
    async def create(self, request: Request, db: DbSession) -> Template | Redirect:
        data = await form_data(request)
        if data.get("_action") == "search":
            return await self._form(request, db, data)
        try:
            await reservations.create_reservation(db, request.user, data)
        except (ValidationFailed, Conflict) as exc:
            return await self._form(request, db, data, exc.field_errors, exc.status_code)
        return redirect(
            request, "/leases/reservations", flash=("success", N_("The units are held."))
        )

    @post("/{reservation_id:int}/release", opt={"roles": LEASING})
    async def release(
        self, request: Request, db: DbSession, reservation_id: FromPath[int]
    ) -> Redirect:
        try:
            await reservations.release_reservation(db, request.user, reservation_id)
        except Conflict as exc:
            return redirect(request, "/leases/reservations", flash=("error", exc.message))
        return redirect(
            request, "/leases/reservations", flash=("success", N_("The hold was released."))
        )


# --- dashboard ----------------------------------------------------------------------------------


async def dashboard_card(db: AsyncSession, user) -> dict:
    return {
        "lease_status_counts": await reading.status_counts(db),
        "lease_expiring": await reading.expiring_counts(db),
        "lease_live_holds": (
            await reservations.list_reservations(db, status="live", page_size=1)
        ).total,
    }


ROUTES: list = [ContractPages, ReservationPages, ParkSettingsPages]
