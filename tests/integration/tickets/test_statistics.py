"""Statistics on a hand-built set of tickets: every rate and average worked out by hand, open
overdue tickets counted late, open tickets not yet due left out; the SQL working-day counts
against ``WorkCalendar.working_days_between``; the page, the API and the CSV/XLSX exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from decimal import Decimal

import openpyxl
import pytest
import sqlalchemy as sa

from parkops.core.workdays import Pause
from parkops.tickets import statistics
from parkops.tickets.models import Ticket, TicketPause
from parkops.tickets.rules import deadlines
from parkops.tickets.services import actions, calendar_table, elapsed_days
from parkops.tickets.services.calendar_table import load_calendar
from tests.integration.tickets.factories import at, dispatched, file, people
from tests.support import create_user, sign_in

MARCH = statistics.Period(dt.date(2026, 3, 1), dt.date(2026, 4, 1))
NOW = at(2026, 3, 20, 10)  # Friday


async def _hand_built(db, s):
    """Nine tickets filed in March 2026 (category ip_counterfeit: lead market supervision;
    accept 1, first reply 3, resolve 15 working days). Comments give each one's verdicts."""
    p = await people(db)
    ent, desk, lead = p.enterprise, p.desk, p.lead
    act = actions.perform

    # T1: all on time; first reply after 1 working day, resolved after 4; rated 5.
    t1 = await file(db, s, ent, now=at(2026, 3, 2, 10))
    await act(db, s, desk, t1.id, "accept", now=at(2026, 3, 2, 11))
    await act(db, s, desk, t1.id, "dispatch", now=at(2026, 3, 2, 11))
    await act(db, s, lead, t1.id, "start", now=at(2026, 3, 3, 10))
    await act(db, s, lead, t1.id, "reply", {"note": "Shop closed down"}, now=at(2026, 3, 6, 10))
    await actions.rate(db, s, ent, t1.id, 5, now=at(2026, 3, 6, 12))
    # T2: accepted late (due Tue 3 Mar 17:30), first reply late (due Mon 9 Mar 17:30, came
    # Tue 10 Mar: 4 working days), resolved on time (Thu 12 Mar: 6 working days); rated 3.
    t2 = await file(db, s, ent, now=at(2026, 3, 2, 10))
    await act(db, s, desk, t2.id, "accept", now=at(2026, 3, 4, 10))
    await act(db, s, desk, t2.id, "dispatch", now=at(2026, 3, 4, 10))
    await act(db, s, lead, t2.id, "start", now=at(2026, 3, 10, 10))
    await act(db, s, lead, t2.id, "reply", {"note": "Mediated"}, now=at(2026, 3, 12, 10))
    await actions.rate(db, s, ent, t2.id, 3, now=at(2026, 3, 13, 10))
    # T3: dispatched, never started: open and overdue for its first reply (late); resolve not
    # due until 23 March (left out).
    t3 = await dispatched(db, s, p, now=at(2026, 3, 2, 10))
    # T4: dispatched on 19 March: first reply not due yet (left out); accepted on time.
    t4 = await dispatched(db, s, p, now=at(2026, 3, 19, 10))
    # T5: filed 19 March, not accepted, accept due 20 March 17:30: left out; not dispatched.
    t5 = await file(db, s, ent, now=at(2026, 3, 19, 10))
    # T6: first reply after 1 day; paused for the enterprise from Wed 4 Mar 10:00 to Mon 9 Mar
    # 10:00 (3 working days lost: 4, 5, 6 March); replied Wed 11 March: 7 - 3 = 4 working days.
    t6 = await dispatched(db, s, p, now=at(2026, 3, 2, 10))
    await act(db, s, lead, t6.id, "start", now=at(2026, 3, 3, 10))
    await act(db, s, lead, t6.id, "request_info", {"note": "Invoices?"}, now=at(2026, 3, 4, 10))
    await act(db, s, ent, t6.id, "provide_info", {"note": "Attached"}, now=at(2026, 3, 9, 10))
    await act(db, s, lead, t6.id, "reply", {"note": "Done"}, now=at(2026, 3, 11, 10))
    # T7: rejected on the day: the desk's decision was on time; never dispatched.
    t7 = await file(db, s, ent, now=at(2026, 3, 2, 10))
    await act(db, s, desk, t7.id, "reject", {"note": "Not ours"}, now=at(2026, 3, 2, 12))
    # T8: withdrawn on 9 March, after its first-reply deadline (5 March) had passed: late.
    t8 = await dispatched(db, s, p, now=at(2026, 3, 2, 10))
    await act(db, s, ent, t8.id, "withdraw", now=at(2026, 3, 9, 10))
    # T9: the desk asked for more before accepting; still waiting (clock stopped): left out.
    t9 = await file(db, s, ent, now=at(2026, 3, 2, 10))
    await act(db, s, desk, t9.id, "request_info", {"note": "Which shop?"}, now=at(2026, 3, 2, 11))
    # Filed in February: outside the period.
    await file(db, s, ent, now=at(2026, 2, 27, 10))
    return p, [t.id for t in (t1, t2, t3, t4, t5, t6, t7, t8, t9)]


