"""Working days for mainland China, and the service-desk deadlines counted in them.

The rights-protection desk promises answers "within N working days" (工作日). A working day here
follows the State Council holiday notice, including the weekend days that become working days to
make up for bridged holidays (调休), and the park's own closures. This module answers three
questions, purely from its inputs (no database, no clock):

* is this date a working day, and how sure are we (:meth:`WorkCalendar.explain`)?
* when is a ticket received at some instant due, possibly with pauses while the desk waits for the
  enterprise (:meth:`WorkCalendar.deadline`, :meth:`WorkCalendar.deadline_with_pauses`)?
* how many working days did a reply take (:meth:`WorkCalendar.working_days_between`)?

Where the facts come from, strongest first
------------------------------------------
1. **Park closures** (admin table, kind ``closure``): never a working day, whatever else says so,
   e.g. a make-up Saturday on which the park is shut for a power cut.
2. **Admin overrides** (kind ``holiday`` / ``workday``): correct the library, or describe years the
   library does not know yet.
3. **The ``chinesecalendar`` library** for the years it ships data for (:data:`LIBRARY_YEARS`).
4. **Monday to Friday** for every other day. In a year the admins declared complete ("year filled
   in", ``filled_years``) that is a fact; in any other year it is a guess, and every result that
   depended on such a guess is marked ``provisional`` and lists the guessed years.

The State Council publishes next year's dates around November, so for part of every year the
deadlines of new tickets run into a year nobody knows yet. We never raise for such a year (the
library does: it raises ``NotImplementedError``) and never guess silently: the result says so.

Recompute
---------
Every result is a pure function of the calendar's inputs and the call's arguments. Store the
``provisional`` flag with a deadline; when the admins fill in a year or the library is upgraded,
:meth:`WorkCalendar.is_outdated` tells which stored results may change, and calling the same method
again with the new calendar gives the corrected value.

Counting rules (the subtle part; read before changing)
------------------------------------------------------
* **The start day is never counted.** ``add_working_days(d, n)`` is the n-th working day strictly
  after ``d``, whether or not ``d`` is itself a working day. This is the Chinese rule for periods
  (民法典 第二百零一条: 开始的当日不计入，自下一日开始计算).
* **Receipt.** A ticket's day 1 is the first working day after the *calendar date* (in
  Asia/Shanghai) on which it was received, and it is due at close of business of day N. The time
  of receipt therefore never matters: a ticket received on Friday at 10:00, at 18:00 (after close)
  or on Saturday all have Monday as day 1 (if Monday is a working day). A ticket received after
  close of business or on a non-working day loses no working time, because its day 1 is still a
  whole working day; one received in the morning gets the rest of its receipt day for free.
* **Due at close of business** (default 17:30 Asia/Shanghai; 民法典 第二百零三条: 有业务时间的，
  停止业务活动的时间为截止时间). A reply at or before ``Deadline.at`` is on time.
* **Pauses** (the clock stops while the ticket waits for the enterprise): a working day is lost to
  a pause, i.e. it does not count and the deadline moves one working day later, **if and only if
  the ticket is paused at that day's close of business**. Partial days are thus all-or-nothing,
  decided at one instant: paused 10:00 to 16:00 on the same day costs nothing; paused Friday
  10:00 to Monday 09:00 moves the deadline by one day (Friday; the weekend was not counted
  anyway); paused Friday 18:00 to Monday 09:00 moves it by nothing, since the clock was not
  running. The snapshot at close of business is what makes the clock honest: a ticket can only be
  overdue while paused if it was already overdue when it was paused, and pausing an overdue
  ticket does not rescue it.
* **Elapsed working days** are whole days counted the same way: the number of working days after
  the start's date up to and including the end's date (minus days lost to pauses). So a reply on
  the ticket's day k took k working days, and ``working_days_between(t, deadline(t, n).at) == n``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple
from zoneinfo import ZoneInfo

import chinese_calendar

_ONE_DAY = dt.timedelta(days=1)

# The library's public tables: date -> English holiday name. ``holidays`` holds every day off of
# an announced holiday (weekends inside the block included), ``workdays`` the weekend days worked
# in exchange (调休). We read them directly: the library's functions raise NotImplementedError
# outside the years it knows, and a dict lookup is all they do anyway.
_LIBRARY_HOLIDAYS: dict[dt.date, str] = chinese_calendar.holidays
_LIBRARY_WORKDAYS: dict[dt.date, str] = chinese_calendar.workdays

LIBRARY_YEARS: frozenset[int] = frozenset(day.year for day in _LIBRARY_HOLIDAYS)
"""Years for which ``chinesecalendar`` has the State Council's dates (2004-2026 in 1.11).

