"""Parsing what people type about spaces: every bad value names its field, nothing rounds."""

from __future__ import annotations

from decimal import Decimal

import pytest

from parkops.inventory.rules import fields as rules
from parkops.inventory.vocabulary import UnitType


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2000", Decimal("2000.00")),
        ("1,999.5", Decimal("1999.50")),
        (Decimal("12.30"), Decimal("12.30")),
        (12, Decimal("12.00")),
        ("0.01", Decimal("0.01")),
        ("1.230", Decimal("1.23")),
    ],
)
def test_areas_parse_exactly(raw, expected):
    errors: dict = {}
    assert rules.parse_area(raw, "gross_area", errors) == expected
    assert errors == {}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("0", "Gross floor area must be greater than zero"),
        ("-5", "Gross floor area must be greater than zero"),
        ("12.345", "Gross floor area may have at most two decimals"),
        ("abc", "Gross floor area 'abc' is not a number"),
        ("NaN", "Gross floor area 'NaN' is not a number"),
        ("", "Gross floor area is required"),
        (True, "Gross floor area is not a number"),
        ("1e20", "Gross floor area is too large"),
    ],
)
def test_bad_areas_name_the_field(raw, message):
    errors: dict = {}
    assert rules.parse_area(raw, "gross_area", errors) is None
    assert errors == {"gross_area": message}


def test_leasable_may_not_exceed_gross():
    errors: dict = {}
    rules.check_areas(Decimal("100.00"), Decimal("100.01"), errors)
    assert "leasable_area" in errors and "100.01" in errors["leasable_area"]
    errors = {}
    rules.check_areas(Decimal("100.00"), Decimal("100.00"), errors)
    assert errors == {}


def test_floor_above_floor_count_is_refused():
    errors: dict = {}
    rules.check_floor_number(6, 5, errors, "floor")
    assert errors == {"floor": "Floor 6 is above the building's floor count (5 floors)"}
    errors = {}
    rules.check_floor_number(5, 5, errors, "floor")
    assert errors == {}


@pytest.mark.parametrize(
    ("raw", "ok"),
    [("A1-101", True), ("B/2#3", True), ("-A", False), ("A 1", False), ("x" * 41, False)],
)
def test_codes(raw, ok):
    errors: dict = {}
    result = rules.parse_code(raw, "code", errors)
    assert (result == raw) is ok
    assert ("code" in errors) is not ok


def test_integers_and_choices():
    errors: dict = {}
    assert rules.parse_int("12", "floor_count", errors, minimum=1) == 12
    assert rules.parse_int("12.0", "floor_count", errors, minimum=1) == 12
    assert rules.parse_int("", "floor_load", errors, required=False) is None
    assert errors == {}
    assert rules.parse_int("1.5", "floor_count", errors) is None
    assert errors["floor_count"] == "Floor count must be a whole number"
    assert rules.parse_int("0", "power_kva", errors, minimum=1) is None
    assert errors["power_kva"] == "Power capacity must be greater than zero"
    assert rules.parse_choice("workshop", UnitType, "unit_type", errors) is UnitType.workshop
    assert rules.parse_choice("castle", UnitType, "unit_type", errors) is None
    assert errors["unit_type"].startswith("Type 'castle' is not one of: workshop, office")
