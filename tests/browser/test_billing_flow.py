"""Finance in Chromium: runs the month's billing (watching its progress), opens the bill,
records the tenant's bank transfer and sees the bill paid."""

from __future__ import annotations

import re

import pytest

from parkops.billing.rules.run_plan import add_months, month_start
from parkops.billing.run import shanghai_today
from parkops.core.last_day import last_day_of
from tests.integration.leases.factories import create_contract
from tests.support import PASSWORD, create_user, run_in_thread, with_committed_session

pytestmark = pytest.mark.browser


async def _setup(db):
    await create_user(db, "finance", username="browser.finance")
    month = month_start(shanghai_today())
    contract = await create_contract(
        db,
        status="active",
        start_date=month.isoformat(),
        last_day=last_day_of(add_months(month, 36)).isoformat(),
        today=month,
    )
    return contract.enterprise_id


def test_finance_runs_billing_and_records_a_payment(live_server, browser_page):
    base, url = live_server
    run_in_thread(with_committed_session, url, _setup)
    month = month_start(shanghai_today()).strftime("%Y-%m")
    page = browser_page
    page.goto(base + "/login")
    page.click("button[value=en]")
    page.wait_for_load_state()
    page.goto(base + "/login?next=/billing")
    page.fill("#f-username", "browser.finance")
    page.fill("#f-password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(base + "/billing")

    page.fill("#f-month", month)
    page.click("form.run-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/billing/runs/\d+$"))
    # The page polls the run's status (billing.js) and shows the finished run.
    page.wait_for_selector('[data-state="completed"]', timeout=20_000)
    assert page.locator('[data-field="bills_created"]').inner_text() == "1"
    assert page.locator("progress").get_attribute("value") == "100"
    page.screenshot(path="test-results/billing-run.png", full_page=True)

    page.click(f"text=Bills of {month}")
    page.click("table.bills a >> nth=0")
    page.wait_for_url(re.compile(r".*/billing/bills/\d+$"))
    assert "Issued" in page.locator("h1").inner_text()
    assert "126,000.00" in page.locator(".open-amount").inner_text()
    page.screenshot(path="test-results/billing-bill.png", full_page=True)
    bill_url = page.url

    page.click("text=Record a payment")
    page.fill("#f-amount", "126000")
    page.fill("#f-reference", "ICBC 2026 0001")
    page.click("form.payment-form button[type=submit].primary")
    page.wait_for_url(re.compile(r".*/billing/payments/\d+$"))
    assert page.locator(".flash-success").is_visible()
    assert "126,000.00" in page.locator("table.allocations").inner_text()
    assert page.locator(".credit-left").inner_text() == "¥0.00"
    page.screenshot(path="test-results/billing-payment.png", full_page=True)

    page.goto(bill_url)
    assert "Paid" in page.locator("h1").inner_text()
    assert page.locator(".open-amount").inner_text() == "¥0.00"
    assert not [e for e in page.csp_errors if "Content Security Policy" in e]
