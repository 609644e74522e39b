"""The one set of field parsers: what they accept, what they refuse and how they say it."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from decimal import Decimal

import pytest

from parkops.core import i18n, parsing
from parkops.core.context import language_var
from parkops.core.parsing import Invalid


@contextmanager
def language(lang: str):
    token = language_var.set(lang)
    try:
        yield
    finally:
        language_var.reset(token)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12", 12), (" 12 ", 12), (12, 12), ("1,234", 1234), ("12.0", 12), ("１２", 12), ("-3", -3)],
)
def test_to_int_reads_whole_numbers(raw, expected):
    assert parsing.to_int(raw) == expected


@pytest.mark.parametrize("raw", ["x", "1.5", True, "Infinity", "NaN", "1e400", ""])
def test_to_int_refuses_what_is_not_a_whole_number(raw):
    with pytest.raises(Invalid) as caught:
        parsing.to_int(raw)
    assert caught.value.code == "not_int"


def test_to_int_stays_inside_postgresql_integer_types():
    assert parsing.to_int(2**63 - 1) == 2**63 - 1
    with pytest.raises(Invalid) as caught:
        parsing.to_int("9223372036854775808")
    assert caught.value.code == "too_large" and caught.value.params["n"] == 2**63 - 1
    with pytest.raises(Invalid) as caught:
        parsing.to_int(-(2**63) - 1)
    assert caught.value.code == "too_small"
    assert parsing.to_int(2**31 - 1, bits=32) == 2**31 - 1
    with pytest.raises(Invalid):
        parsing.to_int(2**31, bits=32)


def test_to_int_bounds_and_positive():
    assert parsing.to_int("5", minimum=5, maximum=5) == 5
    with pytest.raises(Invalid) as caught:
        parsing.to_int("4", minimum=5)
    assert (caught.value.code, caught.value.params["n"]) == ("too_small", 5)
    with pytest.raises(Invalid) as caught:
        parsing.to_int("6", maximum=5)
    assert (caught.value.code, caught.value.params["n"]) == ("too_large", 5)
    with pytest.raises(Invalid) as caught:
        parsing.to_int("0", positive=True)
    assert caught.value.code == "not_positive"


def test_to_decimal_never_rounds_and_refuses_silly_numbers():
    assert parsing.to_decimal("12.50", places=2) == Decimal("12.50")
    assert parsing.to_decimal(0.05, places=2) == Decimal("0.05")
    for raw, code in [
        ("1.234", "places"),
        ("abc", "not_number"),
        ("Infinity", "not_usable"),
        ("1e20", "not_usable"),
        ("-1", "negative"),
        (True, "not_number"),
    ]:
        with pytest.raises(Invalid) as caught:
            parsing.to_decimal(raw, places=2)
        assert caught.value.code == code, raw
    assert parsing.to_decimal("-1", places=2, minimum=None) == Decimal(-1)
    with pytest.raises(Invalid) as caught:
        parsing.to_decimal("101", places=2, maximum=100)
    assert caught.value.code == "too_large"


def test_to_fen_reads_yuan():
    assert parsing.to_fen("1,234.5") == 123450
    assert parsing.to_fen("¥12") == 1200
    assert parsing.to_fen("１２") == 1200
    for raw, code in [("1.234", "not_amount"), ("abc", "not_amount"), (True, "not_amount")]:
        with pytest.raises(Invalid) as caught:
            parsing.to_fen(raw)
        assert caught.value.code == code
    with pytest.raises(Invalid) as caught:
        parsing.to_fen("-1")
    assert caught.value.code == "negative"
    with pytest.raises(Invalid) as caught:
        parsing.to_fen("10", maximum=500)
    assert caught.value.params["n"] == Decimal("5.00")
    with pytest.raises(Invalid) as caught:
        parsing.to_fen("1e16")
    assert caught.value.code in {"not_amount", "too_large"}


@pytest.mark.parametrize(
    "raw",
    ["2024-03-01", "2024/3/1", "2024.3.1", "2024年3月1日", "2024-03-01 08:30", "２０２４-03-01"],
)
def test_to_date_reads_what_people_and_spreadsheets_write(raw):
    assert parsing.to_date(raw) == date(2024, 3, 1)


def test_to_date_keeps_to_business_dates():
    assert parsing.to_date(date(1990, 1, 1)) == date(1990, 1, 1)
    assert parsing.to_date("2200-12-31") == date(2200, 12, 31)
    for raw in ["0001-01-01", "1900-01-01", "9999-12-31", date(1989, 12, 31)]:
        with pytest.raises(Invalid) as caught:
            parsing.to_date(raw)
        assert caught.value.code == "date_range", raw
    with pytest.raises(Invalid) as caught:
        parsing.to_date("2024-02-30")
    assert caught.value.code == "not_date"
    with pytest.raises(Invalid):
        parsing.to_date("2026-12-06", latest=date(2026, 12, 5))


def test_to_month():
    for raw in ["2026-12", "2026/12", "2026年12月", "2026-12-01", date(2026, 12, 1)]:
        assert parsing.to_month(raw) == date(2026, 12, 1), raw
    for raw, code in [
        ("2026-13", "not_month"),
        ("2026-12-05", "not_month"),
        ("9999-12", "date_range"),
    ]:
        with pytest.raises(Invalid) as caught:
            parsing.to_month(raw)
        assert caught.value.code == code, raw


def test_to_bool_and_bool_field():
    for raw in ["是", "yes", "Y", "1", "true", "on", True]:
        assert parsing.to_bool(raw) is True
    for raw in ["否", "no", "0", "false", "off", False]:
        assert parsing.to_bool(raw) is False
    with pytest.raises(Invalid):
        parsing.to_bool("maybe")
    assert parsing.bool_field("", default=True) is True
    assert parsing.bool_field(None, default=False) is False
    assert parsing.bool_field("on", default=False) is True
    assert parsing.bool_field("maybe", default=True) is False


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", 12),
        (" 12 ", 12),
        (12, 12),
        ("", None),
        (None, None),
        ("x", None),
        (True, None),
        ("1.5", None),
        ("99999999999999999999", None),
    ],
)
def test_optional_int(raw, expected):
    assert parsing.optional_int(raw) == expected


def test_optional_date():
    assert parsing.optional_date("2026-12-05") == date(2026, 12, 5)
    assert parsing.optional_date("") is None
    assert parsing.optional_date("0001-01-01") is None
    assert parsing.optional_date("tomorrow") is None


def test_field_parsers_name_the_field_in_both_languages():
    errors: dict = {}
    assert parsing.int_field("x", "floor", errors, label=i18n.N_("Floor")) is None
    assert parsing.int_field("", "count", errors, required=True) is None
    assert parsing.int_field(None, "optional", errors) is None
    assert parsing.date_field("9999-01-01", "start_date", errors, label="Start date") is None
    assert parsing.int_field("7", "n", errors, maximum=9) == 7
    assert errors["floor"] == "Floor must be a whole number"
    assert errors["count"] == "count is required"
    assert "optional" not in errors and "n" not in errors
    assert errors["start_date"] == "Start date must be between 1990-01-01 and 2200-12-31"
    with language("zh"):
        assert i18n.gettext(errors["floor"]) == "楼层必须为整数"
        assert "1990-01-01" in i18n.gettext(errors["start_date"])
        assert i18n.gettext(errors["start_date"]) != errors["start_date"]


def test_money_and_decimal_fields():
    errors: dict = {}
    assert parsing.money_field("12.30", "amount", errors) == 1230
    assert parsing.money_field("1.234", "fee", errors, label="Fee") is None
    assert parsing.decimal_field("1.5", "rate", errors, places=2, maximum=1) is None
    assert parsing.decimal_field(True, "area", errors) is None
    assert errors["fee"] == "Fee '1.234' is not an amount in yuan"
    assert errors["rate"] == "rate must be at most 1"
    assert errors["area"] == "area is not a number"


def test_every_message_is_translated():
    catalogue = i18n.translations("zh")
    for table in (parsing.FIELD_MESSAGES, parsing.PLAIN_MESSAGES):
        for code, message in table.items():
            assert catalogue.gettext(message) != message, (code, message)
