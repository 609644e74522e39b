"""The heavy read queries of the inventory domain: the unit list, occupancy, the space tree.

Every query here selects columns, never ORM entities (docs/ARCHITECTURE.md: entities cost ~4x
on a 20-row list). The unit list and the occupancy dashboard run over 100,000 units; see the
indexes on ``units`` and ``bench/units_api.py``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from parkops.core.audit import AuditEntry
from parkops.core.errors import NotFound
from parkops.core.i18n import N_
from parkops.core.pagination import Page, clamp
from parkops.inventory.models import Building, Floor, Park, Phase, Unit, UnitLineage
from parkops.inventory.vocabulary import UnitStatus, UnitType

# The hot list statements use the tables' columns, not the ORM attributes: a Core statement
# skips the ORM's compile step on every execution.
U = Unit.__table__.c
B = Building.__table__.c
F = Floor.__table__.c

SORTS: dict[str, tuple] = {
    "code": (U.code.asc(), U.id.asc()),
    "-code": (U.code.desc(), U.id.desc()),
    "area": (U.gross_area.asc(), U.id.asc()),
    "-area": (U.gross_area.desc(), U.id.desc()),
    "status": (U.status.asc(), U.code.asc(), U.id.asc()),
    "-status": (U.status.desc(), U.code.desc(), U.id.desc()),
}
DEFAULT_SORT = "code"


@dataclass
class UnitFilters:
    """The unit list's filters, shared by the page, the API, the exports and the bench."""

    park_id: int | None = None
    phase_id: int | None = None
    building_id: int | None = None
    floor_id: int | None = None
    unit_type: str | None = None
    status: str | None = None
    min_area: Decimal | None = None
    max_area: Decimal | None = None
    q: str | None = None
    retired: bool = False

    @classmethod
    def from_query(cls, **raw: Any) -> UnitFilters:
        """Lenient parsing of query parameters: an unusable value is ignored, not an error."""

        def as_int(value):
            try:
                return int(value) if value not in (None, "") else None
            except (TypeError, ValueError):
                return None

        def as_area(value):
            try:
                number = Decimal(str(value).strip()) if value not in (None, "") else None
            except ArithmeticError:
                return None
            return number if number is not None and number.is_finite() else None

        unit_type = raw.get("unit_type") or None
        status = raw.get("status") or None
        q = (raw.get("q") or "").strip()[:40] or None
        return cls(
            park_id=as_int(raw.get("park_id")),
            phase_id=as_int(raw.get("phase_id")),
            building_id=as_int(raw.get("building_id")),
            floor_id=as_int(raw.get("floor_id")),
            unit_type=unit_type if unit_type in set(UnitType) else None,
            status=status if status in set(UnitStatus) else None,
            min_area=as_area(raw.get("min_area")),
            max_area=as_area(raw.get("max_area")),
            q=q,
            retired=str(raw.get("retired") or "").lower() in {"1", "true", "yes", "on"},
        )

    def as_query(self) -> dict[str, str]:
        """The filters as query parameters (links to exports keep the same filters)."""
        out = {}
        for key, value in asdict(self).items():
            if value not in (None, False, ""):
                out[key] = "1" if value is True else str(value)
        return out


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


UNIT_LIST_COLUMNS = (
    U.id,
    U.code,
    U.unit_type,
    U.gross_area,
    U.leasable_area,
    U.floor_load,
    U.power_kva,
    U.status,
    U.unavailable_reason,
    U.retired_at,
    U.park_id,
    U.phase_id,
    U.building_id,
    U.floor_id,
    B.code.label("building_code"),
    F.number.label("floor_number"),
)
_EQUALITY_FILTERS = (
    ("park_id", U.park_id),
    ("phase_id", U.phase_id),
    ("building_id", U.building_id),
    ("floor_id", U.floor_id),
    ("unit_type", U.unit_type),
    ("status", U.status),
)


def filter_params(f: UnitFilters) -> dict[str, Any]:
    """The bound values of the filters, by the names :func:`filter_units` gives them."""
    values: dict[str, Any] = {
        "park_id": f.park_id,
        "phase_id": f.phase_id,
        "building_id": f.building_id,
        "floor_id": f.floor_id,
        "unit_type": None if f.unit_type is None else str(f.unit_type),
        "status": None if f.status is None else str(f.status),
        "min_area": f.min_area,
        "max_area": f.max_area,
        "q": f"%{_escape_like(f.q)}%" if f.q else None,
    }
    return {k: v for k, v in values.items() if v is not None}


