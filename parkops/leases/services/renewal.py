"""Renewal: a new draft that continues a contract from the day after its last day."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.core.actor import Actor
from parkops.core.errors import Conflict
from parkops.core.i18n import N_, Message
from parkops.core.last_day import last_day_of
from parkops.leases import repository
from parkops.leases.models import LeaseContract
from parkops.leases.rules import schedule as sched
from parkops.leases.rules import terms as t
from parkops.leases.rules.workflow import ContractStatus
from parkops.leases.services.common import (
    LEASING_ROLES,
    raise_if_errors,
    record_event,
    require_role,
    shanghai_today,
)
from parkops.leases.services.contract_input import parse_last_day
from parkops.leases.services.reading import lease_terms_for, lock_contract, terms_versions
from parkops.leases.services.writing import create_contract


async def renew(
    db: AsyncSession,
    actor: Actor,
    contract_id: int,
    raw: Mapping[str, Any],
    today: date | None = None,
) -> LeaseContract:
    """Draft the successor of an active (or expired) contract: same enterprise and units, from
    the old end (the day after its last day), on the current terms raised by an optional
    percentage. Approving it marks the old contract renewed."""
    require_role(actor, LEASING_ROLES)
    today = today or shanghai_today()
    old = await lock_contract(db, contract_id)
    if old.status not in (ContractStatus.active, ContractStatus.expired):
        raise Conflict(N_("Only an active or expired contract can be renewed."))
    if old.terminated_on is not None:
        raise Conflict(N_("A terminated contract cannot be renewed."))
    existing = await db.scalar(
        sa.select(LeaseContract.id).where(
            LeaseContract.predecessor_id == old.id,
            LeaseContract.status != ContractStatus.cancelled,
        )
    )
    if existing:
        raise Conflict(
            Message(N_("This contract already has a renewal (contract #%(id)s)."), id=existing)
        )
    errors: dict[str, str] = {}
    start = old.end_date
    end = parse_last_day(raw, "last_day", errors) or renewal_default_end(old)
    if end <= start:
        errors["last_day"] = Message(
            N_("The renewal starts on %(start)s: its last day cannot be before that"),
            start=start.isoformat(),
        )
    percent = t.parse_decimal(
        raw.get("increase_percent"), "increase_percent", errors, places=2, maximum=Decimal(100)
    )
    raise_if_errors(N_("The renewal was not drafted."), errors)
    versions = await terms_versions(db, old.id)  # type: ignore[arg-type]
    units = await repository.contract_units(db, old.id)  # type: ignore[arg-type]
    latest_lt = lease_terms_for(old, versions[-1], units)
    rate = sched.rent_rate_on(latest_lt, last_day_of(old.end_date))
    new_terms = t.renewal_terms(t.from_row(versions[-1]), rate, percent)
    values = {
        **t.form_values(new_terms),
        "enterprise_id": old.enterprise_id,
        "unit_ids": [u["id"] for u in units],
        "start_date": start.isoformat(),
        "last_day": last_day_of(end).isoformat(),
        "accept_partial_month": raw.get("accept_partial_month"),
        "purpose": old.purpose,
        "purpose_en": old.purpose_en,
        "special_terms": old.special_terms,
        "language": old.language,
    }
    successor = await create_contract(db, actor, values, predecessor_id=old.id, today=today)
    data = {"successor_id": successor.id, "increase_percent": str(percent or 0)}
    record_event(db, old, actor, "renewal_drafted", old.status, old.status, data=data)
    record_event(
        db,
        successor,
        actor,
        "renewal_of",
        ContractStatus.draft,
        ContractStatus.draft,
        data={"predecessor_id": old.id, "predecessor_number": old.number},
    )
    await db.flush()
    return successor


def renewal_default_end(old: LeaseContract) -> date:
    """The end of a renewal as long as the contract it renews (a started month counts whole)."""
    length = t.term_length(old.start_date, old.end_date)
    return sched.add_months(old.end_date, max(1, length.months + bool(length.days)))
