"""What inventory asks of the domain that lets units (leases), through a port.

A unit's leased or reserved status follows its contracts and holds, which the leases domain
keeps; leases builds on inventory, so inventory reaches it through ``OCCUPANCY``, which
``parkops.leases.domain`` plugs (see ``parkops.core.ports``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from parkops.core.ports import Port


class Occupancy(Protocol):
    async def unit_commitments(
        self, db: AsyncSession, unit_ids: Iterable[int], today: date | None = None
    ) -> Sequence[Any]:
        """The contracts and live holds that take any of the units on or after ``today``; each
        has a ``message`` naming it (and a link)."""
        ...

    async def refresh_units(
        self, db: AsyncSession, actor: Any, unit_ids: Iterable[int], today: date | None = None
    ) -> int:
        """Release lapsed holds and bring the units' statuses up to date with what covers them
        today (the daily roll-over, for a few units)."""
        ...

    async def sync_unit_statuses(
        self, db: AsyncSession, actor: Any, unit_ids: Iterable[int], today: date | None = None
    ) -> int:
        """Bring the units' statuses in line with their contracts and holds."""
        ...


OCCUPANCY: Port[Occupancy] = Port("inventory.occupancy")
