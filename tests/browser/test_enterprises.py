"""Enterprises in Chromium: search the register, edit a record, invite a user who signs up."""

from __future__ import annotations

import re

import pytest

from parkops.core import mail
from parkops.enterprises import demo
from tests.support import PASSWORD, create_user, run_in_thread, with_committed_session

pytestmark = pytest.mark.browser


async def _setup(db):
    await demo.load_demo(db)
    await create_user(db, "leasing", username="browser.leasing")


def test_search_edit_invite_and_sign_up(live_server, browser_page):
    base, url = live_server
    run_in_thread(with_committed_session, url, _setup)
    page = browser_page
    page.goto(base + "/login")
    page.click("button[value=en]")
    page.wait_for_load_state()
    page.goto(base + "/login?next=/enterprises")
    page.fill("#f-username", "browser.leasing")
    page.fill("#f-password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(base + "/enterprises")
    assert "420 in total" in page.locator(".pagination").inner_text()

    first = demo.demo_enterprises(1, seed=demo.DEMO_SEED)[0]
    page.fill("input[name=q]", first.uscc[8:16].lower())
    page.select_option("select[name=status]", "tenant")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    page.screenshot(path="test-results/enterprises-list.png", full_page=True)
    page.click(f"text={first.name}")
    page.wait_for_url(re.compile(r".*/enterprises/\d+$"))
    detail_url = page.url

    page.click("text=Edit")
    page.fill("#f-employee_count", "-4")
    page.click("form.enterprise-form button[type=submit].primary")
    assert page.locator("#e-employee_count").inner_text() == "Employee count must not be negative."
    page.fill("#f-employee_count", "64")
    page.locator("select[name='shop_platform[]']").last.select_option("kuaishou")
    page.locator("input[name='shop_name[]']").last.fill("浏览器测试源头工厂")
    page.screenshot(path="test-results/enterprise-form.png", full_page=True)
    page.click("form.enterprise-form button[type=submit].primary")
    page.wait_for_url(detail_url)
    assert "浏览器测试源头工厂" in page.locator("body").inner_text()

    mail.OUTBOX.clear()  # the live server runs in this process
    page.fill("#f-display_name", "周洋")
    page.fill("#f-email", "zhou.yang@example.cn")
    page.click("#invitations button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".flash-success").is_visible()
    page.screenshot(path="test-results/enterprise-detail.png", full_page=True)
    link = re.search(r"http://\S+/invite/\S+", mail.OUTBOX[-1].body).group(0)

    page.click("text=Sign out")
    page.goto(link)
    page.fill("#f-username", "zhou.yang")
    page.fill("#f-password", "warm-jackets-2026")
    page.fill("#f-confirm_password", "warm-jackets-2026")
    page.click("button[type=submit].primary")
    page.wait_for_url(base + "/portal/enterprise")
    assert first.name in page.locator("h1").inner_text()
    assert page.locator("nav a[aria-current=page]").inner_text() == "My enterprise"
    page.screenshot(path="test-results/enterprise-portal.png", full_page=True)
    assert not [e for e in page.csp_errors if "Content Security Policy" in e]
