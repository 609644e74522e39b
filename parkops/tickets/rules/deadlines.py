"""A ticket's SLA deadlines, computed from the ticket's anchors, limits and pauses.

Pure: it reads attributes of a ticket-like object and a :class:`WorkCalendar`, and returns the
column values to store. Every place that changes a deadline (filing, acceptance, dispatch and
re-dispatch, resuming after a pause, an approved extension, reopening for a redo, the admins
filling in a calendar year) calls :func:`compute`, so there is one definition of each deadline:

============  ======================  ==========================================  ============
deadline      counts from             limit (working days)                        met at
============  ======================  ==========================================  ============
accept        ``submitted_at``        ``accept_days``                             accepted_at
first_reply   ``first_reply_from``    ``first_reply_days``                        first_replied_at
resolve       ``resolve_from``        ``resolve_days + extension_days``           resolved_at
return        ``dispatched_at``       ``return_days``                             (a limit)
follow_up     ``replied_at``          ``follow_up_days``                          closed_at
============  ======================  ==========================================  ============

``first_reply_from`` and ``resolve_from`` are the acceptance time until the ticket is dispatched,
then the latest (re)dispatch (a department is judged from when it got the ticket); a reopened
ticket's ``resolve_from`` is the reopening. Pauses (waiting for the enterprise) push a deadline
back by the working days lost to them (``WorkCalendar.deadline_with_pauses``), but only pauses
that began before the deadline was met: a pause after acceptance must not move the accept
deadline the desk already met. An open pause counts up to ``now``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from parkops.core.workdays import Pause, WorkCalendar
from parkops.tickets.rules.sla import SlaDeadline, sla_clock
from parkops.tickets.rules.states import TicketStatus

DEADLINE_COLUMNS: dict[SlaDeadline, str] = {
    SlaDeadline.ACCEPT: "accept_due_at",
    SlaDeadline.FIRST_REPLY: "first_reply_due_at",
    SlaDeadline.RESOLVE: "resolve_due_at",
    SlaDeadline.FOLLOW_UP: "follow_up_due_at",
}
ALL_DEADLINES = ("accept", "first_reply", "resolve", "return", "follow_up")


def _spec(ticket: Any) -> dict[str, tuple[dt.datetime | None, int, dt.datetime | None, bool]]:
    # name -> (anchor, working days, met at, pauses count)
    return {
        "accept": (ticket.submitted_at, ticket.accept_days, ticket.accepted_at, True),
        "first_reply": (
            ticket.first_reply_from,
            ticket.first_reply_days,
            ticket.first_replied_at,
            True,
        ),
        "resolve": (
            ticket.resolve_from,
            ticket.resolve_days + (ticket.extension_days or 0),
            ticket.resolved_at,
            True,
        ),
        "return": (ticket.dispatched_at, ticket.return_days, None, True),
        "follow_up": (ticket.replied_at, ticket.follow_up_days, None, False),
    }


def compute(
    ticket: Any,
    calendar: WorkCalendar,
    pauses: Sequence[Pause],
    now: dt.datetime,
    *,
    paused_from: TicketStatus | None = None,
) -> dict[str, Any]:
    """Column values for every deadline, its provisional flag, and ``next_due_at``."""
    values: dict[str, Any] = {}
    for name, (anchor, days, met_at, paused) in _spec(ticket).items():
        if anchor is None:
            values[f"{name}_due_at"] = None
            values[f"{name}_due_provisional"] = False
            continue
        relevant = [p for p in pauses if met_at is None or p.paused_at < met_at] if paused else []
        deadline = calendar.deadline_with_pauses(anchor, days, relevant, now=now)
        values[f"{name}_due_at"] = deadline.at
        values[f"{name}_due_provisional"] = deadline.provisional
    clock = sla_clock(ticket.status, paused_from=paused_from)
    nxt = clock.next_deadline if clock.running else None
    values["next_due_at"] = values[DEADLINE_COLUMNS[nxt]] if nxt is not None else None
    return values


def elapsed_days(
    ticket: Any, calendar: WorkCalendar, pauses: Sequence[Pause]
) -> dict[str, int | None]:
    """``reply_working_days`` and ``resolve_working_days``: the working days from the clock's
    start to the first reply / the resolution, pauses excluded (``working_days_between``), None
    while not reached. Stored with the deadlines so the statistics only sum them."""
    values: dict[str, int | None] = {}
    for column, start, end in (
        ("reply_working_days", ticket.first_reply_from, ticket.first_replied_at),
        ("resolve_working_days", ticket.resolve_from, ticket.resolved_at),
    ):
        if start is None or end is None:
            values[column] = None
        elif end < start:
            values[column] = 0
        else:
            values[column] = calendar.working_days_between(start, end, pauses)
    return values


def apply(ticket: Any, values: dict[str, Any]) -> bool:
    """Set the computed values on the ticket; True if anything changed."""
    changed = False
    for key, value in values.items():
        if getattr(ticket, key) != value:
            setattr(ticket, key, value)
            changed = True
    return changed