Every real year has at least New Year's Day off, so a year with no holiday entry is one the
library has not been told about.
"""


class OverrideKind(StrEnum):
    HOLIDAY = "holiday"
    """Not a working day (a holiday the library lacks, or a correction of it)."""
    WORKDAY = "workday"
    """A working day, typically a 调休 weekend day, or a correction of the library."""
    CLOSURE = "closure"
    """The park is closed: not a working day, and nothing can make it one."""


class YearStatus(StrEnum):
    OFFICIAL = "official"
    """The library has the State Council's dates for the year."""
    ADMIN = "admin"
    """The library does not know the year, but the admins declared their table complete."""
    UNKNOWN = "unknown"
    """Nobody knows the year yet: Monday to Friday is assumed and results are provisional."""


class DaySource(StrEnum):
    """What decided whether a day is a working day, strongest first."""

    CLOSURE = "closure"
    OVERRIDE = "override"
    OFFICIAL = "official"
    FILLED_YEAR = "filled_year"
    GUESS = "guess"


@dataclass(frozen=True, slots=True)
class CalendarOverride:
    """One row of the admin-editable calendar table."""

    date: dt.date
    kind: OverrideKind
    note: str = ""

    def __post_init__(self) -> None:
        _require_date(self.date)
        # Rows from the database or a form carry the kind as a plain string.
        object.__setattr__(self, "kind", OverrideKind(self.kind))


@dataclass(frozen=True, slots=True)
class DayInfo:
    """Whether a day is worked, what decided it, and a note for people (holiday name, reason)."""

    date: dt.date
    working: bool
    source: DaySource
    note: str = ""

    @property
    def provisional(self) -> bool:
        return self.source is DaySource.GUESS


@dataclass(frozen=True, slots=True)
class DeadlineResult:
    """A date reached by counting working days.

    ``unknown_years`` lists the years in which some day had to be guessed (Monday to Friday);
    the result is ``provisional`` exactly when it is not empty.
    """

    date: dt.date
    unknown_years: frozenset[int] = frozenset()

    @property
    def provisional(self) -> bool:
        return bool(self.unknown_years)


@dataclass(frozen=True, slots=True)
class Deadline:
    """When a ticket is due: close of business, as an aware datetime in the calendar's zone.

    ``paused_working_days`` is how many working days pauses added. ``still_paused`` means a pause
    was open at ``now``: ``at`` is the deadline if the ticket resumed at ``now`` and it will move
    later while the pause lasts.
    """

    at: dt.datetime
    unknown_years: frozenset[int] = frozenset()
    paused_working_days: int = 0
    still_paused: bool = False

    @property
    def provisional(self) -> bool:
        return bool(self.unknown_years)


class Pause(NamedTuple):
    """A period during which the ticket's clock stood still; ``resumed_at`` None means open.

    Plain ``(paused_at, resumed_at)`` tuples are accepted wherever a ``Pause`` is.
    """

    paused_at: dt.datetime
    resumed_at: dt.datetime | None = None


