"""Working-day calendar and deadlines: hand-worked cases from the State Council notices, then
properties that must hold for any admin table."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parkops.core.workdays import (
    LIBRARY_YEARS,
    CalendarOverride,
    DaySource,
    Deadline,
    OverrideKind,
    Pause,
    WorkCalendar,
    YearStatus,
)

SH = ZoneInfo("Asia/Shanghai")
D = dt.date

# The "unknown year" cases are worked by hand for 2030. If a chinesecalendar upgrade learns 2030,
# these tests must move to a later year (and be re-worked), not silently test nothing.
UNKNOWN = 2030


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=SH)


def close(y: int, m: int, d: int) -> dt.datetime:
    return dt.datetime(y, m, d, 17, 30, tzinfo=SH)


CAL = WorkCalendar()


def test_library_years_are_the_announced_ones() -> None:
    assert min(LIBRARY_YEARS) == 2004
    assert {2024, 2025, 2026} <= LIBRARY_YEARS
    assert UNKNOWN not in LIBRARY_YEARS, "chinesecalendar now knows 2030: re-work these cases"
    assert CAL.year_status(2025) is YearStatus.OFFICIAL
    assert CAL.year_status(UNKNOWN) is YearStatus.UNKNOWN
    assert WorkCalendar(filled_years={UNKNOWN}).year_status(UNKNOWN) is YearStatus.ADMIN
    # The library keeps its label even if the admins also "fill" the year.
    assert WorkCalendar(filled_years={2025}).year_status(2025) is YearStatus.OFFICIAL


def test_every_library_day_agrees_with_chinese_calendar() -> None:
    # We read the library's tables directly; this checks we apply them as it does.
    day = D(min(LIBRARY_YEARS), 1, 1)
    end = D(max(LIBRARY_YEARS), 12, 31)
    while day <= end:
        assert CAL.is_working_day(day) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)


# -- State Council dates, 2025 and 2026 ---------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        # Spring Festival 2025: off Tue 28 Jan (除夕) to Tue 4 Feb; Sun 26 Jan and Sat 8 Feb worked.
        # 4 statutory days (28-31) + weekend (1-2 Feb) + 2 swapped (3-4 Feb) = 8 days.
        (D(2025, 1, 26), True),
        (D(2025, 1, 27), True),
        (D(2025, 1, 28), False),
        (D(2025, 2, 3), False),
        (D(2025, 2, 4), False),
        (D(2025, 2, 5), True),
        (D(2025, 2, 8), True),
        (D(2025, 2, 9), False),
        # National Day + Mid-autumn 2025: off Wed 1 to Wed 8 Oct; Sun 28 Sep and Sat 11 Oct worked.
        (D(2025, 9, 27), False),
        (D(2025, 9, 28), True),
        (D(2025, 10, 6), False),
        (D(2025, 10, 8), False),
        (D(2025, 10, 9), True),
        (D(2025, 10, 11), True),
        (D(2025, 10, 12), False),
        # Spring Festival 2026: off Sun 15 to Mon 23 Feb; Sat 14 Feb and Sat 28 Feb worked.
        (D(2026, 2, 13), True),
        (D(2026, 2, 14), True),
        (D(2026, 2, 16), False),
        (D(2026, 2, 20), False),
        (D(2026, 2, 23), False),
        (D(2026, 2, 24), True),
        (D(2026, 2, 28), True),
        # National Day 2026: off Thu 1 to Wed 7 Oct; Sun 20 Sep and Sat 10 Oct worked.
        (D(2026, 9, 20), True),
        (D(2026, 10, 7), False),
        (D(2026, 10, 10), True),
        # An ordinary week.
        (D(2025, 3, 7), True),
        (D(2025, 3, 8), False),
    ],
)
def test_holidays_and_make_up_days(day: dt.date, working: bool) -> None:
    assert CAL.is_working_day(day) is working


def test_explain_names_the_holiday_and_the_make_up_day() -> None:
    assert CAL.explain(D(2025, 1, 29)).note == "春节"
    make_up = CAL.explain(D(2025, 2, 8))
    assert (make_up.working, make_up.source, make_up.note) == (
        True,
        DaySource.OFFICIAL,
        "春节调休上班",
    )
    assert not make_up.provisional


def test_deadline_across_spring_festival_2025() -> None:
    # Received Fri 24 Jan. Day 1 = Sun 26 (make-up), day 2 = Mon 27, then 28 Jan-4 Feb off,
    # day 3 = Wed 5 Feb. Monday to Friday counting would have said Wed 29 Jan.
    result = CAL.deadline(at(2025, 1, 24), 3)
    assert result == Deadline(close(2025, 2, 5))
    assert not result.provisional
    assert CAL.add_working_days(D(2025, 1, 24), 5).date == D(2025, 2, 7)
    assert CAL.add_working_days(D(2025, 1, 24), 6).date == D(2025, 2, 8)  # Saturday, make-up


def test_deadline_across_spring_festival_2026() -> None:
    # From Fri 13 Feb: day 1 = Sat 14 (make-up), 15-23 off, day 2 = Tue 24, ... day 5 = Fri 27,
    # day 6 = Sat 28 (make-up).
    assert CAL.add_working_days(D(2026, 2, 13), 1).date == D(2026, 2, 14)
    assert CAL.add_working_days(D(2026, 2, 13), 2).date == D(2026, 2, 24)
    assert CAL.add_working_days(D(2026, 2, 13), 6).date == D(2026, 2, 28)


def test_deadline_across_national_day_2025() -> None:
    # From Tue 30 Sep: 1-8 Oct off, day 1 = Thu 9, day 2 = Fri 10, day 3 = Sat 11 (make-up).
    assert CAL.deadline(at(2025, 9, 30), 3).at == close(2025, 10, 11)


def test_received_friday_after_close() -> None:
    # Day 1 is the first working day after the receipt date, whatever the time: Monday.
    assert CAL.deadline(at(2025, 3, 7, 18, 0), 1).at == close(2025, 3, 10)
    assert CAL.deadline(at(2025, 3, 7, 10, 0), 1).at == close(2025, 3, 10)
    assert CAL.deadline(at(2025, 3, 8, 11, 0), 1).at == close(2025, 3, 10)  # Saturday
    assert CAL.deadline(at(2025, 3, 10, 9, 0), 1).at == close(2025, 3, 11)  # Monday morning
    # Friday 18:00 before National Day 2025: the next working day is the make-up Sunday.
    assert CAL.deadline(at(2025, 9, 26, 18, 0), 1).at == close(2025, 9, 28)


def test_receipt_date_is_taken_in_shanghai_not_utc() -> None:
    # Sun 9 Mar 17:00 UTC is Mon 10 Mar 01:00 in Shanghai: received Monday, day 1 is Tuesday.
    received = dt.datetime(2025, 3, 9, 17, 0, tzinfo=dt.UTC)
    result = CAL.deadline(received, 1)
    assert result.at == close(2025, 3, 11)
    assert result.at.tzinfo == SH


def test_unknown_year_counts_monday_to_friday_and_says_so() -> None:
    # Mon 30 Sep 2030, 3 working days: Tue 1, Wed 2, Thu 3 Oct, although National Day is
    # certainly coming; nobody has published 2030 yet.
    guessed = CAL.add_working_days(D(UNKNOWN, 9, 30), 3)
    assert guessed.date == D(UNKNOWN, 10, 3)
    assert guessed.provisional
    assert guessed.unknown_years == {UNKNOWN}
    assert CAL.deadline(at(UNKNOWN, 9, 30), 3).provisional
    assert CAL.explain(D(UNKNOWN, 10, 1)).source is DaySource.GUESS


def test_same_year_after_the_admins_fill_it_in() -> None:
    holidays = [CalendarOverride(D(UNKNOWN, 10, day), "holiday", "国庆节") for day in range(1, 8)]
    filled = WorkCalendar(
        overrides=[*holidays, CalendarOverride(D(UNKNOWN, 10, 12), "workday", "国庆调休")],
        filled_years={UNKNOWN},
    )
    before = CAL.add_working_days(D(UNKNOWN, 9, 30), 3)
    assert filled.is_outdated(before)
    assert not CAL.is_outdated(before)
    # Recomputing with the filled-in table: 1-7 Oct off, Tue 8 (1), Wed 9 (2), Thu 10 (3).
    after = filled.add_working_days(D(UNKNOWN, 9, 30), 3)
    assert after.date == D(UNKNOWN, 10, 10)
    assert not after.provisional
    # Sat 12 is now a working day, Fri 11 + Sat 12 are days 4 and 5.
    assert filled.add_working_days(D(UNKNOWN, 9, 30), 5).date == D(UNKNOWN, 10, 12)


def test_overrides_in_an_unfilled_year_settle_only_their_own_days() -> None:
    cal = WorkCalendar(overrides=[CalendarOverride(D(UNKNOWN, 10, 1), OverrideKind.HOLIDAY)])
    assert cal.add_working_days(D(UNKNOWN, 9, 30), 1) == CAL.add_working_days(D(UNKNOWN, 9, 30), 2)
    assert cal.add_working_days(D(UNKNOWN, 9, 30), 1).provisional  # Wed 2 Oct is still a guess
    assert not cal.explain(D(UNKNOWN, 10, 1)).provisional


def test_counting_into_an_unknown_year_names_that_year() -> None:
    cal = WorkCalendar(filled_years={UNKNOWN - 1})
    # Mon 31 Dec 2029 + 3: Tue 1, Wed 2, Thu 3 Jan 2030, all guessed.
    result = cal.add_working_days(D(UNKNOWN - 1, 12, 31), 3)
    assert (result.date, result.unknown_years) == (D(UNKNOWN, 1, 3), {UNKNOWN})
    assert not cal.add_working_days(D(UNKNOWN - 1, 12, 3), 3).provisional


def test_closure_is_not_a_working_day() -> None:
    cal = WorkCalendar(overrides=[CalendarOverride(D(2025, 3, 12), "closure", "停电检修")])
    # Mon 10 Mar + 3: Tue 11, (Wed 12 closed), Thu 13, Fri 14.
    assert cal.deadline(at(2025, 3, 10), 3).at == close(2025, 3, 14)
    assert CAL.deadline(at(2025, 3, 10), 3).at == close(2025, 3, 13)
    info = cal.explain(D(2025, 3, 12))
    assert (info.working, info.source, info.note) == (False, DaySource.CLOSURE, "停电检修")


def test_closure_beats_make_up_day_and_admin_workday() -> None:
    cal = WorkCalendar(
        overrides=[
            CalendarOverride(D(2025, 9, 28), "workday"),
            CalendarOverride(D(2025, 9, 28), "closure", "园区封闭"),
        ]
    )
    assert not cal.is_working_day(D(2025, 9, 28))
    # Friday 18:00: the make-up Sunday is closed, so day 1 is Mon 29 Sep.
    assert cal.deadline(at(2025, 9, 26, 18), 1).at == close(2025, 9, 29)


def test_admin_override_corrects_the_library() -> None:
    cal = WorkCalendar(
        overrides=[
            CalendarOverride(D(2025, 10, 8), "workday", "更正"),
            CalendarOverride(D(2025, 3, 12), "holiday", "地方假日"),
        ]
    )
    assert cal.is_working_day(D(2025, 10, 8))
    assert not cal.is_working_day(D(2025, 3, 12))
    assert cal.explain(D(2025, 10, 8)).source is DaySource.OVERRIDE


def test_conflicting_admin_rows_are_refused() -> None:
    with pytest.raises(ValueError, match="both"):
        WorkCalendar(
            overrides=[
                CalendarOverride(D(2025, 3, 12), "holiday"),
                CalendarOverride(D(2025, 3, 12), "workday"),
            ]
        )
    with pytest.raises(ValueError):
        CalendarOverride(D(2025, 3, 12), "weekend")  # type: ignore[arg-type]


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        CAL.deadline(dt.datetime(2025, 3, 7, 10), 1)
    with pytest.raises(TypeError):
        CAL.is_working_day(dt.datetime(2025, 3, 8, 10))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        CAL.deadline(at(2025, 3, 7), 0)
    with pytest.raises(ValueError):
        CAL.working_days_between(at(2025, 3, 7), at(2025, 3, 6))


def test_add_zero_and_negative() -> None:
    assert CAL.add_working_days(D(2025, 3, 8), 0).date == D(2025, 3, 8)
    # One working day before Wed 5 Feb 2025 is Mon 27 Jan (the holiday lies between).
    assert CAL.add_working_days(D(2025, 2, 5), -1).date == D(2025, 1, 27)
    assert CAL.add_working_days(D(2025, 2, 5), -3).date == D(2025, 1, 24)


# -- pauses --------------------------------------------------------------------------------------
# Received Mon 3 Mar 2025, 5 working days: Tue 4 ... Mon 10 Mar 17:30 without pauses.


def test_pause_across_a_weekend() -> None:
    # Paused Fri 7 10:00, resumed Mon 10 09:00: only Friday's close fell inside the pause.
    result = CAL.deadline_with_pauses(at(2025, 3, 3, 9), 5, [(at(2025, 3, 7), at(2025, 3, 10, 9))])
    assert (result.at, result.paused_working_days) == (close(2025, 3, 11), 1)
    # Paused over the weekend only, outside business hours: the clock was not running anyway.
    weekend = [Pause(at(2025, 3, 7, 18), at(2025, 3, 10, 9))]
    assert CAL.deadline_with_pauses(at(2025, 3, 3, 9), 5, weekend).at == close(2025, 3, 10)
    # Friday morning to Monday evening: Friday and Monday are both lost.
    long = [(at(2025, 3, 7), at(2025, 3, 10, 18))]
    assert CAL.deadline_with_pauses(at(2025, 3, 3, 9), 5, long).at == close(2025, 3, 12)


def test_pause_within_one_day_costs_nothing() -> None:
    pauses = [(at(2025, 3, 5, 10), at(2025, 3, 5, 16))]
    assert CAL.deadline_with_pauses(at(2025, 3, 3, 9), 5, pauses).at == close(2025, 3, 10)


def test_pause_on_the_last_day_keeps_the_ticket_in_time() -> None:
    # Paused Mon 10 12:00 (deadline day), resumed Tue 11 12:00: Monday is lost, due Tuesday.
    pauses = [(at(2025, 3, 10, 12), at(2025, 3, 11, 12))]
    assert CAL.deadline_with_pauses(at(2025, 3, 3, 9), 5, pauses).at == close(2025, 3, 11)


def test_pause_boundaries_at_close_of_business() -> None:
    # Paused at 17:30 exactly: paused at close, the day is lost. Resumed at 17:30 exactly: no
    # longer paused at close, the day counts.
    at_close = [(close(2025, 3, 7), at(2025, 3, 10, 9))]
    assert CAL.deadline_with_pauses(at(2025, 3, 3, 9), 5, at_close).at == close(2025, 3, 11)
    resumed_at_close = [(at(2025, 3, 6, 18), close(2025, 3, 7))]
    assert CAL.deadline_with_pauses(at(2025, 3, 3, 9), 5, resumed_at_close).at == close(2025, 3, 10)


def test_pausing_an_overdue_ticket_does_not_rescue_it() -> None:
    pauses = [(at(2025, 3, 10, 18), at(2025, 3, 12, 10))]
    assert CAL.deadline_with_pauses(at(2025, 3, 3, 9), 5, pauses).at == close(2025, 3, 10)


def test_open_pause_needs_now_and_says_it_is_still_paused() -> None:
    pauses = [Pause(at(2025, 3, 6, 10))]
    with pytest.raises(ValueError, match="now"):
        CAL.deadline_with_pauses(at(2025, 3, 3, 9), 5, pauses)
    # Paused Thu 6 10:00, still paused Mon 10 09:00: Thu and Fri lost so far.
    result = CAL.deadline_with_pauses(at(2025, 3, 3, 9), 5, pauses, now=at(2025, 3, 10, 9))
    assert result == Deadline(close(2025, 3, 12), paused_working_days=2, still_paused=True)


def test_overlapping_pauses_lose_a_day_once() -> None:
    pauses = [(at(2025, 3, 7), at(2025, 3, 8)), (at(2025, 3, 7, 12), at(2025, 3, 7, 19))]
    assert CAL.deadline_with_pauses(at(2025, 3, 3, 9), 5, pauses).at == close(2025, 3, 11)


def test_pause_resumed_before_it_began_is_refused() -> None:
    with pytest.raises(ValueError, match="before"):
        CAL.deadline_with_pauses(at(2025, 3, 3), 5, [(at(2025, 3, 7), at(2025, 3, 6))])


# -- elapsed working days --------------------------------------------------------------------------


def test_working_days_between() -> None:
    assert CAL.working_days_between(at(2025, 1, 24), at(2025, 2, 5, 15)) == 3
    assert CAL.working_days_between(at(2025, 3, 7, 9), at(2025, 3, 7, 17)) == 0
    assert CAL.working_days_between(at(2025, 3, 7, 18), at(2025, 3, 10, 9)) == 1
    assert CAL.working_days_between(at(2025, 3, 7, 18), at(2025, 3, 9, 9)) == 0
    paused = [(at(2025, 3, 7), at(2025, 3, 10, 9))]
    assert CAL.working_days_between(at(2025, 3, 3), at(2025, 3, 11, 12), paused) == 5
    # An open pause lasts beyond the end: only Tue 4, Wed 5 and Thu 6 counted.
    still_open = [Pause(at(2025, 3, 7))]
    assert CAL.working_days_between(at(2025, 3, 3), at(2025, 3, 12, 12), still_open) == 3
    assert CAL.unknown_years(D(2025, 12, 1), D(UNKNOWN, 1, 5)) >= {UNKNOWN}
    assert not CAL.unknown_years(D(2025, 1, 1), D(2026, 12, 31))


# -- properties ---------------------------------------------------------------------------------

DAYS = st.dates(D(2024, 6, 1), D(2031, 6, 30))
KINDS = st.sampled_from(list(OverrideKind))


@st.composite
def calendars(draw: st.DrawFn) -> WorkCalendar:
    rows = draw(st.dictionaries(st.dates(D(2025, 1, 1), D(2031, 12, 31)), KINDS, max_size=40))
    filled = draw(st.sets(st.integers(2027, 2031)))
    return WorkCalendar(
        overrides=[CalendarOverride(day, kind) for day, kind in rows.items()], filled_years=filled
    )


FAST = settings(max_examples=50, deadline=None)


@FAST
@given(calendars(), DAYS, st.integers(0, 40), st.integers(1, 40))
def test_adding_is_strictly_monotonic(
    cal: WorkCalendar, start: dt.date, a: int, extra: int
) -> None:
    assert cal.add_working_days(start, a).date < cal.add_working_days(start, a + extra).date


@FAST
@given(calendars(), DAYS, st.integers(1, 40))
def test_result_is_a_working_day(cal: WorkCalendar, start: dt.date, n: int) -> None:
    assert cal.is_working_day(cal.add_working_days(start, n).date)
    assert cal.is_working_day(cal.add_working_days(start, -n).date)


@FAST
@given(calendars(), DAYS, st.integers(0, 25), st.integers(0, 25))
def test_adding_is_additive(cal: WorkCalendar, start: dt.date, a: int, b: int) -> None:
    step = cal.add_working_days(start, a)
    both = cal.add_working_days(step.date, b)
    once = cal.add_working_days(start, a + b)
    assert once.date == both.date
    assert once.unknown_years == step.unknown_years | both.unknown_years


@FAST
@given(calendars(), DAYS, st.integers(0, 40))
def test_backwards_undoes_forwards_from_a_working_day(
    cal: WorkCalendar, start: dt.date, n: int
) -> None:
    if cal.is_working_day(start):
        there = cal.add_working_days(start, n).date
        assert cal.add_working_days(there, -n).date == start


@FAST
@given(calendars(), DAYS, st.integers(0, 40))
def test_provisional_exactly_when_a_guessed_day_was_walked(
    cal: WorkCalendar, start: dt.date, n: int
) -> None:
    result = cal.add_working_days(start, n)
    walked = [start + dt.timedelta(days=i) for i in range(1, (result.date - start).days + 1)]
    assert result.unknown_years == {d.year for d in walked if cal.explain(d).provisional}


@st.composite
def pauses(draw: st.DrawFn, base: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    out = []
    for _ in range(draw(st.integers(0, 4))):
        start = base + dt.timedelta(minutes=draw(st.integers(-3 * 1440, 40 * 1440)))
        out.append((start, start + dt.timedelta(minutes=draw(st.integers(0, 12 * 1440)))))
    return out


@FAST
@given(calendars(), DAYS, st.integers(0, 1439), st.integers(1, 30), st.data())
def test_pauses_only_delay_and_between_counts_back_to_n(
    cal: WorkCalendar, day: dt.date, minute: int, n: int, data: st.DataObject
) -> None:
    received = dt.datetime.combine(day, dt.time(), tzinfo=SH) + dt.timedelta(minutes=minute)
    plain = cal.deadline(received, n)
    gaps = data.draw(pauses(received))
    paused = cal.deadline_with_pauses(received, n, gaps)
    assert paused.at >= plain.at
    assert (paused.at == plain.at) == (paused.paused_working_days == 0)
    assert cal.working_days_between(received, plain.at) == n
    assert cal.working_days_between(received, paused.at, gaps) == n
    # Receipt time within the day never matters.
    assert cal.deadline(dt.datetime.combine(day, dt.time(23, 59), tzinfo=SH), n) == plain
