"""The inventory's staff pages: the space tree and its forms, the unit pages (list, exports,
import, detail, edit, status, split, merge) and the occupancy dashboard."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from litestar import Controller, Request, Response, Router, get, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts.identity import CurrentUser
from parkops.core import importing
from parkops.core.actor import Actor
from parkops.core.errors import AppError, Conflict, ValidationFailed
from parkops.core.i18n import N_, Message
from parkops.core.i18n import join as join_messages
from parkops.core.parsing import optional_int
from parkops.core.tabular import csv_response, xlsx_response
from parkops.core.web import as_list, form_data, redirect, render, submit
from parkops.db.request_session import DbSession
from parkops.inventory import chart, repository, schemas, workflow
from parkops.inventory.access import EDIT, READ, SPACE_EDITORS
from parkops.inventory.imports import UNIT_COLUMNS, UNIT_IMPORT
from parkops.inventory.repository import UnitFilters
from parkops.inventory.rules import lineage as lineage_rules
from parkops.inventory.rules import spaces as space_rules
from parkops.inventory.rules import units as unit_rules
from parkops.inventory.services import lineage, spaces, statuses, units
from parkops.inventory.vocabulary import (
    ALL_LABELS,
    BuildingUse,
    PhaseStatus,
    UnitStatus,
    UnitType,
)

SORT_CHOICES = [s.value for s in schemas.UnitSort]
UNIT_FORM = "inventory/unit_form.html"


def _ctx(**extra: Any) -> dict[str, Any]:
    """What every inventory template uses: the vocabularies and their labels."""
    return {
        "labels": ALL_LABELS,
        "phase_statuses": list(PhaseStatus),
        "building_uses": list(BuildingUse),
        "unit_types": list(UnitType),
        "unit_statuses": list(UnitStatus),
        "manual_statuses": workflow.MANUAL,
        **extra,
    }


def _can_edit(request: Request) -> bool:
    user = request.scope.get("user")
    return bool(user and user.roles & SPACE_EDITORS)


def _page(request: Request, template: str, status_code: int = 200, **ctx: Any) -> Template:
    return render(
        request, template, status_code=status_code, can_edit=_can_edit(request), **_ctx(**ctx)
    )


# --- the space tree and the space forms ---------------------------------------------------------

SpaceContext = Callable[[AsyncSession, "int | None", "int | None"], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class SpaceForm:
    """The form pages of one kind of space: ``/<plural>/{id}/edit`` and the new one, at
    ``/<parent plural>/{id}/<plural>/new`` (``/parks/new`` for a park). On bad input the form
    shows again with what was typed and its errors; saved, the tree shows."""

    kind: str
    plural: str
    parent: str | None
    fields: tuple[str, ...]
    context: SpaceContext
    """``(db, parent id, id)``: the space edited (None when new) and its parent."""
    create: Callable[[AsyncSession, Actor, Any, dict[str, Any]], Awaitable[Any]]
    update: Callable[[AsyncSession, Actor, int, dict[str, Any]], Awaitable[Any]]
    created: str
    saved: str
    blank: Mapping[str, Any] = field(default_factory=dict)

    @property
    def template(self) -> str:
        return f"inventory/{self.kind}_form.html"

    @property
    def new_path(self) -> str:
        under = f"/{self.parent}/{{parent_id:int}}" if self.parent else ""
        return f"{under}/{self.plural}/new"

    @property
    def edit_path(self) -> str:
        return f"/{self.plural}/{{ident:int}}/edit"


def _form_for(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: "" if getattr(obj, f) is None else getattr(obj, f) for f in fields}


async def _submit_space(
    request: Request,
    form: SpaceForm,
    message: str,
    save: Callable[[dict[str, Any]], Awaitable[Any]],
    context: Callable[[], Awaitable[dict[str, Any]]],
) -> Template | Redirect:
    data = await form_data(request)

    async def again(exc: AppError) -> Template:
        # The page's objects are read after the failed save, which changed nothing.
        return _page(
            request, form.template, exc.status_code, form=data, errors=exc.field_errors,
            **await context(),
        )  # fmt: skip

    return await submit(
        request, lambda: save(data), redisplay=again, then="/spaces", message=message
    )


def space_form_pages(form: SpaceForm) -> list[HTTPRouteHandler]:
    """The four handlers of ``form``: show and save a new one, show and save an edit."""

    async def new(request: Request, db: DbSession, parent_id: int | None = None) -> Template:
        ctx = await form.context(db, parent_id, None)
        return _page(request, form.template, form=dict(form.blank), **ctx)

    async def create(
        request: Request, db: DbSession, parent_id: int | None = None
    ) -> Template | Redirect:
        return await _submit_space(
            request, form, form.created,
            lambda data: form.create(db, request.user, parent_id, data),
            lambda: form.context(db, parent_id, None),
        )  # fmt: skip

    async def edit(request: Request, db: DbSession, ident: int) -> Template:
        ctx = await form.context(db, None, ident)
        return _page(request, form.template, form=_form_for(ctx[form.kind], form.fields), **ctx)

    async def update(request: Request, db: DbSession, ident: int) -> Template | Redirect:
        return await _submit_space(
            request, form, form.saved,
            lambda data: form.update(db, request.user, ident, data),
            lambda: form.context(db, None, ident),
        )  # fmt: skip

    hidden = {"opt": EDIT, "include_in_schema": False}
    return [
        get(form.new_path, name=f"inventory.new_{form.kind}", **hidden)(new),
        post(form.new_path, name=f"inventory.create_{form.kind}", **hidden)(create),
        get(form.edit_path, name=f"inventory.edit_{form.kind}", **hidden)(edit),
        post(form.edit_path, name=f"inventory.update_{form.kind}", **hidden)(update),
    ]


# What each form page shows around the form: the space edited (None when new) and its parent.


async def _park_page(db: AsyncSession, _parent: int | None, park_id: int | None) -> dict[str, Any]:
    return {"park": await spaces.get_park(db, park_id) if park_id else None}


async def _phase_page(db: AsyncSession, park_id: int | None, phase_id: int | None) -> dict:
    phase = await spaces.get_phase(db, phase_id) if phase_id else None
    park = await spaces.get_park(db, phase.park_id if phase else park_id)
    return {"park": park, "phase": phase}


async def _building_page(db: AsyncSession, phase_id: int | None, building_id: int | None) -> dict:
    building = await spaces.get_building(db, building_id) if building_id else None
    phase = await spaces.get_phase(db, building.phase_id if building else phase_id)
    return {"phase": phase, "building": building}


async def _floor_page(db: AsyncSession, building_id: int | None, floor_id: int | None) -> dict:
    floor = await spaces.get_floor(db, floor_id) if floor_id else None
    building = await spaces.get_building(db, floor.building_id if floor else building_id)
    return {"building": building, "floor": floor}


SPACE_FORMS = (
    SpaceForm(
        "park", "parks", None, space_rules.PARK_FIELDS, _park_page,
        lambda db, actor, _parent, data: spaces.create_park(db, actor, data),
        spaces.update_park, N_("The park was created."), N_("The park was saved."),
    ),
    SpaceForm(
        "phase", "phases", "parks", space_rules.PHASE_FIELDS, _phase_page,
        spaces.create_phase, spaces.update_phase,
        N_("The phase was created."), N_("The phase was saved."),
        blank={"status": PhaseStatus.planned},
    ),
    SpaceForm(
        "building", "buildings", "phases", space_rules.BUILDING_FIELDS, _building_page,
        spaces.create_building, spaces.update_building,
        N_("The building was created."), N_("The building was saved."),
    ),
    SpaceForm(
        "floor", "floors", "buildings", space_rules.FLOOR_FIELDS, _floor_page,
        spaces.create_floor, spaces.update_floor,
        N_("The floor was created."), N_("The floor was saved."),
    ),
)  # fmt: skip


@get("/", opt=READ, include_in_schema=False)
async def space_tree(
    request: Request, db: DbSession, park_id: FromQuery[int | None] = None
) -> Template:
    parks = await repository.space_tree(db, park_id)
    return _page(request, "inventory/spaces.html", parks=parks)


SpacePages = Router(
    path="/spaces",
    route_handlers=[space_tree, *(h for form in SPACE_FORMS for h in space_form_pages(form))],
)


# --- units ---------------------------------------------------------------------------


def _filters_from(request: Request) -> tuple[UnitFilters, str]:
    params = request.query_params
    f = UnitFilters.from_query(**{k: params.get(k) for k in params})
    sort = params.get("sort") or repository.DEFAULT_SORT
    return f, sort if sort in SORT_CHOICES else repository.DEFAULT_SORT


async def _unit_form_page(
    request: Request, db: DbSession, template: str, status_code: int = 200, **ctx: Any
) -> Template:
    buildings = await repository.building_choices(db)
    return _page(request, template, status_code, buildings=buildings, **ctx)


def _split_parts(data: dict[str, Any], count: int) -> list[dict[str, Any]]:
    parts = []
    for i in range(count):
        part = {
            k: data.get(f"parts.{i}.{k}", "")
            for k in ("code", "gross_area", "leasable_area", "unit_type", "floor_load", "power_kva")
        }
        if any(str(v).strip() for v in part.values()):
            parts.append(part)
    return parts


async def _unit_page(db: AsyncSession, unit_id: int) -> dict[str, Any]:
    """What the unit page shows: the unit, its lineage and history, what takes it (contracts
    and holds: its status follows them) and, when nothing does, the statuses people may give."""
    unit = await repository.unit_detail(db, unit_id)
    commitments = [] if unit["retired_at"] else await statuses.unit_commitments(db, [unit_id])
    choices = (
        []
        if commitments or unit["retired_at"]
        else [
            s
            for s in workflow.MANUAL
            # An available unit can only be taken out of letting; an unavailable one can come
            # back or get another reason.
            if s != UnitStatus.available or unit["status"] != UnitStatus.available
        ]
    )
    return {
        "unit": unit,
        "lineage": await repository.lineage(db, unit_id),
        "history": await repository.unit_audit(db, unit_id),
        "commitments": commitments,
        "status_choices": choices,
        "reason_suggestions": workflow.REASON_SUGGESTIONS,
    }


UNITS_COUNT_AHEAD = 1000  # the unit list counts this far past its page, then says "more than"


class UnitPages(Controller):
    path = "/units"
    include_in_schema = False

    @get("/", opt=READ)
    async def list_units(
        self, request: Request, db: DbSession, page: FromQuery[int] = 1
    ) -> Template:
        f, sort = _filters_from(request)
        result = await repository.list_units(db, f, sort, page, 20, count_ahead=UNITS_COUNT_AHEAD)
        # Phases and buildings are offered for the chosen park only: every building of every
        # park made the page grow with the platform (1,900 options at 100 parks).
        narrowed = f.park_id is not None
        return _page(
            request,
            "inventory/units.html",
            page=result,
            filters=f,
            sort=sort,
            export_query=f.as_query() | {"sort": sort},
            parks=await spaces.list_parks(db),
            phases=await repository.phase_choices(db, f.park_id) if narrowed else [],
            buildings=await repository.building_choices(db, f.park_id) if narrowed else [],
        )

    @get("/export.csv", opt=READ)
    async def export_csv(self, request: Request, db: DbSession) -> Response:
        f, sort = _filters_from(request)
        rows = await repository.export_rows(db, f, sort)
        return csv_response(UNIT_COLUMNS, rows, "units.csv")

    @get("/export.xlsx", opt=READ)
    async def export_xlsx(self, request: Request, db: DbSession) -> Response:
        f, sort = _filters_from(request)
        rows = await repository.export_rows(db, f, sort)
        return xlsx_response(UNIT_COLUMNS, rows, "units.xlsx")

    @get("/new", opt=EDIT)
    async def new_unit(
        self,
        request: Request,
        db: DbSession,
        building_id: FromQuery[int | None] = None,
        floor: FromQuery[int | None] = None,
    ) -> Template:
        form = {"building_id": building_id or "", "floor": floor or "", "status": "available"}
        return await _unit_form_page(request, db, UNIT_FORM, unit=None, form=form)

    @post("/new", opt=EDIT)
    async def create_unit(self, request: Request, db: DbSession) -> Template | Redirect:
        data = await form_data(request)

        async def again(exc: AppError) -> Template:
            return await _unit_form_page(
                request, db, UNIT_FORM, exc.status_code,
                unit=None, form=data, errors=exc.field_errors,
            )  # fmt: skip

        return await submit(
            request,
            lambda: units.create_unit(db, request.user, data),
            redisplay=again,
            then=lambda unit: f"/units/{unit.id}",
            message=N_("The unit was created."),
        )

    @get("/{unit_id:int}", opt=READ)
    async def detail(self, request: Request, db: DbSession, unit_id: FromPath[int]) -> Template:
        return _page(request, "inventory/unit_detail.html", **await _unit_page(db, unit_id))

    @get("/{unit_id:int}/edit", opt=EDIT)
    async def edit_unit(self, request: Request, db: DbSession, unit_id: FromPath[int]) -> Template:
        unit = await repository.unit_detail(db, unit_id)
        form = {k: "" if unit[k] is None else unit[k] for k in unit_rules.UNIT_FIELDS}
        form.update(building_id=unit["building_id"], floor=unit["floor_number"])
        return await _unit_form_page(request, db, UNIT_FORM, unit=unit, form=form)

    @post("/{unit_id:int}/edit", opt=EDIT)
    async def update_unit(
        self, request: Request, db: DbSession, unit_id: FromPath[int]
    ) -> Template | Redirect:
        data = await form_data(request)
        # The status is changed on the unit page, with its confirmation step, never here.
        changes = {
            k: data.get(k, "")
            for k in (*unit_rules.EDITABLE_FIELDS, "building_id", "floor")
            if k in data
        }

        async def again(exc: AppError) -> Template:
            unit = await repository.unit_detail(db, unit_id)
            return await _unit_form_page(
                request, db, UNIT_FORM, exc.status_code,
                unit=unit, form=data, errors=exc.field_errors,
            )  # fmt: skip

        return await submit(
            request,
            lambda: units.update_unit(db, request.user, unit_id, changes),
            redisplay=again,
            then=f"/units/{unit_id}",
            message=N_("The unit was saved."),
        )

    @post("/{unit_id:int}/status", opt=EDIT)
    async def change_status(
        self, request: Request, db: DbSession, unit_id: FromPath[int]
    ) -> Template | Redirect:
        """Two steps: without ``confirm=yes`` the change is checked and shown for confirmation
        (nothing is written); with it, it is made."""
        data = await form_data(request)
        status, reason = data.get("status"), data.get("unavailable_reason")
        try:
            if data.get("confirm") != "yes":
                change = await units.check_status_change(db, unit_id, status, reason)
                return _page(request, "inventory/unit_status_confirm.html", **change)
            await units.set_unit_status(db, request.user, unit_id, status, reason)
        except (ValidationFailed, Conflict) as exc:
            page = await _unit_page(db, unit_id)
            # Field errors show next to the form; without a form (a unit its contracts or
            # holds take), the refusal says it all.
            inline = bool(exc.field_errors and page["status_choices"])
            refusal = join_messages(list(exc.field_errors.values())) or exc.message
            return _page(
                request,
                "inventory/unit_detail.html",
                exc.status_code,
                **page,
                form=data,
                errors=exc.field_errors if inline else {},
                refusal=None if inline else refusal,
            )
        return redirect(
            request, f"/units/{unit_id}", flash=("success", N_("The unit's status was changed."))
        )

    @get("/{unit_id:int}/split", opt=EDIT)
    async def split_form(
        self, request: Request, db: DbSession, unit_id: FromPath[int], parts: FromQuery[int] = 2
    ) -> Template:
        unit = await repository.unit_detail(db, unit_id)
        count = min(max(parts, 2), lineage_rules.MAX_SPLIT_PARTS)
        return _page(request, "inventory/unit_split.html", unit=unit, count=count)

    @post("/{unit_id:int}/split", opt=EDIT)
    async def split(
        self, request: Request, db: DbSession, unit_id: FromPath[int]
    ) -> Template | Redirect:
        data = await form_data(request)
        count = min(max(optional_int(data.get("count")) or 2, 2), lineage_rules.MAX_SPLIT_PARTS)
        try:
            parts = await lineage.split_unit(db, request.user, unit_id, _split_parts(data, count))
        except ValidationFailed as exc:
            unit = await repository.unit_detail(db, unit_id)
            return _page(
                request,
                "inventory/unit_split.html",
                exc.status_code,
                unit=unit,
                count=count,
                form=data,
                errors=exc.field_errors,
                message=exc.message,
            )
        return redirect(
            request,
            f"/units/{unit_id}",
            flash=("success", Message(N_("The unit was split into %(n)s units."), n=len(parts))),
        )

    @get("/merge", opt=EDIT)
    async def merge_form(
        self, request: Request, db: DbSession, ids: FromQuery[list[int] | None] = None
    ) -> Template:
        chosen = await _units_by_ids(db, ids or [])
        return _page(request, "inventory/unit_merge.html", units=chosen, form={})

    @post("/merge", opt=EDIT)
    async def merge(self, request: Request, db: DbSession) -> Template | Redirect:
        data = await form_data(request)
        ids = as_list(data.get("unit_ids"))

        async def again(exc: AppError) -> Template:
            chosen = await _units_by_ids(db, [i for i in map(optional_int, ids) if i])
            return _page(
                request, "inventory/unit_merge.html", exc.status_code,
                units=chosen, form=data, errors=exc.field_errors,
            )  # fmt: skip

        return await submit(
            request,
            lambda: lineage.merge_units(db, request.user, ids, data),
            redisplay=again,
            then=lambda merged: f"/units/{merged.id}",
            message=N_("The units were merged."),
        )


async def _units_by_ids(db: DbSession, ids: list[int]) -> list[dict]:
    if not ids:
        return []
    stmt = repository.unit_list_statement(UnitFilters(retired=True)).where(
        repository.Unit.id.in_(ids[: lineage_rules.MAX_MERGE_UNITS])
    )
    return [dict(r) for r in (await db.execute(stmt)).mappings()]


UnitImportPages = importing.import_pages(
    UNIT_IMPORT, base="/units/import", opt=EDIT, back_url="/units", done_url="/units?sort=-code"
)


# --- occupancy -----------------------------------------------------------------------


def _chart_rows(rows: list[dict]) -> list[dict]:
    out = []
    for r in rows:
        if r["level"] == "total":
            continue
        if r["level"] == "park":
            label = r["park_name"]
        elif r["level"] == "phase":
            label = r["phase_name"] or f"{r['phase_number']}"
        else:
            label = r["building_code"]
        out.append({"label": label, "occupancy_pct": r["occupancy_pct"], "level": r["level"]})
    return out


class OccupancyPages(Controller):
    path = "/occupancy"
    include_in_schema = False

    @get("/", opt=READ)
    async def dashboard(
        self, request: Request, db: DbSession, park_id: FromQuery[int | None] = None
    ) -> Template:
        parks = await spaces.list_parks(db)
        if park_id is None and parks:
            park_id = parks[0]["id"]
        rows = await repository.occupancy(db, park_id) if park_id is not None else []
        return _page(
            request,
            "inventory/occupancy.html",
            parks=parks,
            park_id=park_id,
            rows=rows,
            chart=chart.occupancy_chart(_chart_rows(rows)),
        )


DASHBOARD_PARKS = 5  # more are on /occupancy


async def dashboard_card(db: AsyncSession, user: CurrentUser) -> dict[str, Any]:
    rows, parks = await repository.park_occupancy(db, DASHBOARD_PARKS)
    return {"inventory_parks": rows, "inventory_more_parks": parks - len(rows)}


ROUTES = [SpacePages, UnitImportPages, UnitPages, OccupancyPages]