def filter_units(stmt: sa.Select, f: UnitFilters) -> sa.Select:
    """Add the filters' conditions, with named bind parameters (see :func:`filter_params`)."""
    p = {k: sa.bindparam(k, v) for k, v in filter_params(f).items()}
    if not f.retired:
        stmt = stmt.where(U.retired_at.is_(None))
    for name, column in _EQUALITY_FILTERS:
        if name in p:
            stmt = stmt.where(column == p[name])
    if "min_area" in p:
        stmt = stmt.where(U.gross_area >= p["min_area"])
    if "max_area" in p:
        stmt = stmt.where(U.gross_area <= p["max_area"])
    if "q" in p:
        stmt = stmt.where(U.code.ilike(p["q"], escape="\\"))
    return stmt


def _sort(sort: str | None) -> str:
    return sort if sort in SORTS else DEFAULT_SORT


def unit_list_statement(f: UnitFilters, sort: str | None = None) -> sa.Select:
    """Units with their building code and floor number, filtered and sorted."""
    stmt = (
        sa.select(*UNIT_LIST_COLUMNS)
        .join(Building.__table__, B.id == U.building_id)
        .join(Floor.__table__, F.id == U.floor_id)
    )
    return filter_units(stmt, f).order_by(*SORTS[_sort(sort)])


def unit_count_statement(f: UnitFilters) -> sa.Select:
    """How many units match: the filters alone (no joins, no columns), so that PostgreSQL can
    count from an index alone; it plans no index-only scan for a subquery that names columns
    outside the index, which is what ``paginate``'s generic count would give it."""
    return filter_units(sa.select(sa.func.count()).select_from(Unit.__table__), f)


def bounded_count_statement(f: UnitFilters) -> sa.Select:
    """How many units match, up to ``:count_limit`` (the page then says "more than N")."""
    matching = filter_units(sa.select(sa.literal_column("1")).select_from(Unit.__table__), f)
    capped = matching.limit(sa.bindparam("count_limit")).subquery("capped")
    return sa.select(sa.func.count()).select_from(capped)


@dataclass(frozen=True)
class CompiledQuery:
    """SQL compiled once by SQLAlchemy for asyncpg, and the names of its ``$n`` parameters."""

    sql: str
    names: tuple[str, ...]

    @classmethod
    def of(cls, stmt: sa.Select) -> CompiledQuery:
        compiled = stmt.compile(dialect=_ASYNCPG)
        return cls(str(compiled), tuple(compiled.positiontup or ()))

    def args(self, values: dict[str, Any]) -> list[Any]:
        return [values[name] for name in self.names]


_ASYNCPG = postgresql.asyncpg.dialect(paramstyle="numeric_dollar")
_compiled: dict[tuple, tuple[CompiledQuery, CompiledQuery]] = {}


def unit_list_queries(
    f: UnitFilters, sort: str | None, bounded: bool = False
) -> tuple[CompiledQuery, CompiledQuery]:
    """(count, page) SQL for this combination of filters and sort, compiled once.

    The values are bind parameters (``filter_params(f)`` plus ``limit`` and ``offset``), so the
    same SQL serves every request of that shape. The number of shapes is bounded (filters
    present x retired x sort order).
    """
    key = (tuple(sorted(filter_params(f))), f.retired, _sort(sort), bounded)
    compiled = _compiled.get(key)
    if compiled is None:
        page = unit_list_statement(f, sort).limit(sa.bindparam("limit"))
        page = page.offset(sa.bindparam("offset"))
        count = bounded_count_statement(f) if bounded else unit_count_statement(f)
        compiled = _compiled[key] = (CompiledQuery.of(count), CompiledQuery.of(page))
    return compiled


