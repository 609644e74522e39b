"""The rent schedule a contract's terms call for: billing periods, due dates, rent and
property fee in fen (DOMAIN.md "Leasing" and "Billing arithmetic, precisely")."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date, timedelta
from fractions import Fraction

from tests.oracle.money import half_up

ONE_DAY = timedelta(days=1)


def add_months(anchor: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's last day, counted from ``anchor``."""
    y, m = divmod(anchor.year * 12 + anchor.month - 1 + months, 12)
    return date(y, m + 1, min(anchor.day, calendar.monthrange(y, m + 1)[1]))


@dataclass(frozen=True)
class Terms:
    start: date
    last_day: date  # inclusive, as the contract states it
    rent_rate: Fraction  # 元/m²·月 (per_m2) or 元/月
    per_m2: bool
    area_m2: Fraction  # gross area of all the contract's units
    fee_rate: Fraction = Fraction(0)  # property fee, 元/m²·月
    fee_in_rent_free: bool = True
    cycle_months: int = 3
    rent_free_months: int = 0
    started_month_whole: bool = False  # proration: a started month counts whole
    escalation_percent: Fraction | None = None
    escalation_from_year: int = 2
    due_day_of_month: int | None = None  # "due by day D of the period's first month"
    due_days_before: int = 0  # else "N days before the period starts"
    signed_on: date | None = None

    def until(self, last_day: date) -> Terms:
        return replace(self, last_day=last_day)


@dataclass(frozen=True)
class Period:
    start: date
    last_day: date
    due: date
    rent_fen: int
    fee_fen: int


def _months(t: Terms) -> list[tuple[int, date, date]]:
    """(index, first day, first day of the next) of every contract month of the term."""
    out, j = [], 0
    while (m0 := add_months(t.start, j)) <= t.last_day:
        out.append((j, m0, add_months(t.start, j + 1)))
        j += 1
    return out


def _month_cost(monthly: Fraction, m0: date, m1: date, c0: date, c1: date, whole: bool) -> Fraction:
    """Cost of charging ``[c0, c1)`` of the contract month ``[m0, m1)``."""
    if c0 >= c1:
        return Fraction(0)
    if (c0, c1) == (m0, m1):
        return monthly
    if whole:
        return monthly
    cost, day = Fraction(0), c0
    while day < c1:  # day by day: each day is 1/(days in its calendar month) of a month
        cost += monthly / calendar.monthrange(day.year, day.month)[1]
        day += ONE_DAY
    return min(cost, monthly)


def monthly_rent(t: Terms, month_index: int) -> Fraction:
    """Rent of a whole month in fen; escalation compounds from each anniversary of the start."""
    rate = t.rent_rate
    year = month_index // 12 + 1
    if t.escalation_percent is not None and year >= t.escalation_from_year:
        rate *= (1 + t.escalation_percent / 100) ** (year - t.escalation_from_year + 1)
    return rate * 100 * (t.area_m2 if t.per_m2 else 1)


def due_date(t: Terms, period_start: date) -> date:
    if t.due_day_of_month is not None:
        last = calendar.monthrange(period_start.year, period_start.month)[1]
        due = period_start.replace(day=min(t.due_day_of_month, last))
    else:
        due = period_start - timedelta(days=t.due_days_before)
    return max(due, t.signed_on or t.start)


def schedule(t: Terms) -> list[Period]:
    end = t.last_day + ONE_DAY
    rent_from = add_months(t.start, t.rent_free_months)
    fee_from = t.start if t.fee_in_rent_free else rent_from
    months = _months(t)
    periods = []
    for first in range(0, len(months), t.cycle_months):
        group = months[first : first + t.cycle_months]
        rent = fee = Fraction(0)
        for j, m0, m1 in group:
            c1 = min(m1, end)
            rent += _month_cost(
                monthly_rent(t, j), m0, m1, max(m0, rent_from), c1, t.started_month_whole
            )
            fee += _month_cost(
                t.fee_rate * 100 * t.area_m2, m0, m1, max(m0, fee_from), c1, t.started_month_whole
            )
        start, stop = group[0][1], min(group[-1][2], end)
        periods.append(
            Period(start, stop - ONE_DAY, due_date(t, start), half_up(rent), half_up(fee))
        )
    return periods


@dataclass
class Lease:
    """A contract's terms over time: amendments (each from its effective date) and an early
    end (the last day of use)."""

    versions: list[tuple[date, Terms]]  # (effective from, terms); the first from the start
    ended: date | None = None  # last day of use after an early termination

    def last_day(self) -> date:
        return self.ended or self.versions[0][1].last_day

    def periods(self) -> list[Period]:
        """Each period follows the terms in force when it starts, cut at the last day."""
        out = []
        bounds = [since for since, _ in self.versions[1:]] + [date.max]
        for (since, terms), until in zip(self.versions, bounds, strict=True):
            out += [p for p in schedule(terms.until(self.last_day())) if since <= p.start < until]
        return out
