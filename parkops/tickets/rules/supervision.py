"""Pure parts of supervision (督办): which deadlines the sweep chases and who owes the next step,
when a deadline counts as long overdue or due soon, and the email digest of a sweep's notices.
The sweep itself is :mod:`parkops.tickets.services.supervision`.

**"More than N working days overdue"** means ``calendar.deadline(due_at, N).at < now``: counted
like any deadline, from the due date, N working days, close of business. Since that depends only
on the due instant's local date, :func:`escalation_cutoff` turns it into one instant for SQL:
deadlines due before it are more than N working days overdue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from parkops.core import i18n
from parkops.core.workdays import WorkCalendar
from parkops.tickets.rules.sla import SlaDeadline, sla_clock
from parkops.tickets.rules.states import TicketStatus

CHASE_KIND = "ticket_chased"
ESCALATE_KIND = "ticket_escalated"
SOON_WORKING_DAYS = 2
"""The supervision page's "due soon": by close of business of the 2nd working day from now."""

CHASED_DEADLINES: tuple[SlaDeadline, ...] = (
    SlaDeadline.ACCEPT,
    SlaDeadline.FIRST_REPLY,
    SlaDeadline.RESOLVE,
)
"""Deadlines the sweep chases. The rating period (follow-up) is the enterprise's, not a duty."""

DESK_OWNED: frozenset[TicketStatus] = frozenset(
    {TicketStatus.SUBMITTED, TicketStatus.ACCEPTED, TicketStatus.RETURNED, TicketStatus.REPLIED}
)
"""States in which the desk owes the next step (accept, dispatch, re-dispatch, follow-up call);
in the other open states it is the lead department."""


def _running_statuses() -> dict[SlaDeadline, frozenset[TicketStatus]]:
    running: dict[SlaDeadline, set[TicketStatus]] = {d: set() for d in SlaDeadline}
    for status in TicketStatus:
        clock = sla_clock(status)
        if clock.running:
            for deadline in clock.deadlines:
                running[deadline].add(status)
    return {d: frozenset(s) for d, s in running.items()}


RUNNING_BY_DEADLINE = _running_statuses()
"""For each deadline, the states in which its clock runs (from ``rules.sla.sla_clock``)."""
RUNNING_STATUSES: frozenset[TicketStatus] = frozenset(
    s for s in TicketStatus if sla_clock(s).running
)
"""States with a running clock: open and not paused."""


def escalation_cutoff(calendar: WorkCalendar, now: dt.datetime, days: int) -> dt.datetime:
    """The instant before which a deadline is more than ``days`` working days overdue at ``now``.

    A deadline due at ``due`` is that overdue when ``calendar.deadline(due, days).at < now``,
    which depends only on ``due``'s local date and grows with it; so the dates that qualify are
    those up to some last date ``d``, and the cutoff is the start of the next day (local time).
    ``days == 0`` means as soon as it is overdue: the cutoff is ``now``.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    if days == 0:
        return now
    day = calendar.local_date(now)
    # At most a few weeks back (the longest holiday block plus ``days`` working days).
    while calendar.close_of(calendar.add_working_days(day, days).date) >= now:
        day -= dt.timedelta(days=1)
    start_of_next = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=calendar.tz)
    return start_of_next.astimezone(dt.UTC)


def soon_cutoff(calendar: WorkCalendar, now: dt.datetime) -> dt.datetime:
    """Deadlines before this instant are due within the next ``SOON_WORKING_DAYS`` working days."""
    return calendar.deadline(now, SOON_WORKING_DAYS).at.astimezone(dt.UTC)


@dataclass(frozen=True, slots=True)
class Notice:
    """One in-app notification the sweep wrote (what the email digest lists)."""

    user_id: int
    email: str | None
    language: str
    kind: str
    ticket_id: int
    text: str


@dataclass(frozen=True, slots=True)
class OutgoingMail:
    to: str
    subject: str
    body: str


def digests(notices: Iterable[Notice]) -> list[OutgoingMail]:
    """One email per recipient listing their new notices (recipients without an address get
    only the in-app notifications)."""
    by_user: dict[int, tuple[str, list[Notice]]] = {}
    for notice in notices:
        if notice.email:
            by_user.setdefault(notice.user_id, (notice.email, []))[1].append(notice)
    mails = []
    for email, items in by_user.values():
        items.sort(key=lambda n: (n.kind != ESCALATE_KIND, n.ticket_id))
        first = items[0]
        tr = i18n.translations(first.language)
        subject = tr.ngettext(
            "%(n)s overdue ticket needs your attention",
            "%(n)s overdue tickets need your attention",
            len(items),
        ) % {"n": len(items)}
        lines = [f"- {n.text}\n  /tickets/{n.ticket_id}" for n in items]
        body = "\n".join(lines) + "\n\n-- ParkOps"
        mails.append(OutgoingMail(email, f"[ParkOps] {subject}"[:200], body))
    return mails
