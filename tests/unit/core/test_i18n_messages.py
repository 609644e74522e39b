"""Service messages of the leases and billing domains keep their English text and translate
(with the values they quote) wherever they are shown."""

from __future__ import annotations

from contextlib import contextmanager
from decimal import Decimal

import pytest

from parkops.billing.rules import utilities
from parkops.billing.rules import workflow as bill_workflow
from parkops.core import i18n
from parkops.core.context import language_var
from parkops.leases.rules import terms
from parkops.leases.rules import workflow as lease_workflow


@contextmanager
def language(lang: str):
    token = language_var.set(lang)
    try:
        yield
    finally:
        language_var.reset(token)


def test_join_keeps_the_english_and_translates_each_part():
    joined = i18n.join([i18n.N_("Choose at least one unit"), "not in the catalogue"])
    assert joined == "Choose at least one unit; not in the catalogue"
    with language("zh"):
        assert i18n.gettext(joined) == "请至少选择一个单元; not in the catalogue"


def test_terms_field_errors_translate_with_their_field_label():
    errors: dict = {}
    terms.parse_decimal("abc", "rent_rate", errors, required=True)
    assert errors["rent_rate"] == "Rent 'abc' is not a number"
    with language("zh"):
        assert i18n.gettext(errors["rent_rate"]) == "租金“abc”不是数字"
    with language("en"):
        assert i18n.gettext(errors["rent_rate"]) == "Rent 'abc' is not a number"


def test_refused_transition_reads_as_a_sentence_in_both_languages():
    with pytest.raises(lease_workflow.TransitionNotAllowed) as caught:
        lease_workflow.plan("draft", "approve", ["park_admin"])
    message = caught.value.args[0]
    assert message == "A draft contract cannot be approved (possible: submit, cancel)"
    with language("zh"):
        assert i18n.gettext(message) == "草稿合同不能审批通过（可执行：submit, cancel）"


def test_bill_refusal_and_reading_error_translate():
    with pytest.raises(bill_workflow.ActionRefused) as caught:
        bill_workflow.check("void", "issue")
    assert str(caught.value) == "The bill is already issued."
    with pytest.raises(utilities.ReadingError) as reading:
        utilities.consumption(Decimal(10), Decimal(5), None)
    assert str(reading.value).startswith("The reading 5 is lower than the previous reading 10.")
    with language("zh"):
        assert i18n.gettext(caught.value.args[0]) == "账单已出具。"
        assert i18n.gettext(reading.value.message).startswith("读数 5 低于上次读数 10。")


def test_every_placeholder_survives_in_the_chinese_catalogue():
    catalogue = i18n.translations("zh")
    for message in catalogue._catalog:  # type: ignore[attr-defined]
        if isinstance(message, str) and "%(" in message:
            translated = catalogue.gettext(message)
            names = {p for p in message.split("%(")[1:]}
            for name in names:
                assert "%(" + name.split(")")[0] + ")" in translated, (message, translated)
