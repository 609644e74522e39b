"""Amendments keep the lines of periods already started, renewals continue a contract, and a
termination cuts the schedule and states the settlement."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from parkops.core.errors import Conflict, ValidationFailed
from parkops.inventory.models import Unit
from parkops.leases.models import (
    LeaseContract,
    LeaseContractEvent,
    LeaseScheduleLine,
    LeaseTermination,
    LeaseTerms,
    LeaseUnitOccupancy,
)
from parkops.leases.services import amendments, renewal, terminations, writing
from tests.integration.leases.factories import (
    TODAY,
    actor,
    count_rows,
    create_contract,
    create_units,
)

TABLES = (LeaseContract, LeaseTerms, LeaseScheduleLine, LeaseContractEvent, LeaseTermination)


async def lines(db, contract_id: int, *, current: bool = True) -> list:
    stmt = sa.select(
        LeaseScheduleLine.id,
        LeaseScheduleLine.period_start,
        LeaseScheduleLine.period_end,
        LeaseScheduleLine.rent_fen,
        LeaseScheduleLine.property_fee_fen,
        LeaseScheduleLine.terms_version,
        LeaseScheduleLine.superseded_at,
    ).where(LeaseScheduleLine.contract_id == contract_id)
    if current:
        stmt = stmt.where(LeaseScheduleLine.superseded_at.is_(None))
    return (
        await db.execute(stmt.order_by(LeaseScheduleLine.period_start, LeaseScheduleLine.id))
    ).all()


async def test_amendment_keeps_started_periods_and_recomputes_later_ones(db):
    leasing = await actor(db, "leasing")
    contract = await create_contract(db, leasing=leasing, status="active")  # 2,000 m², quarterly
    original = await lines(db, contract.id)
    assert len(original) == 12

    # From 2026-05-15: the quarter 04-01..07-01 has started, it stays at 18 元.
    await amendments.amend_terms(
        db,
        leasing,
        contract.id,
        {"effective_from": "2026-05-15", "rent_rate": "20", "note": "market review"},
        today=TODAY,
    )
    after = await lines(db, contract.id)
    assert len(after) == 12
    assert after[:2] == original[:2]  # same rows (ids), same amounts
    assert after[1].period_start == date(2026, 4, 1)
    assert all(line.terms_version == 2 for line in after[2:])
    # 2,000 m² x 20 元 x 3 months = 120,000 元 rent a quarter; the fee is unchanged.
    assert {line.rent_fen for line in after[2:]} == {120_000_00}
    assert {line.property_fee_fen for line in after} == {18_000_00}
    old = await lines(db, contract.id, current=False)
    superseded = [line for line in old if line.superseded_at is not None]
    assert [line.id for line in superseded] == [line.id for line in original[2:]]
    versions = (
        await db.execute(
            sa.select(LeaseTerms.version, LeaseTerms.effective_from, LeaseTerms.rent_rate)
            .where(LeaseTerms.contract_id == contract.id)
            .order_by(LeaseTerms.version)
        )
    ).all()
    assert [(v, str(d), int(r)) for v, d, r in versions] == [
        (1, "2026-01-01", 18),
        (2, "2026-05-15", 20),
    ]


async def test_bad_amendments_write_nothing(db):
    leasing = await actor(db, "leasing")
    contract = await create_contract(db, leasing=leasing, status="active")
    before = await count_rows(db, *TABLES)
    for raw, field in [
        ({"effective_from": "2030-01-01", "rent_rate": "20"}, "effective_from"),
        ({"effective_from": "2026-01-01", "rent_rate": "20"}, "effective_from"),
        ({"effective_from": "2026-05-15", "rent_rate": "-1"}, "rent_rate"),
        ({"effective_from": "2026-05-15", "cycle": "monthly"}, "cycle"),
        ({"rent_rate": "20"}, "effective_from"),
    ]:
        with pytest.raises(ValidationFailed) as info:
            await amendments.amend_terms(db, leasing, contract.id, raw, today=TODAY)
        assert field in info.value.field_errors
    assert await count_rows(db, *TABLES) == before
    draft = await create_contract(db, leasing=leasing)
    with pytest.raises(Conflict, match="Only an active contract"):
        await amendments.amend_terms(
            db, leasing, draft.id, {"effective_from": "2026-05-15", "rent_rate": "20"}
        )


async def test_renewal_drafts_a_successor_and_approval_marks_the_old_one_renewed(db):
    leasing = await actor(db, "leasing")
    admin = await actor(db, "park_admin")
    units = await create_units(db)
    old = await create_contract(
        db,
        leasing=leasing,
        admin=admin,
        units=units,
        status="active",
        escalation_kind="percent",
        escalation_percent="5",
    )
    successor = await renewal.renew(db, leasing, old.id, {"increase_percent": "3"}, today=TODAY)
    assert successor.status == "draft" and successor.predecessor_id == old.id
    assert successor.start_date == old.end_date == date(2029, 1, 1)  # the day after 2028-12-31
    assert successor.end_date == date(2032, 1, 1)  # the same three years
    terms = (
        await db.execute(sa.select(LeaseTerms).where(LeaseTerms.contract_id == successor.id))
    ).scalar_one()
    # 18 x 1.05² = 19.845 in year 3, then +3% = 20.44035 -> 20.4404 (four decimals).
    assert str(terms.rent_rate) == "20.4404"
    assert terms.escalation == {
        "kind": "percent",
        "percent": "5",
        "from_year": 2,
        "max_increases": None,
        "anchor": "start",
    }
    with pytest.raises(Conflict, match="already has a renewal"):
        await renewal.renew(db, leasing, old.id, {}, today=TODAY)

    await writing.transition(db, leasing, successor.id, "submit", today=TODAY)
    await writing.transition(db, admin, successor.id, "approve", today=TODAY)
    await db.refresh(old)
    assert old.status == "renewed"
    assert successor.number == f"P{old.park_id}-2026-0002"
    unit = await db.scalar(sa.select(Unit.status).where(Unit.id == units[0].id))
    assert unit == "leased"
    actions = (
        await db.execute(
            sa.select(LeaseContractEvent.action)
            .where(LeaseContractEvent.contract_id == old.id)
            .order_by(LeaseContractEvent.id)
        )
    ).scalars()
    assert list(actions)[-2:] == ["renewal_drafted", "mark_renewed"]


async def test_termination_cuts_the_schedule_and_states_the_settlement(db):
    leasing = await actor(db, "leasing")
    units = await create_units(db)
    contract = await create_contract(db, leasing=leasing, units=units, status="active")
    today = date(2026, 5, 20)
    termination = await terminations.terminate(
        db,
        leasing,
        contract.id,
        {"last_day": "2026-05-15", "reason": "moved to a larger workshop"},
        today=today,
    )
    # Deposit: 2 months x 36,000 元 = 72,000 元. Charges: Q1 108,000 + 18,000; then
    # 04-01..05-16 = April + 15/31 of May: 36,000 + 17,419.35 rent, 6,000 + 2,903.23 fee.
    assert termination.deposit_held_fen == 72_000_00
    q1 = 126_000_00
    cut = 36_000_00 + 17_419_35 + 6_000_00 + 2_903_23
    assert termination.charges_due_fen == q1 + cut
    assert termination.balance_fen == 72_000_00 - (q1 + cut)
    assert termination.statement["last_day"] == "2026-05-15"
    assert [line["period_last_day"] for line in termination.statement["lines"]] == [
        "2026-03-31",
        "2026-05-15",
    ]
    # Half-open inside: the contract ends (exclusive) on the day after the last day of use.
    assert contract.status == "terminated" and contract.terminated_on == date(2026, 5, 16)
    current = await lines(db, contract.id)
    assert [(line.period_start, line.period_end) for line in current] == [
        (date(2026, 1, 1), date(2026, 4, 1)),
        (date(2026, 4, 1), date(2026, 5, 16)),
    ]
    period = await db.scalar(
        sa.select(sa.func.upper(LeaseUnitOccupancy.period)).where(
            LeaseUnitOccupancy.contract_id == contract.id
        )
    )
    assert period == date(2026, 5, 16)
    assert await db.scalar(sa.select(Unit.status).where(Unit.id == units[0].id)) == "available"
    # The unit can be let again from the day after the last day of use.
    again = await create_contract(
        db, units=units, status="pending_approval", start_date="2026-05-16", last_day="2027-05-15"
    )
    assert again.status == "pending_approval"


async def test_bad_terminations_write_nothing(db):
    leasing = await actor(db, "leasing")
    contract = await create_contract(db, leasing=leasing, status="active")
    before = await count_rows(db, *TABLES)
    for raw, field in [
        ({"last_day": "2028-12-31", "reason": "x"}, "last_day"),  # the contract's own last day
        ({"last_day": "2025-12-31", "reason": "x"}, "last_day"),  # before the start
        ({"last_day": "2026-05-15", "reason": ""}, "reason"),
        ({"reason": "x"}, "last_day"),
    ]:
        with pytest.raises(ValidationFailed) as info:
            await terminations.terminate(db, leasing, contract.id, raw, today=TODAY)
        assert field in info.value.field_errors
    assert await count_rows(db, *TABLES) == before
    draft = await create_contract(db, leasing=leasing)
    with pytest.raises(Conflict):
        await terminations.terminate(
            db, leasing, draft.id, {"last_day": "2026-05-15", "reason": "x"}
        )


async def test_a_termination_before_the_signing_date_is_a_field_error_that_writes_nothing(db):
    """Issue 10: a contract signed after its start (2026-03-10, start 2026-01-01) ended on a
    last day before its signing date cannot be settled (nothing is due before signing); it was a
    ValueError from the schedule (a 500), it is a field error on the last day."""
    leasing = await actor(db, "leasing")
    contract = await create_contract(db, leasing=leasing, status="active", signed_on="2026-03-10")
    before = await count_rows(db, *TABLES)
    with pytest.raises(ValidationFailed) as info:
        await terminations.terminate(
            db, leasing, contract.id, {"last_day": "2026-02-15", "reason": "x"}, today=TODAY
        )
    assert "last_day" in info.value.field_errors
    assert await count_rows(db, *TABLES) == before
    assert contract.status == "active" and contract.terminated_on is None


async def test_a_termination_inside_the_rent_free_months_charges_the_fee_of_the_days_used(db):
    """Found by the billing oracle: a contract ended inside its rent-free months (three, from
    2026-01-01; last day of use 2026-02-15) owes no rent and the property fee of the days it
    used: January whole, 15/28 of February (18,000.00 x ... at 3 元 x 2,000 m²)."""
    leasing = await actor(db, "leasing")
    contract = await create_contract(
        db, leasing=leasing, status="active", rent_free_months="3", cycle="quarterly"
    )
    termination = await terminations.terminate(
        db, leasing, contract.id, {"last_day": "2026-02-15", "reason": "plans changed"},
        today=date(2026, 2, 16),
    )  # fmt: skip
    fee = 6_000_00 + 3_214_29  # 6,000.00 x 15/28 = 3,214.2857...
    assert [(ln.period_start, ln.period_end, ln.rent_fen, ln.property_fee_fen)
            for ln in await lines(db, contract.id)] == [
        (date(2026, 1, 1), date(2026, 2, 16), 0, fee)
    ]  # fmt: skip
    assert termination.charges_due_fen == fee


async def test_an_amendment_keeps_the_signing_date_as_the_floor_of_due_dates(db):
    """Found by the billing oracle: a contract signed after its start (2026-02-10, start
    2026-01-01, monthly, due on the first day) has nothing due before signing; a rent review
    from February recomputed February's line as due on 02-01, before the contract was signed."""
    leasing = await actor(db, "leasing")
    contract = await create_contract(
        db, leasing=leasing, status="active", cycle="monthly", signed_on="2026-02-10",
        today=date(2026, 2, 10),
    )  # fmt: skip
    due = sa.select(LeaseScheduleLine.period_start, LeaseScheduleLine.due_date).where(
        LeaseScheduleLine.contract_id == contract.id, LeaseScheduleLine.superseded_at.is_(None)
    )
    before = (await db.execute(due.order_by(LeaseScheduleLine.period_start))).all()
    assert before[:3] == [
        (date(2026, 1, 1), date(2026, 2, 10)),
        (date(2026, 2, 1), date(2026, 2, 10)),
        (date(2026, 3, 1), date(2026, 3, 1)),
    ]
    await amendments.amend_terms(
        db, leasing, contract.id, {"effective_from": "2026-02-01", "rent_rate": "20"},
        today=date(2026, 2, 10),
    )  # fmt: skip
    after = (await db.execute(due.order_by(LeaseScheduleLine.period_start))).all()
    assert after[:3] == before[:3]
