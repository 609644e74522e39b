"""People type and read the inclusive last day of a term ("自2027年1月1日起至2029年12月31日止");
the database and the schedule keep half-open ranges. Forms, pages, the API and the PDF convert at
the edge, so a natural 2027-01-01 .. 2029-12-31 is three whole years, twelve whole quarters."""

from __future__ import annotations

import re
import subprocess
from datetime import date

import sqlalchemy as sa

from parkops.leases.models import LeaseContract, LeaseReservation
from parkops.leases.rules.schedule import add_months
from parkops.leases.services import common, reading
from tests.integration.enterprises.factories import create_enterprise
from tests.integration.leases.factories import contract_values, create_contract, create_units
from tests.support import post_form


def pdf_text(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def contract_form(enterprise_id: int, unit_ids: list[int], **fields: str) -> dict:
    """The new-contract form as a person fills it in (no end or last day of the factory's)."""
    values = {
        k: v
        for k, v in contract_values(enterprise_id, unit_ids).items()
        if k not in ("unit_ids", "end_date", "last_day")
    }
    return {**values, "unit_ids": [str(i) for i in unit_ids], **fields}


async def test_the_form_takes_the_last_day_and_bills_whole_quarters(client, db, login):
    enterprise = await create_enterprise(db)
    units = await create_units(db)
    await login("leasing")
    page = await client.get("/leases/contracts/new")
    assert 'name="last_day"' in page.text and "(exclusive)" not in page.text

    saved = await post_form(
        client,
        "/leases/contracts/new",
        contract_form(enterprise.id, [units[0].id], start_date="2027-01-01", last_day="2029-12-31"),
    )
    assert saved.status_code == 303, saved.text
    contract = (await db.execute(sa.select(LeaseContract))).scalar_one()
    assert contract.end_date == date(2030, 1, 1)  # half-open inside

    lines, _frozen = await reading.schedule_of(db, contract)
    assert len(lines) == 12
    monthly = 18 * 2000 * 100  # 18 元/m²·月 x 2,000 m², in fen
    for k, line in enumerate(lines):
        assert line["period_start"] == add_months(date(2027, 1, 1), 3 * k)
        assert line["period_end"] == add_months(date(2027, 1, 1), 3 * (k + 1))
        assert line["rent_fen"] == 3 * monthly  # no prorated last quarter
    assert lines[-1]["last_day"] == date(2029, 12, 31)

    detail = await client.get(f"/leases/contracts/{contract.id}")
    assert "2027-01-01 – 2029-12-31" in detail.text
    assert "3 years 0 months" in detail.text

    made = await post_form(client, f"/leases/contracts/{contract.id}/pdf", {"language": "zh"})
    assert made.status_code == 303
    pdf = await client.get(f"/api/v1/leases/contracts/{contract.id}/pdf")
    flat = "".join(pdf_text(pdf.content).split())
    assert "自2027年1月1日起至2029年12月31日止，共3年" in flat
    assert "2029-10-01至2029-12-31" in flat  # the last period, whole


async def test_a_term_of_part_months_needs_a_confirmation_without_javascript(client, db, login):
    enterprise = await create_enterprise(db)
    units = await create_units(db)
    await login("leasing")
    # The old habit: the day after the last day. Refused, the length and the fix shown.
    values = contract_form(
        enterprise.id, [units[0].id], start_date="2027-01-01", last_day="2030-01-01"
    )
    refused = await post_form(client, "/leases/contracts/new", values)
    assert refused.status_code == 422
    assert "The term is 3 years 0 months 1 day, not a whole number of months" in refused.text
    assert "2029-12-31 as the last day would make it 3 years 0 months" in refused.text
    assert "3 years 0 months 1 day</output>" in refused.text  # computed by the server
    hidden = re.search(r"<div[^>]*data-partial[^>]*>", refused.text).group(0)
    assert "hidden" not in hidden  # the confirmation is shown, JavaScript or not
    assert 'name="accept_partial_month"' in refused.text
    assert await db.scalar(sa.select(sa.func.count()).select_from(LeaseContract)) == 0

    confirmed = await post_form(
        client, "/leases/contracts/new", {**values, "accept_partial_month": "1"}
    )
    assert confirmed.status_code == 303, confirmed.text
    contract = (await db.execute(sa.select(LeaseContract))).scalar_one()
    assert contract.end_date == date(2030, 1, 2)

    # Editing the draft keeps the confirmed term without asking again; a new odd term asks.
    edit_form = await client.get(f"/leases/contracts/{contract.id}/edit")
    assert 'value="2030-01-01"' in edit_form.text
    kept = await post_form(
        client, f"/leases/contracts/{contract.id}/edit", {**values, "rent_rate": "19"}
    )
    assert kept.status_code == 303, kept.text
    changed = await post_form(
        client, f"/leases/contracts/{contract.id}/edit", {**values, "last_day": "2029-12-30"}
    )
    assert changed.status_code == 422
    assert "2 years 11 months 30 days, not a whole number of months" in changed.text
    fixed = await post_form(
        client, f"/leases/contracts/{contract.id}/edit", {**values, "last_day": "2029-12-31"}
    )
    assert fixed.status_code == 303
    await db.refresh(contract)
    assert contract.end_date == date(2030, 1, 1)


async def test_renewal_termination_holds_and_portal_speak_in_last_days(client, db, login):
    tenant = await create_enterprise(db)
    contract = await create_contract(db, enterprise=tenant, status="active")
    await login("leasing")
    page = await client.get(f"/leases/contracts/{contract.id}/renew")
    assert 'value="2031-12-31"' in page.text  # proposed: as long as the renewed contract
    assert "3 years 0 months</output>" in page.text
    odd = await post_form(
        client, f"/leases/contracts/{contract.id}/renew", {"last_day": "2031-12-30"}
    )
    assert odd.status_code == 422 and "not a whole number of months" in odd.text
    assert 'name="accept_partial_month"' in odd.text

    terminated = await post_form(
        client,
        f"/leases/contracts/{contract.id}/terminate",
        {"last_day": "2026-06-30", "reason": "moving out"},
    )
    assert terminated.status_code == 303
    await db.refresh(contract)
    assert contract.terminated_on == date(2026, 7, 1)  # half-open inside
    detail = await client.get(f"/leases/contracts/{contract.id}")
    assert "Last day of use" in detail.text and "2026-06-30" in detail.text
    assert "2026-07-01" not in detail.text

    prospect = await create_enterprise(db, status="prospect")
    units = await create_units(db)
    held = await post_form(
        client,
        "/leases/reservations/new",
        {
            "enterprise_id": str(prospect.id),
            "unit_ids": [str(units[0].id)],
            "held_until": common.shanghai_today().isoformat(),
            "wanted_until": "2031-03-31",
        },
    )
    assert held.status_code == 303, held.text
    hold = (await db.execute(sa.select(LeaseReservation))).scalar_one()
    assert hold.end_date == date(2031, 4, 1)
    listing = await client.get("/leases/reservations")
    assert "2031-03-31" in listing.text and "2031-04-01" not in listing.text

    await login("enterprise_user", enterprise_id=tenant.id)
    portal = await client.get(f"/portal/contracts/{contract.id}")
    assert "last day 2026-06-30" in portal.text
    mine = await client.get("/portal/contracts")
    assert "2026-01-01 – 2026-06-30" in mine.text
