"""Pure parts of the supervision sweep: the escalation cutoff, "due soon", who owes the next
step, and the email digests."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from parkops.core.workdays import CalendarOverride, OverrideKind, WorkCalendar
from parkops.tickets.rules import supervision
from parkops.tickets.rules.sla import SlaDeadline
from parkops.tickets.rules.states import TicketStatus

SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=10, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=SH)


CALENDAR = WorkCalendar(
    overrides=[CalendarOverride(dt.date(2026, 3, 11), OverrideKind.CLOSURE, "power cut")]
)


@pytest.mark.parametrize("days", [1, 2, 3, 5, 10])
def test_escalation_cutoff_agrees_with_counting_each_deadline(days):
    """``due < cutoff`` exactly when ``deadline(due, days).at < now``, for every due date of a
    few months and many moments, around weekends, the Qingming and Labour Day holidays (2026),
    the make-up working days and a park closure."""
    nows = [
        at(2026, 3, 2) + dt.timedelta(hours=h)
        for h in range(0, 24 * 80, 7)  # every seven hours for 80 days
    ]
    dues = []
    day = dt.date(2026, 1, 20)
    while day < dt.date(2026, 5, 25):
        dues.append(CALENDAR.close_of(day))
        dues.append(dt.datetime.combine(day, dt.time(9), SH))
        day += dt.timedelta(days=1)
    limits = [(due, CALENDAR.deadline(due, days).at) for due in dues]
    for now in nows:
        cutoff = supervision.escalation_cutoff(CALENDAR, now, days)
        for due, limit in limits:
            assert (due < cutoff) == (limit < now), (now, due, days)


def test_escalation_cutoff_zero_days_is_now():
    now = at(2026, 3, 6, 12)
    assert supervision.escalation_cutoff(CALENDAR, now, 0) == now
    with pytest.raises(ValueError):
        supervision.escalation_cutoff(CALENDAR, now, -1)


def test_three_working_days_overdue_example():
    # Due Tuesday 3 March 17:30: more than 3 working days overdue after Friday 6 March 17:30.
    due = at(2026, 3, 3, 17, 30)
    assert not due < supervision.escalation_cutoff(CALENDAR, at(2026, 3, 6, 17, 29), 3)
    assert due < supervision.escalation_cutoff(CALENDAR, at(2026, 3, 6, 17, 31), 3)


def test_soon_cutoff_is_close_of_the_second_working_day():
    # Friday 6 March: the next two working days are Monday and Tuesday.
    assert supervision.soon_cutoff(CALENDAR, at(2026, 3, 6, 10)) == at(2026, 3, 10, 17, 30)
    # Tuesday 10 March: Wednesday 11 is a park closure, so Thursday and Friday.
    assert supervision.soon_cutoff(CALENDAR, at(2026, 3, 10, 10)) == at(2026, 3, 13, 17, 30)


def test_running_statuses_follow_the_workflow_clock():
    running = supervision.RUNNING_BY_DEADLINE
    assert running[SlaDeadline.ACCEPT] == {TicketStatus.SUBMITTED}
    assert TicketStatus.DISPATCHED in running[SlaDeadline.FIRST_REPLY]
    assert TicketStatus.IN_PROGRESS not in running[SlaDeadline.FIRST_REPLY]
    assert TicketStatus.REOPENED in running[SlaDeadline.RESOLVE]
    assert TicketStatus.AWAITING_ENTERPRISE not in supervision.RUNNING_STATUSES
    assert TicketStatus.CLOSED not in supervision.RUNNING_STATUSES
    # The desk owes the next step exactly where no department is at work.
    assert supervision.DESK_OWNED == {
        TicketStatus.SUBMITTED,
        TicketStatus.ACCEPTED,
        TicketStatus.RETURNED,
        TicketStatus.REPLIED,
    }


def test_digests_one_mail_per_recipient_with_an_address():
    notices = [
        supervision.Notice(1, "a@example.cn", "en", supervision.CHASE_KIND, 10, "Ticket A late"),
        supervision.Notice(1, "a@example.cn", "en", supervision.ESCALATE_KIND, 11, "B escalated"),
        supervision.Notice(2, None, "zh", supervision.CHASE_KIND, 10, "Ticket A late"),
        supervision.Notice(3, "c@example.cn", "en", supervision.CHASE_KIND, 12, "Ticket C late"),
    ]
    mails = {m.to: m for m in supervision.digests(notices)}
    assert set(mails) == {"a@example.cn", "c@example.cn"}
    assert mails["a@example.cn"].subject == "[ParkOps] 2 overdue tickets need your attention"
    assert mails["c@example.cn"].subject == "[ParkOps] 1 overdue ticket needs your attention"
    body = mails["a@example.cn"].body
    # Escalations first, each with its link.
    assert body.index("B escalated") < body.index("Ticket A late")
    assert "/tickets/11" in body and "/tickets/10" in body
