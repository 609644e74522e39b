"""The ticket workflow's transition table: which action leads from which state to which, who
may take it, and the guards (pure: nothing of the database or HTTP).

This module is the one place that says which transitions exist. The service loads the ticket,
works out the actor's role *on that ticket* and the facts the guards need
(``TransitionContext``), calls :func:`plan_transition`, and then writes the new status and one
event row (actor, time, from, to, action, note) in the same transaction; what the action changes
on the ticket is :mod:`parkops.tickets.rules.effects`. Pages call :func:`available_actions` to
decide which buttons to show.

Pausing is modelled with a single paused state plus the state it paused from. The table entry
for ``provide_info`` has no fixed destination (``to_status is None``); :func:`plan_transition`
resolves it to ``context.paused_from``. The service does not need an extra column for that: the
most recent ``request_info`` event's ``from_status`` *is* the paused-from state. Only states that
have a ``request_info`` transition (``PAUSABLE_STATUSES``) can be resumed to.

Deadline extensions do not change the state but are actions a department and the desk take, so
they are self-loops in the same table: they get the same role checks and the same event trail.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from parkops.core.i18n import N_
from parkops.tickets.rules.states import (
    PAUSED_STATUSES,
    ActorRole,
    TicketAction,
    TicketStatus,
)


class Guard(StrEnum):
    """Conditions on facts the caller knows (see ``TransitionContext``), named so the table can
    list them as data."""

    MERGE_TARGET = "merge_target"
    NOT_REOPENED_BEFORE = "not_reopened_before"
    REOPENED_BEFORE = "reopened_before"
    WITHIN_RETURN_LIMIT = "within_return_limit"
    RATING_WINDOW_PASSED = "rating_window_passed"
    PAUSED_FROM_KNOWN = "paused_from_known"
    BEFORE_RESOLVE_DEADLINE = "before_resolve_deadline"
    NO_PENDING_EXTENSION = "no_pending_extension"
    EXTENSION_PENDING = "extension_pending"


@dataclass(frozen=True, slots=True)
class TransitionContext:
    """Facts about the ticket that guards need and that this module cannot compute itself.

    The defaults describe a fresh ticket. The service must fill in the ones that matter for the
    action at hand; the deadline flags need the working-day calendar, which lives elsewhere.
    """

    reopen_count: int = 0
    """How many times the ticket has been reopened (0 or 1)."""
    return_deadline_passed: bool = False
    """Whether the lead department's time limit for returning the ticket has passed."""
    merge_target_id: int | None = None
    """The ticket this one duplicates (for ``merge``). The service checks it exists and is open."""
    paused_from: TicketStatus | None = None
    """For ``awaiting_enterprise``: the status of the latest ``request_info`` event's origin."""
    rating_window_passed: bool = False
    """Whether the enterprise's rating period (e.g. 5 working days after the reply) has ended."""
    resolve_deadline_passed: bool = False
    """Whether the resolve deadline (including approved extensions) has passed."""
    extension_pending: bool = False
    """Whether an extension request is waiting for the desk's decision."""


@dataclass(frozen=True, slots=True)
class Transition:
    """One row of the table: doing ``action`` in ``from_status`` leads to ``to_status``."""

    from_status: TicketStatus
    action: TicketAction
    to_status: TicketStatus | None
    """``None`` only for ``provide_info``: back to the paused-from state, resolved by
    :func:`plan_transition`, which never returns ``None`` here."""
    allowed_roles: frozenset[ActorRole]
    requires_note: bool
    description: str
    guards: tuple[Guard, ...] = ()


class TransitionError(Exception):
    """An action that the workflow does not allow; ``message`` is fit to show the user.

    ``kind`` says which check failed: ``"state"``, ``"role"``, ``"note"`` or a :class:`Guard`
    value. ``status_code`` is 409 (the request conflicts with the ticket's current state) so the
    app's error handler can render it like its other user-facing errors.
    """

    status_code = 409

    def __init__(self, message: str, *, kind: str = "state") -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind


# --- the table ---------------------------------------------------------------------------------

_S = TicketStatus
_A = TicketAction
_R = ActorRole

_DESK = frozenset({_R.DESK, _R.ADMIN})
_ENTERPRISE = frozenset({_R.ENTERPRISE})
_LEAD = frozenset({_R.LEAD_DEPARTMENT})
# Whoever learns the enterprise's answer may resume the ticket: the enterprise online, or the
# desk / lead department recording an answer received by phone or ending a wait that went nowhere.
# Resuming only restarts the clock, so nobody gains from abusing it.
_RESUMERS = frozenset({_R.ENTERPRISE, _R.DESK, _R.ADMIN, _R.LEAD_DEPARTMENT})

