"""A person signs in through the real login form in Chromium."""

from __future__ import annotations

import pytest

from tests.support import PASSWORD, create_user, run_in_thread, with_committed_session

pytestmark = pytest.mark.browser


def test_sign_in_switch_language_and_sign_out(live_server, browser_page):
    base, url = live_server
    run_in_thread(
        with_committed_session,
        url,
        lambda db: create_user(db, "park_admin", username="browser.admin"),
    )
    page = browser_page
    page.goto(base + "/admin/users")
    assert page.url.startswith(base + "/login?next=")
    page.fill("#f-username", "browser.admin")
    page.fill("#f-password", "not-the-password")
    page.click("button[type=submit].primary")
    assert page.locator(".flash-error").is_visible()

    page.fill("#f-username", "browser.admin")
    page.fill("#f-password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(base + "/admin/users")
    assert page.locator("h1").inner_text() == "用户"
    assert page.locator("table").inner_text().count("browser.admin") == 1

    page.click("button[value=en]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Users"
    page.screenshot(path="test-results/users-page.png", full_page=True)

    page.click("text=Sign out")
    page.wait_for_url(base + "/login")
    page.goto(base + "/")
    assert "/login" in page.url
    assert not [e for e in page.csp_errors if "Content Security Policy" in e]
