"""The contract lifecycle table: who may take which step from where."""

from __future__ import annotations

import pytest

from parkops.accounts.roles import Role
from parkops.leases.rules.workflow import (
    OCCUPYING,
    TRANSITIONS,
    ContractAction,
    ContractStatus,
    RoleNotAllowed,
    TransitionNotAllowed,
    available_actions,
    plan,
)

L, A = {Role.leasing}, {Role.park_admin}


@pytest.mark.parametrize(
    ("status", "action", "roles", "target"),
    [
        ("draft", "submit", L, "pending_approval"),
        ("draft", "cancel", L, "cancelled"),
        ("pending_approval", "approve", A, "active"),
        ("pending_approval", "reject", A, "draft"),
        ("active", "terminate", L, "terminated"),
    ],
)
def test_allowed_steps(status, action, roles, target):
    assert plan(status, action, roles).target == target


def test_only_a_park_admin_approves():
    with pytest.raises(RoleNotAllowed, match="park administrator"):
        plan("pending_approval", "approve", {Role.leasing, Role.finance})
    with pytest.raises(RoleNotAllowed):
        plan("pending_approval", "reject", L)


def test_impossible_steps_are_refused_before_roles():
    with pytest.raises(TransitionNotAllowed, match="possible: submit, cancel"):
        plan("draft", "approve", A)
    with pytest.raises(TransitionNotAllowed, match="final"):
        plan("terminated", "submit", A)
    with pytest.raises(TransitionNotAllowed):
        plan("draft", "fly", A)


def test_system_steps_need_no_role_but_nobody_takes_them_by_hand():
    assert plan("active", "expire", (), system=True).target == "expired"
    assert plan("expired", "mark_renewed", (), system=True).target == "renewed"
    with pytest.raises(RoleNotAllowed):
        plan("active", "expire", A)


def test_available_actions():
    assert available_actions("pending_approval", L) == []
    assert available_actions("pending_approval", A) == ["approve", "reject"]
    assert available_actions("active", L) == ["terminate"]
    assert available_actions("renewed", A) == []


def test_every_state_is_reachable_and_occupying_states_follow_submission():
    targets = {t.target for t in TRANSITIONS.values()} | {ContractStatus.draft}
    assert targets == set(ContractStatus)
    assert ContractStatus.draft not in OCCUPYING and ContractStatus.cancelled not in OCCUPYING
    submit = TRANSITIONS[(ContractStatus.draft, ContractAction.submit)]
    assert submit.target in OCCUPYING
