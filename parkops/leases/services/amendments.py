"""Terms amendments: a new terms version from a date; lines of periods already started
stay, later ones are superseded and recomputed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.core import audit
from parkops.core.actor import Actor, actor_id
from parkops.core.errors import Conflict
from parkops.core.i18n import N_, Message
from parkops.db.base import utcnow
from parkops.leases import repository
from parkops.leases.models import (
    LeaseScheduleLine,
    LeaseTerms,
)
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
from parkops.leases.services.reading import line_values, lock_contract, terms_versions, unit_areas


async def amend_terms(
    db: AsyncSession,
    actor: Actor,
    contract_id: int,
    raw: Mapping[str, Any],
    today: date | None = None,
) -> LeaseTerms:
    """A change of terms from ``effective_from``: a new terms version; schedule lines of periods
    that started before that date are kept as they are, later ones are superseded and
    recomputed from the new terms."""
    require_role(actor, LEASING_ROLES)
    today = today or shanghai_today()
    contract = await lock_contract(db, contract_id)
    if contract.status != ContractStatus.active:
        raise Conflict(N_("Only an active contract can be amended (a draft is edited)."))
    versions = await terms_versions(db, contract.id)  # type: ignore[arg-type]
    latest = versions[-1]
    raw = merge_terms(t.form_values(t.from_row(latest, contract.signed_on)), raw)
    errors: dict[str, str] = {}
    effective = t.parse_date(raw.get("effective_from"), "effective_from", errors, required=True)
    note = t.parse_text(raw.get("note"), "note", errors, max_length=2000)
    terms = t.parse_terms(raw, errors)
    if effective is not None:
        if not contract.start_date < effective < contract.effective_end:
            errors["effective_from"] = N_("The amendment must take effect inside the term")
        elif effective <= latest.effective_from:
            errors["effective_from"] = Message(
                N_("A later amendment already applies from %(date)s"),
                date=latest.effective_from.isoformat(),
            )
    if terms is not None and terms.cycle.value != latest.cycle:
        errors["cycle"] = N_(
            "The payment cycle cannot change in an amendment (the billing periods would no "
            "longer line up); terminate and draw up a new contract instead"
        )
    units = await repository.contract_units(db, contract.id)  # type: ignore[arg-type]
    lt = None
    if not errors:
        assert terms and effective
        gross, leasable = unit_areas(units)
        lt = t.lease_terms(terms, contract.start_date, contract.end_date, gross, leasable)
        t.check_terms(lt, errors)
    raise_if_errors(N_("The amendment was not saved."), errors)
    assert terms and effective and lt
    new_version = latest.version + 1
    resolved = t.with_rent_start(terms, contract.start_date)
    row = LeaseTerms(
        contract_id=contract.id,  # type: ignore[arg-type]
        version=new_version,
        effective_from=effective,
        note=note,
        created_by=actor_id(actor),
        **t.row_values(resolved),
    )
    db.add(row)
    now = utcnow()
    superseded = list(
        (
            await db.execute(
                sa.update(LeaseScheduleLine)
                .where(
                    LeaseScheduleLine.contract_id == contract.id,
                    LeaseScheduleLine.superseded_at.is_(None),
                    LeaseScheduleLine.period_start >= effective,
                    LeaseScheduleLine.period_start < contract.effective_end,
                )
                .values(superseded_at=now)
                .returning(LeaseScheduleLine.id)
            )
        ).scalars()
    )
    end = contract.effective_end
    new_lines = [
        line
        for line in sched.compute_schedule(
            t.lease_terms(resolved, contract.start_date, end, *unit_areas(units))
        )
        if line.period_start >= effective
    ]
    if new_lines:
        await db.execute(
            sa.insert(LeaseScheduleLine),
            [{"contract_id": contract.id, **line_values(line, new_version)} for line in new_lines],
        )
    data = {
        "version": new_version,
        "effective_from": effective.isoformat(),
        "lines_superseded": len(superseded),
        "lines_added": len(new_lines),
    }
    record_event(db, contract, actor, "amend", contract.status, contract.status, note, data)
    audit.record(
        db,
        actor=actor,
        action="lease_terms_amended",
        entity="lease_contract",
        entity_id=contract.id,
        before=t.row_values(t.from_row(latest)),
        after={**t.row_values(resolved), **data},
    )
    contract.updated_at = now
    await db.flush()
    return row


def merge_terms(current: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """The current terms (form values) with the fields a caller gave replaced: an API
    amendment may send only what changes. Giving any escalation (deposit) field without its
    kind drops the current kind, so the given fields decide it."""
    merged = dict(current)
    for group in ("escalation_", "deposit_"):
        if any(k.startswith(group) for k in changes) and f"{group}kind" not in changes:
            merged.pop(f"{group}kind", None)
    if "rent_free_months" in changes and "rent_start" not in changes:
        merged.pop("rent_start", None)
    merged.update(changes)
    return merged
