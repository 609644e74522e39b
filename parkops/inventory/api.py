"""The inventory part of the JSON API (``/api/v1``): parks, phases, buildings, floors,
occupancy, and units with their splits and merges."""

from __future__ import annotations

from decimal import Decimal

from litestar import Controller, Request, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from parkops.db.request_session import DbSession
from parkops.inventory import repository, schemas
from parkops.inventory.access import EDIT, READ
from parkops.inventory.models import Building, Floor, Park, Phase
from parkops.inventory.repository import UnitFilters
from parkops.inventory.services import lineage, spaces, units
from parkops.inventory.vocabulary import UnitStatus, UnitType


def _park_out(park: Park) -> schemas.ParkOut:
    return schemas.ParkOut.model_validate(park, from_attributes=True)


def _phase_out(phase: Phase) -> schemas.PhaseOut:
    return schemas.PhaseOut.model_validate(phase, from_attributes=True)


def _building_out(building: Building) -> schemas.BuildingOut:
    return schemas.BuildingOut.model_validate(building, from_attributes=True)


def _floor_out(floor: Floor) -> schemas.FloorOut:
    return schemas.FloorOut.model_validate(floor, from_attributes=True)


class SpacesApi(Controller):
    path = "/api/v1"
    tags = ["spaces"]

    @get("/parks", opt=READ, summary="List parks")
    async def list_parks(self, db: DbSession) -> list[schemas.ParkOut]:
        return [schemas.ParkOut(**p) for p in await spaces.list_parks(db)]

    @post("/parks", opt=EDIT, summary="Create a park", status_code=201)
    async def create_park(
        self, request: Request, db: DbSession, data: JSONBody[schemas.ParkIn]
    ) -> schemas.ParkOut:
        return _park_out(await spaces.create_park(db, request.user, data.model_dump()))

    @get("/parks/{park_id:int}", opt=READ, summary="One park")
    async def get_park(self, db: DbSession, park_id: FromPath[int]) -> schemas.ParkOut:
        return _park_out(await spaces.get_park(db, park_id))

    @patch("/parks/{park_id:int}", opt=EDIT, summary="Change a park")
    async def update_park(
        self,
        request: Request,
        db: DbSession,
        park_id: FromPath[int],
        data: JSONBody[schemas.ParkPatch],
    ) -> schemas.ParkOut:
        park = await spaces.update_park(
            db, request.user, park_id, data.model_dump(exclude_unset=True)
        )
        return _park_out(park)

    @get("/phases", opt=READ, summary="List phases")
    async def list_phases(
        self, db: DbSession, park_id: FromQuery[int | None] = None
    ) -> list[schemas.PhaseOut]:
        return [schemas.PhaseOut(**p) for p in await spaces.list_phases(db, park_id)]

    @post("/parks/{park_id:int}/phases", opt=EDIT, summary="Create a phase", status_code=201)
    async def create_phase(
        self,
        request: Request,
        db: DbSession,
        park_id: FromPath[int],
        data: JSONBody[schemas.PhaseIn],
    ) -> schemas.PhaseOut:
        phase = await spaces.create_phase(db, request.user, park_id, data.model_dump())
        return _phase_out(phase)

    @get("/phases/{phase_id:int}", opt=READ, summary="One phase")
    async def get_phase(self, db: DbSession, phase_id: FromPath[int]) -> schemas.PhaseOut:
        return _phase_out(await spaces.get_phase(db, phase_id))

    @patch("/phases/{phase_id:int}", opt=EDIT, summary="Change a phase")
    async def update_phase(
        self,
        request: Request,
        db: DbSession,
        phase_id: FromPath[int],
        data: JSONBody[schemas.PhasePatch],
    ) -> schemas.PhaseOut:
        phase = await spaces.update_phase(
            db, request.user, phase_id, data.model_dump(exclude_unset=True)
        )
        return _phase_out(phase)

    @get("/buildings", opt=READ, summary="List buildings (paginated)")
    async def list_buildings(
        self,
        db: DbSession,
        park_id: FromQuery[int | None] = None,
        phase_id: FromQuery[int | None] = None,
        page: FromQuery[int] = 1,
        page_size: FromQuery[int] = 20,
    ) -> schemas.BuildingPage:
        result = await spaces.list_buildings(db, park_id, phase_id, page, page_size)
        return schemas.BuildingPage(
            **result.as_dict([schemas.BuildingOut(**b) for b in result.items])
        )

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
        building = await spaces.create_building(db, request.user, phase_id, data.model_dump())
        return _building_out(building)

    @get("/buildings/{building_id:int}", opt=READ, summary="One building")
    async def get_building(self, db: DbSession, building_id: FromPath[int]) -> schemas.BuildingOut:
        return _building_out(await spaces.get_building(db, building_id))

    @patch("/buildings/{building_id:int}", opt=EDIT, summary="Change a building")
    async def update_building(
        self,
        request: Request,
        db: DbSession,
        building_id: FromPath[int],
        data: JSONBody[schemas.BuildingPatch],
    ) -> schemas.BuildingOut:
        building = await spaces.update_building(
            db, request.user, building_id, data.model_dump(exclude_unset=True)
        )
        return _building_out(building)

    @get("/buildings/{building_id:int}/floors", opt=READ, summary="A building's floors")
    async def list_floors(
        self, db: DbSession, building_id: FromPath[int]
    ) -> list[schemas.FloorOut]:
        await spaces.get_building(db, building_id)
        return [schemas.FloorOut(**f) for f in await spaces.list_floors(db, building_id)]

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
        floor = await spaces.create_floor(db, request.user, building_id, data.model_dump())
        return _floor_out(floor)

    @patch("/floors/{floor_id:int}", opt=EDIT, summary="Change a floor")
    async def update_floor(
        self,
        request: Request,
        db: DbSession,
        floor_id: FromPath[int],
        data: JSONBody[schemas.FloorPatch],
    ) -> schemas.FloorOut:
        floor = await spaces.update_floor(
            db, request.user, floor_id, data.model_dump(exclude_unset=True)
        )
        return _floor_out(floor)

    @get("/occupancy", opt=READ, summary="Occupancy per park, phase and building")
    async def occupancy(
        self, db: DbSession, park_id: FromQuery[int | None] = None
    ) -> list[schemas.OccupancyRow]:
        return [schemas.OccupancyRow(**r) for r in await repository.occupancy(db, park_id)]


