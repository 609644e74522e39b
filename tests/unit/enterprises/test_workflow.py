"""Which status changes an edit may make (pure)."""

from __future__ import annotations

import pytest

from parkops.enterprises.workflow import (
    TRANSITIONS,
    EnterpriseStatus,
    allowed_statuses,
    transition_problem,
)

S = EnterpriseStatus


def test_every_status_has_an_entry():
    assert set(TRANSITIONS) == set(S)


@pytest.mark.parametrize(
    ("current", "new", "ok"),
    [
        (S.prospect, S.prospect, True),
        (S.prospect, S.tenant, True),
        (S.prospect, S.former_tenant, False),
        (S.tenant, S.former_tenant, True),
        (S.tenant, S.prospect, False),
        (S.former_tenant, S.tenant, True),
        (S.former_tenant, S.prospect, True),
    ],
)
def test_transitions(current, new, ok):
    assert (transition_problem(current, new) is None) is ok


def test_allowed_statuses_offer_the_current_one_first_in_enum_order():
    assert allowed_statuses("prospect") == [S.prospect, S.tenant]
    assert allowed_statuses(S.tenant) == [S.tenant, S.former_tenant]
    assert allowed_statuses(S.former_tenant) == list(S)


def test_unknown_status_is_a_programming_error():
    with pytest.raises(ValueError):
        transition_problem("bankrupt", "tenant")
