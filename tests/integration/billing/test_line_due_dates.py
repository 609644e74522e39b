"""Every charge line keeps its own due date, and late fees accrue per line from it (issue 10).

The contract of the issue: 10,000.00 rent a month due on the 1st, 2026-06-01 to 2027-05-31,
0.05% a day, capped at 10%, approved late, so its first run (September) catches up June to
September on one bill. Each month's rent must accrue late fees from the day after its own due
date, never from the bill's earliest one.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from parkops.billing import reports
from parkops.billing.models import BillLine
from tests.integration.billing.factories import (
    active_contract,
    bills_of,
    lines_of,
    meter,
    pay,
    reading,
    run_month,
    tariff,
)

RENT = 1_000_000  # 10,000.00 yuan


async def late_contract(db, **overrides):
    """The issue's contract, approved on 2026-08-20 (after its start)."""
    values = {
        "start_date": "2026-06-01",
        "last_day": "2027-05-31",
        "rent_basis": "fixed_monthly",
        "rent_rate": "10000",
        "property_fee_rate": "0",
        "cycle": "monthly",
        "due_kind": "day_of_month",
        "due_value": "1",
        "late_fee_daily_rate": "0.0005",
        "late_fee_cap_percent": "10",
        "today": date(2026, 8, 20),
        **overrides,
    }
    return await active_contract(db, **values)


def rent_lines(lines: list[BillLine]) -> list[BillLine]:
    return [ln for ln in lines if ln.charge_type == "rent"]


async def test_a_catch_up_bill_keeps_each_months_due_date(db):
    contract = await late_contract(db)
    await run_month(db, "2026-09", date(2026, 9, 1))
    [bill] = await bills_of(db, contract.id)
    rents = rent_lines(await lines_of(db, bill.id))
    assert [(ln.period_start, ln.due_date, ln.amount_fen) for ln in rents] == [
        (date(2026, 6, 1), date(2026, 6, 1), RENT),
        (date(2026, 7, 1), date(2026, 7, 1), RENT),
        (date(2026, 8, 1), date(2026, 8, 1), RENT),
        (date(2026, 9, 1), date(2026, 9, 1), RENT),
    ]
    assert bill.due_date == date(2026, 6, 1)  # the earliest line's, for sorting and aging only


async def test_late_fees_of_a_catch_up_bill_accrue_per_line_not_from_the_earliest_due_date(db):
    contract = await late_contract(db)
    await run_month(db, "2026-09", date(2026, 9, 1))

    rows = await reports.accrued_late_fees(db, date(2026, 10, 1))
    # 121 + 91 + 60 + 29 days on 10,000.00 each at 0.05%: 1,505.00, not 40,000 x 121 days.
    assert [(r["line_due_date"], r["days"], r["amount_fen"]) for r in rows] == [
        (date(2026, 6, 1), 121, 60_500),
        (date(2026, 7, 1), 91, 45_500),
        (date(2026, 8, 1), 60, 30_000),
        (date(2026, 9, 1), 29, 14_500),
    ]
    assert sum(r["amount_fen"] for r in rows) == 150_500

    # The October run charges exactly that, one late-fee line per overdue line.
    await run_month(db, "2026-10", date(2026, 10, 1))
    september, october = await bills_of(db, contract.id)
    fees = [ln for ln in await lines_of(db, october.id) if ln.charge_type == "late_fee"]
    september_rents = rent_lines(await lines_of(db, september.id))
    assert [(f.source_kind, f.source_id) for f in fees] == [
        ("overdue_line", ln.id) for ln in september_rents
    ]
    assert [f.amount_fen for f in fees] == [60_500, 45_500, 30_000, 14_500]
    assert [f.period_start for f in fees] == [
        date(2026, 6, 2),
        date(2026, 7, 2),
        date(2026, 8, 2),
        date(2026, 9, 2),
    ]
    assert {f.period_end for f in fees} == {date(2026, 10, 1)}
    # October's own rent is due on its own date; the late-fee lines on the utility rule.
    [october_rent] = rent_lines(await lines_of(db, october.id))
    assert october_rent.due_date == date(2026, 10, 1)
    assert {f.due_date for f in fees} == {date(2026, 10, 11)}


