"""Writing contracts: creating and editing drafts, numbering on approval, and the
workflow transitions (submit, approve, cancel, mark renewed).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts.identity import CurrentUser
from parkops.core import audit
from parkops.core.actor import Actor, actor_id
from parkops.core.errors import Conflict, PermissionDenied, ValidationFailed
from parkops.core.i18n import N_, Message
from parkops.core.last_day import last_day_of
from parkops.db.base import utcnow
from parkops.enterprises.models import Enterprise
from parkops.leases import repository
from parkops.leases.models import (
    LeaseContract,
    LeaseContractUnit,
    LeaseNumberCounter,
    LeaseParkSettings,
    LeaseReservation,
    LeaseScheduleLine,
    LeaseTerms,
    LeaseUnitOccupancy,
    OccupancyKind,
    ReservationStatus,
)
from parkops.leases.rules import schedule as sched
from parkops.leases.rules import terms as t
from parkops.leases.rules.workflow import (
    ContractAction,
    ContractStatus,
    RoleNotAllowed,
    TransitionNotAllowed,
    plan,
)
from parkops.leases.services.common import (
    LEASING_ROLES,
    contract_snapshot,
    is_system,
    period_range,
    raise_if_errors,
    record_event,
    require_role,
    shanghai_today,
)
from parkops.leases.services.contract_input import check_units, parse_contract
from parkops.leases.services.occupancy import (
    occupy,
    raise_if_conflicts,
    release_expired_holds,
    sync_unit_statuses,
)
from parkops.leases.services.reading import (
    get_contract,
    lease_terms_for,
    line_values,
    lock_contract,
    terms_versions,
)

log = logging.getLogger(__name__)


async def _write_units(db: AsyncSession, contract_id: int, units: list[dict]) -> None:
    await db.execute(
        sa.insert(LeaseContractUnit),
        [
            {
                "contract_id": contract_id,
                "unit_id": u["id"],
                "unit_code": u["code"],
                "gross_area": u["gross_area"],
                "leasable_area": u["leasable_area"],
            }
            for u in units
        ],
    )


async def create_contract(
    db: AsyncSession,
    actor: Actor,
    raw: Mapping[str, Any],
    *,
    submit: bool = False,
    predecessor_id: int | None = None,
    today: date | None = None,
) -> LeaseContract:
    """Create a draft (and submit it at once when ``submit``)."""
    require_role(actor, LEASING_ROLES)
    today = today or shanghai_today()
    data = await parse_contract(db, raw)
    await release_expired_holds(db, actor, today, [u["id"] for u in data.units])
    await raise_if_conflicts(
        db,
        unit_ids=[u["id"] for u in data.units],
        start=data.start,
        end=data.end,
        enterprise_id=data.enterprise_id,
        kind=OccupancyKind.contract,
        today=today,
    )
    contract = LeaseContract(
        park_id=data.park_id,
        enterprise_id=data.enterprise_id,
        status=ContractStatus.draft,
        start_date=data.start,
        end_date=data.end,
        signed_on=data.terms.signed_on,
        purpose=data.purpose,
        purpose_en=data.purpose_en,
        special_terms=data.special_terms,
        language=data.language,
        predecessor_id=predecessor_id,
        created_by=actor_id(actor),
    )
    db.add(contract)
    await db.flush()
    await _write_units(db, contract.id, data.units)  # type: ignore[arg-type]
    db.add(
        LeaseTerms(
            contract_id=contract.id,  # type: ignore[arg-type]
            version=1,
            effective_from=data.start,
            created_by=actor_id(actor),
            **t.row_values(data.terms),
        )
    )
    record_event(db, contract, actor, "create", None, ContractStatus.draft)
    audit.record(
        db,
        actor=actor,
        action="lease_contract_created",
        entity="lease_contract",
        entity_id=contract.id,
        after={
            **contract_snapshot(contract),
            "units": [u["code"] for u in data.units],
            "terms": t.row_values(data.terms),
        },
    )
    await db.flush()
    if submit:
        await transition(db, actor, contract.id, ContractAction.submit, today=today)  # type: ignore[arg-type]
    return contract


async def draft_form_values(
    db: AsyncSession, user: CurrentUser, contract_id: int
) -> dict[str, Any]:
    """A contract's current fields in the shape ``create_contract`` takes (edit forms, PATCH)."""
    contract = await get_contract(db, user, contract_id)
    versions = await terms_versions(db, contract.id)  # type: ignore[arg-type]
    units = await repository.contract_units(db, contract.id)  # type: ignore[arg-type]
    return {
        **t.form_values(t.from_row(versions[0], contract.signed_on)),
        "enterprise_id": contract.enterprise_id,
        "unit_ids": [u["id"] for u in units],
        "start_date": contract.start_date.isoformat(),
        "last_day": last_day_of(contract.end_date).isoformat(),
        "purpose": contract.purpose,
        "purpose_en": contract.purpose_en,
        "special_terms": contract.special_terms,
        "language": contract.language,
    }