# Co-handling departments appear in no row on purpose: they contribute opinions to the lead
# department (comments, not state changes); declining to co-handle changes the assignment, not the
# ticket's state.
_ROWS: tuple[Transition, ...] = (
    # Intake: the desk decides within the accept limit.
    Transition(_S.SUBMITTED, _A.ACCEPT, _S.ACCEPTED, _DESK, False, "Accept the ticket (受理)."),
    Transition(_S.SUBMITTED, _A.REJECT, _S.REJECTED, _DESK, True, "Do not accept; say why."),
    Transition(
        _S.SUBMITTED,
        _A.MERGE,
        _S.MERGED,
        _DESK,
        False,
        "Merge into the ticket it duplicates (并单).",
        (Guard.MERGE_TARGET,),
    ),
    Transition(
        _S.SUBMITTED,
        _A.REQUEST_INFO,
        _S.AWAITING_ENTERPRISE,
        _DESK,
        True,
        "Ask the enterprise to complete the filing before accepting; stops the clock.",
    ),
    Transition(_S.SUBMITTED, _A.WITHDRAW, _S.WITHDRAWN, _ENTERPRISE, False, "Withdraw."),
    # Dispatch: lead and co-handling departments are chosen by the service with this action.
    Transition(
        _S.ACCEPTED,
        _A.DISPATCH,
        _S.DISPATCHED,
        _DESK,
        False,
        "Dispatch to a lead department and optional co-handling departments.",
    ),
    Transition(_S.ACCEPTED, _A.WITHDRAW, _S.WITHDRAWN, _ENTERPRISE, False, "Withdraw."),
    Transition(
        _S.DISPATCHED,
        _A.START,
        _S.IN_PROGRESS,
        _LEAD,
        False,
        "The lead department signs for the ticket and starts handling it.",
    ),
    Transition(
        _S.DISPATCHED,
        _A.RETURN,
        _S.RETURNED,
        _LEAD,
        True,
        "Return as not responsible (退单), with reasons, within the return limit.",
        (Guard.WITHIN_RETURN_LIMIT,),
    ),
    # The desk may correct a dispatch before the department starts (wrong department, or one
    # that does not sign for it); the reason is kept because it reflects on routing quality.
    Transition(
        _S.DISPATCHED,
        _A.REDISPATCH,
        _S.DISPATCHED,
        _DESK,
        True,
        "Change the departments before the lead department starts.",
    ),
    Transition(_S.DISPATCHED, _A.WITHDRAW, _S.WITHDRAWN, _ENTERPRISE, False, "Withdraw."),
    # Handling.
    Transition(
        _S.IN_PROGRESS,
        _A.REQUEST_INFO,
        _S.AWAITING_ENTERPRISE,
        _LEAD,
        True,
        "Ask the enterprise for information; stops the clock.",
    ),
    Transition(
        _S.IN_PROGRESS,
        _A.REPLY,
        _S.REPLIED,
        _LEAD,
        True,
        "Reply to the enterprise with the result (办结).",
    ),
    # A department may find out only after starting that the matter is not its own; the same
    # time limit applies, so returning late is not a way to shed an awkward ticket.
    Transition(
        _S.IN_PROGRESS,
        _A.RETURN,
        _S.RETURNED,
        _LEAD,
        True,
        "Return as not responsible (退单), with reasons, within the return limit.",
        (Guard.WITHIN_RETURN_LIMIT,),
    ),
    Transition(
        _S.IN_PROGRESS,
        _A.REQUEST_EXTENSION,
        _S.IN_PROGRESS,
        _LEAD,
        True,
        "Ask the desk for more time, before the resolve deadline.",
        (Guard.BEFORE_RESOLVE_DEADLINE, Guard.NO_PENDING_EXTENSION),
    ),
    Transition(
        _S.IN_PROGRESS,
        _A.APPROVE_EXTENSION,
        _S.IN_PROGRESS,
        _DESK,
        False,
        "Approve the pending extension request.",
        (Guard.EXTENSION_PENDING,),
    ),
    Transition(
        _S.IN_PROGRESS,
        _A.DENY_EXTENSION,
        _S.IN_PROGRESS,
        _DESK,
        True,
        "Refuse the pending extension request, saying why.",
        (Guard.EXTENSION_PENDING,),
    ),
    Transition(_S.IN_PROGRESS, _A.WITHDRAW, _S.WITHDRAWN, _ENTERPRISE, False, "Withdraw."),
    # Paused. The desk may still decide an extension request made before the pause.
    Transition(
        _S.AWAITING_ENTERPRISE,
        _A.PROVIDE_INFO,
        None,
        _RESUMERS,
        True,
        "Record the enterprise's answer; the ticket goes back to where it paused.",
        (Guard.PAUSED_FROM_KNOWN,),
    ),
    Transition(
        _S.AWAITING_ENTERPRISE,
        _A.APPROVE_EXTENSION,
        _S.AWAITING_ENTERPRISE,
        _DESK,
        False,
        "Approve the pending extension request.",
        (Guard.EXTENSION_PENDING,),
    ),
    Transition(
        _S.AWAITING_ENTERPRISE,
        _A.DENY_EXTENSION,
        _S.AWAITING_ENTERPRISE,
        _DESK,
        True,
        "Refuse the pending extension request, saying why.",
        (Guard.EXTENSION_PENDING,),
    ),
    Transition(_S.AWAITING_ENTERPRISE, _A.WITHDRAW, _S.WITHDRAWN, _ENTERPRISE, False, "Withdraw."),
    # Returned: the desk re-dispatches (改派), possibly back to the same department if it
    # disagrees, or rejects when no government department is responsible at all.
    Transition(
        _S.RETURNED,
        _A.REDISPATCH,
        _S.DISPATCHED,
        _DESK,
        False,
        "Re-dispatch (改派) to the responsible department.",
    ),
    Transition(
        _S.RETURNED,
        _A.REJECT,
        _S.REJECTED,
        _DESK,
        True,
        "No department is responsible; tell the enterprise where to turn instead.",
    ),
    Transition(_S.RETURNED, _A.WITHDRAW, _S.WITHDRAWN, _ENTERPRISE, False, "Withdraw."),
    # Follow-up (回访). A low rating must say what is wrong: it is what the redo works from and
    # what the department's satisfaction rate is judged on.
    Transition(
        _S.REPLIED,
        _A.RATE_SATISFIED,
        _S.CLOSED,
        _ENTERPRISE,
        False,
        "Rate the reply 3-5; the ticket closes.",
    ),
    Transition(
        _S.REPLIED,
        _A.RATE_DISSATISFIED,
        _S.REOPENED,
        _ENTERPRISE,
        True,
        "Rate the reply 1-2; the ticket is reopened for redo (重办), once.",
        (Guard.NOT_REOPENED_BEFORE,),
    ),
    Transition(
        _S.REPLIED,
        _A.CLOSE,
        _S.CLOSED,
        _ENTERPRISE,
        True,
        "Rate the redone reply 1-2; the redo was used, so the ticket closes as dissatisfied.",
        (Guard.REOPENED_BEFORE,),
    ),
    # The desk must not close a ticket before the enterprise had its chance to rate it: that
    # would be the easiest way to keep dissatisfaction out of the statistics.
    Transition(
        _S.REPLIED,
        _A.FOLLOW_UP_CLOSE,
        _S.CLOSED,
        _DESK,
        True,
        "No rating within the rating period: record the follow-up call result and close.",
        (Guard.RATING_WINDOW_PASSED,),
    ),
    # Redo: normally the same lead department starts again; the desk may send it elsewhere.
    Transition(
        _S.REOPENED,
        _A.START,
        _S.IN_PROGRESS,
        _LEAD,
        False,
        "The lead department starts the redo.",
    ),
    Transition(
        _S.REOPENED,
        _A.REDISPATCH,
        _S.DISPATCHED,
        _DESK,
        True,
        "Send the redo to other departments, saying why.",
    ),
)


