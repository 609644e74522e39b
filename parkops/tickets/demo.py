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
  (:func:`parkops.tickets.deadlines.compute`) and the supervision sweep runs once at the end, so
  overdue tickets are marked and chased as they would be in production.

Deterministic: a fixed seed, and dates relative to the loading day (so the statistics always
show the past year). Idempotent: an audit entry marks the load; when it is there the loader
returns after one query. Rows go in with multi-row INSERTs (a few thousand events in all).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
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
from parkops.tickets import deadlines, supervision
from parkops.tickets.models import (
    CategoryCoDepartment,
    Department,
    Ticket,
    TicketCategory,
    TicketCoDepartment,
    TicketEvent,
    TicketPause,
)
from parkops.tickets.service import INTERNAL_ACTIONS
from parkops.tickets.statistics import add_months
from parkops.tickets.work_calendar import load_calendar
from parkops.tickets.workflow import TicketStatus

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


@dataclass(frozen=True)
class Habits:
    """How a department behaves: chances of being late, of returning a ticket, and how the
    enterprises rate it (weights of ratings 1..5)."""

    late_start: float
    late_reply: float
    returns: float
    ratings: tuple[int, int, int, int, int]


HABITS = {
    "market_supervision": Habits(0.05, 0.06, 0.02, (1, 1, 4, 30, 64)),
    "commerce": Habits(0.12, 0.15, 0.05, (3, 4, 10, 38, 45)),
    "human_resources": Habits(0.10, 0.10, 0.03, (2, 3, 8, 40, 47)),
    "power_supply": Habits(0.28, 0.30, 0.04, (8, 8, 18, 36, 30)),
    "tax": Habits(0.06, 0.08, 0.03, (1, 2, 7, 35, 55)),
    "park_management": Habits(0.15, 0.18, 0.06, (4, 5, 12, 37, 42)),
    "public_security_economic": Habits(0.10, 0.12, 0.02, (2, 3, 10, 35, 50)),
}
DEFAULT_HABITS = Habits(0.12, 0.15, 0.04, (3, 4, 10, 38, 45))

# code: weight, subjects, replies
CATEGORIES: dict[str, tuple[int, list[str], list[str]]] = {
    "ip_counterfeit": (
        25,
        [
            "电商平台店铺销售假冒我司品牌童装羽绒服",
            "直播间盗用我司产品图片和商标",
            "他人抢注与我司近似的商标",
            "仿冒我司外观设计的羽绒服在多个平台销售",
            "网店使用我司吊牌冒充正品",
        ],
        [
            "已对涉事网店立案调查，责令下架侵权商品。",
            "已协调平台删除侵权链接，并移交经侦部门核查。",
            "经核查，对方已停止侵权，已签署不再侵权承诺书。",
        ],
    ),
    "contract_payment": (
        18,
        [
            "外省经销商拖欠货款逾半年",
            "面料供应商交货延迟造成违约",
            "电商平台冻结店铺保证金",
            "物流代收货款迟迟未结算",
        ],
        [
            "已组织双方调解，对方同意分期付款。",
            "已出具调解意见，建议企业通过诉讼途径解决，并提供法律援助指引。",
            "平台已解冻保证金。",
        ],
    ),
    "labour_recruitment": (
        12,
        [
            "旺季招工难，申请用工对接服务",
            "员工社保补缴政策咨询",
            "劳动纠纷调解申请",
            "直播电商人才培训补贴申请",
        ],
        [
            "已在园区招聘会为企业安排展位。",
            "已答复补缴政策并指导办理。",
            "劳动争议已调解结案。",
        ],
    ),
    "utilities": (
        14,
        [
            "厂房频繁停电影响生产",
            "申请增容变压器",
            "电费计量异常，电表读数明显偏高",
            "车间供水压力不足",
        ],
        [
            "已更换故障线路，供电恢复正常。",
            "增容方案已批复，计划下月施工。",
            "经校验电表误差超标，已退还多收电费。",
        ],
    ),
    "logistics": (
        10,
        [
            "快递网点旺季揽收能力不足",
            "园区道路货车限行影响发货",
            "申请设立快递集中收发点",
        ],
        [
            "已协调快递企业增加揽收车辆和班次。",
            "已调整园区货车通行时段。",
        ],
    ),
    "tax_policy": (
        8,
        [
            "电商企业增值税留抵退税咨询",
            "小规模纳税人优惠政策兑现",
            "出口退税办理进度查询",
        ],
        [
            "已答复政策口径并协助完成申报。",
            "退税已办结到账。",
        ],
    ),
    "financing": (
        5,
        ["申请园区企业贴息贷款", "设备抵押融资对接"],
        ["已推荐合作银行对接，授信已审批。"],
    ),
    "safety_environment": (
        5,
        ["羽绒清洗废水处理设施改造咨询", "消防验收整改指导"],
        ["已安排专家上门指导，整改方案已确认。"],
    ),
    "other": (3, ["园区食堂用餐问题建议", "员工宿舍配套咨询"], ["已转园区物业处理并回复企业。"]),
}
RETURN_REASONS = ["本事项不属于我单位职责范围，建议改派。", "经核实该事项应由其他部门主办。"]
INFO_REQUESTS = [
    "请补充相关合同及付款凭证。",
    "请提供侵权链接截图及商标注册证。",
    "请补充现场照片。",
]
INFO_ANSWERS = ["已上传补充材料。", "材料已补充，请查收。"]
REJECT_REASONS = ["该事项属于企业间商业纠纷，建议通过诉讼解决。", "诉求内容不明确，请重新提交。"]
FOLLOW_UP_NOTES = ["电话回访：企业表示满意。", "电话回访：企业表示基本满意。"]


