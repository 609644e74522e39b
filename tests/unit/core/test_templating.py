"""Translated strings in templates are escaped, whatever they quote."""

from __future__ import annotations

from parkops.config import PROJECT_ROOT
from parkops.core.templating import make_environment


def render(source: str, **context) -> str:
    return make_environment(PROJECT_ROOT / "templates").from_string(source).render(**context)


def test_messages_quoting_user_input_are_escaped():
    html = render("{{ _(msg) }}", msg="'<script>alert(1)</script>' is not a unit code")
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_percent_signs_do_not_crash_and_arguments_are_escaped():
    assert render("{{ _(msg) }}", msg="occupancy above 100%") == "occupancy above 100%"
    assert render('{{ _("Hello %(name)s", name=n) }}', n="<b>") == "Hello &lt;b&gt;"


def test_decimals_are_shown_plainly():
    from decimal import Decimal

    assert render("{{ v|num }}", v=Decimal("30.00")) == "30"
    assert render("{{ v|num }}", v=Decimal("0.0500")) == "0.05"
    assert render("{{ v|num }}", v=None) == ""
