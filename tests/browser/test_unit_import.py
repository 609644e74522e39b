"""Units in Chromium: import a CSV with a bad row, see the error, upload the corrected file,
commit, and find the new units in the filtered unit list."""

from __future__ import annotations

import re

import pytest

from tests.integration.inventory.factories import create_building, create_park, create_phase
from tests.support import PASSWORD, create_user, run_in_thread, with_committed_session

pytestmark = pytest.mark.browser

HEADER = "楼栋,楼层,单元编号,类型,建筑面积(m²),可租面积(m²),状态,不可用原因"


async def _setup(db):
    park = await create_park(db, name="浏览器园区")
    phase = await create_phase(db, park, number=1, status="operating")
    await create_building(db, phase, code="BR", floor_count=4)
    await create_user(db, "leasing", username="browser.units")


def test_import_fix_commit_and_find(live_server, browser_page, tmp_path):
    base, url = live_server
    run_in_thread(with_committed_session, url, _setup)
    bad = tmp_path / "units-bad.csv"
    bad.write_text(
        "\r\n".join(
            [
                HEADER,
                "BR,2,BR-201,厂房,2000,1800,可租,",
                "BR,7,BR-701,厂房,2000,1800,可租,",  # line 3: the building has 4 floors
                "BR,2,BR-202,直播间,1000.5,900,不可用,消防改造",
            ]
        ),
        encoding="gb18030",  # what Excel on Chinese Windows saves
    )
    fixed = tmp_path / "units-fixed.csv"
    fixed.write_text(
        "\r\n".join(
            [
                HEADER,
                "BR,2,BR-201,厂房,2000,1800,可租,",
                "BR,4,BR-401,厂房,2000,1800,可租,",
                "BR,2,BR-202,直播间,1000.5,900,不可用,消防改造",
            ]
        ),
        encoding="utf-8-sig",
    )

    page = browser_page
    page.goto(base + "/login")
    page.click("button[value=en]")
    page.wait_for_load_state()
    page.goto(base + "/login?next=/units/import")
    page.fill("#f-username", "browser.units")
    page.fill("#f-password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(base + "/units/import")

    page.set_input_files("#f-file", str(bad))
    page.click("form.import-upload button[type=submit]")
    page.wait_for_load_state()
    errors = page.locator("table.import-errors").inner_text()
    assert "3" in errors and "above the building's floor count (4 floors)" in errors
    assert page.locator("tr#line-3.row-error").is_visible()
    assert page.locator("input[name=token]").count() == 0  # nothing to commit
    page.screenshot(path="test-results/unit-import-errors.png", full_page=True)

    page.set_input_files("#f-file", str(fixed))
    page.click("form.import-upload button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("table.import-errors").count() == 0
    page.click("button[name=commit]")
    page.wait_for_url(re.compile(r".*/units\?sort=-code$"))
    assert "Imported 3 rows" in page.locator(".flash-success").inner_text()

    page.fill("input[name=q]", "BR-")
    page.select_option("select[name=status]", "available")
    page.click("form.unit-filters button[type=submit]")
    page.wait_for_load_state()
    table = page.locator("table.units").inner_text()
    assert "BR-201" in table and "BR-401" in table
    assert "BR-202" not in table  # unavailable: filtered out
    assert "2 in total" in page.locator("main").inner_text()
    page.screenshot(path="test-results/unit-list-after-import.png", full_page=True)
    page.click("text=BR-401")
    page.wait_for_url(re.compile(r".*/units/\d+$"))
    history = page.locator("main").inner_text()
    assert "Unit: imported" in history and "unit_imported" not in history
    assert not [e for e in page.csp_errors if "Content Security Policy" in e]