class WorkCalendar:
    """The working-day calendar: the library's data plus the admin table, as plain inputs.

    ``overrides`` are the admin table's rows; ``filled_years`` the years the admins declared
    complete. ``close_of_business`` is the local time at which a day's deadlines fall due and at
    which pauses are judged. Build one per request or cache it until the admin table changes;
    it never reads anything else.
    """

    __slots__ = ("_close", "_closures", "_filled_years", "_marks", "_tz")

    def __init__(
        self,
        overrides: Iterable[CalendarOverride] = (),
        filled_years: Iterable[int] = (),
        close_of_business: dt.time = dt.time(17, 30),
        tz: str = "Asia/Shanghai",
    ) -> None:
        if close_of_business.tzinfo is not None:
            raise ValueError("close_of_business is a local wall-clock time; give it no tzinfo")
        closures: dict[dt.date, str] = {}
        marks: dict[dt.date, CalendarOverride] = {}
        for row in overrides:
            if row.kind is OverrideKind.CLOSURE:
                closures[row.date] = row.note
                continue
            previous = marks.get(row.date)
            if previous is not None and previous.kind is not row.kind:
                # Which one the admins meant cannot be decided here; the table must be fixed.
                raise ValueError(f"{row.date} is marked both a holiday and a working day")
            marks[row.date] = row
        self._closures = closures
        self._marks = marks
        self._filled_years = frozenset(filled_years)
        self._close = close_of_business
        self._tz = ZoneInfo(tz)

    @property
    def filled_years(self) -> frozenset[int]:
        return self._filled_years

    @property
    def close_of_business(self) -> dt.time:
        return self._close

    @property
    def tz(self) -> ZoneInfo:
        return self._tz

    # -- days ------------------------------------------------------------------------------

    def year_status(self, year: int) -> YearStatus:
        """``official`` if the library knows the year, else ``admin`` if filled in, else unknown.

        The library wins the label when both know a year; admin rows still override its days.
        """
        if year in LIBRARY_YEARS:
            return YearStatus.OFFICIAL
        if year in self._filled_years:
            return YearStatus.ADMIN
        return YearStatus.UNKNOWN

    def is_working_day(self, day: dt.date) -> bool:
        """Whether ``day`` is worked (Monday to Friday is assumed in unknown years)."""
        _require_date(day)
        return self._classify(day)[0]

    def explain(self, day: dt.date) -> DayInfo:
        """Whether ``day`` is worked, what decided it, and a note such as the holiday's name."""
        _require_date(day)
        working, source = self._classify(day)
        note = ""
        if source is DaySource.CLOSURE:
            note = self._closures[day]
        elif source is DaySource.OVERRIDE:
            note = self._marks[day].note
        elif source is DaySource.OFFICIAL:
            if day in _LIBRARY_WORKDAYS:
                note = f"{_chinese_name(_LIBRARY_WORKDAYS[day])}调休上班"
            elif day in _LIBRARY_HOLIDAYS:
                note = _chinese_name(_LIBRARY_HOLIDAYS[day])
        return DayInfo(day, working, source, note)

    def _classify(self, day: dt.date) -> tuple[bool, DaySource]:
        # The one place the precedence lives: closure > admin override > library > Mon-Fri.
        if day in self._closures:
            return False, DaySource.CLOSURE
        mark = self._marks.get(day)
        if mark is not None:
            return mark.kind is OverrideKind.WORKDAY, DaySource.OVERRIDE
        weekday = day.weekday() < 5
        status = self.year_status(day.year)
        if status is YearStatus.OFFICIAL:
            # Same rule as chinese_calendar.is_workday, without its range check.
            working = day in _LIBRARY_WORKDAYS or (weekday and day not in _LIBRARY_HOLIDAYS)
            return working, DaySource.OFFICIAL
        if status is YearStatus.ADMIN:
            return weekday, DaySource.FILLED_YEAR
        return weekday, DaySource.GUESS

    def unknown_years(self, first: dt.date, last: dt.date) -> frozenset[int]:
        """Years between two dates (inclusive) whose days would have to be guessed."""
        return frozenset(
            year
            for year in range(first.year, last.year + 1)
            if self.year_status(year) is YearStatus.UNKNOWN
        )

    def is_outdated(self, result: DeadlineResult | Deadline) -> bool:
        """Whether a stored provisional result may now come out differently if recomputed."""
        return any(self.year_status(y) is not YearStatus.UNKNOWN for y in result.unknown_years)

    # -- counting --------------------------------------------------------------------------

    def add_working_days(self, start: dt.date, n: int) -> DeadlineResult:
        """The n-th working day strictly after ``start`` (before it if ``n`` is negative).

        ``start`` itself is never counted, working day or not; ``n == 0`` returns ``start``.
        Counting backwards serves reminders ("one working day before the deadline").
        """
        _require_date(start)
        day, unknown, _ = self._walk(start, n, paused=None)
        return DeadlineResult(day, unknown)

    def deadline(self, from_ts: dt.datetime, n_working_days: int) -> Deadline:
        """When a ticket received at ``from_ts`` is due if it must be handled in N working days.

        Day 1 is the first working day after the receipt's local date; the deadline is close of
        business of day N. See the module docstring for why receipt time does not matter.
        """
        return self.deadline_with_pauses(from_ts, n_working_days, ())

    def deadline_with_pauses(
        self,
        from_ts: dt.datetime,
        n_working_days: int,
        pauses: Sequence[Pause | tuple[dt.datetime, dt.datetime | None]],
        *,
        now: dt.datetime | None = None,
    ) -> Deadline:
        """The deadline, moved one working day later for each working day lost to a pause.

        A working day is lost when the ticket is paused at its close of business (module
        docstring). Overlapping pauses are fine: a day is lost once. An open pause (no
        ``resumed_at``) needs ``now``; it is treated as resuming at ``now`` and the result says
        ``still_paused``.
        """
        if n_working_days < 1:
            raise ValueError("a time limit is at least one working day")
        received = self.local_date(from_ts)
        intervals = _intervals(pauses, open_until=now, require_now=True)
        is_paused = self._paused_at_close(intervals)
        day, unknown, lost = self._walk(received, n_working_days, paused=is_paused)
        still_paused = any(resumed_at is None for _, resumed_at in pauses)
        return Deadline(self.close_of(day), unknown, lost, still_paused)

    def working_days_between(
        self,
        a: dt.datetime,
        b: dt.datetime,
        pauses: Sequence[Pause | tuple[dt.datetime, dt.datetime | None]] = (),
    ) -> int:
        """Elapsed working days from ``a`` to ``b``, in whole days, counted like deadlines.

        The number of working days after ``a``'s local date up to and including ``b``'s, minus
        those lost to pauses (an open pause lasts beyond ``b``). A reply on the ticket's day k
        took k working days; a reply on the day of receipt took 0. Not a fraction: the desk's
        limits and the departments' statistics speak in whole working days. Days in unknown years
        are counted Monday to Friday; check :meth:`unknown_years` if the figure must be final.
        """
        if b < a:
            raise ValueError("the end is before the start")
        first, last = self.local_date(a), self.local_date(b)
        is_paused = self._paused_at_close(_intervals(pauses, open_until=None, require_now=False))
        count = 0
        day = first
        while day < last:
            day += _ONE_DAY
            if self._classify(day)[0] and not is_paused(day):
                count += 1
        return count

    def _walk(
        self, start: dt.date, n: int, paused: Callable[[dt.date], bool] | None
    ) -> tuple[dt.date, frozenset[int], int]:
        # Day by day: limits are tens of days, and a closed form would have to re-derive the
        # precedence rules. Returns the day reached, the guessed years, the days lost to pauses.
        step = _ONE_DAY if n >= 0 else -_ONE_DAY
        day, counted, lost = start, 0, 0
        unknown: set[int] = set()
        while counted < abs(n):
            day += step
            working, source = self._classify(day)
            if source is DaySource.GUESS:
                unknown.add(day.year)
            if not working:
                continue
            if paused is not None and paused(day):
                lost += 1
                continue
            counted += 1
        return day, frozenset(unknown), lost

    def _paused_at_close(
        self, intervals: list[tuple[dt.datetime, dt.datetime | None]]
    ) -> Callable[[dt.date], bool]:
        def is_paused(day: dt.date) -> bool:
            close = self.close_of(day)
            return any(start <= close and (end is None or close < end) for start, end in intervals)

        return is_paused

    # -- time zone -------------------------------------------------------------------------

    def local_date(self, ts: dt.datetime) -> dt.date:
        """The calendar date of an aware instant in the calendar's zone (Asia/Shanghai)."""
        _require_aware(ts)
        return ts.astimezone(self._tz).date()

    def close_of(self, day: dt.date) -> dt.datetime:
        """Close of business on ``day`` as an aware datetime in the calendar's zone."""
        return dt.datetime.combine(day, self._close, tzinfo=self._tz)


