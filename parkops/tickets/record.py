"""The ticket handling record (办理情况表): a PDF for the files with the ticket's details, its
deadlines and whether each was met, and the whole timeline (internal notes and supervision
events included), rendered and stored through the document service.

The desk, park admins and the ticket's lead department may generate it; the stored document is
visible to staff and to the officers of the ticket's (current) lead department, never to the
enterprise (``enterprise_id`` is left empty; see the access rule registered in
:func:`parkops.tickets.repository.records_for_lead_department`).

The template is ``templates/pdf/ticket_record.html``, registered here with the renderer (like the
billing documents); when it or a shared print file changes, bump ``version`` below and record the
new ``fingerprint`` (``tests/unit/tickets/test_ticket_record_context.py`` says which).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts.identity import CurrentUser
from parkops.config import Settings
from parkops.core.errors import PermissionDenied
from parkops.core.i18n import N_
from parkops.db.base import utcnow
from parkops.documents import service as documents
from parkops.documents.models import Document, DocumentKind, DocumentLanguage
from parkops.documents.render import SHARED_FILES, TEMPLATES, PdfTemplate
from parkops.tickets.rules.states import ActorRole
from parkops.tickets.services import reading

TEMPLATE_NAME = "ticket_record"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
GENERATORS = frozenset({ActorRole.DESK, ActorRole.ADMIN, ActorRole.LEAD_DEPARTMENT})

# Fixed wording of the document (Chinese, English beneath in bilingual mode): not gettext, the
# document's language is chosen when it is made, not by the reader's UI.
STATUS = {
    "submitted": ("已提交", "Submitted"),
    "accepted": ("已受理", "Accepted"),
    "rejected": ("不予受理", "Not accepted"),
    "merged": ("已并单", "Merged"),
    "dispatched": ("已派单", "Dispatched"),
    "in_progress": ("办理中", "In progress"),
    "awaiting_enterprise": ("待企业补充材料", "Waiting for the enterprise"),
    "returned": ("已退单", "Returned"),
    "replied": ("已答复", "Replied"),
    "reopened": ("重办", "Reopened for redo"),
    "closed": ("已办结", "Closed"),
    "withdrawn": ("已撤回", "Withdrawn"),
}
ACTIONS = {
    "file": ("提交诉求", "Filed"),
    "accept": ("受理", "Accepted"),
    "reject": ("不予受理", "Not accepted"),
    "merge": ("并单", "Merged into another ticket"),
    "dispatch": ("派单", "Dispatched"),
    "redispatch": ("改派", "Re-dispatched"),
    "start": ("签收办理", "Handling started"),
    "request_info": ("要求补充材料", "Information requested"),
    "provide_info": ("补充材料", "Information provided"),
    "return": ("退单", "Returned by the department"),
    "reply": ("答复企业", "Replied"),
    "request_extension": ("申请延期", "Extension requested"),
    "approve_extension": ("批准延期", "Extension approved"),
    "deny_extension": ("不予延期", "Extension refused"),
    "rate_satisfied": ("评价", "Rated"),
    "rate_dissatisfied": ("评价不满意，重办", "Rated dissatisfied: reopened for redo"),
    "close": ("重办后评价不满意，办结", "Rated dissatisfied after the redo: closed"),
    "follow_up_close": ("回访办结", "Closed after a follow-up call"),
    "withdraw": ("撤回", "Withdrawn"),
    "note": ("内部意见", "Internal note"),
    "attach": ("补充附件", "Files added"),
    "chase": ("督办", "Chased (overdue)"),
    "escalate": ("提级督办（报园区领导）", "Escalated to park leadership"),
}
DEADLINES = {
    "accept": ("受理时限", "Acceptance"),
    "first_reply": ("首次响应时限", "First response"),
    "resolve": ("办结时限", "Resolution"),
    "follow_up": ("评价期限", "Rating period"),
}
CHANNELS = {
    "online": ("网上提交", "Online"),
    "phone": ("电话", "Phone"),
    "walk_in": ("窗口", "Walk-in"),
}
ROLES = {
    "enterprise": ("企业", "Enterprise"),
    "desk": ("维权中心", "Service desk"),
    "admin": ("园区管理员", "Park admin"),
    "lead_department": ("主办部门", "Lead department"),
    "co_department": ("协办部门", "Co-handling department"),
}


def _pair(table: dict[str, tuple[str, str]], key: str | None) -> tuple[str, str]:
    if key is None:
        return ("", "")
    return table.get(key, (key, key))


@dataclass(frozen=True)
class RecordDeadline:
    label: str
    label_en: str
    due_at: dt.datetime
    met_at: dt.datetime | None
    result: str
    result_en: str
    provisional: bool = False


@dataclass(frozen=True)
class RecordEvent:
    at: dt.datetime
    actor: str
    role: str
    role_en: str
    action: str
    action_en: str
    status_change: str
    status_change_en: str
    note: str
    note_en: str
    internal: bool
    attachments: tuple[str, ...] = ()


@dataclass(frozen=True)
class TicketRecordContext:
    """Everything the handling record prints (see ``templates/pdf/ticket_record.html``)."""

    number: str
    subject: str
    description: str
    enterprise_name: str
    category: str
    category_en: str
    channel: str
    channel_en: str
    filed_by: str
    submitted_at: dt.datetime
    status: str
    status_en: str
    lead_department: str
    lead_department_en: str
    co_departments: str
    co_departments_en: str
    confidential: bool
    rating: int | None
    rating_comment: str
    deadlines: tuple[RecordDeadline, ...]
    events: tuple[RecordEvent, ...]
    generated_at: dt.datetime
    generated_by: str

    @property
    def document_date(self) -> dt.date:
        return self.generated_at.astimezone(SHANGHAI).date()

    def document_title(self, bilingual: bool) -> str:
        title = f"企业维权诉求办理情况表 {self.number}"
        return f"{title} Ticket handling record" if bilingual else title


TEMPLATE = PdfTemplate(
    name=TEMPLATE_NAME,
    version=2,
    kind=DocumentKind.ticket_record,
    context_type=TicketRecordContext,
    files=("pdf/ticket_record.html", "pdf/_ticket_record.css", *SHARED_FILES),
    fingerprint="410f88b07b6150c1",
)


def register_template() -> None:
    """Make the template known to the document renderer (idempotent)."""
    TEMPLATES.setdefault(TEMPLATE.name, TEMPLATE)


register_template()


def _local(ts: dt.datetime | None) -> str:
    return ts.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if ts else ""


def _event_note(event: dict[str, Any]) -> tuple[str, str]:
    """The event's note, or what its data says for the events that carry no text."""
    data = event.get("data") or {}
    action = event["action"]
    if action in ("chase", "escalate") and data.get("deadline"):
        zh, en = _pair(DEADLINES, data["deadline"])
        due = dt.datetime.fromisoformat(data["due_at"]) if data.get("due_at") else None
        who = (
            ("维权中心", "the service desk")
            if data.get("responsible") == "desk"
            else ("主办部门", "the lead department")
        )
        text = f"{zh}（{_local(due)}）已超期，由{who[0]}办理"
        text_en = f"{en} deadline ({_local(due)}) passed; {who[1]} owes the next step"
        if action == "escalate" and data.get("working_days") is not None:
            text += f"；超期逾{data['working_days']}个工作日，报园区领导"
            text_en += f"; more than {data['working_days']} working days overdue"
        return text, text_en
    note = event.get("note") or ""
    extra, extra_en = [], []
    if event.get("departments"):
        for d in event["departments"]:
            dep = d["department"]
            extra.append(f"{dep.name}（{'主办' if d['lead'] else '协办'}）")
            extra_en.append(f"{dep.name_en} ({'lead' if d['lead'] else 'co-handling'})")
    if data.get("rating"):
        extra.append(f"评分 {data['rating']}/5")
        extra_en.append(f"rating {data['rating']}/5")
    if data.get("days") and action in ("request_extension", "approve_extension"):
        extra.append(f"{data['days']}个工作日")
        extra_en.append(f"{data['days']} working days")
    if data.get("merged_into_number"):
        extra.append(f"并入 {data['merged_into_number']}")
        extra_en.append(f"merged into {data['merged_into_number']}")
    zh = "；".join(extra)
    en = "; ".join(extra_en)
    return (f"{zh}\n{note}" if zh and note else zh or note), (
        f"{en}\n{note}" if en and note else en or note
    )


