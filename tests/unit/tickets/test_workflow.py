"""Ticket workflow: the transition table, its guards and messages, and the SLA clock.

The expectations below are written out by hand from the product issue, not derived from
``TRANSITIONS``: if the table changes, this list must be changed on purpose too.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parkops.tickets.rules.sla import SlaDeadline, sla_clock
from parkops.tickets.rules.states import (
    OPEN_STATUSES,
    PAUSED_STATUSES,
    STATUS_DESCRIPTIONS,
    TERMINAL_STATUSES,
    ActorRole,
    TicketAction,
    TicketStatus,
)
from parkops.tickets.rules.transitions import (
    PAUSABLE_STATUSES,
    TRANSITIONS,
    TransitionContext,
    TransitionError,
    action_for_rating,
    available_actions,
    plan_transition,
)

S = TicketStatus
A = TicketAction
R = ActorRole

# status, action, destination, roles allowed. provide_info is listed with the destination it has
# when the ticket paused from in_progress (see passing_context).
EXPECTED_TABLE = """
submitted            accept             accepted             desk admin
submitted            reject             rejected             desk admin
submitted            merge              merged               desk admin
submitted            request_info       awaiting_enterprise  desk admin
submitted            withdraw           withdrawn            enterprise
accepted             dispatch           dispatched           desk admin
accepted             withdraw           withdrawn            enterprise
dispatched           start              in_progress          lead_department
dispatched           return             returned             lead_department
dispatched           redispatch         dispatched           desk admin
dispatched           withdraw           withdrawn            enterprise
in_progress          request_info       awaiting_enterprise  lead_department
in_progress          reply              replied              lead_department
in_progress          return             returned             lead_department
in_progress          request_extension  in_progress          lead_department
in_progress          approve_extension  in_progress          desk admin
in_progress          deny_extension     in_progress          desk admin
in_progress          withdraw           withdrawn            enterprise
awaiting_enterprise  provide_info       in_progress          enterprise desk admin lead_department
awaiting_enterprise  approve_extension  awaiting_enterprise  desk admin
awaiting_enterprise  deny_extension     awaiting_enterprise  desk admin
awaiting_enterprise  withdraw           withdrawn            enterprise
returned             redispatch         dispatched           desk admin
returned             reject             rejected             desk admin
returned             withdraw           withdrawn            enterprise
replied              rate_satisfied     closed               enterprise
replied              rate_dissatisfied  reopened             enterprise
replied              close              closed               enterprise
replied              follow_up_close    closed               desk admin
reopened             start              in_progress          lead_department
reopened             redispatch         dispatched           desk admin
"""

# (status, action) pairs whose form must carry a note (a reason, an answer, the reply...).
EXPECTED_NOTE_REQUIRED = {
    (S.SUBMITTED, A.REJECT),
    (S.SUBMITTED, A.REQUEST_INFO),
    (S.DISPATCHED, A.RETURN),
    (S.DISPATCHED, A.REDISPATCH),
    (S.IN_PROGRESS, A.REQUEST_INFO),
    (S.IN_PROGRESS, A.REPLY),
    (S.IN_PROGRESS, A.RETURN),
    (S.IN_PROGRESS, A.REQUEST_EXTENSION),
    (S.IN_PROGRESS, A.DENY_EXTENSION),
    (S.AWAITING_ENTERPRISE, A.PROVIDE_INFO),
    (S.AWAITING_ENTERPRISE, A.DENY_EXTENSION),
    (S.RETURNED, A.REJECT),
    (S.REPLIED, A.RATE_DISSATISFIED),
    (S.REPLIED, A.CLOSE),
    (S.REPLIED, A.FOLLOW_UP_CLOSE),
    (S.REOPENED, A.REDISPATCH),
}


def _parse(text: str) -> dict[tuple[S, A], tuple[S, frozenset[R]]]:
    table = {}
    for line in text.strip().splitlines():
        status, action, to_status, *roles = line.split()
        table[(S(status), A(action))] = (S(to_status), frozenset(R(r) for r in roles))
    return table


EXPECTED = _parse(EXPECTED_TABLE)
ALLOWED_TRIPLES = {(s, a, r) for (s, a), (_, roles) in EXPECTED.items() for r in roles}


def passing_context(action: A) -> TransitionContext:
    """A context in which every guard of ``action`` holds."""
    return TransitionContext(
        reopen_count=1 if action is A.CLOSE else 0,
        return_deadline_passed=False,
        merge_target_id=42,
        paused_from=S.IN_PROGRESS,
        rating_window_passed=True,
        resolve_deadline_passed=False,
        extension_pending=action in (A.APPROVE_EXTENSION, A.DENY_EXTENSION),
    )


# --- the table, exhaustively --------------------------------------------------------------------


def test_expectation_list_is_well_formed() -> None:
    # Guards against a typo in the hand-written list silently shrinking it.
    assert len(EXPECTED) == len(EXPECTED_TABLE.strip().splitlines()) == 31
    assert EXPECTED_NOTE_REQUIRED <= EXPECTED.keys()


@pytest.mark.parametrize("status", list(S))
def test_every_triple_is_allowed_exactly_when_expected(status: S) -> None:
    for action in A:
        for role in R:
            context = passing_context(action)
            if (status, action, role) in ALLOWED_TRIPLES:
                transition = plan_transition(status, action, role, note="because", context=context)
                assert transition.from_status is status
                assert transition.action is action
                assert transition.to_status is EXPECTED[(status, action)][0]
                assert transition.description
            else:
                with pytest.raises(TransitionError) as caught:
                    plan_transition(status, action, role, note="because", context=context)
                error = caught.value
                assert error.message and str(error) == error.message
                if (status, action) in EXPECTED:
                    assert error.kind == "role"
                    assert error.message.startswith("Only ")
                else:
                    assert error.kind == "state"
                    assert error.message.startswith(f"A ticket in state '{status}' cannot be ")


def test_table_has_no_rows_beyond_the_expectation() -> None:
    assert set(TRANSITIONS) == set(EXPECTED)


@pytest.mark.parametrize(("status", "action", "role"), sorted(ALLOWED_TRIPLES))
def test_note_is_required_exactly_where_expected(status: S, action: A, role: R) -> None:
    context = passing_context(action)
    for blank in (None, "", "   \n"):
        if (status, action) in EXPECTED_NOTE_REQUIRED:
            with pytest.raises(TransitionError) as caught:
                plan_transition(status, action, role, note=blank, context=context)
            assert caught.value.kind == "note"
        else:
            plan_transition(status, action, role, note=blank, context=context)


def test_messages_from_the_product_issue() -> None:
    with pytest.raises(TransitionError, match=r"^A ticket in state 'replied' cannot be accepted$"):
        plan_transition(S.REPLIED, A.ACCEPT, R.DESK)
    with pytest.raises(TransitionError, match=r"^Only the service desk may dispatch$"):
        plan_transition(S.ACCEPTED, A.DISPATCH, R.LEAD_DEPARTMENT)
    with pytest.raises(TransitionError, match=r"^A reason is required to reject a ticket$"):
        plan_transition(S.SUBMITTED, A.REJECT, R.DESK, note=" ")
    with pytest.raises(TransitionError, match=r"^This ticket was already reopened once"):
        plan_transition(
            S.REPLIED,
            A.RATE_DISSATISFIED,
            R.ENTERPRISE,
            note="still broken",
            context=TransitionContext(reopen_count=1),
        )


def test_role_message_names_every_allowed_role() -> None:
    with pytest.raises(TransitionError) as caught:
        plan_transition(S.AWAITING_ENTERPRISE, A.PROVIDE_INFO, R.CO_DEPARTMENT, note="x")
    message = caught.value.message
    for noun in ("enterprise", "service desk", "lead department"):
        assert noun in message


def test_error_is_a_conflict() -> None:
    with pytest.raises(TransitionError) as caught:
        plan_transition(S.CLOSED, A.REPLY, R.LEAD_DEPARTMENT, note="x")
    assert caught.value.status_code == 409


def test_plain_strings_are_accepted_and_unknown_ones_are_programming_errors() -> None:
    assert plan_transition("submitted", "accept", "desk").to_status is S.ACCEPTED
    with pytest.raises(ValueError):
        plan_transition("submitted", "approve", "desk")
    with pytest.raises(ValueError):
        available_actions("submitted", "mayor")


def test_status_sets() -> None:
    assert {S.REJECTED, S.MERGED, S.CLOSED, S.WITHDRAWN} == TERMINAL_STATUSES
    assert OPEN_STATUSES == set(S) - TERMINAL_STATUSES
    assert {S.AWAITING_ENTERPRISE} == PAUSED_STATUSES
    assert {S.SUBMITTED, S.IN_PROGRESS} == PAUSABLE_STATUSES
    assert set(STATUS_DESCRIPTIONS) == set(S)


def test_co_handling_departments_never_change_state() -> None:
    for status in S:
        for context in (TransitionContext(), passing_context(A.CLOSE)):
            assert available_actions(status, R.CO_DEPARTMENT, context) == []


# --- guards --------------------------------------------------------------------------------------


def test_merge_needs_a_target() -> None:
    with pytest.raises(TransitionError) as caught:
        plan_transition(S.SUBMITTED, A.MERGE, R.DESK)
    assert caught.value.kind == "merge_target"
    assert A.MERGE not in available_actions(S.SUBMITTED, R.DESK, TransitionContext())
    context = TransitionContext(merge_target_id=7)
    assert plan_transition(S.SUBMITTED, A.MERGE, R.DESK, context=context).to_status is S.MERGED


@pytest.mark.parametrize("status", [S.DISPATCHED, S.IN_PROGRESS])
def test_return_only_within_the_return_limit(status: S) -> None:
    late = TransitionContext(return_deadline_passed=True)
    with pytest.raises(TransitionError, match="time limit for returning") as caught:
        plan_transition(status, A.RETURN, R.LEAD_DEPARTMENT, note="not ours", context=late)
    assert caught.value.kind == "within_return_limit"
    assert A.RETURN not in available_actions(status, R.LEAD_DEPARTMENT, late)
    assert A.RETURN in available_actions(status, R.LEAD_DEPARTMENT, TransitionContext())


def test_follow_up_close_waits_for_the_rating_period() -> None:
    early = TransitionContext(rating_window_passed=False)
    with pytest.raises(TransitionError, match="can still rate"):
        plan_transition(S.REPLIED, A.FOLLOW_UP_CLOSE, R.DESK, note="called", context=early)
    assert available_actions(S.REPLIED, R.DESK, early) == []
    late = TransitionContext(rating_window_passed=True)
    assert available_actions(S.REPLIED, R.ADMIN, late) == [A.FOLLOW_UP_CLOSE]


def test_extension_request_and_decision() -> None:
    lead, desk = R.LEAD_DEPARTMENT, R.DESK
    fresh = TransitionContext()
    assert (
        plan_transition(
            S.IN_PROGRESS, A.REQUEST_EXTENSION, lead, note="needs site visit", context=fresh
        ).to_status
        is S.IN_PROGRESS
    )
    # Not after the deadline, and not twice at once.
    for context, kind in (
        (TransitionContext(resolve_deadline_passed=True), "before_resolve_deadline"),
        (TransitionContext(extension_pending=True), "no_pending_extension"),
    ):
        with pytest.raises(TransitionError) as caught:
            plan_transition(S.IN_PROGRESS, A.REQUEST_EXTENSION, lead, note="x", context=context)
        assert caught.value.kind == kind
    # The desk decides only a pending request, also while the ticket is paused.
    with pytest.raises(TransitionError, match="no pending extension"):
        plan_transition(S.IN_PROGRESS, A.APPROVE_EXTENSION, desk, context=fresh)
    pending = TransitionContext(extension_pending=True)
    for status in (S.IN_PROGRESS, S.AWAITING_ENTERPRISE):
        assert plan_transition(status, A.APPROVE_EXTENSION, desk, context=pending).to_status is (
            status
        )
        assert (
            plan_transition(
                status, A.DENY_EXTENSION, desk, note="not complex", context=pending
            ).to_status
            is status
        )
    # Extensions are asked for while handling, not before or after.
    for status in (S.DISPATCHED, S.REPLIED, S.AWAITING_ENTERPRISE):
        with pytest.raises(TransitionError):
            plan_transition(status, A.REQUEST_EXTENSION, lead, note="x", context=fresh)


# --- walks ----------------------------------------------------------------------------------------


@dataclass
class Ticket:
    """What the service would keep: the status and the event trail the guards are computed from."""

    status: S = S.SUBMITTED
    events: list[tuple[S, A, S, R, str | None]] = field(default_factory=list)

    @property
    def reopen_count(self) -> int:
        return sum(1 for _, action, *_ in self.events if action is A.RATE_DISSATISFIED)

    @property
    def paused_from(self) -> S | None:
        # The origin of the latest pause, as documented in the module.
        pauses = [frm for frm, action, *_ in self.events if action is A.REQUEST_INFO]
        return pauses[-1] if pauses else None

    def do(self, action: A, role: R, note: str | None = None, **facts: object) -> S:
        context = TransitionContext(
            reopen_count=self.reopen_count,
            paused_from=self.paused_from,
            **facts,  # type: ignore[arg-type]
        )
        transition = plan_transition(self.status, action, role, note=note, context=context)
        assert transition.to_status is not None
        self.events.append((self.status, action, transition.to_status, role, note))
        self.status = transition.to_status
        return self.status


def test_happy_path() -> None:
    ticket = Ticket()
    assert ticket.do(A.ACCEPT, R.DESK) is S.ACCEPTED
    assert ticket.do(A.DISPATCH, R.DESK) is S.DISPATCHED
    assert ticket.do(A.START, R.LEAD_DEPARTMENT) is S.IN_PROGRESS
    assert ticket.do(A.REPLY, R.LEAD_DEPARTMENT, note="Power restored.") is S.REPLIED
    assert ticket.do(A.RATE_SATISFIED, R.ENTERPRISE) is S.CLOSED
    assert len(ticket.events) == 5
    for role in R:
        assert available_actions(ticket.status, role) == []


def test_follow_up_call_closes_an_unrated_ticket() -> None:
    ticket = Ticket(status=S.REPLIED)
    assert ticket.do(A.FOLLOW_UP_CLOSE, R.DESK, note="Phoned: solved.", rating_window_passed=True)
    assert ticket.status is S.CLOSED


def test_return_and_redispatch() -> None:
    ticket = Ticket(status=S.DISPATCHED)
    assert ticket.do(A.RETURN, R.LEAD_DEPARTMENT, note="Tax matter, not ours") is S.RETURNED
    assert available_actions(S.RETURNED, R.DESK) == [A.REJECT, A.REDISPATCH]
    assert available_actions(S.RETURNED, R.LEAD_DEPARTMENT) == []
    assert ticket.do(A.REDISPATCH, R.DESK) is S.DISPATCHED
    assert ticket.do(A.START, R.LEAD_DEPARTMENT) is S.IN_PROGRESS
    # The second department finds out late: its return limit has passed, so it must handle it.
    with pytest.raises(TransitionError):
        ticket.do(A.RETURN, R.LEAD_DEPARTMENT, note="not ours", return_deadline_passed=True)
    assert ticket.do(A.REPLY, R.LEAD_DEPARTMENT, note="Done") is S.REPLIED


def test_returned_ticket_nobody_is_responsible_for_is_rejected() -> None:
    ticket = Ticket(status=S.RETURNED)
    assert ticket.do(A.REJECT, R.ADMIN, note="Civil dispute: see the court") is S.REJECTED


def test_pause_and_resume_during_handling() -> None:
    ticket = Ticket(status=S.IN_PROGRESS)
    assert ticket.do(A.REQUEST_INFO, R.LEAD_DEPARTMENT, note="Send the meter photo") is (
        S.AWAITING_ENTERPRISE
    )
    clock = sla_clock(ticket.status, paused_from=ticket.paused_from)
    assert not clock.running
    assert clock.next_deadline is SlaDeadline.RESOLVE
    # The department cannot reply while it waits; the enterprise answers and handling resumes.
    with pytest.raises(TransitionError):
        ticket.do(A.REPLY, R.LEAD_DEPARTMENT, note="x")
    assert ticket.do(A.PROVIDE_INFO, R.ENTERPRISE, note="Photo attached") is S.IN_PROGRESS
    assert sla_clock(ticket.status).running


def test_pause_and_resume_before_acceptance() -> None:
    ticket = Ticket()
    assert ticket.do(A.REQUEST_INFO, R.DESK, note="Attach the contract") is S.AWAITING_ENTERPRISE
    assert sla_clock(ticket.status, paused_from=ticket.paused_from).deadlines == (
        SlaDeadline.ACCEPT,
    )
    # The desk may record an answer given by phone.
    assert ticket.do(A.PROVIDE_INFO, R.DESK, note="Contract sent by post") is S.SUBMITTED
    assert ticket.do(A.ACCEPT, R.DESK) is S.ACCEPTED


@pytest.mark.parametrize("paused_from", [None, S.ACCEPTED, S.REPLIED, S.AWAITING_ENTERPRISE])
def test_resume_needs_a_pausable_origin(paused_from: S | None) -> None:
    context = TransitionContext(paused_from=paused_from)
    with pytest.raises(TransitionError) as caught:
        plan_transition(
            S.AWAITING_ENTERPRISE, A.PROVIDE_INFO, R.ENTERPRISE, note="here", context=context
        )
    assert caught.value.kind == "paused_from_known"
    assert available_actions(S.AWAITING_ENTERPRISE, R.ENTERPRISE, context) == [A.WITHDRAW]


def test_reopen_once_then_not_again() -> None:
    ticket = Ticket(status=S.IN_PROGRESS)
    ticket.do(A.REPLY, R.LEAD_DEPARTMENT, note="Done")
    assert available_actions(S.REPLIED, R.ENTERPRISE, TransitionContext(reopen_count=0)) == [
        A.RATE_SATISFIED,
        A.RATE_DISSATISFIED,
    ]
    assert action_for_rating(2, ticket.reopen_count) is A.RATE_DISSATISFIED
    assert ticket.do(A.RATE_DISSATISFIED, R.ENTERPRISE, note="Still no power") is S.REOPENED
    assert ticket.do(A.START, R.LEAD_DEPARTMENT) is S.IN_PROGRESS
    assert ticket.do(A.REPLY, R.LEAD_DEPARTMENT, note="Done again") is S.REPLIED

    with pytest.raises(TransitionError, match="already reopened once") as caught:
        ticket.do(A.RATE_DISSATISFIED, R.ENTERPRISE, note="Still no power")
    assert caught.value.kind == "not_reopened_before"
    assert available_actions(S.REPLIED, R.ENTERPRISE, TransitionContext(reopen_count=1)) == [
        A.RATE_SATISFIED,
        A.CLOSE,
    ]
    assert action_for_rating(1, ticket.reopen_count) is A.CLOSE
    assert ticket.do(A.CLOSE, R.ENTERPRISE, note="Gave up") is S.CLOSED
    assert ticket.reopen_count == 1


def test_dissatisfied_close_only_after_the_redo() -> None:
    with pytest.raises(TransitionError) as caught:
        plan_transition(S.REPLIED, A.CLOSE, R.ENTERPRISE, note="bad")
    assert caught.value.kind == "reopened_before"


def test_redo_can_go_to_another_department() -> None:
    ticket = Ticket(status=S.REOPENED)
    assert ticket.do(A.REDISPATCH, R.DESK, note="Needs market supervision") is S.DISPATCHED


@pytest.mark.parametrize(
    "status",
    [S.SUBMITTED, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.AWAITING_ENTERPRISE, S.RETURNED],
)
def test_withdraw_before_reply(status: S) -> None:
    assert plan_transition(status, A.WITHDRAW, R.ENTERPRISE).to_status is S.WITHDRAWN
    assert A.WITHDRAW in available_actions(status, R.ENTERPRISE)
    # Only the enterprise itself withdraws; the desk cannot do it on its behalf.
    with pytest.raises(TransitionError, match=r"^Only the enterprise"):
        plan_transition(status, A.WITHDRAW, R.DESK)


@pytest.mark.parametrize("status", [S.REPLIED, S.REOPENED, S.CLOSED, S.WITHDRAWN])
def test_withdraw_after_reply_is_refused(status: S) -> None:
    with pytest.raises(TransitionError, match="only before it is replied to"):
        plan_transition(status, A.WITHDRAW, R.ENTERPRISE)


# --- the graph ------------------------------------------------------------------------------------


def _edges(roles: set[R]) -> dict[S, set[S]]:
    graph: dict[S, set[S]] = {s: set() for s in S}
    for (status, _action), transition in TRANSITIONS.items():
        if not roles & transition.allowed_roles:
            continue
        targets = {transition.to_status} if transition.to_status is not None else PAUSABLE_STATUSES
        graph[status] |= targets  # type: ignore[arg-type]
    return graph


def _reachable(graph: dict[S, set[S]], start: S) -> set[S]:
    seen, queue = {start}, deque([start])
    while queue:
        for nxt in graph[queue.popleft()] - seen:
            seen.add(nxt)
            queue.append(nxt)
    return seen


def test_every_status_is_reachable_from_submitted() -> None:
    assert _reachable(_edges(set(R)), S.SUBMITTED) == set(S)


def test_every_open_status_can_reach_a_terminal_one() -> None:
    graph = _edges(set(R))
    for status in OPEN_STATUSES:
        assert _reachable(graph, status) & TERMINAL_STATUSES, status


def test_an_enterprise_that_stops_answering_cannot_block_a_ticket_forever() -> None:
    graph = _edges(set(R) - {R.ENTERPRISE})
    for status in OPEN_STATUSES:
        assert _reachable(graph, status) & TERMINAL_STATUSES, status


def test_terminal_statuses_have_no_way_out_and_nothing_returns_to_intake() -> None:
    for (status, _action), transition in TRANSITIONS.items():
        assert status not in TERMINAL_STATUSES
        if transition.action is not A.PROVIDE_INFO:
            assert transition.to_status is not S.SUBMITTED


def test_every_pausable_status_is_resumed_to_itself() -> None:
    for status in PAUSABLE_STATUSES:
        context = TransitionContext(paused_from=status)
        transition = plan_transition(
            S.AWAITING_ENTERPRISE, A.PROVIDE_INFO, R.LEAD_DEPARTMENT, note="ok", context=context
        )
        assert transition.to_status is status


# --- SLA clock ------------------------------------------------------------------------------------

EXPECTED_CLOCK = {
    S.SUBMITTED: ((SlaDeadline.ACCEPT,), True),
    S.ACCEPTED: ((SlaDeadline.FIRST_REPLY, SlaDeadline.RESOLVE), True),
    S.DISPATCHED: ((SlaDeadline.FIRST_REPLY, SlaDeadline.RESOLVE), True),
    S.RETURNED: ((SlaDeadline.FIRST_REPLY, SlaDeadline.RESOLVE), True),
    S.IN_PROGRESS: ((SlaDeadline.RESOLVE,), True),
    S.REOPENED: ((SlaDeadline.RESOLVE,), True),
    S.REPLIED: ((SlaDeadline.FOLLOW_UP,), True),
    S.AWAITING_ENTERPRISE: ((), False),
    S.REJECTED: ((), False),
    S.MERGED: ((), False),
    S.CLOSED: ((), False),
    S.WITHDRAWN: ((), False),
}


@pytest.mark.parametrize("status", list(S))
def test_sla_clock(status: S) -> None:
    clock = sla_clock(status)
    assert (clock.deadlines, clock.running) == EXPECTED_CLOCK[status]
    assert clock.next_deadline == (clock.deadlines[0] if clock.deadlines else None)


def test_paused_clock_keeps_the_deadlines_of_its_origin_but_stops() -> None:
    for origin in PAUSABLE_STATUSES:
        clock = sla_clock(S.AWAITING_ENTERPRISE, paused_from=origin)
        assert clock.deadlines == EXPECTED_CLOCK[origin][0]
        assert not clock.running


# --- ratings -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rating", "reopen_count", "action"),
    [
        (5, 0, A.RATE_SATISFIED),
        (3, 0, A.RATE_SATISFIED),
        (3, 1, A.RATE_SATISFIED),
        (2, 0, A.RATE_DISSATISFIED),
        (1, 0, A.RATE_DISSATISFIED),
        (2, 1, A.CLOSE),
        (1, 1, A.CLOSE),
    ],
)
def test_action_for_rating(rating: int, reopen_count: int, action: A) -> None:
    assert action_for_rating(rating, reopen_count) is action


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_rating_out_of_range(rating: int) -> None:
    with pytest.raises(ValueError):
        action_for_rating(rating, 0)


# --- properties ----------------------------------------------------------------------------------

contexts = st.builds(
    TransitionContext,
    reopen_count=st.integers(0, 2),
    return_deadline_passed=st.booleans(),
    merge_target_id=st.none() | st.integers(1, 10),
    paused_from=st.none() | st.sampled_from(list(S)),
    rating_window_passed=st.booleans(),
    resolve_deadline_passed=st.booleans(),
    extension_pending=st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(status=st.sampled_from(list(S)), role=st.sampled_from(list(R)), context=contexts)
def test_buttons_match_what_plan_transition_allows(
    status: S, role: R, context: TransitionContext
) -> None:
    shown = available_actions(status, role, context)
    for action in A:
        if action in shown:
            plan_transition(status, action, role, note="because", context=context)
        else:
            with pytest.raises(TransitionError):
                plan_transition(status, action, role, note="because", context=context)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_random_lives_of_a_ticket(data: st.DataObject) -> None:
    """Whoever does whatever the buttons offer, the loop's promises hold."""
    ticket = Ticket()
    extension_pending = False
    for _ in range(40):
        facts = {
            "return_deadline_passed": data.draw(st.booleans()),
            "rating_window_passed": data.draw(st.booleans()),
            "resolve_deadline_passed": data.draw(st.booleans()),
            "merge_target_id": 9,
            "extension_pending": extension_pending,
        }
        context = TransitionContext(
            reopen_count=ticket.reopen_count, paused_from=ticket.paused_from, **facts
        )
        choices = [(role, a) for role in R for a in available_actions(ticket.status, role, context)]
        if ticket.status in TERMINAL_STATUSES:
            assert choices == []
            break
        assert choices, f"stuck in {ticket.status}"
        role, action = data.draw(st.sampled_from(choices))
        before = ticket.status
        ticket.do(action, role, note="n", **facts)
        if action is A.REQUEST_EXTENSION:
            extension_pending = True
        elif action in (A.APPROVE_EXTENSION, A.DENY_EXTENSION):
            extension_pending = False

        assert ticket.reopen_count <= 1
        # Withdrawal is only possible while a reply is awaited: never from a replied ticket
        # (after a dissatisfied rating reopens it, the redo is again awaiting a reply).
        if action is A.WITHDRAW:
            assert before is not S.REPLIED, "withdrawn after the reply"
        if before in TERMINAL_STATUSES:
            raise AssertionError(f"left terminal state {before}")
        clock = sla_clock(ticket.status, paused_from=ticket.paused_from)
        assert clock.running == (ticket.status in OPEN_STATUSES - PAUSED_STATUSES)
