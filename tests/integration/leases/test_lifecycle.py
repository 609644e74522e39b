"""Contract lifecycle through the service: drafting, submission, approval with numbering and a
frozen schedule, rejection, role and state checks, unit statuses, and bad input that writes
nothing."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from parkops.core.errors import Conflict, PermissionDenied, ValidationFailed
from parkops.inventory.models import Unit
from parkops.leases.models import (
    LeaseContract,
    LeaseContractEvent,
    LeaseContractUnit,
    LeaseScheduleLine,
    LeaseTerms,
    LeaseUnitOccupancy,
)
from parkops.leases.services import park_settings, reading, rollover, writing
from tests.integration.enterprises.factories import create_enterprise
from tests.integration.leases.factories import (
    END,
    TODAY,
    actor,
    contract_values,
    count_rows,
    create_contract,
    create_units,
)

TABLES = (
    LeaseContract,
    LeaseContractUnit,
    LeaseTerms,
    LeaseContractEvent,
    LeaseScheduleLine,
    LeaseUnitOccupancy,
)


async def unit_status(db, unit_id: int) -> str:
    return await db.scalar(sa.select(Unit.status).where(Unit.id == unit_id))


async def test_draft_submit_approve(db):
    leasing = await actor(db, "leasing")
    admin = await actor(db, "park_admin")
    enterprise = await create_enterprise(db, status="prospect")
    units = await create_units(db, 2)
    await park_settings.set_park_settings(db, admin, units[0].park_id, {"contract_prefix": "hx"})

    contract = await writing.create_contract(
        db, leasing, contract_values(enterprise.id, [u.id for u in units]), today=TODAY
    )
    assert contract.status == "draft" and contract.number is None
    view = await reading.contract_view(db, admin, contract.id)
    # 4,000 m² x 18 元 = 72,000 元 a month + 12,000 元 fee: a quarter is 252,000 元.
    assert view["schedule_frozen"] is False
    assert len(view["schedule"]) == 12
    assert view["schedule"][0]["total_fen"] == 252_000_00
    assert view["deposit_fen"] == 144_000_00
    assert await db.scalar(sa.select(sa.func.count()).select_from(LeaseScheduleLine)) == 0

    await writing.transition(db, leasing, contract.id, "submit", today=TODAY)
    assert contract.status == "pending_approval"
    occupancy = (
        await db.execute(
            sa.select(LeaseUnitOccupancy.unit_id, LeaseUnitOccupancy.active).where(
                LeaseUnitOccupancy.contract_id == contract.id
            )
        )
    ).all()
    assert sorted(occupancy) == sorted((u.id, True) for u in units)

    await writing.transition(db, admin, contract.id, "approve", "ok", today=TODAY)
    assert contract.status == "active"
    assert contract.number == "HX-2026-0001"
    assert contract.approved_by == admin.id
    lines = (
        await db.execute(
            sa.select(LeaseScheduleLine.rent_fen, LeaseScheduleLine.property_fee_fen)
            .where(LeaseScheduleLine.contract_id == contract.id)
            .order_by(LeaseScheduleLine.period_start)
        )
    ).all()
    assert len(lines) == 12 and lines[0] == (216_000_00, 36_000_00)
    # Started 2026-01-01, today 2026-03-10: the units are leased now.
    assert [await unit_status(db, u.id) for u in units] == ["leased", "leased"]
    events = (
        await db.execute(
            sa.select(
                LeaseContractEvent.action,
                LeaseContractEvent.from_status,
                LeaseContractEvent.to_status,
                LeaseContractEvent.actor_id,
                LeaseContractEvent.note,
            )
            .where(LeaseContractEvent.contract_id == contract.id)
            .order_by(LeaseContractEvent.id)
        )
    ).all()
    assert events == [
        ("create", None, "draft", leasing.id, None),
        ("submit", "draft", "pending_approval", leasing.id, None),
        ("approve", "pending_approval", "active", admin.id, "ok"),
    ]
    from parkops.enterprises.models import Enterprise

    assert await db.scalar(sa.select(Enterprise.status).where(Enterprise.id == enterprise.id)) == (
        "tenant"
    )


async def test_leasing_officer_cannot_approve_and_nothing_is_written(db):
    leasing = await actor(db, "leasing")
    contract = await create_contract(db, leasing=leasing, status="pending_approval")
    before = await count_rows(db, *TABLES)
    with pytest.raises(PermissionDenied, match="park administrator"):
        await writing.transition(db, leasing, contract.id, "approve", today=TODAY)
    assert await count_rows(db, *TABLES) == before
    await db.refresh(contract)
    assert contract.status == "pending_approval" and contract.number is None


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("draft", "approve"),
        ("draft", "reject"),
        ("pending_approval", "submit"),
        ("active", "submit"),
        ("active", "approve"),
        ("active", "cancel"),
    ],
)
async def test_transitions_the_lifecycle_does_not_allow(db, status, action):
    admin = await actor(db, "park_admin")
    contract = await create_contract(db, admin=admin, status=status)
    before = await count_rows(db, *TABLES)
    with pytest.raises(Conflict, match="cannot be"):
        await writing.transition(db, admin, contract.id, action, "note", today=TODAY)
    assert await count_rows(db, *TABLES) == before
    await db.refresh(contract)
    assert contract.status == status


async def test_reject_needs_a_note_and_frees_the_units(db):
    admin = await actor(db, "park_admin")
    contract = await create_contract(db, status="pending_approval")
    with pytest.raises(ValidationFailed) as info:
        await writing.transition(db, admin, contract.id, "reject", "  ", today=TODAY)
    assert "note" in info.value.field_errors
    await writing.transition(db, admin, contract.id, "reject", "rent too low", today=TODAY)
    assert contract.status == "draft"
    assert (
        await db.scalar(
            sa.select(sa.func.count()).where(LeaseUnitOccupancy.contract_id == contract.id)
        )
        == 0
    )
    # Fixed and submitted again.
    leasing = await actor(db, "leasing")
    await writing.transition(db, leasing, contract.id, "submit", today=TODAY)
    assert contract.status == "pending_approval"


async def test_enterprise_user_cannot_draft(db):
    enterprise = await create_enterprise(db)
    user = await actor(db, "enterprise_user")
    units = await create_units(db)
    before = await count_rows(db, *TABLES)
    with pytest.raises(PermissionDenied):
        await writing.create_contract(db, user, contract_values(enterprise.id, [units[0].id]))
    assert await count_rows(db, *TABLES) == before


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"last_day": "2025-11-30"}, "last_day", "cannot be before the start"),
        ({"last_day": "2025-12-31"}, "last_day", "cannot be before the start"),
        # The old habit, the day after the last day: three years and a day, refused unless
        # confirmed, with the last day that makes whole months.
        ({"last_day": END.isoformat()}, "last_day", "3 years 0 months 1 day, not a whole"),
        ({"last_day": END.isoformat()}, "last_day", "2028-12-31 as the last day"),
        ({"last_day": "2028-12-30"}, "last_day", "2 years 11 months 30 days, not a whole"),
        ({"unit_ids": [999999]}, "unit_ids", "No such unit: 999999"),
        ({"unit_ids": []}, "unit_ids", "at least one unit"),
        ({"rent_free_months": "36"}, "rent_start", "rent-free period"),
        ({"rent_start": "2029-02-01"}, "rent_start", "rent-free period"),
        ({"rent_rate": "-5"}, "rent_rate", "negative"),
        ({"property_fee_rate": "-0.5"}, "property_fee_rate", "negative"),
        ({"deposit_kind": "fixed", "deposit_amount": "-100"}, "deposit_amount", "negative"),
        (
            {"escalation_kind": "percent", "escalation_percent": "120"},
            "escalation_percent",
            "at most 100",
        ),
        ({"late_fee_daily_rate": "0.5"}, "late_fee_daily_rate", "at most"),
        ({"enterprise_id": 999999}, "enterprise_id", "No such enterprise"),
        ({"start_date": "2026-02-30"}, "start_date", "not a date"),
        ({"cycle": "weekly"}, "cycle", "not one of"),
    ],
)
async def test_bad_input_is_refused_and_writes_nothing(db, overrides, field, message):
    leasing = await actor(db, "leasing")
    enterprise = await create_enterprise(db)
    units = await create_units(db)
    values = {**contract_values(enterprise.id, [units[0].id]), **overrides}
    before = await count_rows(db, *TABLES)
    with pytest.raises(ValidationFailed) as info:
        await writing.create_contract(db, leasing, values, today=TODAY)
    assert message in info.value.field_errors.get(field, ""), info.value.field_errors
    assert await count_rows(db, *TABLES) == before


async def test_overlapping_contract_is_refused_naming_unit_and_contract(db):
    units = await create_units(db)
    first = await create_contract(db, units=units, status="active")
    other = await create_enterprise(db)
    leasing = await actor(db, "leasing")
    before = await count_rows(db, *TABLES)
    with pytest.raises(Conflict) as info:
        await writing.create_contract(
            db,
            leasing,
            contract_values(
                other.id, [units[0].id], start_date="2028-12-01", last_day="2029-12-31"
            ),
            today=TODAY,
        )
    message = info.value.field_errors["unit_ids"]
    assert units[0].code in message and first.number in message
    assert await count_rows(db, *TABLES) == before
    # Right after the end (half-open ranges): fine.
    follow_up = await writing.create_contract(
        db,
        leasing,
        contract_values(other.id, [units[0].id], start_date=END.isoformat(), last_day="2029-12-31"),
        submit=True,
        today=TODAY,
    )
    assert follow_up.status == "pending_approval"


async def test_a_draft_does_not_hold_but_submission_checks_again(db):
    units = await create_units(db)
    a = await create_contract(db, units=units)
    b = await create_contract(db, units=units)  # two drafts on one unit: allowed
    leasing = await actor(db, "leasing")
    await writing.transition(db, leasing, a.id, "submit", today=TODAY)
    with pytest.raises(Conflict, match=f"contract draft #{a.id}"):
        await writing.transition(db, leasing, b.id, "submit", today=TODAY)
    await db.refresh(b)
    assert b.status == "draft"


async def test_pre_letting_a_unit_of_a_phase_under_construction(db):
    handover = date(2027, 6, 30)
    units = await create_units(db, phase_status="under_construction", handover_date=handover)
    leasing = await actor(db, "leasing")
    enterprise = await create_enterprise(db)
    with pytest.raises(ValidationFailed) as info:
        await writing.create_contract(
            db, leasing, contract_values(enterprise.id, [units[0].id]), today=TODAY
        )
    assert "2027-06-30" in info.value.field_errors["unit_ids"]
    contract = await create_contract(
        db,
        units=units,
        enterprise=enterprise,
        status="active",
        start_date=handover.isoformat(),
        last_day="2030-06-29",
    )
    assert contract.status == "active"
    # Pre-let, not occupied: reserved until the phase operates and the term has begun.
    assert await unit_status(db, units[0].id) == "reserved"


async def test_unit_without_handover_date_cannot_be_pre_let(db):
    units = await create_units(db, phase_status="planned")
    leasing = await actor(db, "leasing")
    enterprise = await create_enterprise(db)
    with pytest.raises(ValidationFailed, match="not saved") as info:
        await writing.create_contract(
            db, leasing, contract_values(enterprise.id, [units[0].id]), today=TODAY
        )
    assert "hand-over" in info.value.field_errors["unit_ids"]


async def test_contract_starting_later_reserves_the_unit_until_it_starts(db):
    units = await create_units(db)
    contract = await create_contract(
        db, units=units, status="active", start_date="2026-06-01", last_day="2027-05-31"
    )
    assert await unit_status(db, units[0].id) == "reserved"
    result = await rollover.refresh_status(db, "test", today=date(2026, 6, 1))
    assert result["units_changed"] == 1
    assert await unit_status(db, units[0].id) == "leased"
    result = await rollover.refresh_status(db, "test", today=date(2027, 6, 1))
    assert result["contracts_expired"] == 1
    await db.refresh(contract)
    assert contract.status == "expired"
    assert await unit_status(db, units[0].id) == "available"


async def test_cancelled_draft(db):
    leasing = await actor(db, "leasing")
    contract = await create_contract(db, leasing=leasing)
    await writing.transition(db, leasing, contract.id, "cancel", today=TODAY)
    assert contract.status == "cancelled"
    with pytest.raises(Conflict, match="final"):
        await writing.transition(db, leasing, contract.id, "submit", today=TODAY)


async def test_edit_draft_replaces_units_and_terms(db):
    leasing = await actor(db, "leasing")
    units = await create_units(db, 2)
    contract = await create_contract(db, leasing=leasing, units=units[:1])
    values = contract_values(contract.enterprise_id, [units[1].id], rent_rate="20")
    await writing.update_draft(db, leasing, contract.id, values, today=TODAY)
    rows = (
        await db.execute(
            sa.select(LeaseContractUnit.unit_id).where(LeaseContractUnit.contract_id == contract.id)
        )
    ).scalars()
    assert list(rows) == [units[1].id]
    rate = await db.scalar(
        sa.select(LeaseTerms.rent_rate).where(LeaseTerms.contract_id == contract.id)
    )
    assert rate == 20