def _index(rows: Iterable[Transition]) -> Mapping[tuple[TicketStatus, TicketAction], Transition]:
    table: dict[tuple[TicketStatus, TicketAction], Transition] = {}
    for row in rows:
        key = (row.from_status, row.action)
        if key in table:
            raise ValueError(f"duplicate transition {key}")
        table[key] = row
    return MappingProxyType(table)


TRANSITIONS: Mapping[tuple[TicketStatus, TicketAction], Transition] = _index(_ROWS)
"""The transition table, keyed by (from_status, action)."""

PAUSABLE_STATUSES: frozenset[TicketStatus] = frozenset(
    row.from_status
    for row in _ROWS
    # Self-loops inside the paused state (extension decisions) are not pauses.
    if row.to_status in PAUSED_STATUSES and row.from_status not in PAUSED_STATUSES
)
"""States a ticket can pause from, and therefore resume to."""


# --- messages ----------------------------------------------------------------------------------

# "A ticket in state 'replied' cannot be ___"
_PARTICIPLES: Mapping[TicketAction, str] = {
    _A.ACCEPT: "accepted",
    _A.REJECT: "rejected",
    _A.MERGE: "merged",
    _A.DISPATCH: "dispatched",
    _A.REDISPATCH: "re-dispatched",
    _A.START: "started",
    _A.REQUEST_INFO: "put on hold for information from the enterprise",
    _A.PROVIDE_INFO: "resumed with the enterprise's answer",
    _A.RETURN: "returned",
    _A.REPLY: "replied to",
    _A.REQUEST_EXTENSION: "given an extension request",
    _A.APPROVE_EXTENSION: "granted an extension",
    _A.DENY_EXTENSION: "refused an extension",
    _A.RATE_SATISFIED: "rated",
    _A.RATE_DISSATISFIED: "rated",
    _A.CLOSE: "closed",
    _A.FOLLOW_UP_CLOSE: "closed after a follow-up call",
    _A.WITHDRAW: "withdrawn",
}

