"""What a ticket action changes (pure): the ticket's columns, the event's data, the pause, the
co-handling departments, and who is told about it.

The transition table (:mod:`parkops.tickets.rules.transitions`) says whether an action may
happen and which state it leads to; this module says what else it does. The service checks the
action's own input against the database (departments exist, the merge target is open...), asks
:func:`effects` for the changes and writes them; the demo loader replays planned histories
through the same function, so a demo ticket looks exactly like one that went through the desk.

The clocks (``rules.deadlines``): acceptance starts the first-reply and resolve clocks; every
(re)dispatch restarts them (a department is judged from when it got the ticket) and drops any
extension; a dissatisfied rating restarts the resolve clock for the redo, once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from parkops.tickets.rules.states import TERMINAL_STATUSES, TicketAction, TicketStatus

A = TicketAction

INTERNAL_ACTIONS = frozenset(
    {A.DISPATCH, A.REDISPATCH, A.RETURN, A.REQUEST_EXTENSION, A.APPROVE_EXTENSION, A.DENY_EXTENSION}
)
"""Events whose note is for staff and departments only. The enterprise still sees that the status
changed (it sees the status anyway), never the note."""

RATING_ACTIONS = frozenset({A.RATE_SATISFIED, A.RATE_DISSATISFIED, A.CLOSE})
"""The actions a rating is (see ``transitions.action_for_rating``)."""


def is_internal(action: str) -> bool:
    return action in {a.value for a in INTERNAL_ACTIONS}


class TicketFacts(Protocol):
    """The columns of a ticket the effects depend on (a ``Ticket`` row, or the demo's plan)."""

    lead_department_id: int | None
    first_replied_at: dt.datetime | None
    extension_days: int
    extension_requested_days: int | None
    reopen_count: int


@dataclass(frozen=True, slots=True)
class MergeTarget:
    id: int
    number: str


@dataclass(frozen=True, slots=True)
class ActionInput:
    """The action's own input, already checked by the service."""

    lead_department_id: int | None = None
    co_department_ids: tuple[int, ...] = ()
    """For a (re)dispatch."""
    merge_target: MergeTarget | None = None
    days: int | None = None
    """For an extension request: the working days asked for."""
    rating: int | None = None
    comment: str | None = None
    """For a rating: the enterprise's comment."""


class PauseChange(StrEnum):
    OPEN = "open"
    """Stop the clock from now (a new pause from the current status)."""
    RESUME = "resume"
    """End the open pause now."""


@dataclass(frozen=True, slots=True)
class Effects:
    changes: Mapping[str, Any]
    """Ticket column -> new value, the status and ``updated_at`` included."""
    event_data: Mapping[str, Any] = field(default_factory=dict)
    pause: PauseChange | None = None
    co_department_ids: tuple[int, ...] | None = None
    """The ticket's new co-handling departments (None: unchanged)."""


def _dispatch(ticket: TicketFacts, given: ActionInput, now: dt.datetime) -> Effects:
    return Effects(
        {
            "lead_department_id": given.lead_department_id,
            "dispatched_at": now,
            "first_reply_from": now,
            "resolve_from": now,
            "first_replied_at": None,
            "resolved_at": None,
            "extension_days": 0,
            "extension_requested_days": None,
        },
        {
            "lead_department_id": given.lead_department_id,
            "co_department_ids": list(given.co_department_ids),
            "previous_lead_department_id": ticket.lead_department_id,
        },
        co_department_ids=given.co_department_ids,
    )


def _rating(ticket: TicketFacts, action: TicketAction, given: ActionInput, now: dt.datetime):
    changes: dict[str, Any] = {
        "rating": given.rating,
        "rating_comment": given.comment or None,
        "rated_at": now,
    }
    if action is A.RATE_DISSATISFIED:
        # Redo (重办): a fresh resolve clock for the lead department.
        changes |= {
            "reopen_count": ticket.reopen_count + 1,
            "resolve_from": now,
            "resolved_at": None,
            "extension_days": 0,
            "extension_requested_days": None,
        }
    return Effects(changes, {"rating": given.rating})


def _action_effects(
    ticket: TicketFacts,
    action: TicketAction,
    given: ActionInput,
    now: dt.datetime,
    paused_at: dt.datetime | None,
) -> Effects:
    if action is A.ACCEPT:
        return Effects({"accepted_at": now, "first_reply_from": now, "resolve_from": now})
    if action in (A.DISPATCH, A.REDISPATCH):
        return _dispatch(ticket, given, now)
    if action is A.MERGE:
        target = given.merge_target
        if target is None:  # the demo loader links its duplicates once they are inserted
            return Effects({})
        data = {"merged_into_id": target.id, "merged_into_number": target.number}
        return Effects({"merged_into_id": target.id}, data)
    if action is A.START:
        return Effects({"first_replied_at": ticket.first_replied_at or now})
    if action is A.REQUEST_INFO:
        return Effects({}, pause=PauseChange.OPEN)
    if action is A.PROVIDE_INFO:
        assert paused_at is not None
        return Effects({}, {"paused_at": paused_at.isoformat()}, pause=PauseChange.RESUME)
    if action is A.REPLY:
        return Effects({"resolved_at": now, "replied_at": now})
    if action is A.REQUEST_EXTENSION:
        return Effects({"extension_requested_days": given.days}, {"days": given.days})
    if action is A.APPROVE_EXTENSION:
        granted = ticket.extension_requested_days or 0
        changes = {
            "extension_days": ticket.extension_days + granted,
            "extension_requested_days": None,
        }
        return Effects(changes, {"days": granted})
    if action is A.DENY_EXTENSION:
        data = {"days": ticket.extension_requested_days}
        return Effects({"extension_requested_days": None}, data)
    if action is A.WITHDRAW:
        return Effects({}, pause=PauseChange.RESUME if paused_at is not None else None)
    if action in RATING_ACTIONS:
        return _rating(ticket, action, given, now)
    return Effects({})


def effects(
    ticket: TicketFacts,
    action: TicketAction,
    to_status: TicketStatus,
    now: dt.datetime,
    given: ActionInput = ActionInput(),
    *,
    paused_at: dt.datetime | None = None,
) -> Effects:
    """What doing ``action`` (allowed, leading to ``to_status``) at ``now`` changes.

    ``paused_at`` is when the ticket's open pause began (None when it is not paused).
    """
    found = _action_effects(ticket, action, given, now, paused_at)
    changes = dict(found.changes)
    if to_status in TERMINAL_STATUSES:
        changes["closed_at"] = now
    changes |= {"status": to_status.value, "updated_at": now}
    return Effects(changes, found.event_data, found.pause, found.co_department_ids)


def apply(ticket: Any, changes: Mapping[str, Any]) -> None:
    for column, value in changes.items():
        setattr(ticket, column, value)


# --- who is told --------------------------------------------------------------------------------


class Audience(StrEnum):
    ENTERPRISE = "enterprise"
    """The enterprise's users (the portal link)."""
    DESK = "desk"
    LEAD = "lead"
    """The lead department's officers."""
    DEPARTMENTS = "departments"
    """The lead and co-handling departments' officers (the lead only on a confidential ticket:
    its co-handling departments cannot open it, so they are not told about it either)."""


@dataclass(frozen=True, slots=True)
class Notice:
    audience: Audience
    kind: str
    """A key of ``notifications.MESSAGES``."""


_E, _D, _L = Audience.ENTERPRISE, Audience.DESK, Audience.LEAD

_NOTICES: Mapping[TicketAction, tuple[Notice, ...]] = {
    A.ACCEPT: (Notice(_E, "ticket_accepted"),),
    A.REJECT: (Notice(_E, "ticket_rejected"),),
    A.MERGE: (Notice(_E, "ticket_merged"),),
    A.REQUEST_INFO: (Notice(_E, "info_requested"),),
    A.DISPATCH: (Notice(Audience.DEPARTMENTS, "ticket_dispatched"),),
    A.REDISPATCH: (Notice(Audience.DEPARTMENTS, "ticket_dispatched"),),
    A.RETURN: (Notice(_D, "ticket_returned"),),
    A.REPLY: (Notice(_E, "ticket_replied"),),
    A.REQUEST_EXTENSION: (Notice(_D, "extension_requested"),),
    A.APPROVE_EXTENSION: (Notice(_L, "extension_approved"),),
    A.DENY_EXTENSION: (Notice(_L, "extension_denied"),),
    A.FOLLOW_UP_CLOSE: (Notice(_E, "ticket_closed"),),
    A.RATE_SATISFIED: (Notice(_D, "ticket_rated"), Notice(_L, "ticket_rated")),
    A.CLOSE: (Notice(_D, "ticket_rated"), Notice(_L, "ticket_rated")),
    A.RATE_DISSATISFIED: (Notice(_D, "ticket_reopened"), Notice(_L, "ticket_reopened")),
}


def notices(
    action: TicketAction, from_status: TicketStatus, to_status: TicketStatus, *, has_lead: bool
) -> tuple[Notice, ...]:
    """Who is told about ``action`` (which took the ticket from ``from_status`` to ``to_status``),
    and with which message. The actor is never told about their own action."""
    if action is A.PROVIDE_INFO:
        # The answer goes to whoever asked: the desk before dispatch, else the lead department.
        to_desk = to_status is TicketStatus.SUBMITTED or not has_lead
        return (Notice(_D if to_desk else _L, "info_provided"),)
    if action is A.WITHDRAW:
        told = [Notice(_D, "ticket_withdrawn")]
        if from_status not in (TicketStatus.SUBMITTED, TicketStatus.ACCEPTED):
            told.append(Notice(_L, "ticket_withdrawn"))
        return tuple(told)
    return _NOTICES.get(action, ())
