"""Demo data of the tickets domain: an officer for every department and a year of tickets.

* **Officers** (password ``parkops.accounts.demo.DEMO_PASSWORD``): ``shichang`` (market
  supervision), ``gongdian`` (power supply), and one for each other department of the seeded
  catalogue.
* **Tickets**: 400 over this month and the eleven before, filed by the demo tenants
  (``parkops.enterprises.demo``): online by the ``qiye`` enterprise user, by phone or at the
  counter for the others. Each ticket's whole life is planned first (acceptance, dispatch,
  sometimes a return and re-dispatch, signing for it, a pause for the enterprise, the reply, the
  rating, sometimes a redo) with each department's own habits of being on time or late, and then
  cut at the moment of loading: old tickets are closed, recent ones are in every open state, some
  overdue, a few long overdue. Deadlines are computed by the real rules
  (:func:`parkops.tickets.rules.deadlines.compute`) and the supervision sweep runs once at the
  end, so
  overdue tickets are marked and chased as they would be in production.

Deterministic: a fixed seed, and dates relative to the loading day (so the statistics always
show the past year). Idempotent: an audit entry marks the load; when it is there the loader
returns after one query. Rows go in with multi-row INSERTs (a few thousand events in all).
"""

from __future__ import annotations

import datetime as dt
import random
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts import service as accounts
from parkops.accounts.demo import DEMO_PASSWORD
from parkops.accounts.models import User
from parkops.config import get_settings
from parkops.core import audit
from parkops.core.audit import AuditEntry
from parkops.core.workdays import Pause, WorkCalendar
from parkops.db.base import utcnow
from parkops.enterprises.models import Enterprise
from parkops.tickets.demo_plan import CATEGORIES, Clock, Plan, Planned, cut_plans, plan_ticket
from parkops.tickets.models import (
    CategoryCoDepartment,
    Department,
    Ticket,
    TicketCategory,
    TicketCoDepartment,
    TicketEvent,
    TicketPause,
)
from parkops.tickets.rules import deadlines
from parkops.tickets.rules.effects import ActionInput, PauseChange, apply, effects, is_internal
from parkops.tickets.rules.states import TicketAction, TicketStatus
from parkops.tickets.services import supervision
from parkops.tickets.services.calendar_table import load_calendar
from parkops.tickets.statistics import add_months

S = TicketStatus
SHANGHAI = ZoneInfo("Asia/Shanghai")
SEED = 2026_06
TICKETS = 400
MONTHS = 12
MARKER = "tickets_demo_loaded"
DESK_USERNAME = "desk"
ENTERPRISE_USERNAME = "qiye"

# username, department code, display name. The first two are the ones the README names.
OFFICERS = [
    ("shichang", "market_supervision", "王建国（市场监管局）"),
    ("gongdian", "power_supply", "李明（供电公司）"),
    ("renshe", "human_resources", "陈静（人社局）"),
    ("shuiwu", "tax", "刘洋（税务局）"),
    ("shangwu", "commerce", "赵磊（商务局）"),
    ("jingzhen", "public_security_economic", "孙强（经侦大队）"),
    ("guanwei", "park_management", "周敏（园区管委会）"),
]
DEMO_LOGINS = [(username, "gov_officer") for username, _code, _name in OFFICERS]

# --- from a plan cut at "now" to rows ---------------------------------------------------------