async def test_the_cap_is_a_share_of_each_lines_overdue_principal(db):
    await late_contract(db, late_fee_cap_percent="1")  # 100.00 per month's rent
    await run_month(db, "2026-09", date(2026, 9, 1))
    rows = await reports.accrued_late_fees(db, date(2026, 10, 1))
    assert [r["amount_fen"] for r in rows] == [10_000, 10_000, 10_000, 10_000]


async def test_a_partial_payment_pays_the_oldest_due_line_first(db):
    contract = await late_contract(db)
    await run_month(db, "2026-09", date(2026, 9, 1))
    await pay(db, contract.enterprise_id, 1_500_000, date(2026, 9, 10))
    rows = await reports.accrued_late_fees(db, date(2026, 10, 1))
    assert [r["amount_fen"] for r in rows] == [
        50_000,  # June: 2 June to 9 September, 100 days on 10,000.00, then paid
        35_000 + 5_250,  # July: 70 days on 10,000.00, then 21 days on the 5,000.00 still open
        30_000,  # August: 60 days
        14_500,  # September: 29 days
    ]


async def test_utility_lines_are_due_on_their_own_date_and_accrue_from_it(db):
    contract = await late_contract(db)
    unit_id = await db.scalar(
        sa.text("SELECT unit_id FROM lease_contract_units WHERE contract_id = :c"),
        {"c": contract.id},
    )
    await tariff(db, contract.park_id, "electricity", "1.00")
    m = await meter(db, unit=type("U", (), {"id": unit_id})())
    await reading(db, m.id, "2026-08", "1000")
    await run_month(db, "2026-09", date(2026, 9, 1))
    [bill] = await bills_of(db, contract.id)
    [elec] = [ln for ln in await lines_of(db, bill.id) if ln.charge_type == "electricity"]
    assert (elec.amount_fen, elec.due_date) == (100_000, date(2026, 9, 11))  # run date + 10 days

    rows = await reports.accrued_late_fees(db, date(2026, 10, 1))
    [fee] = [r for r in rows if r["line_id"] == elec.id]
    # 12 to 30 September: 19 days on 1,000.00 (not from 2 June, the bill's earliest due date).
    assert (fee["from_date"], fee["days"], fee["amount_fen"]) == (date(2026, 9, 12), 19, 950)


async def _issue_contract(db):
    from tests.integration.leases.factories import actor, create_units

    leasing, admin = await actor(db, "leasing"), await actor(db, "park_admin")
    await late_contract(db, leasing=leasing, admin=admin, units=await create_units(db))


@pytest.mark.slow
def test_the_cli_shows_the_issues_late_fees_of_1505(committed_database_url, tmp_path):
    """The issue's commands, as an operator types them."""
    import asyncio

    from tests.integration.billing.test_processes import _parkops
    from tests.support import with_committed_session

    asyncio.run(with_committed_session(committed_database_url, _issue_contract))
    run = _parkops(committed_database_url, tmp_path, "run", "--month", "2026-09", "--date",
                   "2026-09-01")  # fmt: skip
    assert run.returncode == 0, run.stderr.decode()
    shown = _parkops(committed_database_url, tmp_path, "late-fees", "--as-of", "2026-10-01")
    assert shown.returncode == 0, shown.stderr.decode()
    out = shown.stdout.decode()
    assert "total 1,505.00 yuan" in out, out
    assert "2,420.00" not in out
    for due, days, fee in (
        ("2026-06-01", 121, "605.00"),
        ("2026-07-01", 91, "455.00"),
        ("2026-08-01", 60, "300.00"),
        ("2026-09-01", 29, "145.00"),
    ):
        assert any(due in ln and f"{days} days" in ln and fee in ln for ln in out.splitlines())