async def list_units(
    db: AsyncSession, f: UnitFilters, sort: str | None, page: int, page_size: int,
    count_ahead: int | None = None,
) -> Page:  # fmt: skip
    """One page of units (rows, not entities) and the total, as ``paginate`` returns them.

    The hottest read path of the domain (``bench/units_api.py``), so not ``paginate`` itself:
    - the count is the filters alone, without joins or columns: PostgreSQL counts from an
      index only when the counted query names no column outside it (paginate counts a
      subquery of the full list statement);
    - the SQL is compiled once per shape and run on the request's own connection (same
      transaction) through the driver: SQLAlchemy's per-execution work (cache-key lookup,
      execution context, result rows) costs as much CPU as the two queries themselves.
    With ``count_ahead`` the count stops that many rows past this page (``Page.more``).
    """
    page, page_size = clamp(page, page_size)
    offset = (page - 1) * page_size
    count, rows = unit_list_queries(f, sort, bounded=count_ahead is not None)
    limit = offset + page_size + (count_ahead or 0)
    values = filter_params(f) | {"limit": page_size, "offset": offset, "count_limit": limit + 1}
    connection = await (await db.connection()).get_raw_connection()
    driver = connection.driver_connection
    total = await driver.fetchval(count.sql, *count.args(values)) or 0
    records = await driver.fetch(rows.sql, *rows.args(values))
    more = count_ahead is not None and total > limit
    items = [dict(r) for r in records]
    return Page(items, min(total, limit) if more else total, page, page_size, more)


async def export_rows(db: AsyncSession, f: UnitFilters, sort: str | None) -> list[dict]:
    """Every matching unit, with the columns of the import file (park, building, floor, ...)."""
    stmt = (
        sa.select(
            Park.name.label("park"),
            Building.code.label("building"),
            Floor.number.label("floor"),
            Unit.code,
            Unit.unit_type,
            Unit.gross_area,
            Unit.leasable_area,
            Unit.floor_load,
            Unit.power_kva,
            Unit.status,
            Unit.unavailable_reason,
        )
        .join(Building, Building.id == Unit.building_id)
        .join(Floor, Floor.id == Unit.floor_id)
        .join(Park, Park.id == Unit.park_id)
    )
    stmt = filter_units(stmt, f).order_by(*SORTS.get(sort or DEFAULT_SORT, SORTS[DEFAULT_SORT]))
    return [dict(r) for r in (await db.execute(stmt)).mappings()]


# --- one unit -------------------------------------------------------------------------------


