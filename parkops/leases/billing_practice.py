"""What the contract text quotes of its park's billing settings, through a port.

Clauses on utilities and dunning state the park's billing practice (days to pay a utility line,
days overdue before a dunning letter). Billing builds on leases, so leases reaches those
settings through ``BILLING_PRACTICE``, which ``parkops.billing.domain`` plugs (see
``parkops.core.ports``).
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from parkops.core.ports import Port


class ParkBillingPractice(Protocol):
    @property
    def utility_due_days(self) -> int: ...

    @property
    def dunning_after_days(self) -> int: ...


class BillingPractice(Protocol):
    async def park_settings(self, db: AsyncSession, park_id: int) -> ParkBillingPractice: ...


BILLING_PRACTICE: Port[BillingPractice] = Port("leases.billing_practice")