async def _with_electricity(db):
    contract = await late_contract(db)
    unit_id = await db.scalar(
        sa.text("SELECT unit_id FROM lease_contract_units WHERE contract_id = :c"),
        {"c": contract.id},
    )
    await tariff(db, contract.park_id, "electricity", "1.00")
    m = await meter(db, unit=type("U", (), {"id": unit_id})())
    await reading(db, m.id, "2026-08", "1000")
    await run_month(db, "2026-09", date(2026, 9, 1))
    [bill] = await bills_of(db, contract.id)
    return contract, bill


async def test_bill_pages_show_each_lines_due_date(db, client, login):
    contract, bill = await _with_electricity(db)
    dues = ["2026-06-01", "2026-07-01", "2026-08-01", "2026-09-01", "2026-09-11"]
    await login("finance")
    staff = (await client.get(f"/billing/bills/{bill.id}")).text
    await login("enterprise_user", enterprise_id=contract.enterprise_id)
    portal = (await client.get(f"/portal/bills/{bill.id}")).text
    for page in (staff, portal):
        assert [d for d in dues if f'<td class="nowrap due">{d}</td>' in page] == dues
        assert "2026-06-01 to 2026-09-11 (see each line)" in page  # the bill's own "Due"


async def test_the_notice_and_the_dunning_letter_show_each_lines_due_date(db):
    import shutil

    from parkops.billing import pdf
    from parkops.documents.render import render_pdf
    from tests.integration.billing.test_human_labels import pdf_text

    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils is not installed")
    contract, bill = await _with_electricity(db)
    notice = await pdf.notice_context(db, bill.id)
    assert [ln.due_date for ln in notice.lines] == [
        date(2026, 6, 1),
        date(2026, 7, 1),
        date(2026, 8, 1),
        date(2026, 9, 1),
        date(2026, 6, 1),  # property fee lines (zero here) follow the rent lines
        date(2026, 7, 1),
        date(2026, 8, 1),
        date(2026, 9, 1),
        date(2026, 9, 11),
    ]
    text = "".join(pdf_text(render_pdf("billing_notice", notice).pdf).split())
    assert "应付日" in text and "2026年9月11日" in text and "各项费用的应付日见下表" in text
    assert "最迟付款日" not in text  # one date for the whole bill would be wrong

    await pay(db, contract.enterprise_id, 1_500_000, date(2026, 9, 10))
    letter = await pdf.dunning_context(db, contract.id, date(2026, 10, 1))
    # June is paid; 5,000.00 of July is left (oldest due line first), then August, September
    # and the electricity, each with its own due date and days overdue.
    assert [(ln.charge, ln.due_date, ln.days_overdue, ln.open_fen) for ln in letter.lines] == [
        ("租金", date(2026, 7, 1), 92, 500_000),
        ("租金", date(2026, 8, 1), 61, 1_000_000),
        ("租金", date(2026, 9, 1), 30, 1_000_000),
        ("电费", date(2026, 9, 11), 20, 100_000),
    ]
    assert letter.overdue_fen == 2_600_000
    text = "".join(pdf_text(render_pdf("billing_dunning", letter).pdf).split())
    assert "2026年9月11日" in text and "26,000.00" in text


async def test_a_correction_credit_note_takes_its_own_period_off_not_the_oldest(db):
    from parkops.billing import corrections
    from parkops.leases.services import terminations
    from tests.integration.leases.factories import actor

    leasing = await actor(db, "leasing")
    contract = await late_contract(db, leasing=leasing)
    await run_month(db, "2026-09", date(2026, 9, 1))
    # The tenant leaves on 31 August: September, billed and unpaid, is credited on its bill.
    await terminations.terminate(
        db, leasing, contract.id, {"last_day": "2026-08-31", "reason": "moving out"},
        today=date(2026, 9, 5),
    )  # fmt: skip
    await corrections.apply(db, "test", contract.id)
    rows = await reports.accrued_late_fees(db, date(2026, 10, 1))
    assert [(r["line_due_date"], r["amount_fen"]) for r in rows] == [
        (date(2026, 6, 1), 60_500),
        (date(2026, 7, 1), 45_500),
        (date(2026, 8, 1), 30_000),
    ]