def _rows(
    plan: Plan,
    now: dt.datetime,
    calendar: WorkCalendar,
    categories: dict[str, dict[str, Any]],
    departments: dict[str, int],
    actors: dict[str, tuple[int | None, str, str]],
    enterprise_contact: str,
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]], list[int]]:
    """The ticket row, its events, its pauses and its co-handling departments as of ``now``."""
    category = categories[plan.category]
    t = SimpleNamespace(
        status=S.SUBMITTED.value,
        submitted_at=plan.submitted_at,
        accepted_at=None,
        dispatched_at=None,
        first_reply_from=None,
        resolve_from=None,
        first_replied_at=None,
        resolved_at=None,
        replied_at=None,
        closed_at=None,
        lead_department_id=None,
        reopen_count=0,
        rating=None,
        rating_comment=None,
        rated_at=None,
        extension_days=0,
        extension_requested_days=None,
        **{k: category[k] for k in deadlines_limits()},
    )
    events: list[dict[str, Any]] = []
    pauses: list[dict[str, Any]] = []
    co: list[int] = []
    status = S.SUBMITTED
    for e in plan.events[: plan.keep]:
        if e.at > now:
            break
        before, status = status, e.to_status
        data = dict(e.data) if e.data else None
        if e.action != "file":
            open_pause = pauses[-1] if pauses and pauses[-1]["resumed_at"] is None else None
            paused_at = open_pause["paused_at"] if open_pause else None
            change = effects(t, TicketAction(e.action), status, e.at, _given(e, departments),
                             paused_at=paused_at)  # fmt: skip
            apply(t, change.changes)
            if change.pause is PauseChange.OPEN:
                pauses.append({"paused_at": e.at, "resumed_at": None, "from_status": before.value})
            elif change.pause is PauseChange.RESUME and open_pause:
                open_pause["resumed_at"] = e.at
            if change.co_department_ids is not None:
                co = list(change.co_department_ids)
            data = dict(change.event_data) or None
        actor_id, label, role = _actor(e.actor, plan, actors, enterprise_contact)
        events.append(
            {
                "ticket_index": plan.index,
                "at": e.at,
                "actor_id": actor_id,
                "actor_label": label,
                "actor_role": role,
                "action": e.action,
                "from_status": None if e.action == "file" else before.value,
                "to_status": status.value,
                "note": e.note,
                "visibility": "internal" if is_internal(e.action) else "public",
                "data": data,
            }
        )
    t.status = status.value
    open_pause = next((p for p in pauses if p["resumed_at"] is None), None)
    values = deadlines.compute(
        t,
        calendar,
        [Pause(p["paused_at"], p["resumed_at"]) for p in pauses],
        now,
        paused_from=S(open_pause["from_status"]) if open_pause else None,
    )
    row = {
        "ticket_index": plan.index,
        "enterprise_id": plan.enterprise_id,
        "category_id": category["id"],
        "channel": plan.channel,
        "subject": plan.subject,
        "description": plan.description,
        "confidential": plan.index % 41 == 7,
        "preferred_contact": "in_app" if plan.portal else "phone",
        "contact_name": enterprise_contact,
        "contact_detail": "" if plan.portal else "0792-" + f"{5200000 + plan.index * 37:07d}",
        "status": t.status,
        "lead_department_id": t.lead_department_id,
        "reopen_count": t.reopen_count,
        **{k: category[k] for k in deadlines_limits()},
        "extension_days": 0,
        "submitted_at": t.submitted_at,
        "accepted_at": t.accepted_at,
        "dispatched_at": t.dispatched_at,
        "first_reply_from": t.first_reply_from,
        "resolve_from": t.resolve_from,
        "first_replied_at": t.first_replied_at,
        "resolved_at": t.resolved_at,
        "replied_at": t.replied_at,
        "closed_at": t.closed_at,
        **values,
        **deadlines.elapsed_days(
            t, calendar, [Pause(p["paused_at"], p["resumed_at"]) for p in pauses]
        ),
        "overdue": False,
        "rating": t.rating,
        "rating_comment": t.rating_comment,
        "rated_at": t.rated_at,
        "created_at": t.submitted_at,
        "updated_at": events[-1]["at"],
    }
    return row, events, pauses, co if t.lead_department_id else []


def _given(e: Planned, departments: dict[str, int]) -> ActionInput:
    """The checked input of a planned action, as the service would have it."""
    data = e.data or {}
    if "lead" in data:
        co = tuple(departments[c] for c in data["co"])
        return ActionInput(lead_department_id=departments[data["lead"]], co_department_ids=co)
    return ActionInput(rating=data.get("rating"), comment=e.note)


def deadlines_limits() -> tuple[str, ...]:
    return ("accept_days", "first_reply_days", "resolve_days", "return_days", "follow_up_days")


def _actor(who, plan, actors, enterprise_contact) -> tuple[int | None, str, str]:
    if who == "desk":
        user_id, label, _ = actors["desk"]
        return user_id, label, "desk"
    if who == "enterprise":
        if plan.portal:
            user_id, label, _ = actors["enterprise"]
            return user_id, label, "enterprise"
        return None, enterprise_contact, "enterprise"
    user_id, label, _ = actors[who]
    return user_id, label, "lead_department"


