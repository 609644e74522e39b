"""axe-core over the tenant's pages (every page the demo tenant's user reaches), in Chinese and
English on a phone: no serious or critical finding. axe-core comes from npm (``make setup-dev``
puts it under var/npm); it is evaluated in the page, which the strict CSP does not block."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.pages import ROLES, load_all_demo_data, page_routes, revisit, sign_in, walk
from tests.support import run_in_thread, with_committed_session

pytestmark = pytest.mark.browser

AXE = Path(__file__).parents[2] / "var/npm/node_modules/axe-core/axe.min.js"

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => v.impact + ' ' + v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target).join(', '));
}"""


def test_tenant_pages_have_no_serious_accessibility_findings(live_server, browser_page, shared_app):
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run `make setup-dev`")
    base, url = live_server
    run_in_thread(with_committed_session, url, load_all_demo_data)
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    source = AXE.read_text()
    findings: list[str] = []
    checked = 0

    def check(lang: str):
        def run(path: str) -> None:
            nonlocal checked
            checked += 1
            page.evaluate(source)
            findings.extend(f"{lang} {path}: {v}" for v in page.evaluate(RUN_AXE))

        return run

    username = ROLES["enterprise_user"]
    sign_in(page, base, username, "zh")
    pages = walk(page, base, page_routes(shared_app), check("zh"))
    sign_in(page, base, username, "en")
    list(revisit(page, base, pages, check("en")))
    print(f"\naxe: {checked} tenant page views, {len(findings)} serious or critical")
    assert checked >= 16
    assert not findings, "\n".join(findings)
