"""Cleaning and checking enterprise input (pure: no database)."""

from __future__ import annotations

import pytest

from parkops.enterprises.rules.enterprise import (
    MAX_SHOPS,
    ShopInput,
    clean_enterprise,
    clean_shops,
    mobile_problem,
    normalize_mobile,
    parse_industry,
    parse_platform,
    parse_status,
)
from parkops.enterprises.rules.uscc import make_uscc

USCC = make_uscc("91360483MA35ABCD1")


def raw(**overrides):
    values = {
        "name": " 庐山市横塘镇暖阳羽绒服饰有限公司 ",
        "name_en": "",
        "uscc": USCC.lower(),
        "legal_representative": "王伟",
        "contact_person": "李娜",
        "contact_mobile": "138-0013-8000",
        "industry": "down_apparel",
        "status": "tenant",
        "registered_capital": "1,000,000.5",
        "employee_count": "25",
    }
    values.update(overrides)
    return values


def test_clean_input_is_normalised():
    clean, errors = clean_enterprise(raw())
    assert errors == {}
    assert clean.name == "庐山市横塘镇暖阳羽绒服饰有限公司"
    assert clean.name_en is None
    assert clean.uscc == USCC
    assert clean.contact_mobile == "13800138000"
    assert clean.registered_capital_fen == 100_000_050
    assert clean.employee_count == 25
    assert clean.shops == ()
    assert set(clean.row()) == {
        "name", "name_en", "uscc", "legal_representative", "address", "address_en",
        "contact_person", "contact_mobile", "industry", "status", "registered_capital_fen",
        "employee_count",
    }  # fmt: skip
    assert (clean.address, clean.address_en) == ("", None)  # optional


def test_an_address_is_kept_as_typed_and_trimmed():
    clean, errors = clean_enterprise(
        raw(address=" 江西省九江市庐山市横塘镇红星大道８８号 ", address_en=" No. 88 ")
    )
    assert errors == {}
    assert clean.address == "江西省九江市庐山市横塘镇红星大道88号"  # NFKC: full-width digits
    assert clean.address_en == "No. 88"


def test_full_width_input_from_a_chinese_ime():
    full_width_uscc = "".join(chr(ord(c) + 0xFEE0) for c in USCC)
    clean, errors = clean_enterprise(
        raw(uscc=full_width_uscc, contact_mobile="１３８００１３８０００", employee_count="２５")
    )
    assert errors == {}, errors
    assert clean.uscc == USCC and clean.contact_mobile == "13800138000"
    assert clean.employee_count == 25


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("13800138000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("0086-13800138000", "13800138000"),
        ("8613800138000", "13800138000"),
        ("(138) 0013-8000", "13800138000"),
    ],
)
def test_mobile_numbers_as_people_type_them(typed, expected):
    assert normalize_mobile(typed) == expected
    assert mobile_problem(normalize_mobile(typed)) is None


