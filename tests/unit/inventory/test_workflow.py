"""Unit statuses: what contracts and holds give a unit, and what people may give it by hand."""

from __future__ import annotations

import pytest

from parkops.inventory import workflow
from parkops.inventory.vocabulary import PhaseStatus, UnitStatus
from parkops.inventory.workflow import Occupancy

ALL = list(UnitStatus)
OPERATING, BUILDING = PhaseStatus.operating, PhaseStatus.under_construction


@pytest.mark.parametrize(
    ("occupancy", "current", "phase", "expected"),
    [
        (Occupancy.let_now, "available", OPERATING, "leased"),
        (Occupancy.let_now, "reserved", OPERATING, "leased"),
        # Pre-let, not occupied, while the phase is not operating.
        (Occupancy.let_now, "unavailable", BUILDING, "reserved"),
        (Occupancy.taken_later, "available", OPERATING, "reserved"),
        (Occupancy.taken_later, "leased", OPERATING, "reserved"),
        (Occupancy.taken_later, "unavailable", BUILDING, "reserved"),
        # Nothing takes the unit: available, unless the park took it out of letting.
        (None, "leased", OPERATING, "available"),
        (None, "reserved", BUILDING, "available"),
        (None, "available", OPERATING, "available"),
        (None, "unavailable", OPERATING, "unavailable"),
    ],
)
def test_the_status_contracts_and_holds_give(occupancy, current, phase, expected):
    assert workflow.followed_status(occupancy, current, phase) == expected


@pytest.mark.parametrize("current", [None, *ALL])
def test_nobody_leases_or_reserves_by_hand(current):
    for new in workflow.OCCUPIED:
        problem = workflow.manual_status_problem(current, new)
        if current == new:
            assert problem is None  # not a change
        else:
            assert problem == workflow.NOT_BY_HAND


@pytest.mark.parametrize("current", [None, *ALL])
def test_available_and_unavailable_are_set_by_hand(current):
    """Whatever the unit reads now; what covers it is the service's question."""
    for new in workflow.MANUAL:
        assert workflow.manual_status_problem(current, new) is None


def test_unavailable_needs_a_reason():
    problem = workflow.reason_problem("unavailable", "  ")
    assert problem and "reason" in problem
    assert workflow.reason_problem("unavailable", "维修") is None
    assert workflow.reason_problem("available", None) is None


def test_unknown_status():
    assert workflow.manual_status_problem("available", "sold") == "Unknown status"