# Extra explanation where the bare "cannot be X" would leave the user guessing.
_STATE_HINTS: Mapping[TicketAction, str] = {
    _A.WITHDRAW: "an enterprise may withdraw a ticket only before it is replied to",
    _A.RETURN: "a department may return a ticket only while it is dispatched to it or in progress",
}

# "Only the service desk may ___"
_VERBS: Mapping[TicketAction, str] = {
    _A.ACCEPT: "accept",
    _A.REJECT: "reject",
    _A.MERGE: "merge",
    _A.DISPATCH: "dispatch",
    _A.REDISPATCH: "re-dispatch",
    _A.START: "start handling",
    _A.REQUEST_INFO: "ask the enterprise for information",
    _A.PROVIDE_INFO: "record the enterprise's answer",
    _A.RETURN: "return a ticket",
    _A.REPLY: "reply",
    _A.REQUEST_EXTENSION: "request an extension",
    _A.APPROVE_EXTENSION: "approve an extension",
    _A.DENY_EXTENSION: "refuse an extension",
    _A.RATE_SATISFIED: "rate the reply",
    _A.RATE_DISSATISFIED: "rate the reply",
    _A.CLOSE: "rate the reply",
    _A.FOLLOW_UP_CLOSE: "record a follow-up call",
    _A.WITHDRAW: "withdraw a ticket",
}

_ROLE_NOUNS: Mapping[ActorRole, str] = {
    _R.ENTERPRISE: "the enterprise that filed the ticket",
    _R.DESK: "the service desk",
    _R.LEAD_DEPARTMENT: "the lead department",
    _R.CO_DEPARTMENT: "a co-handling department",
    _R.ADMIN: "a park admin",
}

_NOTE_MESSAGES: Mapping[TicketAction, str] = {
    _A.REJECT: N_("A reason is required to reject a ticket"),
    _A.RETURN: N_("A reason is required to return a ticket"),
    _A.REDISPATCH: N_("A reason is required to re-dispatch this ticket"),
    _A.REQUEST_INFO: N_("Say what information the enterprise must provide"),
    _A.PROVIDE_INFO: N_("The enterprise's answer is required"),
    _A.REPLY: N_("The reply text is required"),
    _A.REQUEST_EXTENSION: N_("A reason is required to request an extension"),
    _A.DENY_EXTENSION: N_("A reason is required to refuse an extension"),
    _A.RATE_DISSATISFIED: N_("Say what is unsatisfactory so that it can be put right"),
    _A.CLOSE: N_("Say what is unsatisfactory"),
    _A.FOLLOW_UP_CLOSE: N_("Record the result of the follow-up call"),
}