async def unit_detail(db: AsyncSession, unit_id: int) -> dict:
    """The unit with where it is (building, floor, phase, park); ``NotFound`` when there is no
    such unit."""
    row = (
        (
            await db.execute(
                sa.select(
                    *Unit.__table__.c,
                    Building.code.label("building_code"),
                    Building.name.label("building_name"),
                    Building.floor_count,
                    Floor.number.label("floor_number"),
                    Phase.number.label("phase_number"),
                    Phase.name.label("phase_name"),
                    Phase.status.label("phase_status"),
                    Park.name.label("park_name"),
                )
                .join(Building, Building.id == Unit.building_id)
                .join(Floor, Floor.id == Unit.floor_id)
                .join(Phase, Phase.id == Unit.phase_id)
                .join(Park, Park.id == Unit.park_id)
                .where(Unit.id == unit_id)
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(N_("No such unit"))
    return dict(row)


async def lineage(db: AsyncSession, unit_id: int) -> dict[str, list[dict]]:
    """The units this one came from and the units it became."""
    other = aliased(Unit)

    async def edges(mine, theirs) -> list[dict]:
        rows = await db.execute(
            sa.select(
                other.id,
                other.code,
                other.gross_area,
                other.leasable_area,
                other.retired_at,
                UnitLineage.operation,
                UnitLineage.created_at,
            )
            .join(other, other.id == theirs)
            .where(mine == unit_id)
            .order_by(other.code)
        )
        return [dict(r) for r in rows.mappings()]

    return {
        "predecessors": await edges(UnitLineage.successor_id, UnitLineage.predecessor_id),
        "successors": await edges(UnitLineage.predecessor_id, UnitLineage.successor_id),
    }


async def unit_audit(db: AsyncSession, unit_id: int, limit: int = 100) -> list[dict]:
    rows = await db.execute(
        sa.select(
            AuditEntry.at,
            AuditEntry.actor_label,
            AuditEntry.action,
            AuditEntry.before,
            AuditEntry.after,
        )
        .where(AuditEntry.entity == "unit", AuditEntry.entity_id == str(unit_id))
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    )
    return [dict(r) for r in rows.mappings()]


# --- occupancy ------------------------------------------------------------------------------


def occupancy_statement(park_id: int | None = None) -> sa.Select:
    """Occupancy per park, phase and building in one statement: GROUP BY ROLLUP.

    Units are first summed per building (an index-only scan of ``ix_units_occupancy``), then the
    small per-building result is joined to the phases and buildings (so a phase or building
    without units shows zeros) and rolled up. ``level`` says which row is which: 0 building,
    1 phase, 3 park, 7 all parks.
    """
    u = Unit.__table__.c
    leased = u.status == UnitStatus.leased
    per_building = (
        sa.select(
            u.building_id,
            sa.func.count().label("units"),
            sa.func.sum(u.leasable_area).label("leasable_area"),
            sa.func.coalesce(sa.func.sum(u.leasable_area).filter(leased), 0).label("leased_area"),
            sa.func.count().filter(leased).label("leased_units"),
            sa.func.count().filter(u.status == UnitStatus.available).label("available_units"),
            sa.func.count().filter(u.status == UnitStatus.reserved).label("reserved_units"),
            sa.func.count().filter(u.status == UnitStatus.unavailable).label("unavailable_units"),
        )
        .where(u.retired_at.is_(None))
        .group_by(u.building_id)
    )
    if park_id is not None:
        per_building = per_building.where(u.park_id == park_id)
    pb = per_building.subquery("pb")
    level = sa.func.grouping(Park.id, Phase.id, Building.id)

    def total(col, type_=sa.Integer):
        return sa.cast(sa.func.coalesce(sa.func.sum(col), 0), type_)

    stmt = (
        sa.select(
            level.label("level"),
            Park.id.label("park_id"),
            Park.name.label("park_name"),
            Phase.id.label("phase_id"),
            Phase.number.label("phase_number"),
            Phase.name.label("phase_name"),
            Phase.status.label("phase_status"),
            Building.id.label("building_id"),
            Building.code.label("building_code"),
            Building.name.label("building_name"),
            total(pb.c.units).label("units"),
            total(pb.c.leasable_area, u.leasable_area.type).label("leasable_area"),
            total(pb.c.leased_area, u.leasable_area.type).label("leased_area"),
            total(pb.c.leased_units).label("leased_units"),
            total(pb.c.available_units).label("available_units"),
            total(pb.c.reserved_units).label("reserved_units"),
            total(pb.c.unavailable_units).label("unavailable_units"),
        )
        .select_from(Park)
        .join(Phase, Phase.park_id == Park.id)
        .outerjoin(Building, Building.phase_id == Phase.id)
        .outerjoin(pb, pb.c.building_id == Building.id)
        .group_by(
            sa.func.rollup(
                sa.tuple_(Park.id, Park.name),
                sa.tuple_(Phase.id, Phase.number, Phase.name, Phase.status),
                sa.tuple_(Building.id, Building.code, Building.name),
            )
        )
        # A phase without buildings yields a building-level row with no building: drop it.
        .having(sa.or_(sa.func.grouping(Building.id) == 1, Building.id.is_not(None)))
        .order_by(
            Park.name.nulls_last(),
            Park.id.nulls_last(),
            Phase.number.nulls_first(),
            Building.code.nulls_first(),
        )
    )
    if park_id is not None:
        stmt = stmt.where(Park.id == park_id)
    return stmt


LEVELS = {0: "building", 1: "phase", 3: "park", 7: "total"}


def _with_pct(r: Any) -> dict:
    row = dict(r)
    leasable = row["leasable_area"] or Decimal(0)
    pct = Decimal(row["leased_area"]) * 100 / leasable if leasable else None
    row["occupancy_pct"] = pct.quantize(Decimal("0.1")) if pct is not None else None
    return row


async def occupancy(db: AsyncSession, park_id: int | None = None) -> list[dict]:
    rows = (await db.execute(occupancy_statement(park_id))).mappings().all()
    return [_with_pct(r) | {"level": LEVELS[r["level"]]} for r in rows]


async def park_occupancy(db: AsyncSession, limit: int) -> tuple[list[dict], int]:
    """The first ``limit`` parks by name with their units, available units and occupancy, and
    how many parks there are: the dashboard card, whose size must not grow with the parks (the
    full occupancy rolls up every building of every park)."""
    u = Unit.__table__.c
    leased = u.status == UnitStatus.leased
    per_park = (
        sa.select(
            u.park_id,
            sa.func.count().label("units"),
            sa.func.sum(u.leasable_area).label("leasable_area"),
            sa.func.coalesce(sa.func.sum(u.leasable_area).filter(leased), 0).label("leased_area"),
            sa.func.count().filter(u.status == UnitStatus.available).label("available_units"),
        )
        .where(u.retired_at.is_(None))
        .group_by(u.park_id)
        .subquery("pp")
    )
    first = (
        sa.select(Park.id.label("park_id"), Park.name.label("park_name"))
        .order_by(Park.name, Park.id)
        .limit(limit)
        .subquery("first")
    )
    stmt = (
        sa.select(
            first.c.park_id,
            first.c.park_name,
            sa.func.coalesce(per_park.c.units, 0).label("units"),
            per_park.c.leasable_area,
            sa.func.coalesce(per_park.c.leased_area, 0).label("leased_area"),
            sa.func.coalesce(per_park.c.available_units, 0).label("available_units"),
        )
        .select_from(first)
        .outerjoin(per_park, per_park.c.park_id == first.c.park_id)
        .order_by(first.c.park_name, first.c.park_id)
    )
    rows = [_with_pct(r) for r in (await db.execute(stmt)).mappings()]
    parks = (await db.execute(sa.select(sa.func.count()).select_from(Park))).scalar_one()
    return rows, parks


# --- the space tree -------------------------------------------------------------------------


async def space_tree(db: AsyncSession, park_id: int | None = None) -> list[dict]:
    """Parks -> phases -> buildings -> floors, each with its count of current units."""
    parks = [
        dict(r)
        for r in (
            await db.execute(
                sa.select(Park.id, Park.name, Park.address)
                .where(Park.id == park_id if park_id is not None else sa.true())
                .order_by(Park.name)
            )
        ).mappings()
    ]
    ids = [p["id"] for p in parks]
    phases = (
        await db.execute(
            sa.select(*Phase.__table__.c).where(Phase.park_id.in_(ids)).order_by(Phase.number)
        )
    ).mappings()
    buildings = (
        await db.execute(
            sa.select(*Building.__table__.c)
            .where(Building.park_id.in_(ids))
            .order_by(Building.code)
        )
    ).mappings()
    counts = dict(
        (
            await db.execute(
                sa.select(Unit.floor_id, sa.func.count())
                .where(Unit.park_id.in_(ids), Unit.retired_at.is_(None))
                .group_by(Unit.floor_id)
            )
        ).all()
    )
    floors = (
        await db.execute(
            sa.select(Floor.id, Floor.building_id, Floor.number, Floor.name)
            .join(Building, Building.id == Floor.building_id)
            .where(Building.park_id.in_(ids))
            .order_by(Floor.number)
        )
    ).mappings()
    by_park = {p["id"]: {**p, "phases": []} for p in parks}
    by_phase: dict[int, dict] = {}
    for ph in phases:
        node = {**ph, "buildings": []}
        by_phase[ph["id"]] = node
        by_park[ph["park_id"]]["phases"].append(node)
    by_building: dict[int, dict] = {}
    for b in buildings:
        node = {**b, "floors": [], "units": 0}
        by_building[b["id"]] = node
        by_phase[b["phase_id"]]["buildings"].append(node)
    for fl in floors:
        node = {**fl, "units": counts.get(fl["id"], 0)}
        by_building[fl["building_id"]]["floors"].append(node)
        by_building[fl["building_id"]]["units"] += node["units"]
    return list(by_park.values())


async def building_choices(db: AsyncSession, park_id: int | None = None) -> list[dict]:
    """Buildings for select boxes: id, code, name, park and phase."""
    stmt = (
        sa.select(
            Building.id,
            Building.code,
            Building.name,
            Building.floor_count,
            Building.park_id,
            Park.name.label("park_name"),
            Phase.id.label("phase_id"),
            Phase.number.label("phase_number"),
        )
        .join(Phase, Phase.id == Building.phase_id)
        .join(Park, Park.id == Building.park_id)
        .order_by(Park.name, Phase.number, Building.code)
    )
    if park_id is not None:
        stmt = stmt.where(Building.park_id == park_id)
    return [dict(r) for r in (await db.execute(stmt)).mappings()]


async def phase_choices(db: AsyncSession, park_id: int | None = None) -> list[dict]:
    stmt = (
        sa.select(Phase.id, Phase.number, Phase.name, Phase.park_id, Park.name.label("park_name"))
        .join(Park, Park.id == Phase.park_id)
        .order_by(Park.name, Phase.number)
    )
    if park_id is not None:
        stmt = stmt.where(Phase.park_id == park_id)
    rows = await db.execute(stmt)
    return [dict(r) for r in rows.mappings()]
