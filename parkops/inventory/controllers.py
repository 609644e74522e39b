"""HTTP for the inventory domain: the space pages, the unit pages, occupancy, import/export and
the ``/api/v1`` endpoints.

Park admins and leasing officers change spaces; finance officers read them; everybody else gets
403 (the route-guard test checks every route against every role).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts.roles import Role
from parkops.core import importing
from parkops.core.errors import AppError, Conflict, NotFound, ValidationFailed
from parkops.core.i18n import N_, Message
from parkops.core.i18n import join as join_messages
from parkops.core.parsing import optional_int
from parkops.core.tabular import csv_response, xlsx_response
from parkops.core.web import as_list, form_data, redirect, render, submit
from parkops.db.request_session import DbSession
from parkops.inventory import chart, repository, schemas, service, workflow
from parkops.inventory.imports import UNIT_COLUMNS, UNIT_IMPORT
from parkops.inventory.repository import UnitFilters
from parkops.inventory.vocabulary import (
    ALL_LABELS,
    BuildingUse,
    PhaseStatus,
    UnitStatus,
    UnitType,
)

SPACE_EDITORS = frozenset({Role.park_admin, Role.leasing})
SPACE_READERS = SPACE_EDITORS | {Role.finance}
EDIT = {"roles": SPACE_EDITORS}
READ = {"roles": SPACE_READERS}
SORT_CHOICES = [s.value for s in schemas.UnitSort]


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


def _form_for(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: "" if getattr(obj, f) is None else getattr(obj, f) for f in fields}


# --- pages: the space tree and the space forms ------------------------------------------------

PARK_FORM = "inventory/park_form.html"
PHASE_FORM = "inventory/phase_form.html"
BUILDING_FORM = "inventory/building_form.html"
FLOOR_FORM = "inventory/floor_form.html"
UNIT_FORM = "inventory/unit_form.html"


async def _submit(
    request: Request,
    template: str,
    done: str,
    save: Callable[[dict[str, Any]], Awaitable[Any]],
    context: Callable[[], Awaitable[dict[str, Any]]],
) -> Template | Redirect:
    """Save a space form and go back to the tree; on bad input show the form again with what
    was typed, its errors, and the page's objects from ``context()`` (read after the failed
    save, which changed nothing)."""
    data = await form_data(request)

    async def again(exc: AppError) -> Template:
        return _page(
            request, template, exc.status_code, form=data, errors=exc.field_errors,
            **await context(),
        )  # fmt: skip

    return await submit(request, lambda: save(data), redisplay=again, then="/spaces", message=done)


# What each form page shows around the form: the object edited (None when new) and its parent.


async def _park_page(db: AsyncSession, park_id: int | None = None) -> dict[str, Any]:
    return {"park": await service.get_park(db, park_id) if park_id else None}


async def _phase_page(
    db: AsyncSession, *, park_id: int | None = None, phase_id: int | None = None
) -> dict[str, Any]:
    phase = await service.get_phase(db, phase_id) if phase_id else None
    park = await service.get_park(db, phase.park_id if phase else park_id)
    return {"park": park, "phase": phase}


async def _building_page(
    db: AsyncSession, *, phase_id: int | None = None, building_id: int | None = None
) -> dict[str, Any]:
    building = await service.get_building(db, building_id) if building_id else None
    phase = await service.get_phase(db, building.phase_id if building else phase_id)
    return {"phase": phase, "building": building}


async def _floor_page(
    db: AsyncSession, *, building_id: int | None = None, floor_id: int | None = None
) -> dict[str, Any]:
    floor = await service.get_floor(db, floor_id) if floor_id else None
    building = await service.get_building(db, floor.building_id if floor else building_id)
    return {"building": building, "floor": floor}


class SpacePages(Controller):
    path = "/spaces"
    include_in_schema = False

    @get("/", opt=READ)
    async def tree(
        self, request: Request, db: DbSession, park_id: FromQuery[int | None] = None
    ) -> Template:
        parks = await repository.space_tree(db, park_id)
        return _page(request, "inventory/spaces.html", parks=parks)

    # parks
    @get("/parks/new", opt=EDIT)
    async def new_park(self, request: Request) -> Template:
        return _page(request, PARK_FORM, park=None)

    @post("/parks/new", opt=EDIT)
    async def create_park(self, request: Request, db: DbSession) -> Template | Redirect:
        return await _submit(
            request, PARK_FORM, N_("The park was created."),
            lambda data: service.create_park(db, request.user, data),
            lambda: _park_page(db),
        )  # fmt: skip

    @get("/parks/{park_id:int}/edit", opt=EDIT)
    async def edit_park(self, request: Request, db: DbSession, park_id: FromPath[int]) -> Template:
        ctx = await _park_page(db, park_id)
        return _page(request, PARK_FORM, form=_form_for(ctx["park"], service.PARK_FIELDS), **ctx)

    @post("/parks/{park_id:int}/edit", opt=EDIT)
    async def update_park(
        self, request: Request, db: DbSession, park_id: FromPath[int]
    ) -> Template | Redirect:
        return await _submit(
            request, PARK_FORM, N_("The park was saved."),
            lambda data: service.update_park(db, request.user, park_id, data),
            lambda: _park_page(db, park_id),
        )  # fmt: skip

    # phases
    @get("/parks/{park_id:int}/phases/new", opt=EDIT)
    async def new_phase(self, request: Request, db: DbSession, park_id: FromPath[int]) -> Template:
        ctx = await _phase_page(db, park_id=park_id)
        return _page(request, PHASE_FORM, form={"status": PhaseStatus.planned}, **ctx)

    @post("/parks/{park_id:int}/phases/new", opt=EDIT)
    async def create_phase(
        self, request: Request, db: DbSession, park_id: FromPath[int]
    ) -> Template | Redirect:
        return await _submit(
            request, PHASE_FORM, N_("The phase was created."),
            lambda data: service.create_phase(db, request.user, park_id, data),
            lambda: _phase_page(db, park_id=park_id),
        )  # fmt: skip

    @get("/phases/{phase_id:int}/edit", opt=EDIT)
    async def edit_phase(
        self, request: Request, db: DbSession, phase_id: FromPath[int]
    ) -> Template:
        ctx = await _phase_page(db, phase_id=phase_id)
        return _page(request, PHASE_FORM, form=_form_for(ctx["phase"], service.PHASE_FIELDS), **ctx)

    @post("/phases/{phase_id:int}/edit", opt=EDIT)
    async def update_phase(
        self, request: Request, db: DbSession, phase_id: FromPath[int]
    ) -> Template | Redirect:
        return await _submit(
            request, PHASE_FORM, N_("The phase was saved."),
            lambda data: service.update_phase(db, request.user, phase_id, data),
            lambda: _phase_page(db, phase_id=phase_id),
        )  # fmt: skip

    # buildings
    @get("/phases/{phase_id:int}/buildings/new", opt=EDIT)
    async def new_building(
        self, request: Request, db: DbSession, phase_id: FromPath[int]
    ) -> Template:
        return _page(request, BUILDING_FORM, **await _building_page(db, phase_id=phase_id))

    @post("/phases/{phase_id:int}/buildings/new", opt=EDIT)
    async def create_building(
        self, request: Request, db: DbSession, phase_id: FromPath[int]
    ) -> Template | Redirect:
        return await _submit(
            request, BUILDING_FORM, N_("The building was created."),
            lambda data: service.create_building(db, request.user, phase_id, data),
            lambda: _building_page(db, phase_id=phase_id),
        )  # fmt: skip

    @get("/buildings/{building_id:int}/edit", opt=EDIT)
    async def edit_building(
        self, request: Request, db: DbSession, building_id: FromPath[int]
    ) -> Template:
        ctx = await _building_page(db, building_id=building_id)
        form = _form_for(ctx["building"], service.BUILDING_FIELDS)
        return _page(request, BUILDING_FORM, form=form, **ctx)

    @post("/buildings/{building_id:int}/edit", opt=EDIT)
    async def update_building(
        self, request: Request, db: DbSession, building_id: FromPath[int]
    ) -> Template | Redirect:
        return await _submit(
            request, BUILDING_FORM, N_("The building was saved."),
            lambda data: service.update_building(db, request.user, building_id, data),
            lambda: _building_page(db, building_id=building_id),
        )  # fmt: skip

    # floors
    @get("/buildings/{building_id:int}/floors/new", opt=EDIT)
    async def new_floor(
        self, request: Request, db: DbSession, building_id: FromPath[int]
    ) -> Template:
        return _page(request, FLOOR_FORM, **await _floor_page(db, building_id=building_id))

    @post("/buildings/{building_id:int}/floors/new", opt=EDIT)
    async def create_floor(
        self, request: Request, db: DbSession, building_id: FromPath[int]
    ) -> Template | Redirect:
        return await _submit(
            request, FLOOR_FORM, N_("The floor was created."),
            lambda data: service.create_floor(db, request.user, building_id, data),
            lambda: _floor_page(db, building_id=building_id),
        )  # fmt: skip

    @get("/floors/{floor_id:int}/edit", opt=EDIT)
    async def edit_floor(
        self, request: Request, db: DbSession, floor_id: FromPath[int]
    ) -> Template:
        ctx = await _floor_page(db, floor_id=floor_id)
        return _page(request, FLOOR_FORM, form=_form_for(ctx["floor"], service.FLOOR_FIELDS), **ctx)

    @post("/floors/{floor_id:int}/edit", opt=EDIT)
    async def update_floor(
        self, request: Request, db: DbSession, floor_id: FromPath[int]
    ) -> Template | Redirect:
        return await _submit(
            request, FLOOR_FORM, N_("The floor was saved."),
            lambda data: service.update_floor(db, request.user, floor_id, data),
            lambda: _floor_page(db, floor_id=floor_id),
        )  # fmt: skip


# --- pages: units ---------------------------------------------------------------------------


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


# What the unit edit form changes: everything but the status (see change_status).
EDITABLE_FIELDS = tuple(f for f in service.UNIT_FIELDS if f not in ("status", "unavailable_reason"))


async def _unit_page(db: AsyncSession, unit_id: int) -> dict[str, Any]:
    """What the unit page shows: the unit, its lineage and history, what takes it (contracts
    and holds: its status follows them) and, when nothing does, the statuses people may give."""
    unit = await repository.unit_detail(db, unit_id)
    if unit is None:
        raise NotFound(N_("No such unit"))
    commitments = [] if unit["retired_at"] else await service.unit_commitments(db, [unit_id])
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


class UnitPages(Controller):
    path = "/units"
    include_in_schema = False

    @get("/", opt=READ)
    async def list_units(
        self, request: Request, db: DbSession, page: FromQuery[int] = 1
    ) -> Template:
        f, sort = _filters_from(request)
        result = await repository.list_units(db, f, sort, page, 20)
        return _page(
            request,
            "inventory/units.html",
            page=result,
            filters=f,
            sort=sort,
            export_query=f.as_query() | {"sort": sort},
            phases=await repository.phase_choices(db),
            buildings=await repository.building_choices(db, f.park_id),
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
            lambda: service.create_unit(db, request.user, data),
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
        if unit is None:
            raise NotFound(N_("No such unit"))
        form = {k: "" if unit[k] is None else unit[k] for k in service.UNIT_FIELDS}
        form.update(building_id=unit["building_id"], floor=unit["floor_number"])
        return await _unit_form_page(request, db, UNIT_FORM, unit=unit, form=form)

    @post("/{unit_id:int}/edit", opt=EDIT)
    async def update_unit(
        self, request: Request, db: DbSession, unit_id: FromPath[int]
    ) -> Template | Redirect:
        data = await form_data(request)
        # The status is changed on the unit page, with its confirmation step, never here.
        changes = {
            k: data.get(k, "") for k in (*EDITABLE_FIELDS, "building_id", "floor") if k in data
        }

        async def again(exc: AppError) -> Template:
            unit = await repository.unit_detail(db, unit_id)
            return await _unit_form_page(
                request, db, UNIT_FORM, exc.status_code,
                unit=unit, form=data, errors=exc.field_errors,
            )  # fmt: skip

        return await submit(
            request,
            lambda: service.update_unit(db, request.user, unit_id, changes),
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
                change = await service.check_status_change(db, unit_id, status, reason)
                return _page(request, "inventory/unit_status_confirm.html", **change)
            await service.set_unit_status(db, request.user, unit_id, status, reason)
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
        if unit is None:
            raise NotFound(N_("No such unit"))
        count = min(max(parts, 2), service.MAX_SPLIT_PARTS)
        return _page(request, "inventory/unit_split.html", unit=unit, count=count)

    @post("/{unit_id:int}/split", opt=EDIT)
    async def split(
        self, request: Request, db: DbSession, unit_id: FromPath[int]
    ) -> Template | Redirect:
        data = await form_data(request)
        count = min(max(optional_int(data.get("count")) or 2, 2), service.MAX_SPLIT_PARTS)
        try:
            parts = await service.split_unit(db, request.user, unit_id, _split_parts(data, count))
        except ValidationFailed as exc:
            unit = await repository.unit_detail(db, unit_id)
            if unit is None:
                raise
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
        units = await _units_by_ids(db, ids or [])
        return _page(request, "inventory/unit_merge.html", units=units, form={})

    @post("/merge", opt=EDIT)
    async def merge(self, request: Request, db: DbSession) -> Template | Redirect:
        data = await form_data(request)
        ids = as_list(data.get("unit_ids"))

        async def again(exc: AppError) -> Template:
            units = await _units_by_ids(db, [i for i in map(optional_int, ids) if i])
            return _page(
                request, "inventory/unit_merge.html", exc.status_code,
                units=units, form=data, errors=exc.field_errors,
            )  # fmt: skip

        return await submit(
            request,
            lambda: service.merge_units(db, request.user, ids, data),
            redisplay=again,
            then=lambda merged: f"/units/{merged.id}",
            message=N_("The units were merged."),
        )


async def _units_by_ids(db: DbSession, ids: list[int]) -> list[dict]:
    if not ids:
        return []
    stmt = repository.unit_list_statement(UnitFilters(retired=True)).where(
        repository.Unit.id.in_(ids[: service.MAX_MERGE_UNITS])
    )
    return [dict(r) for r in (await db.execute(stmt)).mappings()]


UnitImportPages = importing.import_pages(
    UNIT_IMPORT, base="/units/import", opt=EDIT, back_url="/units", done_url="/units?sort=-code"
)


# --- pages: occupancy -----------------------------------------------------------------------


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
        parks = await service.list_parks(db)
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


async def dashboard_card(db: DbSession, user) -> dict:
    rows, parks = await repository.park_occupancy(db, DASHBOARD_PARKS)
    return {"inventory_parks": rows, "inventory_more_parks": parks - len(rows)}


# --- API ------------------------------------------------------------------------------------


def _park_out(p) -> schemas.ParkOut:
    return schemas.ParkOut.model_validate(p, from_attributes=True)


def _phase_out(p) -> schemas.PhaseOut:
    return schemas.PhaseOut.model_validate(p, from_attributes=True)


def _building_out(b) -> schemas.BuildingOut:
    return schemas.BuildingOut.model_validate(b, from_attributes=True)


def _floor_out(f) -> schemas.FloorOut:
    return schemas.FloorOut.model_validate(f, from_attributes=True)


class SpacesApi(Controller):
    path = "/api/v1"
    tags = ["spaces"]

    @get("/parks", opt=READ, summary="List parks")
    async def list_parks(self, db: DbSession) -> list[schemas.ParkOut]:
        return [schemas.ParkOut(**p) for p in await service.list_parks(db)]

    @post("/parks", opt=EDIT, summary="Create a park", status_code=201)
    async def create_park(
        self, request: Request, db: DbSession, data: JSONBody[schemas.ParkIn]
    ) -> schemas.ParkOut:
        return _park_out(await service.create_park(db, request.user, data.model_dump()))

    @get("/parks/{park_id:int}", opt=READ, summary="One park")
    async def get_park(self, db: DbSession, park_id: FromPath[int]) -> schemas.ParkOut:
        return _park_out(await service.get_park(db, park_id))

    @patch("/parks/{park_id:int}", opt=EDIT, summary="Change a park")
    async def update_park(
        self,
        request: Request,
        db: DbSession,
        park_id: FromPath[int],
        data: JSONBody[schemas.ParkPatch],
    ) -> schemas.ParkOut:
        park = await service.update_park(
            db, request.user, park_id, data.model_dump(exclude_unset=True)
        )
        return _park_out(park)

    @get("/phases", opt=READ, summary="List phases")
    async def list_phases(
        self, db: DbSession, park_id: FromQuery[int | None] = None
    ) -> list[schemas.PhaseOut]:
        return [schemas.PhaseOut(**p) for p in await service.list_phases(db, park_id)]

    @post("/parks/{park_id:int}/phases", opt=EDIT, summary="Create a phase", status_code=201)
    async def create_phase(
        self,
        request: Request,
        db: DbSession,
        park_id: FromPath[int],
        data: JSONBody[schemas.PhaseIn],
    ) -> schemas.PhaseOut:
        phase = await service.create_phase(db, request.user, park_id, data.model_dump())
        return _phase_out(phase)

    @get("/phases/{phase_id:int}", opt=READ, summary="One phase")
    async def get_phase(self, db: DbSession, phase_id: FromPath[int]) -> schemas.PhaseOut:
        return _phase_out(await service.get_phase(db, phase_id))

    @patch("/phases/{phase_id:int}", opt=EDIT, summary="Change a phase")
    async def update_phase(
        self,
        request: Request,
        db: DbSession,
        phase_id: FromPath[int],
        data: JSONBody[schemas.PhasePatch],
    ) -> schemas.PhaseOut:
        phase = await service.update_phase(
            db, request.user, phase_id, data.model_dump(exclude_unset=True)
        )
        return _phase_out(phase)

    @get("/buildings", opt=READ, summary="List buildings")
    async def list_buildings(
        self,
        db: DbSession,
        park_id: FromQuery[int | None] = None,
        phase_id: FromQuery[int | None] = None,
    ) -> list[schemas.BuildingOut]:
        rows = await service.list_buildings(db, park_id, phase_id)
        return [schemas.BuildingOut(**b) for b in rows]

    @post(
        "/phases/{phase_id:int}/buildings", opt=EDIT, summary="Create a building", status_code=201
    )
    async def create_building(
        self,
        request: Request,
        db: DbSession,
        phase_id: FromPath[int],
        data: JSONBody[schemas.BuildingIn],
    ) -> schemas.BuildingOut:
        building = await service.create_building(db, request.user, phase_id, data.model_dump())
        return _building_out(building)

    @get("/buildings/{building_id:int}", opt=READ, summary="One building")
    async def get_building(self, db: DbSession, building_id: FromPath[int]) -> schemas.BuildingOut:
        return _building_out(await service.get_building(db, building_id))

    @patch("/buildings/{building_id:int}", opt=EDIT, summary="Change a building")
    async def update_building(
        self,
        request: Request,
        db: DbSession,
        building_id: FromPath[int],
        data: JSONBody[schemas.BuildingPatch],
    ) -> schemas.BuildingOut:
        building = await service.update_building(
            db, request.user, building_id, data.model_dump(exclude_unset=True)
        )
        return _building_out(building)

    @get("/buildings/{building_id:int}/floors", opt=READ, summary="A building's floors")
    async def list_floors(
        self, db: DbSession, building_id: FromPath[int]
    ) -> list[schemas.FloorOut]:
        await service.get_building(db, building_id)
        return [schemas.FloorOut(**f) for f in await service.list_floors(db, building_id)]

    @post(
        "/buildings/{building_id:int}/floors", opt=EDIT, summary="Create a floor", status_code=201
    )
    async def create_floor(
        self,
        request: Request,
        db: DbSession,
        building_id: FromPath[int],
        data: JSONBody[schemas.FloorIn],
    ) -> schemas.FloorOut:
        floor = await service.create_floor(db, request.user, building_id, data.model_dump())
        return _floor_out(floor)

    @patch("/floors/{floor_id:int}", opt=EDIT, summary="Change a floor")
    async def update_floor(
        self,
        request: Request,
        db: DbSession,
        floor_id: FromPath[int],
        data: JSONBody[schemas.FloorPatch],
    ) -> schemas.FloorOut:
        floor = await service.update_floor(
            db, request.user, floor_id, data.model_dump(exclude_unset=True)
        )
        return _floor_out(floor)

    @get("/occupancy", opt=READ, summary="Occupancy per park, phase and building")
    async def occupancy(
        self, db: DbSession, park_id: FromQuery[int | None] = None
    ) -> list[schemas.OccupancyRow]:
        return [schemas.OccupancyRow(**r) for r in await repository.occupancy(db, park_id)]


async def _unit_item(db: DbSession, unit_id: int) -> schemas.UnitListItem:
    row = await repository.unit_detail(db, unit_id)
    if row is None:
        raise NotFound(N_("No such unit"))
    return schemas.UnitListItem(**row)


class UnitsApi(Controller):
    path = "/api/v1/units"
    tags = ["units"]

    @get("/", opt=READ, summary="List units (filtered, sorted, paginated)")
    async def list_units(
        self,
        db: DbSession,
        park_id: FromQuery[int | None] = None,
        phase_id: FromQuery[int | None] = None,
        building_id: FromQuery[int | None] = None,
        floor_id: FromQuery[int | None] = None,
        unit_type: FromQuery[UnitType | None] = None,
        status: FromQuery[UnitStatus | None] = None,
        min_area: FromQuery[Decimal | None] = None,
        max_area: FromQuery[Decimal | None] = None,
        q: FromQuery[str | None] = None,
        retired: FromQuery[bool] = False,
        sort: FromQuery[schemas.UnitSort] = schemas.UnitSort.code,
        page: FromQuery[int] = 1,
        page_size: FromQuery[int] = 20,
    ) -> schemas.UnitPage:
        f = UnitFilters(
            park_id=park_id,
            phase_id=phase_id,
            building_id=building_id,
            floor_id=floor_id,
            unit_type=unit_type,
            status=status,
            min_area=min_area,
            max_area=max_area,
            q=(q or "").strip()[:40] or None,
            retired=retired,
        )
        result = await repository.list_units(db, f, sort.value, page, page_size)
        # The hot path: the rows go to the JSON encoder as they are, without building a
        # pydantic model per row (the shape is the documented ``UnitPage``; see the bench).
        return result.as_dict()  # type: ignore[return-value]

    @post("/", opt=EDIT, summary="Create a unit", status_code=201)
    async def create_unit(
        self, request: Request, db: DbSession, data: JSONBody[schemas.UnitIn]
    ) -> schemas.UnitListItem:
        unit = await service.create_unit(db, request.user, data.model_dump())
        return await _unit_item(db, unit.id)

    @get("/{unit_id:int}", opt=READ, summary="One unit with its lineage and history")
    async def get_unit(self, db: DbSession, unit_id: FromPath[int]) -> schemas.UnitDetail:
        row = await repository.unit_detail(db, unit_id)
        if row is None:
            raise NotFound(N_("No such unit"))
        return schemas.UnitDetail(
            **row,
            **await repository.lineage(db, unit_id),
            history=await repository.unit_audit(db, unit_id),
        )

    @patch("/{unit_id:int}", opt=EDIT, summary="Change a unit (fields, status, location)")
    async def update_unit(
        self,
        request: Request,
        db: DbSession,
        unit_id: FromPath[int],
        data: JSONBody[schemas.UnitPatch],
    ) -> schemas.UnitListItem:
        await service.update_unit(db, request.user, unit_id, data.model_dump(exclude_unset=True))
        return await _unit_item(db, unit_id)

    @post("/{unit_id:int}/split", opt=EDIT, summary="Split an available unit", status_code=201)
    async def split(
        self,
        request: Request,
        db: DbSession,
        unit_id: FromPath[int],
        data: JSONBody[schemas.SplitIn],
    ) -> schemas.SplitOut:
        parts = await service.split_unit(
            db, request.user, unit_id, [p.model_dump(exclude_none=True) for p in data.parts]
        )
        return schemas.SplitOut(
            original=await _unit_item(db, unit_id),
            parts=[await _unit_item(db, p.id) for p in parts],
        )

    @post("/merge", opt=EDIT, summary="Merge available units of one floor", status_code=201)
    async def merge(
        self, request: Request, db: DbSession, data: JSONBody[schemas.MergeIn]
    ) -> schemas.MergeOut:
        fields = data.model_dump(exclude={"unit_ids"}, exclude_none=True)
        merged = await service.merge_units(db, request.user, data.unit_ids, fields)
        return schemas.MergeOut(
            merged=await _unit_item(db, merged.id),
            originals=[await _unit_item(db, i) for i in sorted(set(data.unit_ids))],
        )


ROUTES: list = [
    SpacePages,
    UnitImportPages,
    UnitPages,
    OccupancyPages,
    SpacesApi,
    UnitsApi,
]
