"""Tables of the inventory domain: park -> phase -> building -> floor -> unit, and unit lineage.

A unit carries its park, phase and building as well as its floor. They are copies, kept honest
by composite foreign keys (a unit's (building, phase, park) must be a building's own triple, its
(floor, building) a floor's own pair), and they let the hot queries filter and group units
without joins: the unit list and the occupancy dashboard run over 100,000 units.

Units are never deleted. Splitting or merging retires the old units (``retired_at``) and links
them to their successors in ``unit_lineage``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from parkops.db.base import created_at_field, enum_check, tz_field
from parkops.inventory.vocabulary import (
    BuildingUse,
    LineageOperation,
    PhaseStatus,
    UnitStatus,
    UnitType,
)

AREA = sa.Numeric(12, 2)
CURRENT = sa.text("retired_at IS NULL")


class Park(SQLModel, table=True):
    __tablename__ = "parks"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    address: str = Field(default="", max_length=300)
    created_at: datetime = created_at_field()


class Phase(SQLModel, table=True):
    __tablename__ = "phases"
    __table_args__ = (
        sa.UniqueConstraint("park_id", "number"),
        # Target of the buildings' composite foreign key.
        sa.UniqueConstraint("id", "park_id"),
        enum_check("status", PhaseStatus),
        sa.CheckConstraint("number > 0", name="number_positive"),
        sa.CheckConstraint(
            "planned_area IS NULL OR planned_area > 0", name="planned_area_positive"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    park_id: int = Field(foreign_key="parks.id")
    number: int
    name: str = Field(max_length=100)
    status: str = Field(max_length=24)
    planned_area: Decimal | None = Field(default=None, sa_type=AREA)
    handover_date: date | None = None
    created_at: datetime = created_at_field()


class Building(SQLModel, table=True):
    __tablename__ = "buildings"
    __table_args__ = (
        sa.UniqueConstraint("park_id", "code"),
        sa.UniqueConstraint("id", "phase_id", "park_id"),
        sa.ForeignKeyConstraint(["phase_id", "park_id"], ["phases.id", "phases.park_id"]),
        enum_check("main_use", BuildingUse),
        sa.CheckConstraint("floor_count BETWEEN 1 AND 200", name="floor_count_range"),
        sa.Index("ix_buildings_phase_id", "phase_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    park_id: int
    phase_id: int
    code: str = Field(max_length=32)
    name: str = Field(default="", max_length=100)
    main_use: str = Field(max_length=24)
    floor_count: int
    created_at: datetime = created_at_field()


class Floor(SQLModel, table=True):
    __tablename__ = "floors"
    __table_args__ = (
        sa.UniqueConstraint("building_id", "number"),
        sa.UniqueConstraint("id", "building_id"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    building_id: int = Field(foreign_key="buildings.id")
    number: int
    name: str = Field(default="", max_length=60)
    created_at: datetime = created_at_field()


class Unit(SQLModel, table=True):
    __tablename__ = "units"
    __table_args__ = (
        # Unique within the park, retired units included: a code names one unit forever.
        sa.UniqueConstraint("park_id", "code"),
        sa.ForeignKeyConstraint(
            ["building_id", "phase_id", "park_id"],
            ["buildings.id", "buildings.phase_id", "buildings.park_id"],
        ),
        sa.ForeignKeyConstraint(["floor_id", "building_id"], ["floors.id", "floors.building_id"]),
        enum_check("status", UnitStatus),
        enum_check("unit_type", UnitType),
        sa.CheckConstraint("gross_area > 0", name="gross_area_positive"),
        sa.CheckConstraint("leasable_area > 0", name="leasable_area_positive"),
        sa.CheckConstraint("leasable_area <= gross_area", name="leasable_within_gross"),
        sa.CheckConstraint(
            "(status = 'unavailable') = (unavailable_reason IS NOT NULL)",
            name="reason_iff_unavailable",
        ),
        sa.CheckConstraint("floor_load IS NULL OR floor_load > 0", name="floor_load_positive"),
        sa.CheckConstraint("power_kva IS NULL OR power_kva > 0", name="power_kva_positive"),
        sa.Index("ix_units_building_id", "building_id"),
        sa.Index("ix_units_floor_id", "floor_id"),
        # The unit list (sorted by code, area or status, 20 a page) over current units: each
        # index serves one common filter with its order, so a page is read in index order and
        # the count is an index-only scan. See bench/units_api.py.
        sa.Index("ix_units_current_code", "code", "id", postgresql_where=CURRENT),
        sa.Index("ix_units_current_area", "gross_area", "id", postgresql_where=CURRENT),
        sa.Index("ix_units_current_status", "status", "code", "id", postgresql_where=CURRENT),
        sa.Index(
            "ix_units_current_phase", "phase_id", "status", "code", "id", postgresql_where=CURRENT
        ),
        # The occupancy dashboard aggregates current units from this index alone.
        sa.Index(
            "ix_units_occupancy",
            "park_id",
            "phase_id",
            "building_id",
            postgresql_include=["status", "leasable_area"],
            postgresql_where=CURRENT,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    park_id: int
    phase_id: int
    building_id: int
    floor_id: int
    code: str = Field(max_length=40)
    unit_type: str = Field(max_length=24)
    gross_area: Decimal = Field(sa_type=AREA)
    leasable_area: Decimal = Field(sa_type=AREA)
    floor_load: int | None = Field(default=None, description="kg/m²")
    power_kva: int | None = Field(default=None, description="kVA")
    status: str = Field(max_length=16)
    unavailable_reason: str | None = Field(default=None, max_length=200)
    retired_at: datetime | None = tz_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class UnitLineage(SQLModel, table=True):
    """One edge of a split (one predecessor, several successors) or a merge (the reverse)."""

    __tablename__ = "unit_lineage"
    __table_args__ = (
        enum_check("operation", LineageOperation),
        sa.CheckConstraint("predecessor_id <> successor_id", name="not_self"),
        sa.Index("ix_unit_lineage_successor_id", "successor_id"),
    )

    predecessor_id: int = Field(foreign_key="units.id", primary_key=True)
    successor_id: int = Field(foreign_key="units.id", primary_key=True)
    operation: str = Field(max_length=8)
    actor_id: int | None = None
    created_at: datetime = created_at_field()
