"""A leasing officer drafts and submits a contract in Chromium, a park administrator approves
it, generates the PDF and downloads it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.integration.enterprises.factories import create_enterprise
from tests.integration.leases.factories import create_units
from tests.support import PASSWORD, create_user, run_in_thread, with_committed_session

pytestmark = pytest.mark.browser


def sign_in(page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.fill("#f-username", username)
    page.fill("#f-password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(base + "/")


def test_draft_submit_approve_and_download(live_server, browser_page, tmp_path: Path):
    base, url = live_server

    async def setup(db):
        await create_user(db, "leasing", username="browser.leasing")
        await create_user(db, "park_admin", username="browser.admin")
        enterprise = await create_enterprise(db, name="庐山市浏览器测试羽绒服饰有限公司")
        units = await create_units(db)
        return enterprise.id, units[0].code

    enterprise_id, unit_code = run_in_thread(with_committed_session, url, setup)
    page = browser_page

    sign_in(page, base, "browser.leasing")
    page.goto(base + "/leases/contracts/new")
    page.select_option("#f-enterprise_id", str(enterprise_id))
    page.fill("#f-start_date", "2026-01-01")
    # The old habit, the day after the last day: the form shows the odd term and asks to confirm.
    page.fill("#f-last_day", "2029-01-01")
    assert page.inner_text("[data-term-text]") == "3 年 0 个月 1 天"
    assert page.is_visible("[data-partial] input[name=accept_partial_month]")
    page.fill("#f-last_day", "2028-12-31")
    assert page.inner_text("[data-term-text]") == "3 年 0 个月"
    assert page.is_hidden("[data-partial]")
    page.fill("#f-rent_rate", "18")
    page.fill("#f-property_fee_rate", "3")
    page.fill("input[name=unit_q]", unit_code)
    page.click("button[name=_action][value=search]")  # finds the unit, keeps what was typed
    assert page.input_value("#f-rent_rate") == "18"
    page.check(f"tr:has-text('{unit_code}') input[name=unit_ids]")
    page.click("button[name=_action][value=submit]")
    page.wait_for_url("**/leases/contracts/*")
    assert "pending_approval" in page.inner_html(".page-head")
    assert page.locator("table.schedule tbody tr").count() == 13  # 12 quarters + total
    contract_url = page.url
    page.click("form[action='/logout'] button")
    page.wait_for_url(base + "/login")

    sign_in(page, base, "browser.admin")
    page.goto(contract_url)
    page.click("button[name=do][value=approve]")
    page.wait_for_load_state()
    from parkops.leases.services.common import shanghai_today

    assert f"-{shanghai_today().year}-0001" in page.inner_text(".page-head h1")
    assert "active" in page.inner_html(".page-head")

    page.click("form[action$='/pdf'] button[type=submit]")
    page.wait_for_load_state()
    link = page.locator("ul.documents a").first
    with page.expect_download() as info:
        link.click()
    target = tmp_path / "contract.pdf"
    info.value.save_as(target)
    data = target.read_bytes()
    assert data.startswith(b"%PDF-")
    text = subprocess.run(
        ["pdftotext", str(target), "-"], capture_output=True, check=True
    ).stdout.decode()
    flat = "".join(text.split())
    assert "庐山市浏览器测试羽绒服饰有限公司" in flat and unit_code in flat
    assert "租赁期限自2026年1月1日起至2028年12月31日止，共3年" in flat
    page.screenshot(path="test-results/contract-approved.png", full_page=True)
    assert not [e for e in page.csp_errors if "Content Security Policy" in e]