_GUARDS: Mapping[Guard, tuple[Callable[[TransitionContext], bool], str]] = {
    Guard.MERGE_TARGET: (
        lambda c: c.merge_target_id is not None,
        N_("Choose the ticket that this one duplicates"),
    ),
    Guard.NOT_REOPENED_BEFORE: (
        lambda c: c.reopen_count == 0,
        N_("This ticket was already reopened once; a dissatisfied rating now closes it"),
    ),
    Guard.REOPENED_BEFORE: (
        lambda c: c.reopen_count >= 1,
        N_(
            "A dissatisfied rating first reopens the ticket for redo; it closes the ticket only "
            "after the redo"
        ),
    ),
    Guard.WITHIN_RETURN_LIMIT: (
        lambda c: not c.return_deadline_passed,
        N_(
            "The time limit for returning this ticket has passed; it must be handled, or the desk "
            "asked to re-dispatch it"
        ),
    ),
    Guard.RATING_WINDOW_PASSED: (
        lambda c: c.rating_window_passed,
        N_(
            "The enterprise can still rate the reply; a follow-up call closes the ticket only "
            "after the rating period has ended"
        ),
    ),
    Guard.PAUSED_FROM_KNOWN: (
        lambda c: c.paused_from in PAUSABLE_STATUSES,
        N_("It is not known where this ticket was paused from, so it cannot be resumed"),
    ),
    Guard.BEFORE_RESOLVE_DEADLINE: (
        lambda c: not c.resolve_deadline_passed,
        N_("An extension must be requested before the deadline, and this one has passed"),
    ),
    Guard.NO_PENDING_EXTENSION: (
        lambda c: not c.extension_pending,
        N_("An extension request for this ticket is already waiting for the service desk"),
    ),
    Guard.EXTENSION_PENDING: (
        lambda c: c.extension_pending,
        N_("There is no pending extension request for this ticket"),
    ),
}


def _who(roles: frozenset[ActorRole]) -> str:
    # Admins may do what the desk does; naming them next to the desk adds noise, not information.
    shown = [r for r in ActorRole if r in roles and not (r is _R.ADMIN and _R.DESK in roles)]
    nouns = [_ROLE_NOUNS[r] for r in shown]
    if len(nouns) == 1:
        return nouns[0]
    return ", ".join(nouns[:-1]) + " or " + nouns[-1]


def _failed_guard(row: Transition, context: TransitionContext) -> TransitionError | None:
    for guard in row.guards:
        check, message = _GUARDS[guard]
        if not check(context):
            return TransitionError(message, kind=guard.value)
    return None


# --- public API --------------------------------------------------------------------------------


def plan_transition(
    status: TicketStatus | str,
    action: TicketAction | str,
    role: ActorRole | str,
    *,
    note: str | None = None,
    context: TransitionContext | None = None,
) -> Transition:
    """Check that ``role`` may do ``action`` to a ticket in ``status``; return the transition.

    Checks, in this order, so the user hears about the most basic problem first: the action
    exists in this state, the role may do it, a note is given where one is required, the guards
    hold. The returned transition always has a concrete ``to_status`` (for ``provide_info`` it is
    ``context.paused_from``). Raises :class:`TransitionError` with a user-facing message.
    Unknown status/action/role strings raise ``ValueError``: they are programming errors.
    """
    status, action, role = TicketStatus(status), TicketAction(action), ActorRole(role)
    context = context if context is not None else TransitionContext()

    row = TRANSITIONS.get((status, action))
    if row is None:
        message = f"A ticket in state '{status}' cannot be {_PARTICIPLES[action]}"
        if action in _STATE_HINTS:
            message += f": {_STATE_HINTS[action]}"
        raise TransitionError(message, kind="state")
    if role not in row.allowed_roles:
        raise TransitionError(f"Only {_who(row.allowed_roles)} may {_VERBS[action]}", kind="role")
    if row.requires_note and not (note and note.strip()):
        message = _NOTE_MESSAGES.get(action, f"A note is required to {_VERBS[action]}")
        raise TransitionError(message, kind="note")
    failure = _failed_guard(row, context)
    if failure is not None:
        raise failure
    if row.to_status is None:
        return dataclasses.replace(row, to_status=context.paused_from)
    return row


def available_actions(
    status: TicketStatus | str,
    role: ActorRole | str,
    context: TransitionContext | None = None,
) -> list[TicketAction]:
    """The actions ``role`` may take now, in declaration order, for rendering buttons.

    Notes are not considered (the form asks for them); guards are.
    """
    status, role = TicketStatus(status), ActorRole(role)
    context = context if context is not None else TransitionContext()
    return [
        action
        for action in TicketAction
        if (row := TRANSITIONS.get((status, action))) is not None
        and role in row.allowed_roles
        and _failed_guard(row, context) is None
    ]


def action_for_rating(rating: int, reopen_count: int) -> TicketAction:
    """Which action a rating of 1-5 on a replied ticket is.

    3-5 closes it; 1-2 reopens it for redo the first time and closes it as dissatisfied after the
    one redo. Raises ``ValueError`` for a rating outside 1-5.
    """
    if not 1 <= rating <= 5:
        raise ValueError("A rating is a whole number from 1 to 5")
    if rating >= 3:
        return TicketAction.RATE_SATISFIED
    return TicketAction.RATE_DISSATISFIED if reopen_count == 0 else TicketAction.CLOSE
