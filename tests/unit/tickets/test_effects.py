"""What each ticket action changes (rules.effects), without a database."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from parkops.tickets.rules.effects import (
    ActionInput,
    Audience,
    MergeTarget,
    Notice,
    PauseChange,
    effects,
    is_internal,
    notices,
)
from parkops.tickets.rules.states import TicketAction as A
from parkops.tickets.rules.states import TicketStatus as S

NOW = dt.datetime(2026, 10, 12, 3, 0, tzinfo=dt.UTC)
EARLIER = dt.datetime(2026, 10, 9, 2, 0, tzinfo=dt.UTC)


def ticket(**overrides):
    values = {
        "lead_department_id": None,
        "first_replied_at": None,
        "extension_days": 0,
        "extension_requested_days": None,
        "reopen_count": 0,
    }
    return SimpleNamespace(**(values | overrides))


def test_every_action_sets_the_status_and_the_time_of_the_change():
    change = effects(ticket(), A.START, S.IN_PROGRESS, NOW)
    assert change.changes["status"] == "in_progress" and change.changes["updated_at"] == NOW


def test_acceptance_starts_the_first_reply_and_resolve_clocks():
    change = effects(ticket(), A.ACCEPT, S.ACCEPTED, NOW)
    assert {k: change.changes[k] for k in ("accepted_at", "first_reply_from", "resolve_from")} == {
        "accepted_at": NOW,
        "first_reply_from": NOW,
        "resolve_from": NOW,
    }
    assert "closed_at" not in change.changes and change.pause is None


def test_a_redispatch_restarts_the_department_clocks_and_drops_the_extension():
    before = ticket(lead_department_id=3, first_replied_at=EARLIER, extension_days=4,
                    extension_requested_days=2)  # fmt: skip
    given = ActionInput(lead_department_id=5, co_department_ids=(7, 8))
    change = effects(before, A.REDISPATCH, S.DISPATCHED, NOW, given)
    assert change.changes | {"status": None, "updated_at": None} == {
        "lead_department_id": 5,
        "dispatched_at": NOW,
        "first_reply_from": NOW,
        "resolve_from": NOW,
        "first_replied_at": None,
        "resolved_at": None,
        "extension_days": 0,
        "extension_requested_days": None,
        "status": None,
        "updated_at": None,
    }
    assert change.event_data == {
        "lead_department_id": 5,
        "co_department_ids": [7, 8],
        "previous_lead_department_id": 3,
    }
    assert change.co_department_ids == (7, 8)


def test_starting_again_keeps_the_first_reply_time():
    assert (
        effects(ticket(first_replied_at=EARLIER), A.START, S.IN_PROGRESS, NOW).changes[
            "first_replied_at"
        ]
        == EARLIER
    )
    assert effects(ticket(), A.START, S.IN_PROGRESS, NOW).changes["first_replied_at"] == NOW


def test_asking_for_information_pauses_and_the_answer_resumes():
    asked = effects(ticket(), A.REQUEST_INFO, S.AWAITING_ENTERPRISE, NOW)
    assert asked.pause is PauseChange.OPEN and not asked.event_data
    answered = effects(ticket(), A.PROVIDE_INFO, S.IN_PROGRESS, NOW, paused_at=EARLIER)
    assert answered.pause is PauseChange.RESUME
    assert answered.event_data == {"paused_at": EARLIER.isoformat()}


def test_withdrawing_ends_an_open_pause_and_closes_the_ticket():
    paused = effects(ticket(), A.WITHDRAW, S.WITHDRAWN, NOW, paused_at=EARLIER)
    assert paused.pause is PauseChange.RESUME and paused.changes["closed_at"] == NOW
    assert effects(ticket(), A.WITHDRAW, S.WITHDRAWN, NOW).pause is None


def test_the_reply_resolves_and_starts_the_rating_period():
    change = effects(ticket(), A.REPLY, S.REPLIED, NOW)
    assert change.changes["resolved_at"] == change.changes["replied_at"] == NOW


def test_extension_request_approval_and_refusal():
    asked = effects(ticket(), A.REQUEST_EXTENSION, S.IN_PROGRESS, NOW, ActionInput(days=5))
    assert asked.changes["extension_requested_days"] == 5 and asked.event_data == {"days": 5}
    pending = ticket(extension_days=2, extension_requested_days=5)
    approved = effects(pending, A.APPROVE_EXTENSION, S.IN_PROGRESS, NOW)
    assert approved.changes["extension_days"] == 7
    assert approved.changes["extension_requested_days"] is None
    assert approved.event_data == {"days": 5}
    denied = effects(pending, A.DENY_EXTENSION, S.IN_PROGRESS, NOW)
    assert "extension_days" not in denied.changes and denied.event_data == {"days": 5}


def test_merging_points_at_the_target_and_closes():
    given = ActionInput(merge_target=MergeTarget(41, "WQ-2026-000041"))
    change = effects(ticket(), A.MERGE, S.MERGED, NOW, given)
    assert change.changes["merged_into_id"] == 41 and change.changes["closed_at"] == NOW
    assert change.event_data == {"merged_into_id": 41, "merged_into_number": "WQ-2026-000041"}


def test_a_dissatisfied_rating_reopens_once_with_a_fresh_resolve_clock():
    rated = ticket(extension_days=3)
    given = ActionInput(rating=2, comment="Still broken")
    change = effects(rated, A.RATE_DISSATISFIED, S.REOPENED, NOW, given)
    assert change.changes | {"status": None, "updated_at": None} == {
        "rating": 2,
        "rating_comment": "Still broken",
        "rated_at": NOW,
        "reopen_count": 1,
        "resolve_from": NOW,
        "resolved_at": None,
        "extension_days": 0,
        "extension_requested_days": None,
        "status": None,
        "updated_at": None,
    }
    assert change.event_data == {"rating": 2}


@pytest.mark.parametrize("action", [A.RATE_SATISFIED, A.CLOSE])
def test_a_final_rating_closes(action):
    change = effects(ticket(), action, S.CLOSED, NOW, ActionInput(rating=4, comment=""))
    assert change.changes["closed_at"] == NOW and change.changes["rating_comment"] is None
    assert "reopen_count" not in change.changes


def test_which_notes_are_internal():
    assert is_internal("dispatch") and is_internal("return") and is_internal("deny_extension")
    assert not is_internal("reply") and not is_internal("file") and not is_internal("note")


def test_who_is_told():
    E, D, L = Audience.ENTERPRISE, Audience.DESK, Audience.LEAD
    assert notices(A.ACCEPT, S.SUBMITTED, S.ACCEPTED, has_lead=False) == (
        Notice(E, "ticket_accepted"),
    )
    assert notices(A.DISPATCH, S.ACCEPTED, S.DISPATCHED, has_lead=True) == (
        Notice(Audience.DEPARTMENTS, "ticket_dispatched"),
    )
    # The enterprise's answer goes to whoever asked for it.
    assert notices(A.PROVIDE_INFO, S.AWAITING_ENTERPRISE, S.SUBMITTED, has_lead=False) == (
        Notice(D, "info_provided"),
    )
    assert notices(A.PROVIDE_INFO, S.AWAITING_ENTERPRISE, S.IN_PROGRESS, has_lead=True) == (
        Notice(L, "info_provided"),
    )
    # Before dispatch no department knows the ticket, so only the desk hears of a withdrawal.
    assert notices(A.WITHDRAW, S.ACCEPTED, S.WITHDRAWN, has_lead=False) == (
        Notice(D, "ticket_withdrawn"),
    )
    assert notices(A.WITHDRAW, S.DISPATCHED, S.WITHDRAWN, has_lead=True) == (
        Notice(D, "ticket_withdrawn"),
        Notice(L, "ticket_withdrawn"),
    )
    assert {n.kind for n in notices(A.RATE_DISSATISFIED, S.REPLIED, S.REOPENED, has_lead=True)} == {
        "ticket_reopened"
    }
    assert notices(A.START, S.DISPATCHED, S.IN_PROGRESS, has_lead=True) == ()
