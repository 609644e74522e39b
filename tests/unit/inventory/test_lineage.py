"""The rules of splits and merges, without a database: which units qualify, what the parts and
the merged unit are made of, and how a refusal reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from parkops.inventory.rules import lineage
from parkops.inventory.rules.lineage import Areas
from parkops.inventory.vocabulary import UnitStatus, UnitType


@dataclass
class Piece:
    code: str
    gross_area: Decimal
    leasable_area: Decimal
    unit_type: str = UnitType.workshop
    status: str = UnitStatus.available
    floor_id: int = 1
    floor_load: int | None = None
    power_kva: int | None = None
    retired_at: datetime | None = None


def piece(code: str, gross: str, leasable: str, **kw) -> Piece:
    return Piece(code, Decimal(gross), Decimal(leasable), **kw)


# --- which units qualify ------------------------------------------------------------------------


def test_only_current_available_units_qualify():
    assert lineage.not_splittable(piece("A", "10", "8"), "split") is None
    retired = piece("A", "10", "8", retired_at=datetime(2026, 1, 1, tzinfo=UTC))
    assert str(lineage.not_splittable(retired, "split")) == "Unit A was already split or merged"
    leased = piece("B", "10", "8", status=UnitStatus.leased)
    assert (
        str(lineage.not_splittable(leased, "merged"))
        == "Only available units can be merged; unit B is Leased"
    )


def test_a_merge_names_the_first_refused_unit_and_counts_the_others():
    units = [
        piece("A", "10", "8", status=UnitStatus.leased),
        piece("B", "10", "8", status=UnitStatus.reserved),
        piece("C", "10", "8", status=UnitStatus.unavailable),
    ]
    problem = str(lineage.merge_problem(units))
    assert problem.startswith("Only available units can be merged; unit A is Leased")
    assert problem.endswith("(and 2 more)")
    assert str(lineage.merge_problem([*units[:1], piece("D", "1", "1")])) == (
        "Only available units can be merged; unit A is Leased"
    )


def test_a_merge_of_free_units_is_refused_for_what_takes_them_then_for_their_floors():
    same_floor = [piece("A", "10", "8"), piece("B", "10", "8")]
    assert lineage.merge_problem(same_floor) is None
    assert lineage.merge_problem(same_floor, "held by H-1") == "held by H-1"
    two_floors = [piece("A", "10", "8"), piece("B", "10", "8", floor_id=2)]
    assert "same floor" in str(lineage.merge_problem(two_floors))


@pytest.mark.parametrize(
    ("raw", "ids", "error"),
    [
        (["3", 1, "3"], [3, 1], None),
        (["1"], [1], "at least two"),
        (["1", "x"], [1], "whole number"),
        ([str(i) for i in range(1, 52)], list(range(1, 52)), "at most 50"),
    ],
)
def test_the_units_to_merge_are_distinct_ids_within_limits(raw, ids, error):
    errors: dict = {}
    assert lineage.merge_ids(raw, errors) == ids
    if error is None:
        assert errors == {}
    else:
        assert error in str(errors["unit_ids"])


# --- what the merged unit is made of ------------------------------------------------------------


def test_merged_defaults_sum_the_areas_and_take_the_weakest_load():
    units = [
        piece("A", "100.50", "90.25", floor_load=500, power_kva=100),
        piece("B", "200.00", "180.00", floor_load=300, power_kva=60),
    ]
    assert lineage.merged_defaults(units) == {
        "unit_type": UnitType.workshop,
        "floor_load": 300,
        "power_kva": 160,
        "gross_area": Decimal("300.50"),
        "leasable_area": Decimal("270.25"),
    }


def test_merged_defaults_leave_open_what_the_units_do_not_share():
    units = [
        piece("A", "1", "1", unit_type=UnitType.office, power_kva=10),
        piece("B", "1", "1", unit_type=UnitType.warehouse, floor_load=None),
    ]
    defaults = lineage.merged_defaults(units)
    assert defaults["unit_type"] is None  # mixed types: the person chooses
    assert defaults["power_kva"] is None  # one unit's capacity is unknown
    assert defaults["floor_load"] is None


def test_merged_values_take_what_is_given_and_require_the_sums():
    units = [piece("A", "100", "90", floor_load=500), piece("B", "50", "40", floor_load=800)]
    errors: dict = {}
    values = lineage.merged_values(units, {"code": "M-1", "power_kva": "", "unit_type": ""}, errors)
    assert errors == {}
    assert values == {
        "code": "M-1",
        "unit_type": UnitType.workshop,
        "gross_area": Decimal("150.00"),
        "leasable_area": Decimal("130.00"),
        "floor_load": 500,
        "power_kva": None,
    }
    errors = {}
    lineage.merged_values(units, {"code": "M-1", "gross_area": "149.99"}, errors)
    assert set(errors) == {"gross_area"}
    assert "(150.00 m²), not 149.99 m²" in str(errors["gross_area"])


def test_a_merged_unit_needs_a_code_and_a_type_when_the_units_differ():
    units = [piece("A", "1", "1", unit_type=UnitType.office), piece("B", "1", "1")]
    errors: dict = {}
    lineage.merged_values(units, {}, errors)
    assert set(errors) == {"code", "unit_type"}


# --- what the parts of a split are made of ------------------------------------------------------


def test_a_split_has_two_to_fifty_parts():
    assert lineage.split_count_problem(1) is not None
    assert lineage.split_count_problem(2) is None
    assert lineage.split_count_problem(50) is None
    assert "at most 50" in str(lineage.split_count_problem(51))


def test_parts_inherit_type_and_floor_load_but_not_power():
    unit = piece("A", "100", "90", unit_type=UnitType.office, floor_load=400, power_kva=80)
    errors: dict = {}
    parts = lineage.clean_parts(
        unit,
        [
            {"code": "A-1", "gross_area": "60", "leasable_area": "50"},
            {"code": "A-2", "gross_area": "40", "leasable_area": "40", "unit_type": "warehouse"},
        ],
        errors,
    )
    assert errors == {}
    assert [(p["unit_type"], p["floor_load"], p["power_kva"]) for p in parts] == [
        (UnitType.office, 400, None),
        (UnitType.warehouse, 400, None),
    ]
    lineage.check_parts(unit, parts, taken=set(), errors=errors)
    assert errors == {}


def test_part_errors_name_the_part():
    unit = piece("A", "100", "90")
    errors: dict = {}
    parts = lineage.clean_parts(unit, [{"code": "A-1"}, {"code": "A 2", "gross_area": "1"}], errors)
    assert {"parts.0.gross_area", "parts.1.code", "parts.1.leasable_area"} <= set(errors)
    assert len(parts) == 2


def test_part_codes_must_be_free_and_distinct():
    unit = piece("A", "100", "90")
    parts = [
        {"code": "A-1", "gross_area": Decimal("50"), "leasable_area": Decimal("45")},
        {"code": "A-1", "gross_area": Decimal("25"), "leasable_area": Decimal("20")},
        {"code": "B-9", "gross_area": Decimal("25"), "leasable_area": Decimal("25")},
    ]
    errors: dict = {}
    lineage.check_parts(unit, parts, taken={"B-9"}, errors=errors)
    assert str(errors["parts.1.code"]) == "The code 'A-1' is given to two parts"
    assert "already used" in str(errors["parts.2.code"])
    assert "parts.0.code" not in errors


def test_split_parts_must_add_up_exactly():
    original = Areas(Decimal("2000.00"), Decimal("1800.00"))
    good = [Areas(Decimal("1000.00"), Decimal("900.00"))] * 2
    assert lineage.area_sum_problems(original, good) == {}
    short = [
        Areas(Decimal("1000.00"), Decimal("900.00")),
        Areas(Decimal("999.99"), Decimal("900.00")),
    ]
    problems = lineage.area_sum_problems(original, short)
    assert set(problems) == {"gross_area"}
    assert "1999.99" in problems["gross_area"] and "2000.00" in problems["gross_area"]
    over = [Areas(Decimal("1000.00"), Decimal("900.01"))] * 2
    assert set(lineage.area_sum_problems(original, over)) == {"leasable_area"}


def test_area_sums_are_checked_only_once_every_area_parsed():
    unit = piece("A", "100", "90")
    errors: dict = {"parts.0.gross_area": "bad"}
    parts = [
        {"code": "A-1", "gross_area": None, "leasable_area": Decimal("1")},
        {"code": "A-2", "gross_area": Decimal("1"), "leasable_area": Decimal("1")},
    ]
    lineage.check_parts(unit, parts, taken=set(), errors=errors)
    assert set(errors) == {"parts.0.gross_area"}
