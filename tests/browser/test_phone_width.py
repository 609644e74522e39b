"""Every page, as every kind of user, in Chinese and English, fits a 390x844 phone: the document
is never wider than the screen (no sideways scrolling)."""

from __future__ import annotations

import time

import pytest

from tests.browser.pages import ROLES, load_all_demo_data, page_routes, revisit, sign_in, walk
from tests.support import PASSWORD, create_user, run_in_thread, with_committed_session

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

# What sticks out, for the failure message: the widest elements that end right of the screen.
OVERFLOW_JS = """() => {
  const width = window.innerWidth;
  const wide = [...document.body.querySelectorAll('*')]
    .filter(e => e.getBoundingClientRect().right > width + 1)
    .map(e => [Math.round(e.getBoundingClientRect().right),
               e.tagName.toLowerCase() + '.' + String(e.className).split(' ')[0]]);
  return [document.scrollingElement.scrollWidth, width, wide.slice(-3)];
}"""


def test_every_page_fits_a_phone_for_every_role(live_server, browser_page, shared_app):
    base, url = live_server
    started = time.monotonic()
    run_in_thread(with_committed_session, url, load_all_demo_data)
    print(f"\ndemo data loaded in {time.monotonic() - started:.0f}s")
    routes = page_routes(shared_app)
    page = browser_page
    page.set_viewport_size(PHONE)
    too_wide: list[str] = []
    checked = 0

    def check(role: str, lang: str):
        def measure(path: str) -> None:
            nonlocal checked
            checked += 1
            scroll_width, width, culprits = page.evaluate(OVERFLOW_JS)
            if scroll_width > width:
                too_wide.append(f"{role} {lang} {path}: {scroll_width}px {culprits}")

        return measure

    reached: dict[str, int] = {}
    for role, username in ROLES.items():
        sign_in(page, base, username, "zh")
        pages = walk(page, base, routes, check(role, "zh"))
        reached[role] = len(pages.visited)
        sign_in(page, base, username, "en")
        list(revisit(page, base, pages, check(role, "en")))

    print(f"\n390x844: {checked} page views, pages per role {reached}, too wide {len(too_wide)}")
    # Every role reaches its own pages: staff most of the routes, a tenant the portal.
    assert reached["admin"] >= 45 and reached["enterprise_user"] >= 8, reached
    assert not too_wide, "\n".join(too_wide)


def test_admin_header_stays_on_one_line_at_1366(live_server, browser_page):
    base, url = live_server
    run_in_thread(
        with_committed_session, url, lambda db: create_user(db, "park_admin", username="wide")
    )
    page = browser_page
    page.set_viewport_size({"width": 1366, "height": 768})
    for lang in ("zh", "en"):
        page.context.clear_cookies()
        page.context.add_cookies([{"name": "parkops_lang", "value": lang, "url": base}])
        page.goto(base + "/login")
        page.fill("#f-username", "wide")
        page.fill("#f-password", PASSWORD)
        page.click("button[type=submit].primary")
        page.wait_for_url(base + "/")
        # Brand, every menu and the account links share one row.
        tops = page.eval_on_selector_all(
            ".brand, .mainnav > *, .topbar-right > *",
            "els => els.map(e => Math.round(e.getBoundingClientRect().top + e.offsetHeight / 2))",
        )
        assert len(tops) >= 8 and max(tops) - min(tops) <= 4, (lang, tops)
