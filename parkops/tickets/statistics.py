"""Statistics of the rights-protection desk: the "three rates" per department, category and month.

One SQL statement aggregates the tickets of a period into cells (month x lead department x
category: a few hundred rows at most, whatever the number of tickets); :func:`rollup` then sums
the cells into the table asked for (by department, by category or by month) and the totals. No
Python loop ever visits a ticket.

Definitions (per deadline: accept, first reply, resolve)
---------------------------------------------------------
* A deadline is **judged** when it was met, or when it passed unmet: still open and overdue now,
  or finished (rejected, merged, withdrawn) after it had passed. A ticket that is open and not yet
  due is not judged (excluded from the denominator), nor is one waiting for the enterprise (its
  clock is stopped), nor one that finished before the deadline without meeting it.
* **On time** means met at or before the deadline (pauses already moved the stored deadline).
* *Accepted on time*: the desk's decision (``accepted_at``, or the rejection / merge of a ticket
  never accepted) by the accept deadline. *Replied on time*: the lead department's first response
  (``first_replied_at``, when it signs for the ticket) by the first-reply deadline. *Resolved on
  time*: the reply with the result (``resolved_at``) by the resolve deadline, extensions included.
  The department clocks count from the latest (re)dispatch or redo, as the deadlines do.
* **Received**: tickets filed in the period (by filing date, Asia/Shanghai); they are attributed to
  their current lead department ("not dispatched" while they have none).
* **Satisfaction**: ratings 4-5 / rated tickets.
* **Average working days** to reply / resolve: :meth:`WorkCalendar.working_days_between` from the
  clock's start to the response, pauses excluded, over the tickets that responded.

Working days
------------
Each ticket stores the working days it took to the first reply and to the resolution
(``reply_working_days`` / ``resolve_working_days``, pauses excluded): the service computes them
with the deadlines when the event happens, and editing a day of the calendar recomputes them for
the tickets whose spans contain it (:mod:`parkops.tickets.services.elapsed_days`), so the figures
follow the calendar as it is now. The statement only sums them.

Cost: one pass over the period's tickets with about fifteen plain aggregates (no
calendar arithmetic), read from a covering index one month at a time (the month is the range
the ticket was found in); measured by ``bench/tickets_sweep.py`` (200,000 tickets).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.core.parsing import optional_int
from parkops.db.base import utcnow
from parkops.tickets.models import Department, TicketCategory
from parkops.tickets.rules.sla import sla_clock
from parkops.tickets.rules.states import (
    OPEN_STATUSES,
    PAUSED_STATUSES,
    TicketStatus,
    status_values,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
GROUPS = ("department", "category", "month")
DEFAULT_MONTHS = 12
MAX_MONTHS = 60

# --- the period --------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def parse_month(value: Any) -> dt.date | None:
    """``2026-03`` (or a full date) -> the first of that month; None when unreadable."""
    text = str(value or "").strip()
    for fmt in ("%Y-%m", "%Y-%m-%d"):
        try:
            return month_start(dt.datetime.strptime(text, fmt).date())
        except ValueError:
            continue
    return None


@dataclass(frozen=True, slots=True)
class Period:
    """Whole months ``[first, end)`` by filing date in Asia/Shanghai."""

    first: dt.date
    end: dt.date

    @classmethod
    def default(cls, today: dt.date, months: int = DEFAULT_MONTHS) -> Period:
        end = add_months(month_start(today), 1)
        return cls(add_months(end, -months), end)

    @classmethod
    def from_query(cls, start: Any, last: Any, today: dt.date) -> Period:
        """From ``from`` and ``to`` months (both included); unreadable or reversed input falls
        back to the default (the last twelve months); at most ``MAX_MONTHS`` months."""
        first, last_month = parse_month(start), parse_month(last)
        default = cls.default(today)
        if first is None and last_month is None:
            return default
        end = add_months(last_month, 1) if last_month else default.end
        first = first or add_months(end, -DEFAULT_MONTHS)
        if first >= end:
            return default
        if len(months_between(first, end)) > MAX_MONTHS:
            first = add_months(end, -MAX_MONTHS)
        return cls(first, end)

    @property
    def last(self) -> dt.date:
        return add_months(self.end, -1)

    @property
    def months(self) -> list[dt.date]:
        return months_between(self.first, self.end)

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        def start(day: dt.date) -> dt.datetime:
            return dt.datetime.combine(day, dt.time(), tzinfo=SHANGHAI).astimezone(dt.UTC)

        return start(self.first), start(self.end)


def months_between(first: dt.date, end: dt.date) -> list[dt.date]:
    months, day = [], first
    while day < end:
        months.append(day)
        day = add_months(day, 1)
    return months


# --- SQL ----------------------------------------------------------------------------------------


CELLS_SQL = """
WITH base AS (
    SELECT m.month_index,
           t.lead_department_id AS department_id, t.category_id,
           t.status = ANY(CAST(:open AS text[])) AS is_open,
           t.status = ANY(CAST(:running AS text[])) AND t.next_due_at < :now AS overdue_now,
           t.status = ANY(CAST(:paused AS text[])) AS paused,
           coalesce(t.closed_at, :now) AS judged_at,
           t.rating,
           t.accept_due_at AS a_due,
           coalesce(t.accepted_at,
                    CASE WHEN t.status IN ('rejected', 'merged') THEN t.closed_at END) AS a_met,
           t.first_reply_due_at AS r_due, t.first_replied_at AS r_met,
           t.resolve_due_at AS s_due, t.resolved_at AS s_met,
           t.reply_working_days AS r_days, t.resolve_working_days AS s_days
    -- One range scan of the covering index per month (the planner also knows the number of
    -- groups from the months' list: a hash aggregate of a few hundred cells, no sort).
    FROM unnest(CAST(:month_starts AS timestamptz[]), CAST(:month_ends AS timestamptz[]))
             WITH ORDINALITY AS m(starts, ends, month_index)
    JOIN tickets t ON t.submitted_at >= m.starts AND t.submitted_at < m.ends
    WHERE (CAST(:department_id AS integer) IS NULL
           OR t.lead_department_id = CAST(:department_id AS integer))
      AND (CAST(:category_id AS integer) IS NULL
           OR t.category_id = CAST(:category_id AS integer))
)
SELECT month_index, department_id, category_id,
       count(*) AS received,
       count(*) FILTER (WHERE is_open) AS open,
       count(*) FILTER (WHERE overdue_now) AS overdue,
       count(*) FILTER (WHERE a_met <= a_due) AS accept_on_time,
       count(*) FILTER (WHERE a_due IS NOT NULL
                        AND (a_met IS NOT NULL OR (NOT paused AND a_due < judged_at)))
           AS accept_judged,
       count(*) FILTER (WHERE r_met <= r_due) AS reply_on_time,
       count(*) FILTER (WHERE r_due IS NOT NULL
                        AND (r_met IS NOT NULL OR (NOT paused AND r_due < judged_at)))
           AS reply_judged,
       count(*) FILTER (WHERE s_met <= s_due) AS resolve_on_time,
       count(*) FILTER (WHERE s_due IS NOT NULL
                        AND (s_met IS NOT NULL OR (NOT paused AND s_due < judged_at)))
           AS resolve_judged,
       coalesce(sum(r_days), 0) AS reply_days_sum,
       count(r_days) AS reply_days_n,
       coalesce(sum(s_days), 0) AS resolve_days_sum,
       count(s_days) AS resolve_days_n,
       count(rating) AS rated,
       count(*) FILTER (WHERE rating >= 4) AS satisfied
FROM base
GROUP BY month_index, department_id, category_id
"""

COUNTS = (
    "received",
    "open",
    "overdue",
    "accept_on_time",
    "accept_judged",
    "reply_on_time",
    "reply_judged",
    "resolve_on_time",
    "resolve_judged",
    "reply_days_sum",
    "reply_days_n",
    "resolve_days_sum",
    "resolve_days_n",
    "rated",
    "satisfied",
)


@dataclass(frozen=True, slots=True)
class Cell:
    """The counts of one month x lead department x category."""

    month: dt.date
    department_id: int | None
    category_id: int
    counts: dict[str, int]


async def cells(
    db: AsyncSession,
    period: Period,
    *,
    department_id: int | None = None,
    category_id: int | None = None,
    now: dt.datetime | None = None,
) -> list[Cell]:
    """Aggregate the period's tickets in SQL, per month x lead department x category."""
    now = now or utcnow()
    months = period.months
    starts = [Period(m, m).bounds()[0] for m in months]
    running = [s for s in TicketStatus if sla_clock(s).running]
    params = {
        "now": now,
        "department_id": department_id,
        "category_id": category_id,
        "open": status_values(OPEN_STATUSES),
        "running": status_values(running),
        "paused": status_values(PAUSED_STATUSES),
        "month_starts": starts,
        "month_ends": [*starts[1:], period.bounds()[1]],
    }
    # JIT compilation (on by default above a cost this query reaches) takes longer than it saves
    # on a scan of this size; off for the rest of this transaction only.
    await db.execute(sa.text("SET LOCAL jit = off"))
    rows = (await db.execute(sa.text(CELLS_SQL), params)).mappings()
    return [
        Cell(
            months[r["month_index"] - 1],
            r["department_id"],
            r["category_id"],
            {k: int(r[k]) for k in COUNTS},
        )
        for r in rows
    ]


# --- rolling cells up (pure) --------------------------------------------------------------------

ONE_PLACE = Decimal("0.1")


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def average(total: int, n: int) -> Decimal | None:
    if not n:
        return None
    return (Decimal(total) / n).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


@dataclass
class StatRow:
    """One line of a statistics table: counts, and the rates derived from them."""

    key: Any
    label: str = ""
    label_en: str = ""
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))

    def add(self, counts: dict[str, int]) -> None:
        for name, value in counts.items():
            self.counts[name] += value

    def __getattr__(self, name: str) -> Any:
        counts = self.__dict__.get("counts")
        if counts is not None and name in counts:
            return counts[name]
        raise AttributeError(name)

    @property
    def accept_pct(self) -> Decimal | None:
        return percent(self.counts["accept_on_time"], self.counts["accept_judged"])

    @property
    def reply_pct(self) -> Decimal | None:
        return percent(self.counts["reply_on_time"], self.counts["reply_judged"])

    @property
    def resolve_pct(self) -> Decimal | None:
        return percent(self.counts["resolve_on_time"], self.counts["resolve_judged"])

    @property
    def satisfaction_pct(self) -> Decimal | None:
        return percent(self.counts["satisfied"], self.counts["rated"])

    @property
    def avg_reply_days(self) -> Decimal | None:
        return average(self.counts["reply_days_sum"], self.counts["reply_days_n"])

    @property
    def avg_resolve_days(self) -> Decimal | None:
        return average(self.counts["resolve_days_sum"], self.counts["resolve_days_n"])

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key.isoformat() if isinstance(self.key, dt.date) else self.key,
            "label": self.label,
            "label_en": self.label_en,
            **{k: v for k, v in self.counts.items() if not k.endswith(("_sum", "_n"))},
            "accept_pct": self.accept_pct,
            "reply_pct": self.reply_pct,
            "resolve_pct": self.resolve_pct,
            "satisfaction_pct": self.satisfaction_pct,
            "avg_reply_days": self.avg_reply_days,
            "avg_resolve_days": self.avg_resolve_days,
        }


