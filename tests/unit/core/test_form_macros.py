"""The form macros: extra attributes take effect, and every value is escaped."""

from __future__ import annotations

from html.parser import HTMLParser

from parkops.config import PROJECT_ROOT
from parkops.core.templating import make_environment


def inputs(html: str) -> list[dict[str, str | None]]:
    found: list[dict[str, str | None]] = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "input":
                found.append(dict(attrs))

    Parser().feed(html)
    return found


def field(call: str, form: dict[str, str]) -> dict[str, str | None]:
    source = '{% import "_macros/forms.html" as f %}' + call
    html = make_environment(PROJECT_ROOT / "templates").from_string(source).render(form=form)
    [element] = inputs(html)
    return element


def test_extra_attributes_reach_the_input():
    element = field(
        """{{ f.field("amount", "Amount", form, {}, attrs={"inputmode": "decimal",
              "maxlength": 200, "autocomplete": "off", "readonly": true, "list": none}) }}""",
        {},
    )
    assert element["inputmode"] == "decimal"
    assert element["maxlength"] == "200"
    assert element["autocomplete"] == "off"
    assert "readonly" in element and element["readonly"] is None
    assert "list" not in element


def test_quotes_and_ampersands_in_values_and_attributes_are_escaped():
    element = field(
        """{{ f.field("name", "Name", form, {}, attrs={"placeholder": 'A "B" & <C>'}) }}""",
        {"name": 'Tom "the tank" & Co <b>'},
    )
    assert element["value"] == 'Tom "the tank" & Co <b>'
    assert element["placeholder"] == 'A "B" & <C>'
    assert element["id"] == "f-name" and element["type"] == "text"