async def update_draft(
    db: AsyncSession,
    actor: Actor,
    contract_id: int,
    raw: Mapping[str, Any],
    today: date | None = None,
) -> LeaseContract:
    """Change a draft's enterprise, units, term and terms (version 1 is rewritten: a draft binds
    nobody)."""
    require_role(actor, LEASING_ROLES)
    today = today or shanghai_today()
    contract = await lock_contract(db, contract_id)
    if contract.status != ContractStatus.draft:
        raise Conflict(N_("Only a draft can be edited; an active contract is amended."))
    data = await parse_contract(db, raw, confirmed_term=(contract.start_date, contract.end_date))
    if contract.predecessor_id and data.start != contract.start_date:
        raise ValidationFailed(
            N_("The contract was not saved."),
            field_errors={"start_date": N_("A renewal starts where the contract it renews ends")},
        )
    await raise_if_conflicts(
        db,
        unit_ids=[u["id"] for u in data.units],
        start=data.start,
        end=data.end,
        enterprise_id=data.enterprise_id,
        kind=OccupancyKind.contract,
        today=today,
        exclude_contract_id=contract.id,
    )
    before = contract_snapshot(contract)
    contract.enterprise_id = data.enterprise_id
    contract.park_id = data.park_id
    contract.start_date, contract.end_date = data.start, data.end
    contract.signed_on = data.terms.signed_on
    contract.purpose, contract.purpose_en = data.purpose, data.purpose_en
    contract.special_terms, contract.language = data.special_terms, data.language
    contract.updated_at = utcnow()
    await db.execute(
        sa.delete(LeaseContractUnit).where(LeaseContractUnit.contract_id == contract.id)
    )
    await _write_units(db, contract.id, data.units)  # type: ignore[arg-type]
    await db.execute(
        sa.update(LeaseTerms)
        .where(LeaseTerms.contract_id == contract.id, LeaseTerms.version == 1)
        .values(effective_from=data.start, **t.row_values(data.terms))
    )
    record_event(db, contract, actor, "edit", contract.status, contract.status)
    audit.record(
        db,
        actor=actor,
        action="lease_contract_edited",
        entity="lease_contract",
        entity_id=contract.id,
        before=before,
        after={**contract_snapshot(contract), "units": [u["code"] for u in data.units]},
    )
    await db.flush()
    return contract


async def _next_number(db: AsyncSession, park_id: int, year: int) -> tuple[str, int]:
    """The next number of the park's series for ``year``, from its counter row locked FOR
    UPDATE (created on first use; ON CONFLICT lets two first approvals of a year meet)."""
    await db.execute(
        pg_insert(LeaseNumberCounter)
        .values(park_id=park_id, year=year, last_value=0)
        .on_conflict_do_nothing(index_elements=["park_id", "year"])
    )
    last = await db.scalar(
        sa.select(LeaseNumberCounter.last_value)
        .where(LeaseNumberCounter.park_id == park_id, LeaseNumberCounter.year == year)
        .with_for_update()
    )
    seq = int(last or 0) + 1
    await db.execute(
        sa.update(LeaseNumberCounter)
        .where(LeaseNumberCounter.park_id == park_id, LeaseNumberCounter.year == year)
        .values(last_value=seq)
    )
    prefix = await contract_prefix(db, park_id)
    return f"{prefix}-{year}-{seq:04d}", seq