def rollup(
    items: list[Cell],
    by: str,
    *,
    labels: dict[Any, tuple[str, str]] | None = None,
    keys: list[Any] | None = None,
) -> tuple[list[StatRow], StatRow]:
    """Sum cells into one row per ``by`` value (``department``, ``category`` or ``month``) plus
    the total. ``keys`` lists rows to show even without tickets (every month of the period,
    every active department), in that order; others follow in key order."""
    if by not in GROUPS:
        raise ValueError(f"unknown grouping {by!r}")
    attr = {"department": "department_id", "category": "category_id", "month": "month"}[by]
    labels = labels or {}
    rows: dict[Any, StatRow] = {}
    for key in keys or []:
        rows[key] = StatRow(key)
    total = StatRow("total")
    for cell in items:
        key = getattr(cell, attr)
        rows.setdefault(key, StatRow(key)).add(cell.counts)
        total.add(cell.counts)
    ordered = [rows[k] for k in keys or [] if k in rows]
    listed = {id(r) for r in ordered}
    ordered += sorted(
        (r for r in rows.values() if id(r) not in listed),
        key=lambda r: (r.key is None, r.key if r.key is not None else 0),
    )
    for row in ordered:
        row.label, row.label_en = labels.get(row.key, (str(row.key), str(row.key)))
    return ordered, total


