"""The demo park matches docs/DOMAIN.md and is the same every time."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from parkops.inventory import demo
from parkops.inventory.vocabulary import UnitStatus


def _workshop_units(plan):
    phase_of = {b["code"]: b["phase"] for b in plan["buildings"]}
    return [u for u in plan["units"] if phase_of[u["building"]] in (1, 2)]


def test_plan_is_deterministic():
    assert demo.plan() == demo.plan()


def test_phases_one_and_two_have_about_240000_m2_in_120_units():
    plan = demo.plan()
    units = _workshop_units(plan)
    assert len(units) == 120
    total = sum(u["gross_area"] for u in units)
    assert Decimal("235000") < total < Decimal("245000")
    assert all(Decimal("1900") < u["gross_area"] < Decimal("2100") for u in units)
    floors = {b["floor_count"] for b in plan["buildings"] if b["phase"] in (1, 2)}
    assert floors <= {3, 4, 5}
    ground = [u for u in units if u["floor"] == 1]
    assert {u["unit_type"] for u in ground} == {"shop", "live_streaming"}


def test_about_ninety_percent_leased_some_available_two_in_maintenance():
    statuses = Counter(u["status"] for u in _workshop_units(demo.plan()))
    assert 0.85 <= statuses[UnitStatus.leased] / 120 <= 0.92
    assert statuses[UnitStatus.available] >= 5
    assert statuses[UnitStatus.unavailable] == 2


def test_phase_three_units_are_not_handed_over():
    plan = demo.plan()
    phase3 = {b["code"] for b in plan["buildings"] if b["phase"] == 3}
    uses = {b["main_use"] for b in plan["buildings"] if b["phase"] == 3}
    assert {"production", "office", "warehousing", "hotel_apartment"} <= uses
    units = [u for u in plan["units"] if u["building"] in phase3]
    assert units and all(u["status"] == "unavailable" for u in units)
    assert {u["unavailable_reason"] for u in units} == {"not handed over"}


def test_codes_unique_and_areas_consistent():
    units = demo.plan()["units"]
    assert len({u["code"] for u in units}) == len(units)
    assert all(0 < u["leasable_area"] <= u["gross_area"] for u in units)
