"""The handling record's content, built from the ticket page's view (no database)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from parkops.documents.render import TEMPLATES, render_html, template_fingerprint
from parkops.tickets import record

SH = ZoneInfo("Asia/Shanghai")


def at(d, hh=10, mm=0):
    return dt.datetime(2026, 3, d, hh, mm, tzinfo=SH)


def view():
    lead = SimpleNamespace(name="市场监督管理局", name_en="Market Supervision Administration")
    co = SimpleNamespace(name="公安局经济犯罪侦查大队", name_en="PSB Economic Crime Unit")
    ticket = SimpleNamespace(
        number="WQ-2026-000007", subject="假冒羽绒服", description="网店销售假货", status="replied",
        channel="phone", submitted_at=at(2), confidential=True, rating=None, rating_comment=None,
    )  # fmt: skip
    event = {"from_status": "dispatched", "to_status": "dispatched", "internal": True}
    return {
        "ticket": ticket,
        "category": SimpleNamespace(name="知识产权与假冒侵权", name_en="IP"),
        "enterprise_name": "红星羽绒服饰有限公司",
        "filed_by": "坐席",
        "lead_department": lead,
        "co_departments": [co],
        "deadlines": [
            {"key": "accept", "due_at": at(3, 17, 30), "met_at": at(2, 11), "late": False,
             "provisional": False},
            {"key": "first_reply", "due_at": at(5, 17, 30), "met_at": at(6, 11), "late": True,
             "provisional": False},
            {"key": "resolve", "due_at": at(23, 17, 30), "met_at": None, "late": True,
             "provisional": True},
        ],
        "timeline": [
            {"at": at(2), "actor": "坐席", "actor_role": "desk", "action": "dispatch",
             "from_status": "accepted", "to_status": "dispatched", "note": None, "internal": True,
             "data": {"lead_department_id": 1}, "attachments": [],
             "departments": [{"department": lead, "lead": True},
                             {"department": co, "lead": False}]},
            {**event, "at": at(6), "actor": "督办 Supervision", "actor_role": None,
             "action": "chase", "note": None, "attachments": [], "departments": [],
             "data": {"deadline": "first_reply", "due_at": "2026-03-05T09:30:00+00:00",
                      "responsible": "department"}},
            {**event, "at": at(12), "actor": "督办 Supervision", "actor_role": None,
             "action": "escalate", "note": None, "attachments": [], "departments": [],
             "data": {"deadline": "first_reply", "due_at": "2026-03-05T09:30:00+00:00",
                      "responsible": "department", "working_days": 3}},
            {"at": at(13), "actor": "王建国", "actor_role": "lead_department", "action": "reply",
             "from_status": "in_progress", "to_status": "replied", "note": "已下架",
             "internal": False, "data": None, "departments": [],
             "attachments": [SimpleNamespace(original_name="处罚决定书.pdf")]},
        ],
    }  # fmt: skip


def test_context_describes_deadlines_and_events():
    ctx = record.build_context(view(), generated_by="坐席", now=at(20))
    assert [(d.label, d.result) for d in ctx.deadlines] == [
        ("受理时限", "按时"),
        ("首次响应时限", "超时"),
        ("办结时限", "已超期"),
    ]
    assert ctx.deadlines[2].provisional
    dispatch, chase, escalate, reply = ctx.events
    assert dispatch.action == "派单" and dispatch.status_change == "已受理 → 已派单"
    assert "市场监督管理局（主办）" in dispatch.note and "（协办）" in dispatch.note
    assert chase.action == "督办"
    assert chase.note == "首次响应时限（2026-03-05 17:30）已超期，由主办部门办理"
    assert "逾3个工作日" in escalate.note and "working days overdue" in escalate.note_en
    assert reply.attachments == ("处罚决定书.pdf",) and reply.note == "已下架"
    assert ctx.document_date == dt.date(2026, 3, 20)
    assert ctx.co_departments == "公安局经济犯罪侦查大队"


def test_template_is_registered_and_renders_both_languages():
    assert TEMPLATES["ticket_record"] is record.TEMPLATE
    ctx = record.build_context(view(), generated_by="坐席", now=at(20))
    zh = render_html("ticket_record", ctx, language="zh")
    assert "企业维权诉求办理情况表" in zh and "WQ-2026-000007" in zh and "保密" in zh
    assert "TICKET HANDLING RECORD" not in zh and "Market Supervision Administration" not in zh
    both = render_html("ticket_record", ctx, language="zh_en")
    assert "TICKET HANDLING RECORD" in both and "Market Supervision Administration" in both


def test_template_files_match_the_recorded_version():
    current = template_fingerprint(record.TEMPLATE)
    assert current == record.TEMPLATE.fingerprint, (
        "templates/pdf/ticket_record.html or a shared print file changed: set "
        f'version={record.TEMPLATE.version + 1}, fingerprint="{current}" in '
        "parkops/tickets/record.py"
    )
