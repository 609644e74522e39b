"""The supervision page's data: overdue and soon-due tickets per owner (the desk, then each
department), with counts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.config import Settings
from parkops.db.base import utcnow
from parkops.tickets.models import Department
from parkops.tickets.rules.states import status_values as _values
from parkops.tickets.rules.supervision import (
    DESK_OWNED,
    RUNNING_STATUSES,
    escalation_cutoff,
    soon_cutoff,
)
from parkops.tickets.services.calendar_table import load_calendar

LIST_LIMIT = 10
"""Tickets listed per department and kind on the page; the queue link shows all."""

_BOARD_SQL = """
WITH due AS (
    SELECT t.id, t.number, t.subject, t.status, t.next_due_at, t.overdue_at,
           t.lead_department_id, t.category_id, t.enterprise_id,
           CASE WHEN t.status = ANY(CAST(:desk_owned AS text[])) OR t.lead_department_id IS NULL
                THEN NULL ELSE t.lead_department_id END AS owner,
           t.next_due_at < :now AS is_overdue
    FROM tickets t
    WHERE t.status = ANY(CAST(:running AS text[])) AND t.next_due_at < :soon
),
ranked AS (
    SELECT due.*, row_number() OVER (PARTITION BY owner, is_overdue ORDER BY next_due_at, id) AS n
    FROM due
)
SELECT r.*, e.name AS enterprise_name,
       (SELECT max(ev.at) FROM ticket_events ev
         WHERE ev.ticket_id = r.id AND ev.action = 'chase') AS chased_at,
       EXISTS (SELECT 1 FROM ticket_events ev
         WHERE ev.ticket_id = r.id AND ev.action = 'escalate') AS escalated
FROM ranked r JOIN enterprises e ON e.id = r.enterprise_id
WHERE r.n <= :limit
ORDER BY r.owner NULLS FIRST, r.is_overdue DESC, r.next_due_at, r.id
"""

_BOARD_COUNTS_SQL = """
SELECT CASE WHEN t.status = ANY(CAST(:desk_owned AS text[])) OR t.lead_department_id IS NULL
            THEN NULL ELSE t.lead_department_id END AS owner,
       count(*) FILTER (WHERE t.next_due_at < :now) AS overdue,
       count(*) FILTER (WHERE t.next_due_at >= :now) AS soon,
       count(*) FILTER (WHERE t.next_due_at < :escalate_before) AS long_overdue
FROM tickets t
WHERE t.status = ANY(CAST(:running AS text[])) AND t.next_due_at < :soon
GROUP BY 1
"""


@dataclass
class BoardGroup:
    """One department (``department`` None: the service desk) on the supervision page."""

    department_id: int | None
    department: Any
    overdue: int = 0
    soon: int = 0
    long_overdue: int = 0
    overdue_rows: list[dict] = field(default_factory=list)
    soon_rows: list[dict] = field(default_factory=list)


async def board(
    db: AsyncSession, settings: Settings, *, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Overdue and soon-due tickets per owner (the desk, then each department), with counts."""
    now = now or utcnow()
    calendar = await load_calendar(db)
    soon = soon_cutoff(calendar, now)
    days = settings.ticket_escalation_days
    escalate_before = escalation_cutoff(calendar, now, days)
    params = {
        "now": now,
        "soon": soon,
        "escalate_before": escalate_before,
        "desk_owned": _values(DESK_OWNED),
        "running": _values(RUNNING_STATUSES),
        "limit": LIST_LIMIT,
    }
    departments = {d.id: d for d in (await db.execute(sa.select(Department))).scalars()}
    groups: dict[int | None, BoardGroup] = {}

    def group(owner: int | None) -> BoardGroup:
        if owner not in groups:
            groups[owner] = BoardGroup(owner, departments.get(owner))
        return groups[owner]

    for row in (await db.execute(sa.text(_BOARD_COUNTS_SQL), params)).mappings():
        g = group(row["owner"])
        g.overdue, g.soon, g.long_overdue = row["overdue"], row["soon"], row["long_overdue"]
    for row in (await db.execute(sa.text(_BOARD_SQL), params)).mappings():
        item = dict(row)
        if item["is_overdue"]:
            item["working_days_overdue"] = calendar.working_days_between(item["next_due_at"], now)
            item["long_overdue"] = item["next_due_at"] < escalate_before
            group(row["owner"]).overdue_rows.append(item)
        else:
            group(row["owner"]).soon_rows.append(item)
    ordered = sorted(groups.values(), key=lambda g: (g.department_id is not None, -g.overdue))
    return {
        "groups": ordered,
        "now": now,
        "soon_until": soon,
        "escalation_days": days,
        "totals": {
            "overdue": sum(g.overdue for g in ordered),
            "soon": sum(g.soon for g in ordered),
            "long_overdue": sum(g.long_overdue for g in ordered),
        },
    }
