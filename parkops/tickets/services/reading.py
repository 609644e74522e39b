"""What the ticket page and the API's detail show, filtered for the reader's role on the ticket."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts.identity import CurrentUser
from parkops.accounts.models import User
from parkops.core.pagination import Page, clamp
from parkops.core.workdays import WorkCalendar
from parkops.db.base import utcnow
from parkops.enterprises.models import Enterprise
from parkops.tickets.models import (
    Department,
    Ticket,
    TicketAttachment,
    TicketCategory,
    TicketEvent,
    Visibility,
)
from parkops.tickets.rules.effects import RATING_ACTIONS
from parkops.tickets.rules.states import (
    PAUSED_STATUSES,
    STATUS_DESCRIPTIONS,
    ActorRole,
    TicketAction,
    TicketStatus,
)
from parkops.tickets.rules.transitions import available_actions
from parkops.tickets.services.calendar_table import badge_years, load_calendar
from parkops.tickets.services.common import open_pause, ticket_for, transition_context

A = TicketAction
TIMELINE_PAGE_SIZE = 50
"""Events per page of a ticket's timeline (a busy ticket has thousands)."""


def _deadline_rows(ticket: Ticket, calendar: WorkCalendar, now: dt.datetime) -> list[dict]:
    # key, due, provisional, met at, anchor (for the badge's years)
    specs = (
        ("accept", ticket.accept_due_at, ticket.accept_due_provisional, ticket.accepted_at,
         ticket.submitted_at),
        ("first_reply", ticket.first_reply_due_at, ticket.first_reply_due_provisional,
         ticket.first_replied_at, ticket.first_reply_from),
        ("resolve", ticket.resolve_due_at, ticket.resolve_due_provisional, ticket.resolved_at,
         ticket.resolve_from),
        ("follow_up", ticket.follow_up_due_at, ticket.follow_up_due_provisional,
         ticket.closed_at, ticket.replied_at),
    )  # fmt: skip
    return [
        {
            "key": key,
            "due_at": due,
            "met_at": met,
            "provisional": provisional,
            "years": badge_years(calendar, anchor, due) if provisional else [],
            "late": (met or now) > due,
        }
        for key, due, provisional, met, anchor in specs
        if due is not None
    ]


def _event_departments(event: TicketEvent, departments: dict[int, Department]) -> list[dict]:
    """The departments a dispatch event sent the ticket to (lead first), for the timeline."""
    if event.action not in (A.DISPATCH.value, A.REDISPATCH.value) or not event.data:
        return []
    ids = [(event.data.get("lead_department_id"), True)] + [
        (d, False) for d in event.data.get("co_department_ids") or []
    ]
    return [{"department": departments[d], "lead": lead} for d, lead in ids if d in departments]


async def _attachments(
    db: AsyncSession, ticket: Ticket, enterprise_view: bool, events: list[TicketEvent]
) -> list[TicketAttachment]:
    """The files of the events shown (not of the whole history: a busy ticket has thousands)."""
    stmt = sa.select(TicketAttachment).where(
        TicketAttachment.ticket_id == ticket.id,
        TicketAttachment.event_id.in_([e.id for e in events]),
    )
    if enterprise_view:
        stmt = stmt.where(TicketAttachment.internal.is_(False))
    return list((await db.execute(stmt.order_by(TicketAttachment.id))).scalars())


def _visible_events(ticket: Ticket, enterprise_view: bool) -> sa.Select:
    stmt = sa.select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
    if enterprise_view:
        # Internal events that changed nothing (notes, chases) are not the enterprise's business.
        unchanged = TicketEvent.from_status.is_not_distinct_from(TicketEvent.to_status)
        stmt = stmt.where(sa.not_(sa.and_(TicketEvent.visibility == "internal", unchanged)))
    return stmt


