"""Supervision (督办): the overdue sweep.

The sweep, run every 10 minutes by the workers (a periodic job, :mod:`parkops.jobs.tasks`) or by
``parkops tickets sweep``, does four set-based statements in one transaction:

1. **mark** open tickets whose running clock has passed its deadline (``next_due_at < now``,
   paused tickets excluded) as ``overdue`` and unmark those that no longer are (a calendar edit
   moved the deadline, the ticket finished). The flag agrees with
   :func:`parkops.tickets.repository.overdue_clause`, which the queue computes on the fly;
   ``overdue_at`` records when the sweep first saw it;
2. **chase**: for every accept / first-reply / resolve deadline that has passed unmet while its
   clock runs, write a ``chase`` event on the ticket (internal, shown in the timeline and the
   handling record) and notify whoever owes the next step: the desk while the ticket is
   submitted, accepted or returned (it must accept or dispatch), else the lead department's
   officers;
3. **escalate**: deadlines more than ``PARKOPS_TICKET_ESCALATION_DAYS`` working days overdue get
   an ``escalate`` event and a notification to every park admin (park leadership);
4. one audit entry with the counts.

**Idempotent.** A chase or escalation is keyed by the ticket, the deadline's name and its due
instant, stored in the event's data; a deadline already chased is never chased again, so running
the sweep twice sends nothing new. A *new* deadline (a re-dispatch, an approved extension, a redo)
has another due instant and is chased again when it passes.

**One sweep at a time.** A worker's periodic sweep and a hand-run one may overlap, so the sweep
first takes ``pg_try_advisory_xact_lock``: a second sweep that starts while one runs returns at once
(``skipped``); it cannot have read the state before the first one committed and notified twice.
The lock is released with the transaction.

**Email**: one digest per recipient and sweep rather than one message per ticket (a department
with 40 overdue tickets gets one email listing them, and the 40 in-app notifications). The
worker's sweep queues them as email jobs in its own transaction (retried while the mail server is
down); ``parkops tickets sweep`` sends them after its commit, and a refused one is logged, the
chase staying recorded.

"More than N working days overdue" and the digests are
:mod:`parkops.tickets.rules.supervision`; the supervision page's data is
:mod:`parkops.tickets.services.supervision_board`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.config import Settings
from parkops.core import audit, i18n, mail
from parkops.core.actor import Actor
from parkops.core.i18n import N_
from parkops.db.base import utcnow
from parkops.tickets.models import Ticket
from parkops.tickets.notifications import MESSAGES
from parkops.tickets.rules.sla import SlaDeadline
from parkops.tickets.rules.states import PAUSED_STATUSES
from parkops.tickets.rules.states import status_values as _values
from parkops.tickets.rules.supervision import (
    CHASE_KIND,
    CHASED_DEADLINES,
    DESK_OWNED,
    ESCALATE_KIND,
    RUNNING_BY_DEADLINE,
    RUNNING_STATUSES,
    Notice,
    OutgoingMail,
    digests,
    escalation_cutoff,
)
from parkops.tickets.services.calendar_table import load_calendar

log = logging.getLogger(__name__)

SWEEP_LOCK_KEY = 0x706B6F_737765_70
"""The advisory lock every sweep takes ("pkosweep")."""
ACTOR_LABEL = "督办 Supervision"
"""Who the chase and escalation events are by (no user: the sweep)."""
CHASE_ACTION = "chase"
ESCALATE_ACTION = "escalate"
CHASE_MESSAGE = MESSAGES[CHASE_KIND]
ESCALATE_MESSAGE = N_(
    "Ticket {number} is more than {days} working days overdue ({department}): {subject}"
)


@dataclass
class SweepResult:
    skipped: bool = False
    """Another sweep held the lock; nothing was done."""
    marked: int = 0
    unmarked: int = 0
    chased: int = 0
    """Deadlines chased (events written)."""
    escalated: int = 0
    notifications: int = 0
    notices: list[Notice] = field(default_factory=list)
    mails: list[OutgoingMail] = field(default_factory=list)
    mails_sent: int = 0

    def summary(self) -> dict[str, int]:
        return {
            "marked": self.marked,
            "unmarked": self.unmarked,
            "chased": self.chased,
            "escalated": self.escalated,
            "notifications": self.notifications,
        }


# --- SQL --------------------------------------------------------------------------------------

# Every (ticket, deadline) whose clock runs, whose deadline has passed and is not met, with who
# owes the next step. ``{extra}`` adds conditions (not chased yet / overdue enough).
_DUE = """
SELECT t.id AS ticket_id, t.number, t.subject, t.status, t.lead_department_id,
       d.deadline, d.due_at,
       (t.status = ANY(CAST(:desk_owned AS text[])) OR t.lead_department_id IS NULL) AS desk_owned
