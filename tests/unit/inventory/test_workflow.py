"""Unit availability transitions and the rule that unfinished phases cannot be occupied."""

from __future__ import annotations

import pytest

from parkops.inventory import workflow
from parkops.inventory.vocabulary import PhaseStatus, UnitStatus

ALL = list(UnitStatus)


def test_every_status_has_a_way_out_and_in():
    for status in ALL:
        assert workflow.TRANSITIONS[status], status
        assert any(status in targets for targets in workflow.TRANSITIONS.values()), status


@pytest.mark.parametrize(
    ("current", "new", "allowed"),
    [
        ("available", "leased", True),
        ("reserved", "leased", True),
        ("leased", "available", True),
        ("leased", "unavailable", False),
        ("leased", "reserved", False),
        ("unavailable", "reserved", True),
        ("unavailable", "leased", False),
    ],
)
def test_transitions(current, new, allowed):
    assert workflow.can_change(current, new) is allowed
    assert (workflow.transition_problem(current, new) is None) is allowed


@pytest.mark.parametrize("phase", [PhaseStatus.planned, PhaseStatus.under_construction])
def test_units_of_unfinished_phases_cannot_be_leased_but_can_be_reserved(phase):
    assert workflow.status_change_problem("available", "leased", phase) is not None
    assert workflow.status_change_problem(None, "leased", phase) is not None
    assert workflow.status_change_problem("available", "reserved", phase) is None
    assert workflow.status_change_problem("available", "leased", PhaseStatus.operating) is None


def test_unavailable_needs_a_reason():
    problem = workflow.status_change_problem("available", "unavailable", "operating", "  ")
    assert problem and "reason" in problem
    assert workflow.status_change_problem("available", "unavailable", "operating", "维修") is None


def test_staying_put_and_creating_are_always_transitions():
    for status in ALL:
        assert workflow.transition_problem(status, status) is None
        assert workflow.transition_problem(None, status) is None


def test_unknown_status():
    assert workflow.status_change_problem("available", "sold", "operating") == "Unknown status"