@dataclass
class Planned:
    """One event of a ticket's planned life."""

    at: dt.datetime
    action: str
    actor: str  # "desk", "enterprise" or a department code
    to_status: TicketStatus
    note: str | None = None
    data: dict[str, Any] | None = None


@dataclass
class Plan:
    index: int
    submitted_at: dt.datetime
    enterprise_id: int
    portal: bool
    category: str
    channel: str
    subject: str
    description: str
    events: list[Planned] = field(default_factory=list)
    merge_into: int | None = None
    """For a duplicate: the index of the plan it is merged into."""
    keep: int | None = None
    """Keep only the first ``keep`` events (a ticket left in an earlier state; see ``_cuts``)."""


class _Clock:
    """Working-day scheduling for the planner (local time, Asia/Shanghai)."""

    def __init__(self, calendar: WorkCalendar, rng: random.Random) -> None:
        self.calendar, self.rng = calendar, rng

    def at_day(self, day: dt.date, earliest: dt.datetime | None = None) -> dt.datetime:
        """A moment during office hours (09:00-17:00) on ``day``, after ``earliest``."""
        for _ in range(20):
            minutes = self.rng.randrange(9 * 60, 17 * 60)
            moment = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), SHANGHAI)
            if earliest is None or moment > earliest:
                return moment
        return (earliest or moment) + dt.timedelta(minutes=20)

    def after(self, t: dt.datetime, working_days: int) -> dt.datetime:
        """During office hours on the ``working_days``-th working day after ``t``'s date (0: the
        same day if it is a working day with time left, else the next working day)."""
        day = t.astimezone(SHANGHAI).date()
        if working_days == 0:
            if self.calendar.is_working_day(day) and t.astimezone(SHANGHAI).hour < 16:
                return self.at_day(day, t)
            working_days = 1
        target = self.calendar.add_working_days(day, working_days).date
        return self.at_day(target, t)

    def due(self, t: dt.datetime, days: int, pauses: list[Pause] = ()) -> dt.datetime:
        return self.calendar.deadline_with_pauses(t, days, pauses).at

    def by(self, start: dt.datetime, due: dt.datetime) -> dt.datetime:
        """Some moment after ``start`` and before ``due`` (on time)."""
        day = start.astimezone(SHANGHAI).date()
        last = due.astimezone(SHANGHAI).date()
        days = []
        while day <= last:
            if self.calendar.is_working_day(day):
                days.append(day)
            day += dt.timedelta(days=1)
        for _ in range(5):
            moment = self.at_day(self.rng.choice(days), start) if days else start
            if start < moment <= due:
                return moment
        return start + (due - start) / 2

    def late(self, due: dt.datetime, low: int, high: int) -> dt.datetime:
        return self.after(due, self.rng.randint(low, high))