FROM tickets t
CROSS JOIN LATERAL (VALUES
    ('accept', t.accept_due_at, t.accepted_at, t.status = ANY(CAST(:accept_statuses AS text[]))),
    ('first_reply', t.first_reply_due_at, t.first_replied_at,
     t.status = ANY(CAST(:first_reply_statuses AS text[]))),
    ('resolve', t.resolve_due_at, t.resolved_at, t.status = ANY(CAST(:resolve_statuses AS text[])))
) AS d(deadline, due_at, met_at, running)
WHERE t.status = ANY(CAST(:chase_statuses AS text[]))
  AND d.running AND d.met_at IS NULL AND d.due_at < :now
  AND NOT EXISTS (
      SELECT 1 FROM ticket_events e
      WHERE e.ticket_id = t.id AND e.action = :action
        AND e.data ->> 'deadline' = d.deadline
        AND (e.data ->> 'due_at')::timestamptz = d.due_at)
  {extra}
"""

_EVENTS = """
events AS (
    INSERT INTO ticket_events (ticket_id, at, actor_id, actor_label, actor_role, action,
                               from_status, to_status, note, visibility, data)
    SELECT ticket_id, :now, NULL, :actor_label, NULL, :action, status, status, NULL,
           'internal',
           jsonb_build_object('deadline', deadline, 'due_at', due_at,
                              'responsible', CASE WHEN desk_owned THEN 'desk' ELSE 'department' END,
                              'department_id', lead_department_id{event_extra})
    FROM due
    RETURNING ticket_id
)"""

_NOTIFY = """
notes AS (
    INSERT INTO notifications (user_id, ticket_id, kind, text, created_at)
    SELECT r.user_id, r.ticket_id, :kind, left({text}, 500), :now
    FROM recipients r
    RETURNING id, user_id, ticket_id, text
)
SELECT (SELECT count(*) FROM events) AS events,
       (SELECT coalesce(json_agg(json_build_object(
            'user_id', n.user_id, 'ticket_id', n.ticket_id, 'text', n.text,
            'email', u.email, 'language', u.language) ORDER BY n.id), '[]'::json)
        FROM notes n JOIN users u ON u.id = n.user_id) AS notices
"""

_USERS_WITH_ROLE = """
SELECT u.id, u.language, u.department_id FROM users u
WHERE u.is_active AND EXISTS (
    SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = '{role}')
"""

CHASE_SQL = f"""
WITH due AS ({_DUE.format(extra="")}),
{_EVENTS.format(event_extra="")},
targets AS (
    SELECT DISTINCT ticket_id, number, subject, desk_owned, lead_department_id FROM due
),
desk AS ({_USERS_WITH_ROLE.format(role="service_desk")}),
officers AS ({_USERS_WITH_ROLE.format(role="gov_officer")}),
recipients AS (
    SELECT k.id AS user_id, k.language, g.ticket_id, g.number, g.subject
    FROM targets g JOIN desk k ON g.desk_owned
    UNION
    SELECT o.id, o.language, g.ticket_id, g.number, g.subject
    FROM targets g JOIN officers o ON NOT g.desk_owned AND o.department_id = g.lead_department_id
),
{{notify}}
"""

ESCALATE_SQL = f"""
WITH due AS ({_DUE.format(extra="AND d.due_at < :escalate_before")}),
{_EVENTS.format(event_extra=", 'working_days', CAST(:days AS integer)")},
targets AS (
    SELECT DISTINCT ON (ticket_id) ticket_id, number, subject, desk_owned, lead_department_id
    FROM due ORDER BY ticket_id, desk_owned
),
leaders AS ({_USERS_WITH_ROLE.format(role="park_admin")}),
recipients AS (
    SELECT l.id AS user_id, l.language, g.ticket_id, g.number, g.subject,
           CASE WHEN g.desk_owned THEN NULL ELSE dep.name END AS department_zh,
           CASE WHEN g.desk_owned THEN NULL ELSE dep.name_en END AS department_en
    FROM targets g CROSS JOIN leaders l
    LEFT JOIN departments dep ON dep.id = g.lead_department_id
),
{{notify}}
"""


def _language_expr(settings: Settings) -> str:
    """SQL for the recipient's language, as ``notifications.notify`` picks it."""
    known = ", ".join(f"'{code}'" for code in i18n.LANGUAGES)
    return (
        f"(CASE WHEN r.language IN ({known}) THEN r.language "
        f"ELSE '{settings.default_language}' END)"
    )


