"""Meters, readings, tariffs and utility lines of the billing run, common-area shares (公摊)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from parkops.billing import meters
from parkops.billing.models import Bill, BillingRun, MeterReading, Tariff
from parkops.core.errors import ValidationFailed
from tests.integration.billing.factories import (
    active_contract,
    bills_of,
    create_units,
    lines_of,
    meter,
    reading,
    run_month,
    tariff,
)
from tests.integration.leases.factories import actor


async def _count(db, model) -> int:
    return await db.scalar(sa.select(sa.func.count()).select_from(model))


async def test_a_lower_reading_is_refused_unless_the_meter_was_replaced(db):
    [unit] = await create_units(db, 1)
    m = await meter(db, unit=unit, initial_reading="100")
    await reading(db, m.id, "2026-01", "350.5")
    before = await _count(db, MeterReading)
    with pytest.raises(ValidationFailed) as exc:
        await reading(db, m.id, "2026-02", "200")
    assert "lower than the previous reading 350.50" in exc.value.field_errors["value"]
    assert await _count(db, MeterReading) == before
    with pytest.raises(ValidationFailed) as exc:
        await reading(db, m.id, "2026-02", "20", replaced="1", old_final_value="400")
    assert "new_start_value" in exc.value.field_errors
    replaced = await reading(
        db, m.id, "2026-02", "20", replaced="1", old_final_value="400", new_start_value="0"
    )
    assert replaced.consumption == Decimal("69.50")  # 49.5 on the old meter + 20 on the new
    with pytest.raises(ValidationFailed, match="not recorded"):
        await reading(db, m.id, "2026-01", "500")  # an earlier month than the latest
    assert await _count(db, MeterReading) == before + 1


async def test_an_unusual_jump_is_flagged_and_waits_for_confirmation(db):
    c = await active_contract(db, start_date="2025-07-01")
    unit_id = (
        await db.execute(
            sa.text(f"SELECT unit_id FROM lease_contract_units WHERE contract_id = {c.id}")
        )
    ).scalar()
    await tariff(db, c.park_id)
    m = await meter(db, unit=type("U", (), {"id": unit_id})())
    for month, value in (("2025-10", "100"), ("2025-11", "200"), ("2025-12", "1000")):
        r = await reading(db, m.id, month, value)
    assert r.flagged and "more than 3x" in r.flag_reason
    await run_month(db, "2026-01", date(2026, 1, 2))
    [bill] = await bills_of(db, c.id)
    assert [ln.charge_type for ln in await lines_of(db, bill.id)].count("electricity") == 2
    await meters.confirm_reading(db, "test", r.id)
    await run_month(db, "2026-02", date(2026, 2, 1))
    feb = (await bills_of(db, c.id))[-1]
    [elec] = [ln for ln in await lines_of(db, feb.id) if ln.charge_type == "electricity"]
    assert elec.source_id == r.id and elec.quantity == Decimal("800")
    assert elec.amount_fen == 800 * 80


async def test_unit_and_common_meters_are_billed_with_shares_by_leased_area(db):
    leasing, admin = await actor(db, "leasing"), await actor(db, "park_admin")
    u1, u2, vacant = await create_units(db, 3)
    await db.execute(
        sa.text(f"UPDATE units SET gross_area = 1000, leasable_area = 900 WHERE id = {u2.id}")
    )
    a = await active_contract(db, leasing=leasing, admin=admin, units=[u1])
    b = await active_contract(db, leasing=leasing, admin=admin, units=[u2])
    await tariff(db, a.park_id, "electricity", "0.8")
    await tariff(db, a.park_id, "water", "4.1", tiers="10=3.5; *=5")
    e1 = await meter(db, unit=u1)
    w1 = await meter(db, unit=u1, kind="water")
    await meter(db, unit=vacant)
    common = await meter(db, building_id=u1.building_id, multiplier="10")
    await reading(db, e1.id, "2026-01", "1234.5")
    await reading(db, w1.id, "2026-01", "15")
    await reading(db, common.id, "2026-01", "300")  # x10 = 3,000 kWh for the building
    await run_month(db, "2026-02", date(2026, 2, 2))

    [bill_a] = await bills_of(db, a.id)
    lines = {ln.charge_type: ln for ln in await lines_of(db, bill_a.id)}
    assert lines["electricity"].amount_fen == 98_760  # 1,234.5 kWh x 0.80
    assert lines["water"].amount_fen == 10 * 350 + 5 * 500  # tiered: 10 m³ at 3.50, 5 at 5.00
    # 3,000 kWh shared 2,000 : 1,000 m² (the vacant unit takes no share) -> 2,000 kWh
    share = lines["common_electricity"]
    assert share.quantity == Decimal("2000.0000") and share.amount_fen == 160_000
    assert "66.6667%" in share.description
    [bill_b] = await bills_of(db, b.id)
    [share_b] = [
        ln for ln in await lines_of(db, bill_b.id) if ln.charge_type == "common_electricity"
    ]
    assert share_b.amount_fen == 80_000
    assert bill_a.total_fen == sum(ln.amount_fen for ln in lines.values())


async def test_common_area_shares_of_three_equal_tenants_add_up_to_the_whole(db):
    """Issue 10: 100.00 over three equal tenants was 3 x 33.33 = 99.99, 700.00 water 699.99."""
    leasing, admin = await actor(db, "leasing"), await actor(db, "park_admin")
    units = await create_units(db, 3)
    contracts = [await active_contract(db, leasing=leasing, admin=admin, units=[u]) for u in units]
    park_id = contracts[0].park_id
    await tariff(db, park_id, "electricity", "1.00")
    await tariff(db, park_id, "water", "4.00")
    electricity = await meter(db, building_id=units[0].building_id)
    water = await meter(db, building_id=units[0].building_id, kind="water")
    await reading(db, electricity.id, "2026-01", "100")  # 100 kWh x 1.00 = 100.00
    await reading(db, water.id, "2026-01", "175")  # 175 m³ x 4.00 = 700.00
    await run_month(db, "2026-02", date(2026, 2, 2))

    shares: dict[str, list[int]] = {"common_electricity": [], "common_water": []}
    for c in contracts:  # in contract id order
        [bill] = await bills_of(db, c.id)
        for ln in await lines_of(db, bill.id):
            if ln.charge_type in shares:
                shares[ln.charge_type].append(ln.amount_fen)
    assert shares["common_electricity"] == [3_334, 3_333, 3_333]
    assert shares["common_water"] == [23_334, 23_333, 23_333]


async def test_a_run_with_readings_and_no_tariff_is_refused(db):
    c = await active_contract(db)
    unit_id = (
        await db.execute(
            sa.text(f"SELECT unit_id FROM lease_contract_units WHERE contract_id = {c.id}")
        )
    ).scalar()
    m = await meter(db, unit=type("U", (), {"id": unit_id})())
    await reading(db, m.id, "2025-12", "10")
    with pytest.raises(ValidationFailed) as exc:
        await run_month(db, "2026-01", date(2026, 1, 2))
    assert "No tariff is in force for: electricity in" in exc.value.field_errors["month"]
    assert await _count(db, Bill) == 0 and await _count(db, BillingRun) == 0
    await tariff(db, c.park_id, valid_from="2026-01-01")  # in force from January only
    with pytest.raises(ValidationFailed, match="not started"):
        await run_month(db, "2026-01", date(2026, 1, 2))
    assert await _count(db, Bill) == 0


async def test_overlapping_tariffs_are_refused(db):
    c = await active_contract(db)
    await tariff(db, c.park_id, valid_from="2025-01-01", last_day="2025-12-31")
    await tariff(db, c.park_id, valid_from="2026-01-01")
    before = await _count(db, Tariff)
    with pytest.raises(ValidationFailed) as exc:
        await tariff(db, c.park_id, valid_from="2025-06-01", last_day="2025-06-30")
    assert "in force" in exc.value.field_errors["valid_from"]
    with pytest.raises(ValidationFailed) as exc:
        await tariff(db, c.park_id, tiers="100=0.5; 50=0.6; *=1")
    assert "tiers" in exc.value.field_errors
    assert await _count(db, Tariff) == before


async def _common_share_total(db, reading_id: int) -> int:
    return await db.scalar(
        sa.text(
            "SELECT COALESCE(sum(amount_fen), 0) FROM billing_bill_lines "
            "WHERE source_kind = 'common_share' AND source_id = :r"
        ),
        {"r": reading_id},
    )


async def test_a_common_reading_is_divided_once_even_when_a_contract_is_approved_later(db):
    """Found by the billing oracle: a contract approved after a common reading was shared out
    was charged a share of it again on its catch-up bill, so the building's 100.00 was billed
    as 150.00. The reading is divided once, over the contracts the first run found."""
    from tests.integration.leases.factories import create_contract

    leasing, admin = await actor(db, "leasing"), await actor(db, "park_admin")
    u1, u2 = await create_units(db, 2)
    values = {"start_date": "2026-01-01", "last_day": "2026-12-31"}
    await active_contract(db, leasing=leasing, admin=admin, units=[u1], **values)
    late = await create_contract(db, leasing=leasing, units=[u2], status="pending_approval",
                                 **values)  # fmt: skip
    await tariff(db, late.park_id, "electricity", "1.00")
    common = await meter(db, building_id=u1.building_id)
    january = await reading(db, common.id, "2026-01", "100")  # 100.00 for the building
    await run_month(db, "2026-02", date(2026, 2, 2))
    assert await _common_share_total(db, january.id) == 10_000

    from parkops.leases.services import writing

    await writing.transition(db, admin, late.id, "approve", today=date(2026, 2, 20))
    await run_month(db, "2026-03", date(2026, 3, 2))
    assert await _common_share_total(db, january.id) == 10_000


async def test_a_rerun_month_does_not_divide_a_common_reading_again(db):
    """A second run of the same month after another contract became binding bills that
    contract's own lines, never a second division of a reading already shared out."""
    from tests.integration.leases.factories import create_contract

    leasing, admin = await actor(db, "leasing"), await actor(db, "park_admin")
    u1, u2 = await create_units(db, 2)
    values = {"start_date": "2026-01-01", "last_day": "2026-12-31"}
    await active_contract(db, leasing=leasing, admin=admin, units=[u1], **values)
    late = await create_contract(db, leasing=leasing, units=[u2], status="pending_approval",
                                 **values)  # fmt: skip
    await tariff(db, late.park_id, "electricity", "1.00")
    common = await meter(db, building_id=u1.building_id)
    january = await reading(db, common.id, "2026-01", "100")
    await run_month(db, "2026-02", date(2026, 2, 2))

    from parkops.leases.services import writing

    await writing.transition(db, admin, late.id, "approve", today=date(2026, 2, 3))
    await run_month(db, "2026-02", date(2026, 2, 3))
    assert await _common_share_total(db, january.id) == 10_000
    [bill] = await bills_of(db, late.id)
    assert bill.total_fen > 0  # its rent was billed on the re-run
