"""People read the audit log, the dashboard's recent changes, a contract's and a unit's history
in words: no action key (such as
``billing_slip_reported``) and no JSON reaches the page, in Chinese or English."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from parkops.accounts.audit_words import action_label, entity_label
from parkops.app import DOMAINS
from parkops.config import PROJECT_ROOT
from parkops.core import audit
from parkops.core.context import language_var
from parkops.demo import load_demo


def keys_written_by_the_code() -> set[str]:
    """Every literal action key of an ``audit.record`` call."""
    keys: set[str] = set()
    for path in (PROJECT_ROOT / "parkops").rglob("*.py"):
        keys.update(re.findall(r'\baction="([a-z_]+)"', path.read_text()))
    return keys


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_action_key_in_the_code_has_a_label(lang):
    keys = keys_written_by_the_code()
    assert len(keys) > 40
    token = language_var.set(lang)
    try:
        assert [k for k in sorted(keys) if action_label(k) == k] == []
        assert (
            action_label("billing_slip_reported")
            == {
                "zh": "付款回单：申报",
                "en": "Payment slip: reported",
            }[lang]
        )
        assert action_label("lease_contract_submit") != "lease_contract_submit"
        assert entity_label("billing_payment_slip") != "billing_payment_slip"
    finally:
        language_var.reset(token)


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_audit_log_and_dashboard_show_no_raw_keys(client, db, login, lang):
    await load_demo(db, DOMAINS)
    await login("park_admin")
    client.cookies.set("parkops_lang", lang)
    actions = await audit.distinct_values(db, "action")
    entities = await audit.distinct_values(db, "entity")
    assert len(actions) >= 10
    contract_id, event_keys = (
        await db.execute(
            sa.text(
                "SELECT contract_id, array_agg(DISTINCT action) FROM lease_contract_events"
                " GROUP BY contract_id ORDER BY count(DISTINCT action) DESC LIMIT 1"
            )
        )
    ).one()
    unit_id = await db.scalar(
        sa.text("SELECT entity_id FROM audit_log WHERE entity = 'unit' ORDER BY id LIMIT 1")
    )
    assert len(event_keys) >= 2 and unit_id
    actions = [*actions, *event_keys]
    pages = [
        (await client.get(path)).text
        for path in ("/", "/admin/audit", f"/leases/contracts/{contract_id}", f"/units/{unit_id}")
    ]
    for action in actions:
        pages.append((await client.get("/admin/audit", params={"action": action})).text)
    for html in pages:
        for key in [*actions, *entities]:
            # A key may stay in an option's value attribute, never in text a person reads.
            found = re.search(rf">\s*{key}(\s+[0-9]+)?\s*<", html)
            assert not found, html[found.start() - 300 : found.end() + 50]
        assert '{"' not in html and "\\u" not in html