def _plan(
    i: int,
    submitted: dt.datetime,
    enterprise_id: int,
    portal: bool,
    category: str,
    lead: str,
    co: list[str],
    other_departments: list[str],
    clock: _Clock,
    rng: random.Random,
) -> Plan:
    _weight, subjects, replies = CATEGORIES[category]
    subject = rng.choice(subjects)
    channel = "online" if portal else rng.choice(("phone", "phone", "walk_in"))
    plan = Plan(
        i, submitted, enterprise_id, portal, category, channel, subject, f"{subject}。请协调处理。"
    )
    add = plan.events.append
    add(
        Planned(
            submitted,
            "file",
            "enterprise" if portal else "desk",
            S.SUBMITTED,
            data={"channel": channel},
        )
    )
    habits = HABITS.get(lead, DEFAULT_HABITS)
    stuck = rng.random() < 0.03  # a department that sits on a ticket for weeks

    accept_due = clock.due(submitted, 1)
    decided = (
        clock.by(submitted, accept_due) if rng.random() < 0.9 else clock.late(accept_due, 1, 2)
    )
    if rng.random() < 0.04:
        add(Planned(decided, "reject", "desk", S.REJECTED, rng.choice(REJECT_REASONS)))
        return plan
    if i > 0 and rng.random() < 0.02:
        plan.merge_into = i - 1  # the same matter, reported again
        add(Planned(decided, "merge", "desk", S.MERGED))
        return plan
    add(Planned(decided, "accept", "desk", S.ACCEPTED))

    dispatched = decided + dt.timedelta(minutes=rng.randrange(5, 90))
    if rng.random() < habits.returns and other_departments:
        wrong = rng.choice(other_departments)
        add(
            Planned(
                dispatched,
                "dispatch",
                "desk",
                S.DISPATCHED,
                data={"lead": wrong, "co": [], "previous": None},
            )
        )
        returned = clock.after(dispatched, rng.randint(0, 1))
        add(Planned(returned, "return", wrong, S.RETURNED, rng.choice(RETURN_REASONS)))
        dispatched = clock.after(returned, rng.randint(0, 1))
        add(
            Planned(
                dispatched,
                "redispatch",
                "desk",
                S.DISPATCHED,
                "改派至主责部门。",
                data={"lead": lead, "co": co, "previous": wrong},
            )
        )
    else:
        add(
            Planned(
                dispatched,
                "dispatch",
                "desk",
                S.DISPATCHED,
                data={"lead": lead, "co": co, "previous": None},
            )
        )
    if rng.random() < 0.03:
        withdrawn = clock.after(dispatched, rng.randint(1, 4))
        add(Planned(withdrawn, "withdraw", "enterprise", S.WITHDRAWN))
        return plan

    reply_due = clock.due(dispatched, 3)
    if stuck:
        started = clock.late(reply_due, 12, 25)
    elif rng.random() < habits.late_start:
        started = clock.late(reply_due, 1, 4)
    else:
        started = clock.by(dispatched, reply_due)
    add(Planned(started, "start", lead, S.IN_PROGRESS))

    pauses: list[Pause] = []
    handling_from = started
    if rng.random() < 0.12:
        asked = clock.after(started, rng.randint(1, 3))
        answered = clock.after(asked, rng.randint(1, 4))
        add(Planned(asked, "request_info", lead, S.AWAITING_ENTERPRISE, rng.choice(INFO_REQUESTS)))
        add(
            Planned(
                answered,
                "provide_info",
                "enterprise",
                S.IN_PROGRESS,
                rng.choice(INFO_ANSWERS),
                {"paused_at": asked.isoformat()},
            )
        )
        pauses.append(Pause(asked, answered))
        handling_from = answered
    resolve_due = clock.due(dispatched, 15, pauses)
    if stuck or rng.random() < habits.late_reply or handling_from >= resolve_due:
        replied = clock.late(max(resolve_due, handling_from), 1, 6)
    else:
        replied = clock.by(handling_from, resolve_due)
    add(Planned(replied, "reply", lead, S.REPLIED, rng.choice(replies)))

    def rating_step(after: dt.datetime, redo_used: bool) -> None:
        if rng.random() < 0.8:
            rated_at = clock.after(after, rng.randint(0, 4))
            rating = rng.choices((1, 2, 3, 4, 5), weights=habits.ratings)[0]
            if rating <= 2 and not redo_used:
                add(
                    Planned(
                        rated_at,
                        "rate_dissatisfied",
                        "enterprise",
                        S.REOPENED,
                        "处理结果未解决实际问题，请重新办理。",
                        {"rating": rating},
                    )
                )
                redo = clock.after(rated_at, rng.randint(1, 2))
                add(Planned(redo, "start", lead, S.IN_PROGRESS))
                again = clock.after(redo, rng.randint(2, 8))
                add(Planned(again, "reply", lead, S.REPLIED, rng.choice(replies)))
                rating_step(again, True)
                return
            action = "close" if rating <= 2 else "rate_satisfied"
            note = "重办后仍不满意。" if rating <= 2 else None
            add(Planned(rated_at, action, "enterprise", S.CLOSED, note, {"rating": rating}))
        else:
            called = clock.after(after, rng.randint(6, 8))
            add(Planned(called, "follow_up_close", "desk", S.CLOSED, rng.choice(FOLLOW_UP_NOTES)))

    rating_step(replied, False)
    return plan


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
        **{k: category[k] for k in deadlines_limits()},
    )
    events: list[dict[str, Any]] = []
    pauses: list[dict[str, Any]] = []
    co: list[int] = []
    status = S.SUBMITTED
    for e in plan.events[: plan.keep]:
        if e.at > now:
            break
        before = status
        data = dict(e.data) if e.data else None
        if e.action in ("accept",):
            t.accepted_at = e.at
            t.first_reply_from = t.resolve_from = e.at
        elif e.action in ("dispatch", "redispatch"):
            assert data is not None
            lead = departments[data.pop("lead")]
            co = [departments[c] for c in data.pop("co")]
            previous = data.pop("previous")
            data = {
                "lead_department_id": lead,
                "co_department_ids": co,
                "previous_lead_department_id": departments[previous] if previous else None,
            }
            t.lead_department_id = lead
            t.dispatched_at = t.first_reply_from = t.resolve_from = e.at
            t.first_replied_at = t.resolved_at = None
        elif e.action == "start":
            t.first_replied_at = t.first_replied_at or e.at
        elif e.action == "request_info":
            pauses.append({"paused_at": e.at, "resumed_at": None, "from_status": before.value})
        elif e.action == "provide_info":
            pauses[-1]["resumed_at"] = e.at
        elif e.action == "reply":
            t.resolved_at = t.replied_at = e.at
        elif e.action == "rate_dissatisfied":
            t.reopen_count += 1
            t.resolve_from = e.at
            t.resolved_at = None
            t.rating, t.rating_comment, t.rated_at = data["rating"], e.note, e.at
        elif e.action in ("rate_satisfied", "close"):
            t.rating, t.rating_comment, t.rated_at = data["rating"], e.note, e.at
        status = e.to_status
        if status in (S.REJECTED, S.WITHDRAWN, S.CLOSED):
            t.closed_at = e.at
        actor_id, label, role = _actor(e.actor, plan, actors, enterprise_contact)
        internal = e.action in {a.value for a in INTERNAL_ACTIONS}
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
                "visibility": "internal" if internal else "public",
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
        **deadlines.working_days(
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


OPEN_TARGETS = (
    S.SUBMITTED,
    S.ACCEPTED,
    S.DISPATCHED,
    S.RETURNED,
    S.IN_PROGRESS,
    S.AWAITING_ENTERPRISE,
    S.REPLIED,
    S.REOPENED,
)


def _cuts(plans: list[Plan], now: dt.datetime, per_state: int = 2) -> None:
    """Leave a few of the most recent tickets in each open state: cut their life right after the
    event that brought them there (nothing has happened since, so it is a state they can be in,
    overdue or not). The natural cut at ``now`` alone leaves some states empty."""
    used: set[int] = set()
    for target in OPEN_TARGETS:
        found = 0
        for plan in reversed(plans):
            if found == per_state:
                break
            if plan.index in used:
                continue
            for k, event in enumerate(plan.events):
                if event.at > now:
                    break
                if event.to_status is target:
                    plan.keep = k + 1
                    used.add(plan.index)
                    found += 1
                    break


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
    clock = _Clock(calendar, rng)

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
            _plan(
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

    _cuts(plans, now)
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