async def _events(
    db: AsyncSession, ticket: Ticket, enterprise_view: bool, page: int | None, page_size: int
) -> tuple[list[TicketEvent], Page]:
    """One page of the events, oldest first within it; page 1 is the latest (a page past the
    last is the last). ``page`` None: all of them (the handling record)."""
    stmt = _visible_events(ticket, enterprise_view)
    total = await db.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0
    if page is None:
        rows = await db.execute(stmt.order_by(TicketEvent.at, TicketEvent.id))
        return list(rows.scalars()), Page([], total, 1, max(total, 1))
    page, size = clamp(page, page_size)
    page = min(page, max(1, -(-total // size)))
    newest_first = stmt.order_by(TicketEvent.at.desc(), TicketEvent.id.desc())
    rows = await db.execute(newest_first.limit(size).offset((page - 1) * size))
    return list(rows.scalars())[::-1], Page([], total, page, size)


async def _timeline(
    db: AsyncSession,
    ticket: Ticket,
    enterprise_view: bool,
    page: int | None,
    page_size: int = TIMELINE_PAGE_SIZE,
) -> tuple[list[dict[str, Any]], Page, list[TicketAttachment]]:
    """The events of one page with their files; the enterprise sees an internal event only as a
    status change, unlabelled, and not at all when it changed nothing."""
    events, found = await _events(db, ticket, enterprise_view, page, page_size)
    attachments = await _attachments(db, ticket, enterprise_view, events)
    by_event: dict[int | None, list[TicketAttachment]] = {}
    for attachment in attachments:
        by_event.setdefault(attachment.event_id, []).append(attachment)
    all_departments = {d.id: d for d in (await db.execute(sa.select(Department))).scalars()}
    timeline = []
    for event in events:
        internal = event.visibility == Visibility.INTERNAL.value
        hide = enterprise_view and internal
        timeline.append(
            {
                "id": event.id,
                "at": event.at,
                "actor": event.actor_label,
                "actor_role": event.actor_role,
                "action": event.action,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "note": None if hide else event.note,
                "data": None if hide else event.data,
                "internal": internal and not enterprise_view,
                "attachments": [] if hide else by_event.get(event.id, []),
                "departments": [] if hide else _event_departments(event, all_departments),
            }
        )
    return timeline, found, attachments


async def timeline_page(
    db: AsyncSession,
    user: CurrentUser,
    ticket_id: int,
    page: int,
    page_size: int = TIMELINE_PAGE_SIZE,
) -> tuple[list[dict[str, Any]], Page]:
    """One page of a ticket's timeline as its ``ticket_view`` shows it (page 1: the latest)."""
    ticket, role, _co = await ticket_for(db, user, ticket_id)
    enterprise_view = role is ActorRole.ENTERPRISE
    timeline, found, _files = await _timeline(db, ticket, enterprise_view, page, page_size)
    return timeline, found


async def _names(db: AsyncSession, ticket: Ticket, co: set[int]) -> dict[str, Any]:
    """The names the page shows next to the ticket's ids."""
    ids = co | ({ticket.lead_department_id} - {None})
    departments: dict[int, Department] = {}
    if ids:
        rows = await db.execute(sa.select(Department).where(Department.id.in_(ids)))
        departments = {d.id: d for d in rows.scalars()}
    merged_into = None
    if ticket.merged_into_id:
        merged_into = await db.scalar(
            sa.select(Ticket.number).where(Ticket.id == ticket.merged_into_id)
        )
    return {
        "category": await db.get(TicketCategory, ticket.category_id),
        "enterprise_name": await db.scalar(
            sa.select(Enterprise.name).where(Enterprise.id == ticket.enterprise_id)
        ),
        "filed_by": await db.scalar(
            sa.select(User.display_name).where(User.id == ticket.filed_by_id)
        ),
        "lead_department": departments.get(ticket.lead_department_id),
        "co_departments": [departments[d] for d in sorted(co) if d in departments],
        "merged_into_number": merged_into,
    }


async def ticket_view(
    db: AsyncSession,
    user: CurrentUser,
    ticket_id: int,
    *,
    now: dt.datetime | None = None,
    events_page: int | None = 1,
    events_page_size: int = TIMELINE_PAGE_SIZE,
) -> dict[str, Any]:
    """Everything the ticket page and the API detail show, filtered for the user's role: the
    timeline's page ``events_page`` (1, the latest, by default; None for all of it)."""
    now = now or utcnow()
    ticket, role, co = await ticket_for(db, user, ticket_id)
    enterprise_view = role is ActorRole.ENTERPRISE
    pause = await open_pause(db, ticket.id)
    actions = available_actions(ticket.status, role, transition_context(ticket, pause, now))
    timeline, timeline_page, attachments = await _timeline(
        db, ticket, enterprise_view, events_page, events_page_size
    )
    return {
        "ticket": ticket,
        "role": role,
        **await _names(db, ticket, co),
        "timeline": timeline,
        "timeline_page": timeline_page,
        "attachments": attachments,
        "actions": [a for a in actions if a not in RATING_ACTIONS],
        "can_rate": any(a in RATING_ACTIONS for a in actions),
        "can_note": role is not ActorRole.ENTERPRISE,
        "paused": TicketStatus(ticket.status) in PAUSED_STATUSES,
        "paused_since": pause.paused_at if pause else None,
        "deadlines": _deadline_rows(ticket, await load_calendar(db), now),
        "status_description": STATUS_DESCRIPTIONS[TicketStatus(ticket.status)],
        "is_overdue": bool(
            ticket.overdue or (ticket.next_due_at is not None and ticket.next_due_at < now)
        ),
    }