def _text_sql(
    settings: Settings, template: str, params: dict[str, Any], replacements: dict[str, str]
) -> str:
    """The notification text in SQL: the template translated into each recipient's language
    (one bind parameter per language), with ``{field}`` placeholders replaced by SQL values."""
    cases = []
    for code in i18n.LANGUAGES:
        params[f"tpl_{code}"] = i18n.translations(code).gettext(template)
        cases.append(f"WHEN '{code}' THEN CAST(:tpl_{code} AS text)")
    text = f"(CASE {_language_expr(settings)} {' '.join(cases)} END)"
    for placeholder, value in replacements.items():
        text = f"replace({text}, '{{{placeholder}}}', {value})"
    return text


def _common_params(now: dt.datetime) -> dict[str, Any]:
    return {
        "now": now,
        "actor_label": ACTOR_LABEL,
        "desk_owned": _values(DESK_OWNED),
        "accept_statuses": _values(RUNNING_BY_DEADLINE[SlaDeadline.ACCEPT]),
        "first_reply_statuses": _values(RUNNING_BY_DEADLINE[SlaDeadline.FIRST_REPLY]),
        "resolve_statuses": _values(RUNNING_BY_DEADLINE[SlaDeadline.RESOLVE]),
        "chase_statuses": _values(set().union(*(RUNNING_BY_DEADLINE[d] for d in CHASED_DEADLINES))),
    }


def _notices(raw: Any, kind: str, settings: Settings) -> list[Notice]:
    items = json.loads(raw) if isinstance(raw, str) else (raw or [])
    return [
        Notice(
            user_id=item["user_id"],
            email=item.get("email") or None,
            language=(
                item["language"]
                if item.get("language") in i18n.LANGUAGES
                else settings.default_language
            ),
            kind=kind,
            ticket_id=item["ticket_id"],
            text=item["text"],
        )
        for item in items
    ]


async def _chase(db: AsyncSession, settings: Settings, now: dt.datetime) -> tuple[int, list]:
    params = {**_common_params(now), "action": CHASE_ACTION, "kind": CHASE_KIND}
    text = _text_sql(
        settings, CHASE_MESSAGE, params, {"number": "r.number", "subject": "r.subject"}
    )
    row = (
        await db.execute(sa.text(CHASE_SQL.format(notify=_NOTIFY.format(text=text))), params)
    ).one()
    return row.events, _notices(row.notices, CHASE_KIND, settings)


async def _escalate(
    db: AsyncSession, settings: Settings, now: dt.datetime, before: dt.datetime, days: int
) -> tuple[int, list]:
    params = {
        **_common_params(now),
        "action": ESCALATE_ACTION,
        "kind": ESCALATE_KIND,
        "escalate_before": before,
        "days": days,
    }
    department = []
    for code in i18n.LANGUAGES:
        params[f"desk_{code}"] = i18n.translations(code).gettext("Service desk")
        name = "r.department_en" if code == "en" else "r.department_zh"
        department.append(f"WHEN '{code}' THEN coalesce({name}, CAST(:desk_{code} AS text))")
    department_sql = f"(CASE {_language_expr(settings)} {' '.join(department)} END)"
    text = _text_sql(
        settings,
        ESCALATE_MESSAGE,
        params,
        {
            "number": "r.number",
            "days": "CAST(:days AS text)",
            "department": department_sql,
            "subject": "r.subject",
        },
    )
    sql = ESCALATE_SQL.format(notify=_NOTIFY.format(text=text))
    row = (await db.execute(sa.text(sql), params)).one()
    return row.events, _notices(row.notices, ESCALATE_KIND, settings)


