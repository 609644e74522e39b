"""The billing pages, the portal and the API over HTTP (the request transaction is the test's)."""

from __future__ import annotations

import secrets
from datetime import date

import sqlalchemy as sa

from parkops.billing import run as billing_run
from parkops.billing.models import Bill, BillingRun, Payment, PaymentSlip
from parkops.billing.rules.run_plan import add_months, month_start
from tests.integration.billing.factories import active_contract, bills_of, create_units, run_month
from tests.support import csrf, post_form, run_queued_jobs

QUARTER = 12_600_000
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"


async def test_finance_starts_a_run_and_follows_its_progress(client, db, login, test_settings):
    await login("finance")
    c = await active_contract(db)
    month = month_start(billing_run.shanghai_today())
    # a contract with a line due this month: amend nothing, just bill its catch-up lines
    page = await client.get("/billing")
    assert page.status_code == 200 and "Start a billing run" in page.text
    bad = await post_form(client, "/billing/runs", {"month": "2026-13"})
    assert bad.status_code == 422 and "is not a month like" in bad.text
    assert await db.scalar(sa.select(sa.func.count()).select_from(BillingRun)) == 0
    too_far = await post_form(
        client, "/billing/runs", {"month": add_months(month, 2).strftime("%Y-%m")}
    )
    assert too_far.status_code == 422

    response = await post_form(client, "/billing/runs", {"month": month.strftime("%Y-%m")})
    assert response.status_code == 303
    run_id = int(response.headers["location"].rsplit("/", 1)[1])
    queued = (await client.get(f"/billing/runs/{run_id}/status")).json()
    assert queued["state"] != "completed"  # a worker writes the bills, not the request
    assert await run_queued_jobs(db, test_settings) == ["billing.run"]
    status = (await client.get(f"/billing/runs/{run_id}/status")).json()
    assert status["state"] == "completed" and status["finished"] is True
    assert status["bills_created"] == len(await bills_of(db, c.id)) >= 1
    run_page = await client.get(f"/billing/runs/{run_id}")
    assert 'data-status-url="/billing/runs/' in run_page.text
    assert "/static/js/billing.js" in run_page.text and "<script>" not in run_page.text


async def test_payment_form_records_once_and_shows_allocations(client, db, login):
    await login("finance")
    c = await active_contract(db)
    await run_month(db, "2026-01", date(2026, 1, 2))
    [bill] = await bills_of(db, c.id)
    form = await client.get(f"/billing/payments/new?enterprise_id={c.enterprise_id}")
    assert form.status_code == 200 and f"alloc_{bill.id}" in form.text
    key = secrets.token_urlsafe(16)
    data = {
        "enterprise_id": c.enterprise_id,
        "amount": "100000",
        "method": "bank_transfer",
        "received_on": "2026-01-05",
        "reference": "BOC-1",
        "idempotency_key": key,
    }
    first = await post_form(client, "/billing/payments/new", data)
    second = await post_form(client, "/billing/payments/new", data)  # double submission
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert await db.scalar(sa.select(sa.func.count()).select_from(Payment)) == 1
    detail = await client.get(first.headers["location"])
    assert "ZD-202601-" in detail.text and "100,000.00" in detail.text

    zero = await post_form(
        client,
        "/billing/payments/new",
        {**data, "amount": "0", "idempotency_key": secrets.token_urlsafe(16)},
    )
    assert zero.status_code == 422 and "more than zero" in zero.text
    over = await post_form(
        client,
        "/billing/payments/new",
        {
            **data,
            "amount": "999999",
            "idempotency_key": secrets.token_urlsafe(16),
            f"alloc_{bill.id}": "999999",
        },
    )
    assert over.status_code == 422 and "more than the" in over.text
    assert await db.scalar(sa.select(sa.func.count()).select_from(Payment)) == 1


async def test_bill_pages_and_voiding_a_paid_bill(client, db, login):
    await login("finance")
    c = await active_contract(db)
    await run_month(db, "2026-01", date(2026, 1, 2))
    [bill] = await bills_of(db, c.id)
    listing = await client.get("/billing/bills?month=2026-01")
    assert listing.status_code == 200 and service_number(bill) in listing.text
    detail = await client.get(f"/billing/bills/{bill.id}")
    assert detail.status_code == 200 and "108,000.00" in detail.text
    await _pay(db, c.enterprise_id, QUARTER)
    refused = await post_form(client, f"/billing/bills/{bill.id}/void", {"reason": "oops"})
    assert refused.status_code == 303
    assert (await db.get(Bill, bill.id, populate_existing=True)).status == "paid"
    follow = await client.get(refused.headers["location"])
    assert "paid bill cannot be voided" in follow.text


