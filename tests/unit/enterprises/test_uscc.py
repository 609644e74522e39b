"""Unit tests for USCC (GB 32100-2015) normalisation and validation."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parkops.enterprises.rules.uscc import (
    ALPHABET,
    WEIGHTS,
    is_valid_uscc,
    make_uscc,
    normalize_uscc,
    org_code_check_char,
    org_code_is_consistent,
    uscc_check_char,
    validate_uscc,
)

# Published codes of well-known companies, as printed on their business licences. Each passes
# both the USCC and the GB 11714 check, which a mistyped code would only do by a 1-in-341 chance.
REAL_CODES = [
    "91350100M000100Y43",  # the example printed in many explanations of GB 32100
    "91110000600037341L",  # python-stdnum's documented example
    "9144030071526726XG",  # 深圳市腾讯计算机系统有限公司 (Tencent)
    "914403001922038216",  # 华为技术有限公司 (Huawei)
    "91110108551385082Q",  # 小米科技有限责任公司 (Xiaomi)
    "91440300192317458F",  # 比亚迪股份有限公司 (BYD)
    "91330100799655058B",
]

digits = st.sampled_from("0123456789")
chars = st.sampled_from(ALPHABET)
first17s = st.builds(
    lambda head, division, org: "".join(head) + "".join(division) + "".join(org),
    st.lists(chars, min_size=2, max_size=2),
    st.lists(digits, min_size=6, max_size=6),
    st.lists(chars, min_size=9, max_size=9),
)
valid_codes = first17s.map(make_uscc)


def test_weights_are_powers_of_three_mod_31() -> None:
    assert list(WEIGHTS) == [pow(3, i, 31) for i in range(17)]
    assert len(ALPHABET) == 31
    assert not set("IOSVZ") & set(ALPHABET)


def test_worked_example() -> None:
    # 9 1 3 5 0 1 0 0 M 0 0 0 1 0 0 Y 4 with M = 21, Y = 30:
    # 9*1 + 1*3 + 3*9 + 5*27 + 1*26 + 21*20 + 1*8 + 30*30 + 4*28 = 1640; 1640 mod 31 = 28;
    # 31 - 28 = 3.
    assert uscc_check_char("91350100M000100Y4") == "3"
    assert make_uscc("91350100M000100Y4") == "91350100M000100Y43"


def test_check_value_31_is_written_as_zero() -> None:
    # The weighted sum of this body is a multiple of 31.
    assert uscc_check_char("91360483000000016") == "0"


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code: str) -> None:
    assert validate_uscc(code) is None
    assert is_valid_uscc(code)
    assert org_code_is_consistent(code)


def test_normalisation() -> None:
    full_width = "９１３５０１００Ｍ０００１００Ｙ４３"
    assert normalize_uscc(full_width) == "91350100M000100Y43"
    assert normalize_uscc("  91350100m000100y43\n") == "91350100M000100Y43"
    assert normalize_uscc("9135 0100-M000\u3000100Y43") == "91350100M000100Y43"
    assert normalize_uscc("９１３５　０１００－ｍ０００１００ｙ４３") == "91350100M000100Y43"
    assert is_valid_uscc(" ９１３５０１００ｍ０００１００ｙ４３ ")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Unified Social Credit Code is required."),
        ("  \u3000", "Unified Social Credit Code is required."),
        ("91350100M000100Y4", "Unified Social Credit Code must be 18 characters, got 17."),
        ("91350100M000100Y433", "Unified Social Credit Code must be 18 characters, got 19."),
        (
            "91350100M000100O43",
            "Unified Social Credit Code: invalid character 'O' at position 16 (did you mean '0'?);"
            " only digits and capital letters other than I, O, S, V and Z are used.",
        ),
        (
            "S1350100M000100Y43",
            "Unified Social Credit Code: invalid character 'S' at position 1 (did you mean '5'?);"
            " only digits and capital letters other than I, O, S, V and Z are used.",
        ),
        (
            "91350100M000100Y4*",
            "Unified Social Credit Code: invalid character '*' at position 18;"
            " only digits and capital letters other than I, O, S, V and Z are used.",
        ),
        (
            "91350100M00中100Y43",
            "Unified Social Credit Code: invalid character '中' at position 12;"
            " only digits and capital letters other than I, O, S, V and Z are used.",
        ),
        (
            "913501A0M000100Y43",
            "Unified Social Credit Code: position 7 must be a digit"
            " (positions 3-8 are the administrative division code), got 'A'.",
        ),
        (
            "91350I00M000100Y43",
            "Unified Social Credit Code: position 6 must be a digit"
            " (positions 3-8 are the administrative division code), got 'I' (did you mean '1'?).",
        ),
        (
            "91350100M000100Y44",
            "Unified Social Credit Code check character should be '3', got '4';"
            " please check the code for a typing error.",
        ),
    ],
)
def test_error_messages(text: str, message: str) -> None:
    assert validate_uscc(text) == message
    assert not is_valid_uscc(text)


def test_lowercase_input_gets_the_same_message_as_uppercase() -> None:
    assert validate_uscc("91350100m000100y44") == validate_uscc("91350100M000100Y44")


def test_positions_one_and_two_are_not_checked_against_a_table() -> None:
    # N2 (rural collective economic organisation) postdates the 2015 table; Y is "other".
    assert is_valid_uscc(make_uscc("N2360483MA35K1234"))
    assert is_valid_uscc(make_uscc("Y1360483MA35K1234"))


def test_organisation_code_check_is_informational_only() -> None:
    code = make_uscc("91360483MA35K1234")
    assert org_code_check_char("MA35K123") != "4"
    assert is_valid_uscc(code)
    assert not org_code_is_consistent(code)
    assert not org_code_is_consistent("not a code")


def test_organisation_code_check_char() -> None:
    assert org_code_check_char("M000100Y") == "4"
    assert org_code_check_char("71526726") == "X"  # remainder 10
    assert org_code_check_char("00000000") == "0"  # remainder 11
    with pytest.raises(ValueError, match="8 characters"):
        org_code_check_char("1234567")
    with pytest.raises(ValueError, match="invalid"):
        org_code_check_char("1234567*")


def test_check_char_rejects_bad_bodies() -> None:
    with pytest.raises(ValueError, match="got 16"):
        uscc_check_char("91350100M000100Y")
    with pytest.raises(ValueError, match="position 9"):
        uscc_check_char("91350100O000100Y4")


def test_make_uscc_rejects_a_letter_in_the_division_code() -> None:
    with pytest.raises(ValueError, match="position 3 must be a digit"):
        make_uscc("91A50100M000100Y4")


def test_every_single_substitution_of_a_real_code_is_detected() -> None:
    for code in REAL_CODES:
        for position, replacement in itertools.product(range(18), ALPHABET):
            if replacement != code[position]:
                changed = code[:position] + replacement + code[position + 1 :]
                assert not is_valid_uscc(changed), changed


@given(valid_codes)
def test_make_uscc_is_always_valid(code: str) -> None:
    assert validate_uscc(code) is None
    assert make_uscc(code[:17]) == code


@given(valid_codes, st.integers(0, 17), chars)
def test_any_single_substitution_is_detected(code: str, position: int, replacement: str) -> None:
    # Proof: the change alters the weighted sum by weight * (new - old); both factors are
    # non-zero modulo the prime 31, so the product is too. The check character has weight 1.
    if replacement != code[position]:
        assert not is_valid_uscc(code[:position] + replacement + code[position + 1 :])


@given(valid_codes, st.integers(0, 16), st.integers(0, 16))
def test_any_transposition_within_the_first_17_is_detected(code: str, i: int, j: int) -> None:
    # The weights 3**k mod 31 for k < 17 are distinct because 3 has order 30 modulo 31.
    if code[i] != code[j]:
        swapped = list(code)
        swapped[i], swapped[j] = swapped[j], swapped[i]
        assert not is_valid_uscc("".join(swapped))


@given(valid_codes)
def test_swapping_positions_17_and_18_is_detected(code: str) -> None:
    if code[16] != code[17]:
        assert not is_valid_uscc(code[:16] + code[17] + code[16])


@given(valid_codes)
def test_swapping_positions_1_and_18_is_not_detected(code: str) -> None:
    # A known blind spot: position 1 has weight 1, the same as the check character itself.
    assert is_valid_uscc(code[17] + code[1:17] + code[0])