async def contract_prefix(db: AsyncSession, park_id: int) -> str:
    prefix = await db.scalar(
        sa.select(LeaseParkSettings.contract_prefix).where(LeaseParkSettings.park_id == park_id)
    )
    return prefix or f"P{park_id}"


async def transition(
    db: AsyncSession,
    actor: Actor,
    contract_id: int,
    action: ContractAction | str,
    note: str | None = None,
    today: date | None = None,
) -> LeaseContract:
    """Move a contract through its lifecycle (``workflow.TRANSITIONS``), writing the event."""
    today = today or shanghai_today()
    contract = await lock_contract(db, contract_id)
    try:
        step = plan(
            contract.status,
            action,
            getattr(actor, "roles", frozenset()),
            system=is_system(actor),
        )
    except TransitionNotAllowed as exc:
        raise Conflict(exc.args[0]) from None
    except RoleNotAllowed as exc:
        raise PermissionDenied(exc.args[0]) from None
    if step.action is ContractAction.terminate:
        raise ValidationFailed(N_("Use the termination form: it needs an end date and a reason."))
    note = (note or "").strip() or None
    if step.note_required and not note:
        raise ValidationFailed(
            N_("Say why."), field_errors={"note": N_("A note is required for this action")}
        )
    before = contract_snapshot(contract)
    unit_ids = list(
        (
            await db.execute(
                sa.select(LeaseContractUnit.unit_id).where(
                    LeaseContractUnit.contract_id == contract.id
                )
            )
        ).scalars()
    )
    data: dict[str, Any] = {}
    if step.action is ContractAction.submit:
        await _submit(db, actor, contract, unit_ids, today)
    elif step.action is ContractAction.reject:
        await db.execute(
            sa.delete(LeaseUnitOccupancy).where(LeaseUnitOccupancy.contract_id == contract.id)
        )
    elif step.action is ContractAction.approve:
        data = await _approve(db, actor, contract, unit_ids, today)
    contract.status = step.target
    contract.updated_at = utcnow()
    record_event(db, contract, actor, step.action, step.source, step.target, note, data or None)
    audit.record(
        db,
        actor=actor,
        action=f"lease_contract_{step.action.value}",
        entity="lease_contract",
        entity_id=contract.id,
        before=before,
        after={**contract_snapshot(contract), **({"note": note} if note else {})},
    )
    await db.flush()
    if step.action is ContractAction.approve and contract.predecessor_id:
        await _mark_predecessor_renewed(db, actor, contract, today)
    if step.action in (ContractAction.approve, ContractAction.expire, ContractAction.mark_renewed):
        await sync_unit_statuses(db, actor, unit_ids, today)
    return contract


async def _submit(
    db: AsyncSession, actor: Actor, contract: LeaseContract, unit_ids: list[int], today: date
) -> None:
    errors: dict[str, str] = {}
    await check_units(db, unit_ids, contract.start_date, errors)
    raise_if_errors(N_("The contract cannot be submitted."), errors)
    await release_expired_holds(db, actor, today, unit_ids)
    common = {
        "unit_ids": unit_ids,
        "start": contract.start_date,
        "end": contract.end_date,
        "enterprise_id": contract.enterprise_id,
        "kind": OccupancyKind.contract,
        "today": today,
        "exclude_contract_id": contract.id,
    }
    await raise_if_conflicts(db, **common)
    await occupy(
        db,
        [
            {
                "unit_id": unit_id,
                "enterprise_id": contract.enterprise_id,
                "kind": OccupancyKind.contract.value,
                "period": period_range(contract.start_date, contract.end_date),
                "contract_id": contract.id,
                "active": True,
            }
            for unit_id in unit_ids
        ],
        **common,
    )


