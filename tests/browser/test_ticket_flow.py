"""The rights-protection loop in Chromium through the real pages: an enterprise files a ticket with
a PDF, the desk accepts and dispatches it, the lead department's officer replies, and the
enterprise rates the reply."""

from __future__ import annotations

import re

import pytest

from tests.support import PASSWORD, create_user, run_in_thread, with_committed_session

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<<>>\n%%EOF\n"


async def _people(db):
    from tests.integration.enterprises.factories import create_enterprise
    from tests.integration.tickets.factories import department_id

    enterprise = await create_enterprise(db, name="庐山市红星羽绒服饰有限公司")
    await create_user(db, "enterprise_user", username="ent.wang", enterprise_id=enterprise.id)
    await create_user(db, "service_desk", username="desk.li")
    await create_user(
        db,
        "gov_officer",
        username="officer.zhao",
        department_id=await department_id(db, "market_supervision"),
    )


def sign_in_as(page, base: str, username: str, path: str) -> None:
    page.context.clear_cookies()
    page.goto(base + path)
    page.fill("#f-username", username)
    page.fill("#f-password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(base + path)


def test_enterprise_files_officer_replies_enterprise_rates(live_server, browser_page):
    base, url = live_server
    run_in_thread(with_committed_session, url, _people)
    page = browser_page

    # The enterprise files a ticket with a PDF.
    sign_in_as(page, base, "ent.wang", "/portal/tickets/new")
    page.select_option("#f-category_id", label="知识产权与假冒侵权")
    page.fill("#f-subject", "网店销售假冒我司品牌羽绒服")
    page.fill("#f-description", "某网店自十月起销售仿冒我司商标的童装羽绒服。")
    page.set_input_files(
        "#f-attachments",
        files=[{"name": "证据.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    page.click("button[type=submit].primary")
    page.wait_for_url(re.compile(r".*/portal/tickets/\d+$"))
    ticket_path = page.url.removeprefix(base)
    ticket_id = ticket_path.rsplit("/", 1)[1]
    number = page.locator(".ticket-number").inner_text()
    assert re.fullmatch(r"WQ-\d{4}-\d{6}", number)
    assert page.locator(".status-submitted").is_visible()
    assert page.locator("a", has_text="证据.pdf").is_visible()

    # The desk accepts it and dispatches it to the category's departments.
    sign_in_as(page, base, "desk.li", "/tickets")
    assert page.locator("table.tickets").inner_text().count(number) == 1
    page.click(f"a:text('{number}')")
    page.wait_for_url(base + f"/tickets/{ticket_id}")
    page.click("form[data-action=accept] button")
    page.wait_for_load_state()
    assert page.locator(".status-accepted").is_visible()
    page.click("details[data-action=dispatch] summary")
    lead = page.locator("#f-lead-dispatch option:checked").inner_text()
    assert lead == "市场监督管理局"
    page.click("details[data-action=dispatch] button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".status-dispatched").is_visible()
    assert page.locator("[data-field=lead]").inner_text() == "市场监督管理局"

    # The market supervision officer starts handling and replies.
    sign_in_as(page, base, "officer.zhao", "/tickets")
    page.click(f"a:text('{number}')")
    page.wait_for_url(base + f"/tickets/{ticket_id}")
    page.click("form[data-action=start] button")
    page.wait_for_load_state()
    assert page.locator(".status-in_progress").is_visible()
    page.click("details[data-action=reply] summary")
    page.fill("#f-note-reply", "已责令该网店下架涉案商品，并立案调查。")
    page.click("details[data-action=reply] button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".status-replied").is_visible()

    # The enterprise sees the reply and rates it.
    sign_in_as(page, base, "ent.wang", ticket_path)
    assert page.locator(".timeline").inner_text().count("已责令该网店下架涉案商品") == 1
    page.check("input[name=rating][value='5']")
    page.fill("#f-comment", "处理迅速，非常满意")
    page.click("#rate button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".status-closed").is_visible()
    assert page.locator("li[data-event=rate_satisfied]").is_visible()
    page.screenshot(path="test-results/ticket-closed.png", full_page=True)

    page.goto(base + "/notifications")
    assert number in page.locator("ul.notifications").inner_text()
    assert not [e for e in page.csp_errors if "Content Security Policy" in e]


async def _busy_ticket(settings, db) -> tuple[int, str, str]:
    """A dispatched ticket whose enterprise added 60 files one at a time (63 events it sees)."""
    from parkops.tickets.services import common, notes
    from tests.integration.tickets.factories import dispatched, people

    p = await people(db)
    ticket = await dispatched(db, settings, p)
    for i in range(60):
        upload = common.Upload(f"scan-{i:02d}.pdf", PDF)
        await notes.attach_files(db, settings, p.enterprise, ticket.id, [upload])
    return ticket.id, p.enterprise_user.username, p.desk_user.username


# The phone check of test_phone_width: the document is never wider than the screen.
TOO_WIDE_JS = "() => document.scrollingElement.scrollWidth > window.innerWidth"


def test_a_long_timeline_comes_in_pages_on_a_phone(live_server, browser_page, test_settings):
    base, url = live_server
    ticket_id, enterprise, desk = run_in_thread(
        with_committed_session, url, lambda db: _busy_ticket(test_settings, db)
    )
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    for username, path, lang, earlier, later in (
        (enterprise, f"/portal/tickets/{ticket_id}", "zh", "更早的记录", "较新的记录"),
        (desk, f"/tickets/{ticket_id}", "en", "Earlier events", "Later events"),
    ):
        sign_in_as(page, base, username, path)
        page.context.add_cookies([{"name": "parkops_lang", "value": lang, "url": base}])
        page.goto(base + path)
        timeline = page.locator("#timeline")
        assert "scan-59.pdf" in timeline.inner_text() and "scan-00.pdf" not in timeline.inner_text()
        assert not page.evaluate(TOO_WIDE_JS), (lang, path)
        page.click(f"#timeline a:text('{earlier}')")
        page.wait_for_url(re.compile(r".*\?events_page=2#timeline$"))
        assert "scan-00.pdf" in timeline.inner_text() and "scan-59.pdf" not in timeline.inner_text()
        assert page.locator("#timeline li[data-event=file]").is_visible()
        assert not page.evaluate(TOO_WIDE_JS), (lang, path, "page 2")
        page.click(f"#timeline a:text('{later}')")
        page.wait_for_url(re.compile(r".*\?events_page=1#timeline$"))
        assert "scan-59.pdf" in timeline.inner_text()