def service_number(bill) -> str:
    from parkops.billing.service import bill_number

    return bill_number(bill.id, bill.run_month)


async def _pay(db, enterprise_id, amount):
    from tests.integration.billing.factories import pay

    return await pay(db, enterprise_id, amount, date(2026, 1, 2))


async def test_enterprise_users_see_their_bills_only_and_report_a_payment(client, db, login):
    c = await active_contract(db)
    other = await active_contract(db)
    await run_month(db, "2026-01", date(2026, 1, 2))
    [mine] = await bills_of(db, c.id)
    [theirs] = await bills_of(db, other.id)
    await login("enterprise_user", enterprise_id=c.enterprise_id)
    page = await client.get("/portal/bills")
    assert page.status_code == 200 and service_number(mine) in page.text
    assert service_number(theirs) not in page.text
    assert (await client.get(f"/portal/bills/{theirs.id}")).status_code == 404
    assert (await client.get(f"/portal/bills/{mine.id}")).status_code == 200
    api = (await client.get("/api/v1/billing/bills")).json()
    assert [b["id"] for b in api["items"]] == [mine.id]
    assert (await client.get(f"/api/v1/billing/bills/{theirs.id}")).status_code == 404
    assert (await client.get("/billing")).status_code == 403

    token = csrf(client)
    fake = await client.post(
        "/portal/bills/report-payment",
        data={
            "_csrf_token": token,
            "amount": "126000",
            "method": "bank_transfer",
            "paid_on": "2026-01-03",
        },
        files={"slip": ("slip.pdf", b"this is not a pdf at all", "application/pdf")},
    )
    assert fake.status_code == 422 and "not a PDF, JPEG or PNG" in fake.text
    assert await db.scalar(sa.select(sa.func.count()).select_from(PaymentSlip)) == 0
    ok = await client.post(
        "/portal/bills/report-payment",
        data={
            "_csrf_token": token,
            "amount": "126000",
            "method": "bank_transfer",
            "paid_on": "2026-01-03",
            "reference": "ICBC-9",
        },
        files={"slip": ("回单.png", PNG, "image/png")},
    )
    assert ok.status_code == 303
    slip = await db.scalar(sa.select(PaymentSlip))
    assert (slip.status, slip.content_type, slip.amount_fen) == ("pending", "image/png", QUARTER)

    await login("finance")
    assert "回单.png" in (await client.get("/billing/slips")).text
    confirmed = await post_form(client, f"/billing/slips/{slip.id}/confirm")
    assert confirmed.status_code == 303 and "/billing/payments/" in confirmed.headers["location"]
    again = await post_form(client, f"/billing/slips/{slip.id}/confirm")
    assert again.status_code == 303 and again.headers["location"] == "/billing/slips"
    assert "already confirmed" in (await client.get("/billing/slips")).text
    assert await db.scalar(sa.select(sa.func.count()).select_from(Payment)) == 1
    assert (await db.get(Bill, mine.id, populate_existing=True)).status == "paid"