async def _mark(db: AsyncSession, now: dt.datetime) -> tuple[int, int]:
    running = _values(RUNNING_STATUSES)
    marked = await db.execute(
        sa.text(
            "UPDATE tickets SET overdue = true, overdue_at = :now "
            "WHERE status = ANY(CAST(:running AS text[])) AND next_due_at < :now AND NOT overdue"
        ),
        {"now": now, "running": running},
    )
    # Paused tickets keep their flag: one can only be overdue while paused if it was when it
    # paused (core.workdays), and the flag says so until it resumes.
    unmarked = await db.execute(
        sa.text(
            "UPDATE tickets SET overdue = false, overdue_at = NULL "
            "WHERE overdue AND status <> ALL(CAST(:paused AS text[])) "
            "AND NOT (status = ANY(CAST(:running AS text[])) AND next_due_at < :now)"
        ),
        {"now": now, "running": running, "paused": _values(PAUSED_STATUSES)},
    )
    return marked.rowcount or 0, unmarked.rowcount or 0


async def try_lock(db: AsyncSession) -> bool:
    """Take the sweep's advisory lock for this transaction; False if another sweep holds it."""
    return bool(
        await db.scalar(sa.text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": SWEEP_LOCK_KEY})
    )


async def run_sweep(
    db: AsyncSession,
    settings: Settings,
    *,
    now: dt.datetime | None = None,
    actor: Actor = "supervision",
) -> SweepResult:
    """Mark, chase and escalate in the caller's transaction (flushes, never commits).

    The emails are prepared (``result.mails``), not sent: send them with :func:`deliver` after
    the transaction commits. Returns ``SweepResult(skipped=True)`` when another sweep is running.
    """
    now = now or utcnow()
    if not await try_lock(db):
        log.info("ticket sweep skipped: another sweep is running")
        return SweepResult(skipped=True)
    await db.flush()
    calendar = await load_calendar(db)
    days = settings.ticket_escalation_days
    marked, unmarked = await _mark(db, now)
    chased, chase_notices = await _chase(db, settings, now)
    escalated, escalate_notices = await _escalate(
        db, settings, now, escalation_cutoff(calendar, now, days), days
    )
    notices = chase_notices + escalate_notices
    result = SweepResult(
        marked=marked,
        unmarked=unmarked,
        chased=chased,
        escalated=escalated,
        notifications=len(notices),
        notices=notices,
        mails=digests(notices),
    )
    if marked or unmarked or chased or escalated:
        audit.record(
            db,
            actor=actor,
            action="tickets_swept",
            entity="ticket",
            after={**result.summary(), "escalation_days": days},
        )
        await db.flush()
    # The flags were written with plain SQL: refresh tickets this session already holds.
    for obj in [o for o in db.identity_map.values() if isinstance(o, Ticket)]:
        await db.refresh(obj, ["overdue", "overdue_at"])
    return result


async def deliver(settings: Settings, result: SweepResult) -> int:
    """Send the sweep's email digests (after its transaction committed); returns how many went."""
    sent = 0
    for message in result.mails:
        try:
            await mail.send_mail(
                settings, to=message.to, subject=message.subject, body=message.body
            )
            sent += 1
        except mail.MailNotSent:
            log.warning("supervision email to %s not sent", message.to)
    result.mails_sent = sent
    return sent


async def sweep_once(
    session_maker: Callable[[], AsyncSession],
    settings: Settings,
    *,
    now: dt.datetime | None = None,
    actor: Actor = "supervision",
) -> SweepResult:
    """One sweep in a transaction of its own, committed, then its emails sent."""
    async with session_maker() as db:
        async with db.begin():
            result = await run_sweep(db, settings, now=now, actor=actor)
    if not result.skipped:
        await deliver(settings, result)
        if result.chased or result.escalated or result.marked:
            log.info("ticket sweep: %s", result.summary())
    return result
