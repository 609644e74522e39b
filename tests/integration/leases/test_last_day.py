"""People type and read the inclusive last day of a term ("自2027年1月1日起至2029年12月31日止");
the database and the schedule keep half-open ranges. Forms, pages, the API and the PDF convert at
the edge, so a natural 2027-01-01 .. 2029-12-31 is three whole years, twelve whole quarters."""

from __future__ import annotations

import subprocess
from datetime import date

import sqlalchemy as sa

from parkops.leases import service
from parkops.leases.models import LeaseContract
from parkops.leases.schedule import add_months
from tests.integration.enterprises.factories import create_enterprise
from tests.integration.leases.factories import contract_values, create_units
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

    lines, _frozen = await service.schedule_of(db, contract)
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
