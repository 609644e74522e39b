"""Money: rounding, parsing, display and Chinese capital numerals (大写金额)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parkops.core.money import (
    MAX_CAPITALS_FEN,
    apportion,
    fen_to_chinese_capitals,
    fen_to_yuan,
    format_fen,
    round_half_up_to_fen,
    yuan_to_fen,
)

# --- round_half_up_to_fen ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", 0),
        ("0.4999", 0),
        ("0.5", 1),
        ("1.5", 2),  # half-up, not banker's rounding (which gives 2 here too)
        ("2.5", 3),  # banker's rounding would give 2
        ("-0.5", -1),  # away from zero on both signs
        ("-2.5", -3),
        ("-0.4999", 0),
        ("123456789012.5", 123456789013),
        ("7", 7),
    ],
)
def test_round_half_up_to_fen(value: str, expected: int) -> None:
    assert round_half_up_to_fen(Decimal(value)) == expected


# --- yuan_to_fen ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.56", 123456),
        ("1,234.5", 123450),
        ("1，234.50", 123450),  # full-width comma from a Chinese IME
        ("¥12", 1200),
        ("￥0.01", 1),
        ("  -3.20 ", -320),
        ("1.230", 123),  # a trailing zero is not a third decimal
        ("1e3", 100000),
        (Decimal("8.88"), 888),
        (5, 500),
        ("9999999999999999.99", 999999999999999999),  # no rounding at 28 significant digits
    ],
)
def test_yuan_to_fen_parses(text: str | Decimal | int, expected: int) -> None:
    assert yuan_to_fen(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is not an amount"),
        ("abc", "is not an amount"),
        ("1.2.3", "is not an amount"),
        ("NaN", "is not an amount"),
        ("Infinity", "is not an amount"),
        ("1.234", "more than two decimals"),
        ("0.001", "more than two decimals"),
        ("1.2300000001", "more than two decimals"),
        ("1e-9999999", "more than two decimals"),  # must fail fast, not expand the exponent
        ("1e999999999", "too large"),
        ("1e16", "too large"),
    ],
)
def test_yuan_to_fen_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        yuan_to_fen(text)


@given(st.integers(min_value=-(10**17), max_value=10**17))
def test_yuan_to_fen_round_trips_fen_to_yuan(fen: int) -> None:
    assert yuan_to_fen(fen_to_yuan(fen)) == fen
    assert yuan_to_fen(format_fen(fen)) == fen


# --- format_fen / fen_to_yuan -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (0, "0.00"),
        (5, "0.05"),
        (-5, "-0.05"),
        (100, "1.00"),
        (1234567, "12,345.67"),
        (-123456789, "-1,234,567.89"),
        (100000000000, "1,000,000,000.00"),
    ],
)
def test_format_fen(fen: int, text: str) -> None:
    assert format_fen(fen) == text


def test_fen_to_yuan_has_two_places() -> None:
    assert fen_to_yuan(1234567) == Decimal("12345.67")
    assert str(fen_to_yuan(100)) == "1.00"
    assert fen_to_yuan(-5) == Decimal("-0.05")


# --- fen_to_chinese_capitals ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        # the brief's examples
        (1234567, "人民币壹万贰仟叁佰肆拾伍元陆角柒分"),
        (1200000, "人民币壹万贰仟元整"),
        (100, "人民币壹元整"),
        (5, "人民币伍分"),
        (10, "人民币壹角"),
        (0, "人民币零元整"),
        (100000005, "人民币壹佰万元零伍分"),
        # the examples of the PBoC's 《正确填写票据和结算凭证的基本规定》
        (140950, "人民币壹仟肆佰零玖元伍角"),
        (600714, "人民币陆仟零柒元壹角肆分"),
        (168032, "人民币壹仟陆佰捌拾元零叁角贰分"),
        (10700053, "人民币壹拾万柒仟元零伍角叁分"),
        (1640902, "人民币壹万陆仟肆佰零玖元零贰分"),
        (32504, "人民币叁佰贰拾伍元零肆分"),
        # below one yuan
        (55, "人民币伍角伍分"),
        (50, "人民币伍角"),
        (1, "人民币壹分"),
        # 壹拾 always, wherever the ten is
        (1000, "人民币壹拾元整"),
        (1500, "人民币壹拾伍元整"),
        (11000, "人民币壹佰壹拾元整"),
        (11000000, "人民币壹拾壹万元整"),
        (100000000000, "人民币壹拾亿元整"),
        # zeros inside a section, one 零 for a run
        (10100, "人民币壹佰零壹元整"),
        (100100, "人民币壹仟零壹元整"),
        (101000, "人民币壹仟零壹拾元整"),
        (110000, "人民币壹仟壹佰元整"),
        # zeros across 万 and 亿
        (100000100, "人民币壹佰万零壹元整"),
        (100100000, "人民币壹佰万壹仟元整"),  # 1001000: thousands digit set, no 零
        (1001000100, "人民币壹仟零壹万零壹元整"),
        (10000000000, "人民币壹亿元整"),
        (10000000100, "人民币壹亿零壹元整"),
        (10001000000, "人民币壹亿零壹万元整"),
        (11000000000, "人民币壹亿壹仟万元整"),
        (10100000000, "人民币壹亿零壹佰万元整"),
        (123456789012, "人民币壹拾贰亿叁仟肆佰伍拾陆万柒仟捌佰玖拾元零壹角贰分"),
        (123456789112, "人民币壹拾贰亿叁仟肆佰伍拾陆万柒仟捌佰玖拾壹元壹角贰分"),
        # up to and beyond 10^12 yuan (万亿)
        (10**14, "人民币壹万亿元整"),
        (10**14 + 100, "人民币壹万亿零壹元整"),
        (1234 * 10**13, "人民币壹佰贰拾叁万肆仟亿元整"),
        (
            MAX_CAPITALS_FEN,
            "人民币玖仟玖佰玖拾玖万玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分",
        ),
        # 零 after 元 when the yuan digit is 0 and 角 is not
        (1050, "人民币壹拾元零伍角"),
        (1005, "人民币壹拾元零伍分"),
        (1055, "人民币壹拾元零伍角伍分"),
        (150, "人民币壹元伍角"),
        # negative: 负 after 人民币
        (-10000, "人民币负壹佰元整"),
        (-5, "人民币负伍分"),
        (-1234567, "人民币负壹万贰仟叁佰肆拾伍元陆角柒分"),
    ],
)
def test_fen_to_chinese_capitals(fen: int, text: str) -> None:
    assert fen_to_chinese_capitals(fen) == text


def test_zheng_after_jiao_is_optional() -> None:
    assert fen_to_chinese_capitals(10, zheng_after_jiao=True) == "人民币壹角整"
    assert fen_to_chinese_capitals(1250, zheng_after_jiao=True) == "人民币壹拾贰元伍角整"
    # never after 分, and 元整 is unaffected
    assert fen_to_chinese_capitals(1255, zheng_after_jiao=True) == "人民币壹拾贰元伍角伍分"
    assert fen_to_chinese_capitals(100, zheng_after_jiao=True) == "人民币壹元整"


@pytest.mark.parametrize("bad", [1.5, Decimal("1"), "100", True])
def test_fen_to_chinese_capitals_wants_an_int(bad: object) -> None:
    with pytest.raises(TypeError):
        fen_to_chinese_capitals(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("too_big", [MAX_CAPITALS_FEN + 1, -(MAX_CAPITALS_FEN + 1)])
def test_fen_to_chinese_capitals_has_a_limit(too_big: int) -> None:
    with pytest.raises(ValueError, match="too large"):
        fen_to_chinese_capitals(too_big)


# An independent reader of capitals: if writing and reading agree on every amount, the writer
# puts every digit in its place. It ignores 零, so the 零 rules are checked separately below.
_DIGIT = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
_SMALL = {"拾": 10, "佰": 100, "仟": 1000}


def _read_section(text: str) -> int:
    total, digit = 0, 0
    for ch in text:
        if ch in _DIGIT:
            digit = _DIGIT[ch]
        else:
            assert digit, f"unit {ch} without a digit in {text}"
            total, digit = total + digit * _SMALL[ch], 0
    return total + digit


def _read_integer(text: str) -> int:
    for unit, size in (("亿", 10**8), ("万", 10**4)):
        if unit in text:
            high, low = text.rsplit(unit, 1)
            return _read_integer(high) * size + _read_integer(low)
    return _read_section(text)


def _read_capitals(text: str) -> int:
    assert text.startswith("人民币")
    text = text.removeprefix("人民币")
    sign = -1 if text.startswith("负") else 1
    text = text.removeprefix("负").removesuffix("整")
    yuan = 0
    if "元" in text:
        whole, text = text.split("元")
        yuan = _read_integer(whole)
    text = text.removeprefix("零")
    jiao = fen = 0
    if "角" in text:
        j, text = text.split("角")
        jiao = _DIGIT[j]
    if "分" in text:
        fen = _DIGIT[text.removesuffix("分")]
    return sign * (yuan * 100 + jiao * 10 + fen)


@given(st.integers(min_value=-MAX_CAPITALS_FEN, max_value=MAX_CAPITALS_FEN))
def test_capitals_read_back_to_the_same_amount(fen: int) -> None:
    assert _read_capitals(fen_to_chinese_capitals(fen)) == fen


@given(
    st.one_of(
        st.integers(min_value=-MAX_CAPITALS_FEN, max_value=MAX_CAPITALS_FEN),
        # amounts made mostly of zeros exercise the 零 rules far more than uniform integers
        st.lists(st.sampled_from([0, 0, 0, 1, 5]), min_size=1, max_size=18).map(
            lambda ds: int("".join(map(str, ds)))
        ),
    )
)
def test_capitals_zero_rules(fen: int) -> None:
    text = fen_to_chinese_capitals(fen)
    assert "零零" not in text
    for after in ("元", "万", "亿", "整", "角", "分"):
        assert "零" + after not in text or text == "人民币零元整"
    assert not text.removesuffix("整").endswith("零")
    # a unit never stands without a digit before it: 壹拾, never a bare 拾
    for i, ch in enumerate(text):
        if ch in "拾佰仟角分":
            assert text[i - 1] in _DIGIT and text[i - 1] != "零"
    assert text.endswith("整") == (fen % 100 == 0)


# --- apportion: largest remainder ------------------------------------------------------------


def test_apportion_three_equal_shares_of_100_yuan_add_up() -> None:
    # 100.00 over three equal tenants: 33.34 + 33.33 + 33.33, the first in order gets the fen.
    assert apportion(10_000, [1, 1, 1]) == [3_334, 3_333, 3_333]
    assert apportion(70_000, [Decimal("1800.00")] * 3) == [23_334, 23_333, 23_333]


def test_apportion_gives_the_fen_to_the_largest_remainders_then_by_order() -> None:
    # Exact shares 3.3, 3.3, 3.4 of 10 fen -> floors 3, 3, 3 and the last fen to the 0.4.
    assert apportion(10, [33, 33, 34]) == [3, 3, 4]
    # Shares 2.5 and 2.5 of 5 fen: a tie, broken by input order.
    assert apportion(5, [1, 1]) == [3, 2]
    assert apportion(5, [Fraction(1, 3), Fraction(2, 3)]) == [2, 3]
    assert apportion(100, [0, 1, 0]) == [0, 100, 0]
    assert apportion(0, [1, 2]) == [0, 0]


def test_apportion_of_a_negative_amount_mirrors_the_positive_one() -> None:
    assert apportion(-10_000, [1, 1, 1]) == [-3_334, -3_333, -3_333]


@pytest.mark.parametrize(
    ("total", "weights", "message"),
    [
        (100, [], "at least one weight"),
        (100, [0, 0], "positive"),
        (100, [1, -1], "negative"),
        (Decimal("1.5"), [1], "int"),
        (100, [1.5], "float"),
    ],
)
def test_apportion_refuses_what_cannot_be_divided(total, weights, message) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        apportion(total, weights)


weights_strategy = st.lists(
    st.one_of(
        st.integers(min_value=0, max_value=10**6),
        st.decimals(min_value=0, max_value=10**5, places=2, allow_nan=False, allow_infinity=False),
    ),
    min_size=1,
    max_size=12,
).filter(lambda ws: sum(Fraction(w) for w in ws) > 0)


@given(st.integers(min_value=-(10**12), max_value=10**12), weights_strategy)
def test_apportion_parts_sum_to_the_total_each_within_a_fen_of_its_share(total, weights) -> None:
    parts = apportion(total, weights)
    assert len(parts) == len(weights)
    assert sum(parts) == total
    whole = sum(Fraction(w) for w in weights)
    for part, weight in zip(parts, weights, strict=True):
        assert isinstance(part, int)
        assert abs(part - Fraction(total) * Fraction(weight) / whole) < 1
        if weight == 0:
            assert part == 0
    # Deterministic: the same input gives the same parts.
    assert apportion(total, list(weights)) == parts


@given(st.integers(min_value=0, max_value=10**9), weights_strategy)
def test_apportion_never_gives_a_smaller_weight_more(total, weights) -> None:
    parts = apportion(total, weights)
    for i, wi in enumerate(weights):
        for j, wj in enumerate(weights):
            if Fraction(wi) < Fraction(wj):
                assert parts[i] <= parts[j]