def build_context(
    view: dict[str, Any], *, generated_by: str, now: dt.datetime
) -> TicketRecordContext:
    """The record's content from ``reading.ticket_view`` (the desk's or lead department's view)."""
    ticket = view["ticket"]
    lead = view.get("lead_department")
    co = view.get("co_departments") or []
    deadlines = []
    for row in view["deadlines"]:
        zh, en = _pair(DEADLINES, row["key"])
        met = row["met_at"]
        if met is not None:
            result, result_en = ("按时", "on time") if met <= row["due_at"] else ("超时", "late")
        elif row["late"]:
            result, result_en = ("已超期", "overdue")
        else:
            result, result_en = ("未到期", "running")
        deadlines.append(
            RecordDeadline(zh, en, row["due_at"], met, result, result_en, row["provisional"])
        )
    events = []
    for event in view["timeline"]:
        action, action_en = _pair(ACTIONS, event["action"])
        change = change_en = ""
        before, after = event["from_status"], event["to_status"]
        if before and after and before != after:
            a, b = _pair(STATUS, before), _pair(STATUS, after)
            change, change_en = f"{a[0]} → {b[0]}", f"{a[1]} → {b[1]}"
        role, role_en = _pair(ROLES, event.get("actor_role"))
        note, note_en = _event_note(event)
        events.append(
            RecordEvent(
                at=event["at"],
                actor=event["actor"],
                role=role,
                role_en=role_en,
                action=action,
                action_en=action_en,
                status_change=change,
                status_change_en=change_en,
                note=note,
                note_en=note_en,
                internal=bool(event["internal"]),
                attachments=tuple(a.original_name for a in event.get("attachments") or []),
            )
        )
    category = view["category"]
    status, status_en = _pair(STATUS, ticket.status)
    channel, channel_en = _pair(CHANNELS, ticket.channel)
    return TicketRecordContext(
        number=ticket.number,
        subject=ticket.subject,
        description=ticket.description or "",
        enterprise_name=view["enterprise_name"] or "",
        category=category.name,
        category_en=category.name_en,
        channel=channel,
        channel_en=channel_en,
        filed_by=view.get("filed_by") or "",
        submitted_at=ticket.submitted_at,
        status=status,
        status_en=status_en,
        lead_department=lead.name if lead else "",
        lead_department_en=lead.name_en if lead else "",
        co_departments="、".join(d.name for d in co),
        co_departments_en=", ".join(d.name_en for d in co),
        confidential=bool(ticket.confidential),
        rating=ticket.rating,
        rating_comment=ticket.rating_comment or "",
        deadlines=tuple(deadlines),
        events=tuple(events),
        generated_at=now,
        generated_by=generated_by,
    )


async def generate(
    db: AsyncSession,
    settings: Settings,
    user: CurrentUser,
    ticket_id: int,
    *,
    language: DocumentLanguage | str = DocumentLanguage.zh,
    now: dt.datetime | None = None,
) -> Document:
    """Render and store the handling record of a ticket the user may see (404 otherwise); only
    the desk, park admins and the lead department may make one (403 for a co-handling one)."""
    now = now or utcnow()
    try:
        language = DocumentLanguage(language)
    except ValueError:
        language = DocumentLanguage.zh
    view = await reading.ticket_view(db, user, ticket_id, now=now, events_page=None)
    if view["role"] not in GENERATORS:
        raise PermissionDenied(
            N_("Only the service desk and the lead department keep this record.")
        )
    context = build_context(view, generated_by=user.display_name, now=now)
    ticket = view["ticket"]
    return await documents.generate_document(
        db,
        user,
        template=TEMPLATE_NAME,
        context=context,
        language=language,
        entity="ticket",
        entity_id=ticket.id,
        enterprise_id=None,
        filename=f"{ticket.number}-办理情况表.pdf",
        documents_dir=settings.documents_dir,
    )
