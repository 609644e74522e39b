"""The SLA clock of a ticket: which deadlines a state works toward and whether time counts
(pure). The deadlines' instants are :mod:`parkops.tickets.rules.deadlines`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from parkops.tickets.rules.states import PAUSED_STATUSES, TicketStatus

_S = TicketStatus


class SlaDeadline(StrEnum):
    """The time limits a ticket works toward. Lengths in working days are configuration."""

    ACCEPT = "accept"
    """Desk accepts, rejects or merges the ticket; counted from submission (e.g. 1 day)."""
    FIRST_REPLY = "first_reply"
    """Lead department signs for it and first responds (``start``); from acceptance (e.g. 3)."""
    RESOLVE = "resolve"
    """Lead department replies with the result; from acceptance, or from reopening for a redo
    (e.g. 15, up to 30 with an approved extension)."""
    FOLLOW_UP = "follow_up"
    """Enterprise rates the reply, or else the desk calls; from the reply (e.g. 5)."""


@dataclass(frozen=True, slots=True)
class SlaClock:
    """Which deadlines a state works toward and whether time is being counted."""

    deadlines: tuple[SlaDeadline, ...]
    """Most urgent first; all of them are counting while ``running``."""
    running: bool

    @property
    def next_deadline(self) -> SlaDeadline | None:
        """The deadline the current state must meet next, if any."""
        return self.deadlines[0] if self.deadlines else None


_DEADLINES: Mapping[TicketStatus, tuple[SlaDeadline, ...]] = {
    _S.SUBMITTED: (SlaDeadline.ACCEPT,),
    # Resolve counts from acceptance too: time lost dispatching or bouncing a ticket between
    # departments is time the enterprise waits.
    _S.ACCEPTED: (SlaDeadline.FIRST_REPLY, SlaDeadline.RESOLVE),
    _S.DISPATCHED: (SlaDeadline.FIRST_REPLY, SlaDeadline.RESOLVE),
    _S.RETURNED: (SlaDeadline.FIRST_REPLY, SlaDeadline.RESOLVE),
    _S.IN_PROGRESS: (SlaDeadline.RESOLVE,),
    _S.REOPENED: (SlaDeadline.RESOLVE,),
    _S.REPLIED: (SlaDeadline.FOLLOW_UP,),
}


def sla_clock(status: TicketStatus | str, *, paused_from: TicketStatus | None = None) -> SlaClock:
    """The SLA clock in ``status``.

    While ``awaiting_enterprise`` the clock is stopped; the deadlines shown are those of the
    state it paused from (pass ``paused_from``), pushed back by the paused working days when the
    ticket resumes. Terminal states have no deadline.
    """
    status = TicketStatus(status)
    if status in PAUSED_STATUSES:
        frozen = _DEADLINES.get(paused_from, ()) if paused_from is not None else ()
        return SlaClock(deadlines=frozen, running=False)
    deadlines = _DEADLINES.get(status, ())
    return SlaClock(deadlines=deadlines, running=bool(deadlines))