async def test_three_rates_on_a_hand_built_set(db, test_settings):
    p, _ids = await _hand_built(db, test_settings)
    report = await statistics.report(db, MARCH, "department", now=NOW)
    total = report.total
    assert total.received == 9
    assert total.open == 5  # T3, T4, T5, T6 (replied, not rated), T9
    assert total.overdue == 2  # T3 (first reply), T6 (rating period ended 18 March)
    assert (total.accept_on_time, total.accept_judged, total.accept_pct) == (6, 7, Decimal("85.7"))
    # T1, T6 on time; T2 late; T3 open and overdue: late; T8 withdrawn after the deadline: late.
    assert (total.reply_on_time, total.reply_judged, total.reply_pct) == (2, 5, Decimal("40.0"))
    assert (total.resolve_on_time, total.resolve_judged) == (3, 3)
    assert total.resolve_pct == Decimal("100.0")
    assert (total.satisfied, total.rated, total.satisfaction_pct) == (1, 2, Decimal("50.0"))
    assert total.avg_reply_days == Decimal("2.0")  # (1 + 4 + 1) / 3
    assert total.avg_resolve_days == Decimal("4.7")  # (4 + 6 + 4) / 3

    rows = {r.key: r for r in report.rows}
    market = rows[p.lead_department_id]
    assert market.label == "市场监督管理局"
    assert market.label_en == "Market Supervision Administration"
    assert (market.received, market.accept_on_time, market.accept_judged) == (6, 5, 6)
    assert (market.reply_on_time, market.reply_judged) == (2, 5)
    undispatched = rows[None]
    assert (undispatched.received, undispatched.accept_on_time, undispatched.accept_judged) == (
        3,
        1,
        1,
    )
    assert undispatched.reply_judged == 0 and undispatched.reply_pct is None
    # Every active department has a row, with nothing in it where nothing was received.
    assert rows[p.co_department_id].received == 0
    assert rows[p.co_department_id].accept_pct is None

    # The monthly trend has one point per month of the period.
    assert [r.key for r in report.trend] == [dt.date(2026, 3, 1)]
    assert report.trend[0].received == 9


async def test_open_tickets_become_late_when_their_deadline_passes(db, test_settings):
    await _hand_built(db, test_settings)
    # On 24 March 18:00 T3's resolve deadline (23 March) and T4's first reply (24 March 17:30)
    # have passed: both count as late now.
    later = await statistics.report(db, MARCH, "month", now=at(2026, 3, 24, 18))
    assert (later.total.reply_on_time, later.total.reply_judged) == (2, 6)
    assert (later.total.resolve_on_time, later.total.resolve_judged) == (3, 4)
    assert later.rows[0].key == dt.date(2026, 3, 1)


async def test_calendar_edits_recompute_the_stored_working_days(db, test_settings):
    p, _ids = await _hand_built(db, test_settings)
    # Tue 10 March becomes a holiday: T2's first reply took 3 working days (not 4) and its
    # resolution 5 (not 6); T6's resolution 3 (not 4); T1 (2-6 March) is untouched.
    await calendar_table.set_day(db, p.desk, {"day": "2026-03-10", "kind": "holiday"}, now=NOW)
    total = (await statistics.report(db, MARCH, "month", now=NOW)).total
    assert (total.reply_days_sum, total.reply_days_n) == (1 + 3 + 1, 3)
    assert (total.resolve_days_sum, total.resolve_days_n) == (4 + 5 + 3, 3)
    assert total.avg_reply_days == Decimal("1.7")
    # Taking the holiday back restores the figures.
    await calendar_table.delete_day(db, p.desk, dt.date(2026, 3, 10), now=NOW)
    total = (await statistics.report(db, MARCH, "month", now=NOW)).total
    assert (total.avg_reply_days, total.avg_resolve_days) == (Decimal("2.0"), Decimal("4.7"))


async def test_filters_and_grouping_by_category(db, test_settings):
    p, _ids = await _hand_built(db, test_settings)
    report = await statistics.report(
        db, MARCH, "category", department_id=p.lead_department_id, now=NOW
    )
    received = {r.label_en: r.received for r in report.rows}
    assert received["IP infringement and counterfeits"] == 6
    assert sum(received.values()) == report.total.received == 6
    assert len(received) == 9  # every active category, in catalogue order
    other = await statistics.report(db, MARCH, "department", department_id=99999, now=NOW)
    assert other.total.received == 0


