"""Splitting a unit into parts and merging units into one (the rules: ``rules.lineage``).

The units are locked FOR UPDATE (in id order) before anything is asked about them; the
originals are retired (kept, with their codes) and linked to what replaced them in the lineage.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.core import audit
from parkops.core.actor import Actor, actor_id
from parkops.core.errors import ValidationFailed
from parkops.core.i18n import N_, Message
from parkops.core.i18n import join as join_messages
from parkops.core.integrity import flush_or_field_error
from parkops.db.base import utcnow
from parkops.inventory.models import Unit, UnitLineage
from parkops.inventory.rules import lineage as rules
from parkops.inventory.rules.units import UNIT_FIELDS, unit_code_taken
from parkops.inventory.services.editing import fail, record_created
from parkops.inventory.services.statuses import unit_commitments
from parkops.inventory.services.units import lock_unit, unit_conflicts
from parkops.inventory.vocabulary import LineageOperation, UnitStatus

NOT_SPLIT = N_("The unit was not split.")
NOT_MERGED = N_("The units were not merged.")


async def _taken_for_lineage(db: AsyncSession, units: Sequence[Unit], verb: str) -> Message | None:
    """A unit that a contract (even one pending approval, which leaves it available) or a hold
    takes on or after today is not split or merged under it."""
    commitments = await unit_commitments(db, [u.id for u in units])
    if not commitments:
        return None
    return Message(
        N_("Units taken by contracts or holds cannot be %(verb)s: %(what)s"),
        verb=Message(verb),
        what=join_messages([c.message for c in commitments]),
    )


async def _codes_taken(db: AsyncSession, park_id: int, codes: Sequence[str]) -> set[str]:
    if not codes:
        return set()
    rows = await db.scalars(
        sa.select(Unit.code).where(Unit.park_id == park_id, Unit.code.in_(list(codes)))
    )
    return set(rows)


def _successor(unit: Unit, values: Mapping[str, Any]) -> Unit:
    return Unit(
        park_id=unit.park_id,
        phase_id=unit.phase_id,
        building_id=unit.building_id,
        floor_id=unit.floor_id,
        status=UnitStatus.available,
        unavailable_reason=None,
        **values,
    )


def _link(
    db: AsyncSession, actor: Actor, before: Unit, after: Unit, operation: LineageOperation
) -> None:
    db.add(
        UnitLineage(
            predecessor_id=before.id,
            successor_id=after.id,
            operation=operation,
            actor_id=actor_id(actor),
        )
    )


def _created(db: AsyncSession, actor: Actor, unit: Unit, origin: Mapping[str, Any]) -> None:
    record_created(db, actor, "unit", unit, {**origin, **audit.snapshot(unit, *UNIT_FIELDS)})


async def split_unit(
    db: AsyncSession, actor: Actor, unit_id: int, parts: Sequence[Mapping[str, Any]]
) -> list[Unit]:
    """Split an available unit into parts whose areas add up exactly to the original's."""
    unit = await lock_unit(db, unit_id)
    problem = rules.not_splittable(unit, N_("split")) or await _taken_for_lineage(
        db, [unit], N_("split")
    )
    if problem:
        raise ValidationFailed(problem, field_errors={"status": problem})
    count_problem = rules.split_count_problem(len(parts))
    fail(NOT_SPLIT, {"parts": count_problem} if count_problem else {})
    errors: dict[str, Any] = {}
    cleaned = rules.clean_parts(unit, parts, errors)
    taken = await _codes_taken(db, unit.park_id, [c["code"] for c in cleaned if c["code"]])
    rules.check_parts(unit, cleaned, taken, errors)
    fail(NOT_SPLIT, errors)

    successors = [_successor(unit, values) for values in cleaned]
    db.add_all(successors)
    unit.retired_at = unit.updated_at = utcnow()
    await flush_or_field_error(
        db, {"uq_units_park_id_code": ("parts", N_("A part's code was taken in the meantime"))}
    )
    for s in successors:
        _link(db, actor, unit, s, LineageOperation.split)
        _created(db, actor, s, {"split_from": unit.code})
    audit.record(
        db,
        actor=actor,
        action="unit_split",
        entity="unit",
        entity_id=unit.id,
        before={
            "code": unit.code,
            "gross_area": unit.gross_area,
            "leasable_area": unit.leasable_area,
        },
        after={"successors": [s.code for s in successors]},
    )
    await db.flush()
    return successors


async def _lock_units(db: AsyncSession, ids: Sequence[int]) -> list[Unit]:
    units = list(
        await db.scalars(
            sa.select(Unit).where(Unit.id.in_(ids)).order_by(Unit.id).with_for_update()
        )
    )
    missing = sorted(set(ids) - {u.id for u in units})
    if missing:
        what = Message(N_("No such unit: %(ids)s"), ids=", ".join(map(str, missing)))
        raise ValidationFailed(NOT_MERGED, field_errors={"unit_ids": what})
    return units


async def merge_units(
    db: AsyncSession, actor: Actor, unit_ids: Sequence[Any], data: Mapping[str, Any]
) -> Unit:
    """Merge available units of one floor into a new unit; its areas are their sums (see
    :mod:`parkops.inventory.rules.lineage` for the defaults of its other fields)."""
    errors: dict[str, Any] = {}
    ids = rules.merge_ids(unit_ids, errors)
    fail(NOT_MERGED, errors)
    units = await _lock_units(db, ids)
    taken = None
    if not any(rules.not_splittable(u, N_("merged")) for u in units):
        taken = await _taken_for_lineage(db, units, N_("merged"))
    problem = rules.merge_problem(units, taken)
    fail(NOT_MERGED, {"unit_ids": problem} if problem else {})

    values = rules.merged_values(units, data, errors)
    if values["code"] and await _codes_taken(db, units[0].park_id, [values["code"]]):
        errors["code"] = unit_code_taken(values["code"])
    fail(NOT_MERGED, errors)

    merged = _successor(units[0], values)
    db.add(merged)
    now = utcnow()
    for u in units:
        u.retired_at = u.updated_at = now
    await flush_or_field_error(db, unit_conflicts(values["code"]))
    for u in units:
        _link(db, actor, u, merged, LineageOperation.merge)
        audit.record(
            db,
            actor=actor,
            action="unit_merged",
            entity="unit",
            entity_id=u.id,
            after={"merged_into": merged.code},
        )
    _created(db, actor, merged, {"merged_from": [u.code for u in units]})
    await db.flush()
    return merged
