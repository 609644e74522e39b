"""The planned life of each demo ticket: who does what when, with each department's habits of
being on time or late, and where the plans are cut so that every open state has a few tickets.
Deterministic for a given random generator (``demo.load_demo`` seeds it)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from parkops.core.workdays import Pause, WorkCalendar
from parkops.tickets.rules.states import TicketStatus

S = TicketStatus
SHANGHAI = ZoneInfo("Asia/Shanghai")


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
    """Keep only the first ``keep`` events (a ticket left in an earlier state: ``cut_plans``)."""


class Clock:
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


def plan_ticket(
    i: int,
    submitted: dt.datetime,
    enterprise_id: int,
    portal: bool,
    category: str,
    lead: str,
    co: list[str],
    other_departments: list[str],
    clock: Clock,
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
                data={"lead": wrong, "co": []},
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
                data={"lead": lead, "co": co},
            )
        )
    else:
        add(
            Planned(
                dispatched,
                "dispatch",
                "desk",
                S.DISPATCHED,
                data={"lead": lead, "co": co},
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


def cut_plans(plans: list[Plan], now: dt.datetime, per_state: int = 2) -> None:
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