async def test_working_days_in_sql_match_the_calendar(db, test_settings):
    """The SQL's working-day arithmetic (array of cumulative counts, pauses by close of business;
    parkops.tickets.services.elapsed_days) against WorkCalendar.working_days_between, on one ticket
    with random pauses, many times; the statistics sum the stored figures."""
    p = await people(db)
    ticket = await file(db, test_settings, p.enterprise, now=at(2026, 4, 1, 9))
    calendar = await load_calendar(db)
    rng = random.Random(20261128)
    period = statistics.Period(dt.date(2026, 4, 1), dt.date(2026, 5, 1))
    checked = 0
    for _ in range(40):
        await db.execute(sa.delete(TicketPause).where(TicketPause.ticket_id == ticket.id))
        start = at(2026, 4, 1 + rng.randrange(0, 10), rng.randrange(0, 24), rng.choice((0, 30)))
        end = start + dt.timedelta(hours=rng.randrange(1, 24 * 40))
        pauses = []
        cursor = start - dt.timedelta(days=2)
        for _p in range(rng.randrange(0, 4)):
            paused = cursor + dt.timedelta(hours=rng.randrange(1, 24 * 6))
            resumed = paused + dt.timedelta(hours=rng.randrange(1, 24 * 8))
            if rng.random() < 0.15:
                resumed = None
            pauses.append(Pause(paused, resumed))
            db.add(TicketPause(ticket_id=ticket.id, paused_at=paused, resumed_at=resumed,
                               from_status="in_progress"))  # fmt: skip
            if resumed is None:
                break
            cursor = resumed
        row = await db.get(Ticket, ticket.id)
        row.status = "closed"
        row.first_reply_from = row.resolve_from = start
        row.first_replied_at = row.resolved_at = end
        row.closed_at = end
        await db.flush()
        # The set-based recompute (calendar edits, the backfill) against the service's count.
        await elapsed_days.recompute(db, calendar, "t.id = :id", {"id": ticket.id})
        expected = calendar.working_days_between(start, end, pauses)
        await db.refresh(row)
        assert deadlines.elapsed_days(row, calendar, pauses) == {
            "reply_working_days": expected,
            "resolve_working_days": expected,
        }
        report = await statistics.report(db, period, "month", now=at(2026, 6, 30, 12))
        total = report.total
        assert (total.reply_days_sum, total.reply_days_n) == (expected, 1), (start, end, pauses)
        assert total.resolve_days_sum == expected
        checked += 1
    assert checked == 40


async def test_statistics_page_and_exports(client, db, test_settings):
    await _hand_built(db, test_settings)
    desk = await create_user(db, "service_desk")
    await sign_in(client, db, test_settings, desk)
    client.cookies.set("parkops_lang", "en")
    query = "from_month=2026-03&to_month=2026-03"

    page = await client.get(f"/tickets/statistics?{query}&group=department")
    assert page.status_code == 200
    assert "<svg" in page.text and "<polyline" in page.text and "style=" not in page.text
    assert "Market Supervision Administration" in page.text
    assert 'data-col="received">9<' in page.text  # the total row

    r = await client.get(f"/tickets/statistics/export.csv?{query}&group=department")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    total = rows[-1]
    assert total["Department"] == "Total"
    assert total["Received"] == "9"
    # The pages use the real clock, past every March deadline: T5, never accepted, is late now.
    assert total["Accepted on time"] == "6" and total["Acceptance judged"] == "8"
    assert total["Accepted on time %"] == "75.0"
    market = next(r for r in rows if r["Department"] == "Market Supervision Administration")
    assert market["Received"] == "6"

    r = await client.get(f"/tickets/statistics/export.xlsx?{query}&group=month")
    assert r.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    values = list(sheet.values)
    assert values[0][:3] == ("Month", "Received", "Open")
    assert values[1][0] == "2026-03" and values[1][1] == 9
    assert values[-1][0] == "Total" and values[-1][1] == 9
    assert values[-1][6] == pytest.approx(75.0)  # accepted on time %

    api = await client.get(f"/api/v1/tickets/statistics?{query}&group=category")
    assert api.status_code == 200
    body = api.json()
    assert body["total"]["received"] == 9 and body["total"]["accept_pct"] == pytest.approx(75.0)


async def test_officers_and_enterprises_cannot_see_statistics(client, db, test_settings):
    p = await people(db)
    for user in (p.lead_user, p.enterprise_user):
        await sign_in(client, db, test_settings, user)
        for url in ("/tickets/statistics", "/tickets/supervision", "/api/v1/tickets/statistics"):
            r = await client.get(url, follow_redirects=False)
            assert r.status_code == 403, (url, r.status_code)


def test_period_from_query():
    today = dt.date(2026, 11, 28)
    default = statistics.Period.from_query(None, None, today)
    assert (default.first, default.end) == (dt.date(2025, 12, 1), dt.date(2026, 12, 1))
    assert len(default.months) == 12
    one = statistics.Period.from_query("2026-03", "2026-03", today)
    assert (one.first, one.end) == (dt.date(2026, 3, 1), dt.date(2026, 4, 1))
    assert statistics.Period.from_query("2026-05", "2026-03", today) == default  # reversed
    assert statistics.Period.from_query("garbage", "", today) == default
    long = statistics.Period.from_query("2000-01", "2026-03", today)
    assert len(long.months) == statistics.MAX_MONTHS