async def _approve(
    db: AsyncSession, actor: Actor, contract: LeaseContract, unit_ids: list[int], today: date
) -> dict:
    versions = await terms_versions(db, contract.id)  # type: ignore[arg-type]
    units = await repository.contract_units(db, contract.id)  # type: ignore[arg-type]
    lt = lease_terms_for(contract, versions[0], units)
    lines = sched.compute_schedule(lt)
    number, seq = await _next_number(db, contract.park_id, today.year)
    contract.number, contract.number_year, contract.number_seq = number, today.year, seq
    contract.approved_by = actor_id(actor)
    contract.approved_at = utcnow()
    await db.execute(
        sa.insert(LeaseScheduleLine),
        [{"contract_id": contract.id, **line_values(line, 1)} for line in lines],
    )
    # The enterprise's own holds on these units are consumed by the contract.
    held = sa.select(LeaseUnitOccupancy.reservation_id).where(
        LeaseUnitOccupancy.kind == OccupancyKind.reservation,
        LeaseUnitOccupancy.active.is_(True),
        LeaseUnitOccupancy.enterprise_id == contract.enterprise_id,
        LeaseUnitOccupancy.unit_id.in_(unit_ids),
    )
    converted = list(
        (
            await db.execute(
                sa.update(LeaseReservation)
                .where(
                    LeaseReservation.id.in_(held),
                    LeaseReservation.status == ReservationStatus.active,
                )
                .values(
                    status=ReservationStatus.converted,
                    contract_id=contract.id,
                    closed_at=utcnow(),
                    closed_by=actor_id(actor),
                )
                .returning(LeaseReservation.id)
            )
        ).scalars()
    )
    if converted:
        await db.execute(
            sa.update(LeaseUnitOccupancy)
            .where(LeaseUnitOccupancy.reservation_id.in_(converted))
            .values(active=False)
        )
    await _make_tenant(db, actor, contract.enterprise_id)
    return {"number": number, "schedule_lines": len(lines), "reservations_converted": converted}


async def _make_tenant(db: AsyncSession, actor: Actor, enterprise_id: int) -> None:
    """A prospect (or former tenant) with an approved contract is a tenant (enterprises
    service; its own validation decides, and a refusal does not block the approval)."""
    from parkops.enterprises.services import register as enterprises

    status = await db.scalar(sa.select(Enterprise.status).where(Enterprise.id == enterprise_id))
    if status == "tenant":
        return
    try:
        async with db.begin_nested():
            await enterprises.update_enterprise(db, actor, enterprise_id, {"status": "tenant"})
    except ValidationFailed as exc:
        log.warning("enterprise %s not made a tenant: %s", enterprise_id, exc.field_errors)


async def _mark_predecessor_renewed(
    db: AsyncSession, actor: Actor, contract: LeaseContract, today: date
) -> None:
    old = await lock_contract(db, contract.predecessor_id)  # type: ignore[arg-type]
    try:
        step = plan(old.status, ContractAction.mark_renewed, (), system=True)
    except TransitionNotAllowed as exc:
        raise Conflict(
            Message(
                N_("The contract this one renews cannot be renewed: %(reason)s"),
                reason=exc.args[0],
            )
        ) from None
    before = contract_snapshot(old)
    old.status = step.target
    old.updated_at = utcnow()
    record_event(
        db,
        old,
        actor,
        step.action,
        step.source,
        step.target,
        data={"successor_id": contract.id, "successor_number": contract.number},
    )
    audit.record(
        db,
        actor=actor,
        action="lease_contract_mark_renewed",
        entity="lease_contract",
        entity_id=old.id,
        before=before,
        after=contract_snapshot(old),
    )
    await db.flush()