# --- loading ---------------------------------------------------------------------------------


async def _officers(db: AsyncSession, departments: dict[str, int]) -> int:
    existing = set(
        (
            await db.execute(
                sa.select(sa.func.lower(User.username)).where(
                    sa.func.lower(User.username).in_([u for u, _c, _n in OFFICERS])
                )
            )
        ).scalars()
    )
    created = 0
    for username, code, name in OFFICERS:
        if username in existing or code not in departments:
            continue
        await accounts.create_user(
            db,
            "demo",
            username=username,
            display_name=name,
            password=DEMO_PASSWORD,
            roles=["gov_officer"],
            department_id=departments[code],
        )
        created += 1
    return created


async def _merges(db: AsyncSession, plans: list[Plan], ids: dict[int, int]) -> None:
    """Point each merged duplicate (and its merge event) at the ticket it duplicates."""
    for plan in plans:
        if plan.merge_into is None or plan.index not in ids or plan.merge_into not in ids:
            continue
        ticket_id, target_id = ids[plan.index], ids[plan.merge_into]
        number = await db.scalar(sa.select(Ticket.number).where(Ticket.id == target_id))
        merged = await db.execute(
            sa.update(Ticket)
            .where(Ticket.id == ticket_id, Ticket.status == S.MERGED.value)
            .values(merged_into_id=target_id)
        )
        if merged.rowcount:
            await db.execute(
                sa.update(TicketEvent)
                .where(TicketEvent.ticket_id == ticket_id, TicketEvent.action == "merge")
                .values(data={"merged_into_id": target_id, "merged_into_number": number})
            )


async def _insert(db: AsyncSession, model, rows: list[dict], returning=()) -> list:
    """One executemany (SQLAlchemy batches it into multi-row INSERTs: "insertmanyvalues")."""
    if not rows:
        return []
    table = model.__table__
    stmt = sa.insert(table)
    if returning:
        stmt = stmt.returning(*(table.c[name] for name in returning), sort_by_parameter_order=True)
        return list((await db.execute(stmt, rows)).all())
    await db.execute(stmt, rows)
    return []


