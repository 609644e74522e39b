"""Contract settings in Chromium, in Chinese: a park administrator sets a park's number prefix
and lessor details, fixes a mistyped USCC the page points out, and sees the park set up."""

from __future__ import annotations

import pytest

from tests.integration.enterprises.factories import new_uscc
from tests.integration.inventory.factories import create_park
from tests.support import PASSWORD, create_user, run_in_thread, with_committed_session

pytestmark = pytest.mark.browser


async def _setup(db):
    await create_park(db, name="浏览器设置园区")
    await create_user(db, "park_admin", username="browser.settings")


def test_admin_sets_up_contract_settings(live_server, browser_page):
    base, url = live_server
    run_in_thread(with_committed_session, url, _setup)
    page = browser_page
    page.goto(base + "/login?next=/leases/settings")
    page.fill("#f-username", "browser.settings")
    page.fill("#f-password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/leases/settings")
    row = page.locator("tr", has_text="浏览器设置园区")
    assert "未设置" in row.inner_text()  # the Chinese interface, and not set up yet
    row.locator("a", has_text="设置").click()

    page.fill("#f-contract_prefix", "rs")
    page.fill("#f-lessor_name", "庐山市红星羽绒电商产业园运营管理有限公司")
    uscc = new_uscc()
    page.fill("#f-lessor_uscc", uscc[:17] + ("0" if uscc[17] != "0" else "1"))
    page.fill("#f-lessor_bank_account", "6228 4800 1234 5678")
    page.click("button[type=submit].primary")
    assert page.locator("#e-lessor_uscc").is_visible()
    assert page.input_value("#f-lessor_bank_account") == "6228 4800 1234 5678"  # kept
    page.screenshot(path="test-results/contract-settings-error.png", full_page=True)

    page.fill("#f-lessor_uscc", uscc)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/leases/settings")
    assert "合同设置已保存" in page.inner_text("body")
    row = page.locator("tr", has_text="浏览器设置园区")
    assert "RS" in row.inner_text() and uscc in row.inner_text()
    page.screenshot(path="test-results/contract-settings.png", full_page=True)