async def _unit_item(db: DbSession, unit_id: int) -> schemas.UnitListItem:
    return schemas.UnitListItem(**await repository.unit_detail(db, unit_id))


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
        unit = await units.create_unit(db, request.user, data.model_dump())
        return await _unit_item(db, unit.id)

    @get("/{unit_id:int}", opt=READ, summary="One unit with its lineage and history")
    async def get_unit(self, db: DbSession, unit_id: FromPath[int]) -> schemas.UnitDetail:
        row = await repository.unit_detail(db, unit_id)
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
        await units.update_unit(db, request.user, unit_id, data.model_dump(exclude_unset=True))
        return await _unit_item(db, unit_id)

    @post("/{unit_id:int}/split", opt=EDIT, summary="Split an available unit", status_code=201)
    async def split(
        self,
        request: Request,
        db: DbSession,
        unit_id: FromPath[int],
        data: JSONBody[schemas.SplitIn],
    ) -> schemas.SplitOut:
        parts = await lineage.split_unit(
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
        merged = await lineage.merge_units(db, request.user, data.unit_ids, fields)
        return schemas.MergeOut(
            merged=await _unit_item(db, merged.id),
            originals=[await _unit_item(db, i) for i in sorted(set(data.unit_ids))],
        )


ROUTES = [SpacesApi, UnitsApi]