async def load_demo(db: AsyncSession, *, now: dt.datetime | None = None) -> dict[str, int]:
    if await db.scalar(sa.select(sa.exists().where(AuditEntry.action == MARKER))):
        return {}
    departments = {
        d.code: d.id for d in (await db.execute(sa.select(Department))).scalars() if d.is_active
    }
    counts = {"department_officers": await _officers(db, departments)}

    users = {
        u.username: u
        for u in (
            await db.execute(
                sa.select(User).where(
                    User.username.in_(
                        [DESK_USERNAME, ENTERPRISE_USERNAME, *(u for u, _c, _n in OFFICERS)]
                    )
                )
            )
        ).scalars()
    }
    tenants = list(
        (
            await db.execute(
                sa.select(Enterprise.id, Enterprise.contact_person)
                .where(Enterprise.status == "tenant")
                .order_by(Enterprise.id)
                .limit(80)
            )
        ).all()
    )
    desk = users.get(DESK_USERNAME)
    if not tenants or desk is None:
        return counts  # no demo enterprises or desk yet: officers only, tickets next time

    now = now or utcnow()
    calendar = await load_calendar(db)
    rng = random.Random(SEED)
    clock = Clock(calendar, rng)

    categories: dict[str, dict[str, Any]] = {}
    co_rows = (await db.execute(sa.select(CategoryCoDepartment))).scalars().all()
    by_id = {v: k for k, v in departments.items()}
    for c in (await db.execute(sa.select(TicketCategory))).scalars():
        if not c.is_active or c.code not in CATEGORIES or c.lead_department_id not in by_id:
            continue
        categories[c.code] = {
            "id": c.id,
            "lead": by_id[c.lead_department_id],
            "co": [
                by_id[r.department_id]
                for r in co_rows
                if r.category_id == c.id and r.department_id in by_id
            ],
            **{k: getattr(c, k) for k in deadlines_limits()},
        }
    if not categories:
        return counts

    actors: dict[str, tuple[int | None, str, str]] = {"desk": (desk.id, desk.display_name, "")}
    portal_user = users.get(ENTERPRISE_USERNAME)
    if portal_user is not None:
        actors["enterprise"] = (portal_user.id, portal_user.display_name, "")
    for username, code, name in OFFICERS:
        officer = users.get(username)
        actors[code] = (officer.id, officer.display_name, "") if officer else (None, name, "")

    codes = list(categories)
    weights = [CATEGORIES[c][0] for c in codes]
    # From the first of the month eleven months back: the statistics' default view (this month
    # and the eleven before) shows every demo ticket.
    first = add_months(now.astimezone(SHANGHAI).date().replace(day=1), 1 - MONTHS)
    start = dt.datetime.combine(first, dt.time(8), SHANGHAI)
    days = (now - start).total_seconds() / 86400
    plans, contacts = [], {}
    for i in range(TICKETS):
        # Evenly through the period, with some jitter.
        offset = (i + rng.random()) * days / TICKETS
        submitted = (start + dt.timedelta(days=offset, minutes=rng.randrange(0, 300))).replace(
            second=0, microsecond=0
        )
        submitted = min(submitted, now - dt.timedelta(minutes=30))
        portal = portal_user is not None and i % 9 == 0
        enterprise_id, contact = (
            (portal_user.enterprise_id, portal_user.display_name)
            if portal
            else tenants[rng.randrange(len(tenants))]
        )
        contacts[i] = contact or "企业联系人"
        code = rng.choices(codes, weights=weights)[0]
        lead = categories[code]["lead"]
        others = [d for d in departments if d not in (lead, "public_security_economic")]
        plans.append(
            plan_ticket(
                i,
                submitted,
                enterprise_id,
                portal,
                code,
                lead,
                categories[code]["co"],
                others,
                clock,
                rng,
            )
        )

    cut_plans(plans, now)
    ticket_rows, event_rows, pause_rows, co_map = [], [], [], {}
    for plan in plans:
        row, events, pauses, co = _rows(
            plan, now, calendar, categories, departments, actors, contacts[plan.index]
        )
        row["filed_by_id"] = actors["enterprise"][0] if plan.portal else desk.id
        ticket_rows.append(row)
        event_rows += events
        pause_rows += [{**p, "ticket_index": plan.index} for p in pauses]
        co_map[plan.index] = co

    # Numbers in filing order, per year (WQ-2026-000123), reserved from the shared counter.
    by_year: dict[int, list[dict]] = {}
    for row in sorted(ticket_rows, key=lambda r: r["submitted_at"]):
        by_year.setdefault(row["submitted_at"].astimezone(SHANGHAI).year, []).append(row)
    for year, rows in by_year.items():
        last = await db.scalar(
            sa.text(
                "INSERT INTO ticket_number_counters (year, last_value) VALUES (:y, :n) "
                "ON CONFLICT (year) DO UPDATE "
                "SET last_value = ticket_number_counters.last_value + :n RETURNING last_value"
            ),
            {"y": year, "n": len(rows)},
        )
        for k, row in enumerate(rows):
            row["number"] = f"WQ-{year}-{last - len(rows) + k + 1:06d}"

    index_of = {row["number"]: row.pop("ticket_index") for row in ticket_rows}
    inserted = await _insert(db, Ticket, ticket_rows, returning=("id", "number"))
    ids = {index_of[number]: ticket_id for ticket_id, number in inserted}
    for rows in (event_rows, pause_rows):
        for r in rows:
            r["ticket_id"] = ids[r.pop("ticket_index")]
    await _insert(db, TicketEvent, event_rows)
    await _insert(db, TicketPause, pause_rows)
    await _merges(db, plans, ids)
    co_rows_out = [
        {"ticket_id": ids[i], "department_id": d} for i, co in co_map.items() for d in co
    ]
    await _insert(db, TicketCoDepartment, co_rows_out)

    counts.update(
        {
            "tickets": len(ticket_rows),
            "ticket_events": len(event_rows),
            "ticket_pauses": len(pause_rows),
        }
    )
    audit.record(db, actor="demo", action=MARKER, entity="ticket", after=counts)
    await db.flush()
    # Mark and chase what is overdue right now, as the periodic sweep would.
    result = await supervision.run_sweep(db, get_settings(), now=now, actor="demo")
    counts["tickets_chased"] = result.chased
    return counts
