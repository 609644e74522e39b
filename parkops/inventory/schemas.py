"""API shapes of the inventory domain (``/api/v1``).

Areas are decimal m² with two places and travel as JSON strings (``"2000.00"``) so no float ever
touches them; numbers are accepted on input too. Values are checked by the service, whose
errors name the field (``application/problem+json`` with ``errors: [{field, message}]``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, Field

from parkops.inventory.vocabulary import (
    BuildingUse,
    LineageOperation,
    PhaseStatus,
    UnitStatus,
    UnitType,
)


class UnitSort(StrEnum):
    code = "code"
    code_desc = "-code"
    area = "area"
    area_desc = "-area"
    status = "status"
    status_desc = "-status"


# --- parks, phases, buildings, floors -------------------------------------------------------


class ParkIn(BaseModel):
    name: str = Field(max_length=200)
    address: str = Field(default="", max_length=300)


class ParkPatch(BaseModel):
    name: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=300)


class ParkOut(BaseModel):
    id: int
    name: str
    address: str
    created_at: datetime


class PhaseIn(BaseModel):
    number: int
    name: str = Field(max_length=100)
    status: PhaseStatus
    planned_area: Decimal | None = Field(default=None, description="m²")
    handover_date: date | None = None


class PhasePatch(BaseModel):
    number: int | None = None
    name: str | None = Field(default=None, max_length=100)
    status: PhaseStatus | None = None
    planned_area: Decimal | None = None
    handover_date: date | None = None


class PhaseOut(BaseModel):
    id: int
    park_id: int
    number: int
    name: str
    status: PhaseStatus
    planned_area: Decimal | None
    handover_date: date | None


class BuildingIn(BaseModel):
    code: str = Field(max_length=32)
    name: str = Field(default="", max_length=100)
    main_use: BuildingUse
    floor_count: int


class BuildingPatch(BaseModel):
    code: str | None = Field(default=None, max_length=32)
    name: str | None = Field(default=None, max_length=100)
    main_use: BuildingUse | None = None
    floor_count: int | None = None


class BuildingOut(BaseModel):
    id: int
    park_id: int
    phase_id: int
    code: str
    name: str
    main_use: BuildingUse
    floor_count: int


class BuildingPage(BaseModel):
    items: list[BuildingOut]
    total: int
    page: int
    page_size: int
    pages: int


class FloorIn(BaseModel):
    number: int = Field(description="1 = ground floor; at most the building's floor count")
    name: str = Field(default="", max_length=60)


class FloorPatch(BaseModel):
    number: int | None = None
    name: str | None = Field(default=None, max_length=60)


class FloorOut(BaseModel):
    id: int
    building_id: int
    number: int
    name: str


# --- units ----------------------------------------------------------------------------------


class UnitIn(BaseModel):
    building_id: int
    floor: int = Field(description="Floor number in the building (the floor row is created)")
    code: str = Field(max_length=40, description="Unique within the park")
    unit_type: UnitType
    gross_area: Decimal = Field(description="m², two decimals, > 0")
    leasable_area: Decimal = Field(description="m², two decimals, > 0 and <= gross_area")
    floor_load: int | None = Field(default=None, description="kg/m²")
    power_kva: int | None = Field(default=None, description="kVA")
    status: UnitStatus = Field(
        default=UnitStatus.available,
        description="available or unavailable: leased and reserved come only from contracts "
        "and holds (422)",
    )
    unavailable_reason: str | None = Field(
        default=None, max_length=200, description="Required when status is unavailable"
    )


class UnitPatch(BaseModel):
    building_id: int | None = None
    floor: int | None = None
    code: str | None = Field(default=None, max_length=40)
    unit_type: UnitType | None = None
    gross_area: Decimal | None = None
    leasable_area: Decimal | None = None
    floor_load: int | None = None
    power_kva: int | None = None
    status: UnitStatus | None = Field(
        default=None,
        description="Set by hand: available, or unavailable with unavailable_reason "
        "(maintenance, own use, not handed over...). leased and reserved follow the unit's "
        "contracts and holds: asking for them is a 422, and changing the status of a unit that "
        "a contract (even one pending approval) or a live hold takes today or later is a 409 "
        "naming them.",
    )
    unavailable_reason: str | None = Field(default=None, max_length=200)


class UnitListItem(BaseModel):
    id: int
    code: str
    unit_type: UnitType
    gross_area: Decimal
    leasable_area: Decimal
    floor_load: int | None
    power_kva: int | None
    status: UnitStatus
    unavailable_reason: str | None
    retired_at: datetime | None
    park_id: int
    phase_id: int
    building_id: int
    building_code: str
    floor_id: int
    floor_number: int


class UnitPage(BaseModel):
    items: list[UnitListItem]
    total: int
    page: int
    page_size: int
    pages: int


class LineageOut(BaseModel):
    id: int
    code: str
    gross_area: Decimal
    leasable_area: Decimal
    retired_at: datetime | None
    operation: LineageOperation
    created_at: datetime


class HistoryEntry(BaseModel):
    at: datetime
    actor_label: str
    action: str
    before: dict | None
    after: dict | None


class UnitDetail(UnitListItem):
    park_name: str
    phase_number: int
    phase_name: str
    phase_status: PhaseStatus
    building_name: str
    created_at: datetime
    updated_at: datetime
    predecessors: list[LineageOut]
    successors: list[LineageOut]
    history: list[HistoryEntry]


class SplitPart(BaseModel):
    code: str = Field(max_length=40)
    gross_area: Decimal
    leasable_area: Decimal
    unit_type: UnitType | None = Field(default=None, description="Default: the original's")
    floor_load: int | None = Field(default=None, description="Default: the original's")
    power_kva: int | None = None


class SplitIn(BaseModel):
    parts: list[SplitPart] = Field(
        description="At least two; gross and leasable areas must add up to the original's exactly"
    )


class MergeIn(BaseModel):
    unit_ids: list[int] = Field(description="Available units of one floor")
    code: str = Field(max_length=40)
    unit_type: UnitType | None = Field(default=None, description="Default: the units' common type")
    floor_load: int | None = Field(default=None, description="Default: the lowest of the units'")
    power_kva: int | None = Field(default=None, description="Default: the sum of the units'")
    gross_area: Decimal | None = Field(default=None, description="If given, must be the sum")
    leasable_area: Decimal | None = Field(default=None, description="If given, must be the sum")


class SplitOut(BaseModel):
    original: UnitListItem
    parts: list[UnitListItem]


class MergeOut(BaseModel):
    merged: UnitListItem
    originals: list[UnitListItem]


class OccupancyRow(BaseModel):
    level: str = Field(description="total, park, phase or building")
    park_id: int | None
    park_name: str | None
    phase_id: int | None
    phase_number: int | None
    phase_name: str | None
    phase_status: PhaseStatus | None
    building_id: int | None
    building_code: str | None
    building_name: str | None
    units: int
    leasable_area: Decimal
    leased_area: Decimal
    occupancy_pct: Decimal | None = Field(description="Leased m² / leasable m² x 100")
    leased_units: int
    available_units: int
    reserved_units: int
    unavailable_units: int
