"""HTTP for supervision and statistics of the ticket desk (pages and API), and the ticket
handling record (PDF).

* ``/tickets/supervision``: overdue and soon-due tickets per department; the desk can run the
  sweep now (it also runs from ``parkops tickets sweep`` and on a schedule);
* ``/tickets/statistics``: the three rates per department, category or month with the monthly
  trend, exported as CSV or XLSX with the same filters;
* ``POST /tickets/{id}/record``: generate the handling record and download it.

Supervision and statistics are for the service desk and park admins; the record also for the
ticket's lead department, whose officers may then download it (the access rule below).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template

from parkops.accounts.identity import CurrentUser
from parkops.accounts.roles import Role
from parkops.core.i18n import N_, gettext
from parkops.core.parsing import optional_int
from parkops.core.tabular import Column, csv_response, decimal, integer, text, xlsx_response
from parkops.core.web import form_data, redirect, render
from parkops.db.base import utcnow
from parkops.db.request_session import DbSession
from parkops.documents.models import Document
from parkops.tickets import catalogue, record, statistics
from parkops.tickets.models import Ticket
from parkops.tickets.services import supervision, supervision_board
from parkops.tickets.trend_chart import trend_chart

DESK = frozenset({Role.service_desk, Role.park_admin})
RECORD_ROLES = DESK | {Role.gov_officer}


def records_for_lead_department(user: CurrentUser):
    """Officers may download the handling records of the tickets their department leads."""
    if Role.gov_officer not in user.roles or user.department_id is None:
        return None
    return sa.and_(
        Document.entity == "ticket",
        Document.entity_id.in_(
            sa.select(Ticket.id).where(Ticket.lead_department_id == user.department_id)
        ),
    )


def _settings(request: Request):
    return request.app.state.settings


# --- supervision --------------------------------------------------------------------------------


def _sweep_flash(result: supervision.SweepResult) -> tuple[str, str]:
    if result.skipped:
        return ("warning", N_("Another sweep is running; try again in a moment."))
    message = gettext(
        "Sweep done: %(marked)s marked overdue, %(chased)s deadlines chased, %(escalated)s "
        "escalated, %(notifications)s notifications sent."
    )
    return ("success", message % result.summary())


class SupervisionPages(Controller):
    path = "/tickets/supervision"
    include_in_schema = False
    opt = {"roles": DESK}

    @get("/")
    async def page(self, request: Request, db: DbSession) -> Template:
        data = await supervision_board.board(db, _settings(request))
        return render(request, "tickets/supervision.html", **data)

    @post("/sweep")
    async def sweep(self, request: Request) -> Redirect:
        result = await supervision.sweep_once(
            request.app.state.session_maker, _settings(request), actor=request.user
        )
        return redirect(request, "/tickets/supervision", flash=_sweep_flash(result))


# --- statistics ---------------------------------------------------------------------------------


async def _report(
    db: DbSession,
    group: str | None,
    from_month: str | None,
    to_month: str | None,
    department_id: str | None,
    category_id: str | None,
) -> statistics.Report:
    now = utcnow()
    today = now.astimezone(statistics.SHANGHAI).date()
    period = statistics.Period.from_query(from_month, to_month, today)
    return await statistics.report(
        db,
        period,
        group or "department",
        department_id=optional_int(department_id),
        category_id=optional_int(category_id),
        now=now,
    )


GROUP_LABELS = {
    "department": ("Department", "部门"),
    "category": ("Category", "类别"),
    "month": ("Month", "月份"),
}


def export_columns(group: str) -> list[Column]:
    label_en, label_zh = GROUP_LABELS[group]
    pct, days = decimal(places=1), decimal(places=1)
    return [
        Column("name", label_en, label_zh, parse=text()),
        Column("received", "Received", "收件数", parse=integer()),
        Column("open", "Open", "未办结", parse=integer()),
        Column("overdue", "Overdue now", "当前超期", parse=integer()),
        Column("accept_judged", "Acceptance judged", "受理应考核", parse=integer()),
        Column("accept_on_time", "Accepted on time", "按时受理", parse=integer()),
        Column("accept_pct", "Accepted on time %", "按时受理率%", parse=pct),
        Column("reply_judged", "First reply judged", "响应应考核", parse=integer()),
        Column("reply_on_time", "Replied on time", "按时响应", parse=integer()),
        Column("reply_pct", "Replied on time %", "按时响应率%", parse=pct),
        Column("resolve_judged", "Resolution judged", "办结应考核", parse=integer()),
        Column("resolve_on_time", "Resolved on time", "按时办结", parse=integer()),
        Column("resolve_pct", "Resolved on time %", "按时办结率%", parse=pct),
        Column("avg_reply_days", "Avg. working days to reply", "平均响应工作日", parse=days),
        Column("avg_resolve_days", "Avg. working days to resolve", "平均办结工作日", parse=days),
        Column("rated", "Rated", "评价数", parse=integer()),
        Column("satisfied", "Satisfied (4-5)", "满意数", parse=integer()),
        Column("satisfaction_pct", "Satisfaction %", "满意率%", parse=pct),
    ]


def export_rows(report: statistics.Report, lang: str) -> list[dict[str, Any]]:
    rows = []
    for row in [*report.rows, report.total]:
        item = row.as_dict()
        item["name"] = row.label if lang == "zh" else row.label_en
        rows.append(item)
    return rows


def _filename(report: statistics.Report, ext: str) -> str:
    first, last = report.period.first, report.period.last
    return f"维权统计-{report.group}-{first:%Y%m}-{last:%Y%m}.{ext}"


def chart_for(report: statistics.Report, lang: str):
    return trend_chart(
        [
            (
                row.label if lang == "zh" else row.label_en,
                row.counts["received"],
                {
                    "accept_pct": row.accept_pct,
                    "reply_pct": row.reply_pct,
                    "resolve_pct": row.resolve_pct,
                    "satisfaction_pct": row.satisfaction_pct,
                },
            )
            for row in report.trend
        ]
    )


def _lang(request: Request) -> str:
    from parkops.core.context import language_var

    return language_var.get()


class StatisticsPages(Controller):
    path = "/tickets/statistics"
    include_in_schema = False
    opt = {"roles": DESK}

    @get("/")
    async def page(
        self,
        request: Request,
        db: DbSession,
        group: FromQuery[str | None] = None,
        from_month: FromQuery[str | None] = None,
        to_month: FromQuery[str | None] = None,
        department_id: FromQuery[str | None] = None,
        category_id: FromQuery[str | None] = None,
    ) -> Template:
        report = await _report(db, group, from_month, to_month, department_id, category_id)
        query = {
            "group": report.group,
            "from_month": f"{report.period.first:%Y-%m}",
            "to_month": f"{report.period.last:%Y-%m}",
            "department_id": report.department_id or "",
            "category_id": report.category_id or "",
        }
        return render(
            request,
            "tickets/statistics.html",
            report=report,
            chart=chart_for(report, _lang(request)),
            query=query,
            departments=await catalogue.list_departments(db),
            categories=await catalogue.list_categories(db),
        )

    @get("/export.csv")
    async def export_csv(
        self,
        request: Request,
        db: DbSession,
        group: FromQuery[str | None] = None,
        from_month: FromQuery[str | None] = None,
        to_month: FromQuery[str | None] = None,
        department_id: FromQuery[str | None] = None,
        category_id: FromQuery[str | None] = None,
    ) -> Response:
        report = await _report(db, group, from_month, to_month, department_id, category_id)
        lang = _lang(request)
        return csv_response(
            export_columns(report.group), export_rows(report, lang), _filename(report, "csv")
        )

    @get("/export.xlsx")
    async def export_xlsx(
        self,
        request: Request,
        db: DbSession,
        group: FromQuery[str | None] = None,
        from_month: FromQuery[str | None] = None,
        to_month: FromQuery[str | None] = None,
        department_id: FromQuery[str | None] = None,
        category_id: FromQuery[str | None] = None,
    ) -> Response:
        report = await _report(db, group, from_month, to_month, department_id, category_id)
        lang = _lang(request)
        return xlsx_response(
            export_columns(report.group), export_rows(report, lang), _filename(report, "xlsx")
        )


# --- the handling record ------------------------------------------------------------------------


class TicketRecordPages(Controller):
    path = "/tickets/{ticket_id:int}/record"
    include_in_schema = False
    opt = {"roles": RECORD_ROLES}

    @post("/")
    async def generate(self, request: Request, db: DbSession, ticket_id: FromPath[int]) -> Redirect:
        data = await form_data(request)
        document = await record.generate(
            db, _settings(request), request.user, ticket_id, language=data.get("language") or "zh"
        )
        return Redirect(path=f"/documents/{document.id}", status_code=303)


# --- API ----------------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


class OversightApi(Controller):
    path = "/api/v1/tickets"
    tags = ["tickets"]
    opt = {"roles": DESK}

    @get("/supervision", summary="Overdue and soon-due tickets per department")
    async def supervision_board(self, request: Request, db: DbSession) -> dict[str, Any]:
        data = await supervision_board.board(db, _settings(request))
        groups = []
        for g in data["groups"]:
            groups.append(
                {
                    "department_id": g.department_id,
                    "department": g.department.name if g.department else None,
                    "overdue": g.overdue,
                    "due_soon": g.soon,
                    "long_overdue": g.long_overdue,
                    "overdue_tickets": [
                        {k: r[k] for k in ("id", "number", "subject", "status", "next_due_at")}
                        | {"working_days_overdue": r["working_days_overdue"]}
                        for r in g.overdue_rows
                    ],
                    "due_soon_tickets": [
                        {k: r[k] for k in ("id", "number", "subject", "status", "next_due_at")}
                        for r in g.soon_rows
                    ],
                }
            )
        return _jsonable(
            {
                "due_soon_until": data["soon_until"],
                "escalation_days": data["escalation_days"],
                "totals": data["totals"],
                "groups": groups,
            }
        )

    @post("/supervision/sweep", summary="Run the overdue sweep now", status_code=200)
    async def run_sweep(self, request: Request) -> dict[str, Any]:
        result = await supervision.sweep_once(
            request.app.state.session_maker, _settings(request), actor=request.user
        )
        return {"skipped": result.skipped, **result.summary(), "emails": result.mails_sent}

    @get("/statistics", summary="The three rates per department, category or month")
    async def statistics_report(
        self,
        db: DbSession,
        group: FromQuery[str | None] = None,
        from_month: FromQuery[str | None] = None,
        to_month: FromQuery[str | None] = None,
        department_id: FromQuery[int | None] = None,
        category_id: FromQuery[int | None] = None,
    ) -> dict[str, Any]:
        report = await _report(db, group, from_month, to_month, department_id, category_id)
        return _jsonable(
            {
                "group": report.group,
                "from_month": f"{report.period.first:%Y-%m}",
                "to_month": f"{report.period.last:%Y-%m}",
                "rows": [r.as_dict() for r in report.rows],
                "total": report.total.as_dict(),
                "trend": [r.as_dict() for r in report.trend],
            }
        )

    @post(
        "/{ticket_id:int}/record",
        opt={"roles": RECORD_ROLES},
        summary="Generate the ticket's handling record (PDF)",
        status_code=201,
    )
    async def generate_record(
        self,
        request: Request,
        db: DbSession,
        ticket_id: FromPath[int],
        language: FromQuery[str] = "zh",
    ) -> dict[str, Any]:
        document = await record.generate(
            db, _settings(request), request.user, ticket_id, language=language
        )
        return {
            "id": document.id,
            "filename": document.filename,
            "language": document.language,
            "template_version": document.template_version,
            "file_url": f"/api/v1/documents/{document.id}/file",
        }


ROUTES: list = [SupervisionPages, StatisticsPages, TicketRecordPages, OversightApi]
