"""A person signs in through the real login form in Chromium."""

from __future__ import annotations

import asyncio

import pytest

from parkops.db.engine import create_engine, session_factory
from tests.support import PASSWORD, create_user

pytestmark = pytest.mark.browser


def _make_admin(url: str) -> None:
    async def run():
        engine = create_engine(url, pool_size=1)
        async with session_factory(engine)() as db, db.begin():
            await create_user(db, "park_admin", username="browser.admin")
        await engine.dispose()

    asyncio.run(run())


def test_sign_in_switch_language_and_sign_out(live_server, browser_page):
    base, url = live_server
    _make_admin(url)
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