# --- what the page and exports show --------------------------------------------------------------


@dataclass
class Report:
    period: Period
    group: str
    rows: list[StatRow]
    total: StatRow
    trend: list[StatRow]
    department_id: int | None = None
    category_id: int | None = None


async def report(
    db: AsyncSession,
    period: Period,
    group: str = "department",
    *,
    department_id: int | None = None,
    category_id: int | None = None,
    now: dt.datetime | None = None,
) -> Report:
    """The table grouped by ``group`` and the monthly trend, from one aggregate query."""
    group = group if group in GROUPS else "department"
    items = await cells(db, period, department_id=department_id, category_id=category_id, now=now)
    departments = list((await db.execute(sa.select(Department).order_by(Department.id))).scalars())
    categories = list(
        (
            await db.execute(
                sa.select(TicketCategory).order_by(TicketCategory.sort_order, TicketCategory.id)
            )
        ).scalars()
    )
    month_labels = {m: (f"{m.year}年{m.month}月", m.strftime("%Y-%m")) for m in period.months}
    if group == "department":
        labels: dict[Any, tuple[str, str]] = {d.id: (d.name, d.name_en) for d in departments}
        labels[None] = ("未派单", "Not dispatched")
        keys: list[Any] = [d.id for d in departments if d.is_active or department_id == d.id]
        if department_id is not None:
            keys = [department_id]
    elif group == "category":
        labels = {c.id: (c.name, c.name_en) for c in categories}
        keys = [c.id for c in categories if c.is_active or category_id == c.id]
        if category_id is not None:
            keys = [category_id]
    else:
        labels, keys = month_labels, period.months
    rows, total = rollup(items, group, labels=labels, keys=keys)
    trend, _ = rollup(items, "month", labels=month_labels, keys=period.months)
    total.label, total.label_en = "合计", "Total"
    return Report(period, group, rows, total, trend, department_id, category_id)


async def report_for_query(
    db: AsyncSession,
    group: str | None,
    from_month: str | None,
    to_month: str | None,
    department_id: Any,
    category_id: Any,
) -> Report:
    """The report a page's or the API's query asks for; what it cannot read falls back to the
    defaults (the twelve months to this one, by department, unfiltered)."""
    now = utcnow()
    period = Period.from_query(from_month, to_month, now.astimezone(SHANGHAI).date())
    return await report(
        db,
        period,
        group or "department",
        department_id=optional_int(department_id),
        category_id=optional_int(category_id),
        now=now,
    )