@pytest.mark.parametrize(
    "mobile", ["", "1380013800", "138001380001", "12800138000", "23800138000", "1380013800a"]
)
def test_bad_mobile_numbers(mobile):
    assert mobile_problem(normalize_mobile(mobile))


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"name": ""}, "name", "Company name is required"),
        ({"name": "字" * 201}, "name", "at most 200"),
        ({"name_en": "x" * 201}, "name_en", "at most 200"),
        ({"uscc": USCC[:17] + ("0" if USCC[17] != "0" else "1")}, "uscc", "check character"),
        ({"uscc": USCC[:17]}, "uscc", "18 characters"),
        ({"uscc": ""}, "uscc", "required"),
        ({"legal_representative": ""}, "legal_representative", "required"),
        ({"contact_person": "张" * 51}, "contact_person", "at most 50"),
        ({"address": "路" * 301}, "address", "at most 300"),
        ({"address_en": "x" * 301}, "address_en", "at most 300"),
        ({"contact_mobile": "12345678901"}, "contact_mobile", "11-digit"),
        ({"industry": ""}, "industry", "industries"),
        ({"industry": "mining"}, "industry", "industries"),
        ({"status": "bankrupt"}, "status", "statuses"),
        ({"registered_capital": "-0.01"}, "registered_capital", "must not be negative"),
        ({"registered_capital": "1.001"}, "registered_capital", "two decimals"),
        ({"registered_capital": "abc"}, "registered_capital", "amount in yuan"),
        ({"registered_capital": ""}, "registered_capital", "required"),
        ({"registered_capital": "1e30"}, "registered_capital", ""),
        ({"employee_count": "-1"}, "employee_count", "must not be negative"),
        ({"employee_count": "2.5"}, "employee_count", "whole number"),
        ({"employee_count": ""}, "employee_count", "required"),
    ],
)
def test_each_problem_is_reported_on_its_field(overrides, field, fragment):
    clean, errors = clean_enterprise(raw(**overrides))
    assert clean is None
    assert set(errors) == {field}
    assert fragment in errors[field]


def test_all_problems_are_reported_at_once():
    _clean, errors = clean_enterprise({})
    assert {"name", "uscc", "legal_representative", "contact_person", "contact_mobile"} <= set(
        errors
    )
    assert {"industry", "registered_capital", "employee_count"} <= set(errors)
    assert "status" not in errors  # a missing status means a prospect


def test_capital_in_fen_for_the_api():
    values = raw()
    del values["registered_capital"]
    clean, errors = clean_enterprise({**values, "registered_capital_fen": 12_345})
    assert errors == {} and clean.registered_capital_fen == 12_345
    _clean, errors = clean_enterprise({**values, "registered_capital_fen": -1})
    assert set(errors) == {"registered_capital_fen"}
    _clean, errors = clean_enterprise({**values, "registered_capital_fen": True})
    assert set(errors) == {"registered_capital_fen"}


def test_quoted_input_cannot_pose_as_a_format_placeholder():
    _clean, errors = clean_enterprise(raw(uscc="91%s0483MA35ABCD1X"))
    assert "%" not in errors["uscc"]


def test_labels_and_chinese_aliases():
    assert parse_industry("E-commerce") == parse_industry("电商") == "ecommerce"
    assert parse_industry(" 羽绒服装 ") == "down_apparel"
    assert parse_status("Former tenant") == parse_status("已退租") == "former_tenant"
    assert parse_platform("天猫") == parse_platform("tmall") == parse_platform("TMALL") == "tmall"
    assert parse_platform("JD.com") == "jd"
    assert parse_industry("mining") is None and parse_status("") is None


def test_shops():
    shops, problem = clean_shops(
        [
            {"platform": "天猫", "shop_name": " 暖阳旗舰店 ", "url": "https://a.tmall.com"},
            {"platform": "", "shop_name": "", "url": ""},  # a blank form row
            {"platform": "douyin", "shop_name": "暖阳官方旗舰店"},
        ]
    )
    assert problem is None
    assert shops == (
        ShopInput("tmall", "暖阳旗舰店", "https://a.tmall.com"),
        ShopInput("douyin", "暖阳官方旗舰店", None),
    )


@pytest.mark.parametrize(
    ("items", "fragment"),
    [
        ([{"platform": "myspace", "shop_name": "x"}], "Online shop 1: choose"),
        ([{"platform": "jd", "shop_name": ""}], "shop name is required"),
        ([{"platform": "jd", "shop_name": "x", "url": "javascript:alert(1)"}], "http://"),
        ([{"platform": "jd", "shop_name": "x"}, {"platform": "京东", "shop_name": "x"}], "twice"),
        ([{"platform": "jd", "shop_name": f"s{i}"} for i in range(MAX_SHOPS + 1)], "At most"),
    ],
)
def test_bad_shops(items, fragment):
    shops, problem = clean_shops(items)
    assert shops == () and fragment in problem
