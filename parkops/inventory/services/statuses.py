"""Unit statuses that follow the contracts and holds (see :mod:`parkops.inventory.workflow`).

``leased`` and ``reserved`` follow the unit's contracts and holds and are written only by
:func:`follow_occupancy`, which the leases domain calls; people only take a unit out of letting
(``unavailable``, with a reason) and bring it back (``units.set_unit_status``), and not while a
contract or hold takes it: the leases domain says which (the ``OCCUPANCY`` port).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.core import audit
from parkops.core.actor import Actor
from parkops.core.errors import Conflict
from parkops.core.i18n import N_, Message
from parkops.core.i18n import join as join_messages
from parkops.db.base import utcnow
from parkops.inventory import workflow
from parkops.inventory.models import Phase, Unit
from parkops.inventory.occupancy import OCCUPANCY

# The transaction-local setting by which follow_occupancy tells the database that it, and
# nobody else, is writing statuses that contracts and holds give (see the units trigger in
# migrations/versions/20261206_0900_unit_status_follows_leases.py).
STATUS_WRITER = "parkops.unit_status_writer"


async def unit_commitments(
    db: AsyncSession, unit_ids: Sequence[int], today: date | None = None
) -> list[Any]:
    """The contracts and live holds that take the units on or after ``today`` (leases'
    ``Commitment``: a message naming each, and a link), in unit and date order."""
    return list(await OCCUPANCY().unit_commitments(db, unit_ids, today))


def taken(code: str, commitments: Sequence[Any]) -> Conflict:
    """The refusal of a status by hand for a unit that contracts or holds take."""
    return Conflict(
        Message(
            N_(
                "The status of unit %(code)s follows its contracts and holds and cannot be "
                "changed by hand: %(what)s. To free the unit, terminate the contract or release "
                "the hold."
            ),
            code=code,
            what=join_messages([c.message for c in commitments]),
        )
    )


async def free_of_contracts_and_holds(
    db: AsyncSession, actor: Actor, unit: Unit, today: date | None
) -> None:
    """Refuse (409) while a contract or hold takes the unit on or after ``today``. When none
    does but the unit still reads leased or reserved (its contract ended, its hold lapsed, and
    the daily roll-over has not run yet), bring its status up to date first."""
    commitments = await unit_commitments(db, [unit.id], today)
    if commitments:
        raise taken(unit.code, commitments)
    if unit.status in workflow.OCCUPIED:
        await OCCUPANCY().refresh_units(db, actor, [unit.id], today)


@asynccontextmanager
async def _as_status_follower(db: AsyncSession) -> AsyncIterator[None]:
    """Write (and flush) unit statuses as the follower of contracts and holds. Pending changes
    are flushed before the setting is made (autoflush), so only the ones made inside count."""
    await db.execute(sa.select(sa.func.set_config(STATUS_WRITER, "occupancy", True)))
    yield
    await db.flush()
    await db.execute(sa.select(sa.func.set_config(STATUS_WRITER, "", True)))


async def _due(
    db: AsyncSession, occupancy: Mapping[int, workflow.Occupancy | str | None]
) -> list[int]:
    """The units whose status is not the one their contracts and holds give (read unlocked)."""
    current = (
        await db.execute(
            sa.select(Unit.id, Unit.status, Unit.retired_at, Phase.status.label("phase_status"))
            .join(Phase, Phase.id == Unit.phase_id)
            .where(Unit.id.in_(sorted(occupancy)))
        )
    ).all()
    return [
        r.id
        for r in current
        if r.retired_at is None
        and workflow.followed_status(occupancy[r.id], r.status, r.phase_status) != r.status
    ]


async def follow_occupancy(
    db: AsyncSession, actor: Actor, occupancy: Mapping[int, workflow.Occupancy | str | None]
) -> int:
    """Give units the statuses their contracts and holds make (``workflow.followed_status``),
    audited as ``unit_occupancy_changed``; returns how many changed. The leases domain calls
    this in every transaction that changes a contract or hold, and in the daily roll-over.

    The units are locked FOR NO KEY UPDATE in id order (which does not wait for the KEY SHARE
    lock a new contract or hold takes on them, so two holds on one unit cannot deadlock), their
    phases FOR SHARE (a phase with leased units must stay operating: ``spaces.update_phase``).
    """
    due = await _due(db, occupancy)
    if not due:
        return 0
    units = (
        await db.scalars(
            sa.select(Unit)
            .where(Unit.id.in_(due))
            .order_by(Unit.id)
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        )
    ).all()
    phases = dict(
        (
            await db.execute(
                sa.select(Phase.id, Phase.status)
                .where(Phase.id.in_({u.phase_id for u in units}))
                .order_by(Phase.id)
                .with_for_update(read=True)
            )
        ).all()
    )
    changed = 0
    async with _as_status_follower(db):
        for unit in units:
            target = workflow.followed_status(
                occupancy[unit.id], unit.status, phases[unit.phase_id]
            )
            if target == unit.status:
                continue
            before = {"status": unit.status, "unavailable_reason": unit.unavailable_reason}
            unit.status, unit.unavailable_reason = target, None
            unit.updated_at = utcnow()
            audit.record(
                db,
                actor=actor,
                action="unit_occupancy_changed",
                entity="unit",
                entity_id=unit.id,
                before=before,
                after={"status": target.value, "unavailable_reason": None},
            )
            changed += 1
    return changed