async def test_api_records_a_payment_idempotently(client, db, login):
    await login("finance")
    c = await active_contract(db)
    await run_month(db, "2026-01", date(2026, 1, 2))
    body = {
        "enterprise_id": c.enterprise_id,
        "amount_fen": 5_000_000,
        "method": "alipay",
        "received_on": "2026-01-03",
        "idempotency_key": "api-test-key-0001",
    }
    headers = {"x-csrf-token": csrf(client)}
    first = await client.post("/api/v1/billing/payments", json=body, headers=headers)
    second = await client.post("/api/v1/billing/payments", json=body, headers=headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert first.json()["allocations"][0]["amount_fen"] == 5_000_000
    bad = await client.post(
        "/api/v1/billing/payments",
        json={**body, "amount_fen": -1, "idempotency_key": "api-test-key-0002"},
        headers=headers,
    )
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem")
    balance = (await client.get(f"/api/v1/billing/enterprises/{c.enterprise_id}/balance")).json()
    assert balance["open_fen"] == QUARTER - 5_000_000


async def test_reports_pages_and_exports(client, db, login):
    await login("finance")
    c = await active_contract(db)
    await run_month(db, "2026-01", date(2026, 1, 2))
    for name in ("aging", "collection", "rent-roll", "revenue", "arrears", "late-fees"):
        page = await client.get(f"/billing/reports/{name}?as_of=2026-06-01&days=30")
        assert page.status_code == 200, name
    csv = await client.get("/billing/reports/aging.csv?as_of=2026-06-01")
    assert csv.status_code == 200 and "126000.00" in csv.content.decode("utf-8-sig")
    xlsx = await client.get("/billing/reports/revenue.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert (await client.get("/billing/reports/nothing")).status_code == 404
    assert c.id


async def test_meter_tariff_deposit_and_settings_forms(client, db, login):
    from parkops.billing.models import BillingParkSettings, DepositEntry, Meter, MeterReading

    await login("finance")
    c = await active_contract(db)
    unit_id = await db.scalar(
        sa.text(f"SELECT unit_id FROM lease_contract_units WHERE contract_id = {c.id}")
    )
    bad = await post_form(client, "/billing/meters", {"code": "", "kind": "gas", "scope": "unit"})
    assert bad.status_code == 422 and "Give the meter number" in bad.text
    made = await post_form(
        client,
        "/billing/meters",
        {
            "code": "E-TEST-1",
            "kind": "electricity",
            "scope": "unit",
            "unit_id": unit_id,
            "multiplier": "1",
            "initial_reading": "100",
            "installed_on": "2025-06-01",
        },
    )
    assert made.status_code == 303
    meter = await db.scalar(sa.select(Meter).where(Meter.code == "E-TEST-1"))
    ok = await post_form(
        client,
        f"/billing/meters/{meter.id}/readings",
        {"reading_month": "2025-12", "value": "350", "read_on": "2025-12-31"},
    )
    assert ok.status_code == 303
    lower = await post_form(
        client,
        f"/billing/meters/{meter.id}/readings",
        {"reading_month": "2026-01", "value": "200", "read_on": "2026-01-31"},
    )
    assert lower.status_code == 422 and "lower than the previous reading" in lower.text
    assert await db.scalar(sa.select(sa.func.count()).select_from(MeterReading)) == 1

    tariff = await post_form(
        client,
        "/billing/tariffs",
        {"park_id": c.park_id, "kind": "electricity", "price": "0.85", "valid_from": "2025-01-01"},
    )
    assert tariff.status_code == 303
    overlap = await post_form(
        client,
        "/billing/tariffs",
        {"park_id": c.park_id, "kind": "electricity", "price": "0.9", "valid_from": "2025-06-01"},
    )
    assert overlap.status_code == 422

    entry = await post_form(
        client,
        f"/billing/deposits/{c.id}/entries",
        {
            "kind": "received",
            "amount": "72000",
            "method": "bank_transfer",
            "entry_date": "2026-01-02",
        },
    )
    assert entry.status_code == 303
    too_much = await post_form(
        client,
        f"/billing/deposits/{c.id}/entries",
        {"kind": "refunded", "amount": "80000", "method": "cash", "entry_date": "2026-01-03"},
    )
    assert too_much.status_code == 422 and "Only 72,000.00" in too_much.text
    assert await db.scalar(sa.select(sa.func.count()).select_from(DepositEntry)) == 1
    page = await client.get(f"/billing/deposits/{c.id}")
    assert page.status_code == 200 and "72,000.00" in page.text

    saved = await post_form(
        client,
        f"/billing/settings/{c.park_id}",
        {
            "allocation_policy": "current_first",
            "utility_due_days": "15",
            "dunning_after_days": "30",
        },
    )
    assert saved.status_code == 303
    settings = await db.get(BillingParkSettings, c.park_id)
    assert (settings.allocation_policy, settings.utility_due_days) == ("current_first", 15)
    wrong = await post_form(
        client,
        f"/billing/settings/{c.park_id}",
        {"allocation_policy": "random", "utility_due_days": "500", "dunning_after_days": "30"},
    )
    assert wrong.status_code == 422


async def test_readings_are_imported_from_csv_all_or_nothing(client, db, login):
    from parkops.billing.models import MeterReading
    from tests.integration.billing.factories import meter

    await login("finance")
    [unit] = await create_units(db, 1)
    m1 = await meter(db, unit=unit, code="E-CSV-1")
    m2 = await meter(db, unit=unit, kind="water", code="W-CSV-1")
    token = csrf(client)

    async def upload(text: str):
        return await client.post(
            "/billing/readings/import",
            data={"_csrf_token": token},
            files={"file": ("readings.csv", text.encode("utf-8-sig"), "text/csv")},
        )

    preview = await upload(
        "表号,月份,读数\nE-CSV-1,2026-01,120.5\nW-CSV-1,2026-01,12\nX-9,2026-01,1\n"
    )
    assert preview.status_code == 422 and "No meter X-9" in preview.text
    good = await upload(
        "表号,月份,读数\nE-CSV-1,2026-01,120.5\nE-CSV-1,2026-02,130\nW-CSV-1,2026-01,12\n"
    )
    assert good.status_code == 200
    import re

    found = re.search(r'name="token" value="([^"]+)"', good.text)
    committed = await post_form(
        client, "/billing/readings/import/commit", {"token": found.group(1)}
    )
    assert committed.status_code == 303
    assert await db.scalar(sa.select(sa.func.count()).select_from(MeterReading)) == 3
    # a file whose second row goes down (no replacement) is refused whole
    bad = await upload("表号,月份,读数\nW-CSV-1,2026-02,15\nE-CSV-1,2026-03,100\n")
    assert bad.status_code == 200  # cells are fine; the rule is checked on commit
    found = re.search(r'name="token" value="([^"]+)"', bad.text)
    refused = await post_form(client, "/billing/readings/import/commit", {"token": found.group(1)})
    assert refused.status_code == 422 and "lower than the previous reading" in refused.text
    assert await db.scalar(sa.select(sa.func.count()).select_from(MeterReading)) == 3
    assert m2.id and m1.id


async def test_report_pages_show_a_page_of_rows_and_downloads_all(client, db, login):
    import re

    await login("finance")
    for _ in range(3):
        await active_contract(db)
    await run_month(db, "2026-01", date(2026, 1, 2))

    def body_rows(html: str) -> int:
        return len(re.findall(r"<tr", html.split("<tbody>", 1)[1]))

    for name in ("aging", "rent-roll", "arrears", "late-fees"):
        query = "?as_of=2026-06-01&days=30"
        csv = (await client.get(f"/billing/reports/{name}.csv{query}")).content
        n = len(csv.decode("utf-8-sig").strip().splitlines()) - 1  # the download has every row
        assert n >= 3, name
        url = f"/billing/reports/{name}{query}&page_size=2"
        first, last = (await client.get(url)).text, (await client.get(f"{url}&page={-(-n // 2)}"))
        assert (body_rows(first), body_rows(last.text)) == (2, 2 - n % 2), name
        assert f"Page 1 of {-(-n // 2)}" in first and f"{n} in total" in first, name
        past = await client.get(url + "&page=99")
        assert past.status_code == 200 and f"{n} in total" in past.text, name


async def test_a_tariff_is_typed_and_shown_with_its_inclusive_last_day(client, db, login):
    """People type and read the last day a tariff applies (issue 10); the table keeps the day
    after it, like every other range."""
    from parkops.billing.models import Tariff

    await login("finance")
    c = await active_contract(db)
    form = {"park_id": c.park_id, "kind": "water", "price": "3.5"}
    made = await post_form(
        client, "/billing/tariffs", {**form, "valid_from": "2025-01-01", "last_day": "2025-12-31"}
    )
    assert made.status_code == 303
    ends = sa.select(Tariff.valid_from, Tariff.valid_to).where(
        Tariff.park_id == c.park_id, Tariff.kind == "water"
    )
    assert (await db.execute(ends)).all() == [(date(2025, 1, 1), date(2026, 1, 1))]
    still_covered = await post_form(
        client, "/billing/tariffs", {**form, "valid_from": "2025-12-31"}
    )
    assert still_covered.status_code == 422
    before_start = await post_form(
        client, "/billing/tariffs", {**form, "valid_from": "2026-03-01", "last_day": "2026-02-28"}
    )
    assert before_start.status_code == 422
    follows = await post_form(client, "/billing/tariffs", {**form, "valid_from": "2026-01-01"})
    assert follows.status_code == 303
    page = (await client.get("/billing/tariffs")).text
    assert "2025-12-31" in page and 'name="last_day"' in page
    open_id = await db.scalar(
        sa.select(Tariff.id).where(Tariff.kind == "water", Tariff.valid_to.is_(None))
    )
    ended = await post_form(client, f"/billing/tariffs/{open_id}/end", {"last_day": "2026-06-30"})
    assert ended.status_code == 303
    assert await db.scalar(sa.select(Tariff.valid_to).where(Tariff.id == open_id)) == date(
        2026, 7, 1
    )
