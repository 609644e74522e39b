"""A ticket's deadlines from its anchors, limits and pauses (hand-worked on the 2026 calendar:
1-7 October off, Saturday 10 October worked)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from parkops.core.workdays import Pause, WorkCalendar
from parkops.tickets.rules.deadlines import compute
from parkops.tickets.rules.states import TicketStatus

SH = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar()


def at(y, m, d, hh=10, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=SH)


def ticket(**kw):
    base = dict(
        status="submitted",
        submitted_at=at(2026, 9, 30),
        accepted_at=None,
        first_reply_from=None,
        first_replied_at=None,
        resolve_from=None,
        resolved_at=None,
        dispatched_at=None,
        replied_at=None,
        accept_days=1,
        first_reply_days=3,
        resolve_days=15,
        return_days=2,
        follow_up_days=5,
        extension_days=0,
    )
    base.update(kw)
    return SimpleNamespace(**base)


def test_only_the_anchors_that_are_set_give_deadlines():
    values = compute(ticket(), CAL, [], at(2026, 9, 30))
    assert values["accept_due_at"] == at(2026, 10, 8, 17, 30)
    assert values["first_reply_due_at"] is None and values["resolve_due_at"] is None
    assert values["next_due_at"] == values["accept_due_at"]
    assert not any(v for k, v in values.items() if k.endswith("_provisional"))


def test_dispatched_ticket_counts_from_the_dispatch():
    t = ticket(
        status="dispatched",
        accepted_at=at(2026, 10, 8, 9),
        dispatched_at=at(2026, 10, 8, 9),
        first_reply_from=at(2026, 10, 8, 9),
        resolve_from=at(2026, 10, 8, 9),
        extension_days=2,
    )
    values = compute(t, CAL, [], at(2026, 10, 8, 9))
    assert values["first_reply_due_at"] == at(2026, 10, 12, 17, 30)
    assert values["return_due_at"] == at(2026, 10, 10, 17, 30)  # the make-up Saturday
    assert values["resolve_due_at"] == at(2026, 10, 30, 17, 30)  # 15 + 2 extension days
    assert values["next_due_at"] == values["first_reply_due_at"]


def test_pauses_count_only_before_the_deadline_was_met():
    t = ticket(status="accepted", accepted_at=at(2026, 9, 30, 15))
    pause_after = Pause(at(2026, 10, 8, 9), at(2026, 10, 12, 9))
    values = compute(t, CAL, [pause_after], at(2026, 10, 12, 9))
    assert values["accept_due_at"] == at(2026, 10, 8, 17, 30)
    t.accepted_at = None
    values = compute(t, CAL, [pause_after], at(2026, 10, 12, 9))
    # Paused at close of 8, 9 and 10 October (all lost); resumed on the 12th, which is day 1.
    assert values["accept_due_at"] == at(2026, 10, 12, 17, 30)


def test_an_open_pause_counts_up_to_now_and_stops_the_clock():
    t = ticket(status="awaiting_enterprise")
    values = compute(
        t,
        CAL,
        [Pause(at(2026, 9, 30, 11), None)],
        at(2026, 10, 9, 12),
        paused_from=TicketStatus.SUBMITTED,
    )
    assert values["accept_due_at"] == at(2026, 10, 9, 17, 30)  # 30 Sep, 8 Oct lost
    assert values["next_due_at"] is None


def test_unknown_year_is_provisional():
    t = ticket(submitted_at=at(2030, 9, 30))
    values = compute(t, CAL, [], at(2030, 9, 30))
    assert values["accept_due_provisional"] is True
    filled = WorkCalendar(filled_years={2030})
    assert compute(t, filled, [], at(2030, 9, 30))["accept_due_provisional"] is False


def test_terminal_states_have_no_next_deadline():
    t = ticket(status="closed", replied_at=at(2026, 10, 20))
    values = compute(t, CAL, [], at(2026, 10, 21))
    assert values["follow_up_due_at"] == at(2026, 10, 27, 17, 30)
    assert values["next_due_at"] is None