def _intervals(
    pauses: Iterable[Pause | tuple[dt.datetime, dt.datetime | None]],
    *,
    open_until: dt.datetime | None,
    require_now: bool,
) -> list[tuple[dt.datetime, dt.datetime | None]]:
    result: list[tuple[dt.datetime, dt.datetime | None]] = []
    if open_until is not None:
        _require_aware(open_until)
    for paused_at, resumed_at in pauses:
        _require_aware(paused_at)
        if resumed_at is None:
            if require_now and open_until is None:
                raise ValueError("a pause is still open: pass now= to compute the deadline")
            resumed_at = open_until
        else:
            _require_aware(resumed_at)
        if resumed_at is not None and resumed_at < paused_at:
            raise ValueError(f"pause resumed at {resumed_at} before it began at {paused_at}")
        result.append((paused_at, resumed_at))
    return result


def _chinese_name(english: str) -> str:
    try:
        return chinese_calendar.Holiday(english).chinese
    except ValueError:
        return english


def _require_date(value: object) -> None:
    # A datetime is a date subclass, but it never equals the date keys of the tables, so it
    # would silently be treated as an ordinary weekday. Refuse it.
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise TypeError(f"expected a date, got {type(value).__name__}")


def _require_aware(ts: dt.datetime) -> None:
    if ts.tzinfo is None or ts.utcoffset() is None:
        raise ValueError(f"{ts} has no time zone; deadlines need an aware datetime")
