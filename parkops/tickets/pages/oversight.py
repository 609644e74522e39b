"""The desk's oversight pages: supervision (overdue and soon-due tickets per department; the desk
can run the sweep now), the statistics with their CSV/XLSX exports, and generating a ticket's
handling record (also for the officers of the ticket's lead department)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Redirect, Response, Template

from parkops.core.context import language_var
from parkops.core.i18n import N_, gettext
from parkops.core.tabular import Column, csv_response, decimal, integer, text, xlsx_response
from parkops.core.web import form_data, redirect, render
from parkops.db.request_session import DbSession
from parkops.tickets import catalogue, record, statistics
from parkops.tickets.http import DESK, RECORD_ROLES, settings
from parkops.tickets.services import supervision, supervision_board
from parkops.tickets.trend_chart import TrendChart, trend_chart


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
        data = await supervision_board.board(db, settings(request))
        return render(request, "tickets/supervision.html", **data)

    @post("/sweep")
    async def sweep(self, request: Request) -> Redirect:
        result = await supervision.sweep_once(
            request.app.state.session_maker, settings(request), actor=request.user
        )
        return redirect(request, "/tickets/supervision", flash=_sweep_flash(result))


# --- statistics ---------------------------------------------------------------------------------

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


def _label(row: statistics.StatRow, lang: str) -> str:
    return row.label if lang == "zh" else row.label_en


def export_rows(report: statistics.Report, lang: str) -> list[dict[str, Any]]:
    return [row.as_dict() | {"name": _label(row, lang)} for row in [*report.rows, report.total]]


def _filename(report: statistics.Report, ext: str) -> str:
    first, last = report.period.first, report.period.last
    return f"维权统计-{report.group}-{first:%Y%m}-{last:%Y%m}.{ext}"


def chart_for(report: statistics.Report, lang: str) -> TrendChart:
    rates = ("accept_pct", "reply_pct", "resolve_pct", "satisfaction_pct")
    return trend_chart(
        [
            (_label(row, lang), row.counts["received"], {k: getattr(row, k) for k in rates})
            for row in report.trend
        ]
    )


async def provide_report(
    db: DbSession,
    group: str | None = None,
    from_month: str | None = None,
    to_month: str | None = None,
    department_id: str | None = None,
    category_id: str | None = None,
) -> statistics.Report:
    """The report the query of a statistics page asks for (a dependency of the pages)."""
    return await statistics.report_for_query(
        db, group, from_month, to_month, department_id, category_id
    )


ReportQuery = NamedDependency[statistics.Report]


class StatisticsPages(Controller):
    path = "/tickets/statistics"
    include_in_schema = False
    opt = {"roles": DESK}
    dependencies = {"report": Provide(provide_report)}

    @get("/")
    async def page(self, request: Request, db: DbSession, report: ReportQuery) -> Template:
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
            chart=chart_for(report, language_var.get()),
            query=query,
            departments=await catalogue.list_departments(db),
            categories=await catalogue.list_categories(db),
        )

    @get("/export.csv")
    async def export_csv(self, report: ReportQuery) -> Response:
        return _export(report, "csv")

    @get("/export.xlsx")
    async def export_xlsx(self, report: ReportQuery) -> Response:
        return _export(report, "xlsx")


def _export(report: statistics.Report, ext: str) -> Response:
    rows = export_rows(report, language_var.get())
    respond = csv_response if ext == "csv" else xlsx_response
    return respond(export_columns(report.group), rows, _filename(report, ext))


class TicketRecordPages(Controller):
    path = "/tickets/{ticket_id:int}/record"
    include_in_schema = False
    opt = {"roles": RECORD_ROLES}

    @post("/")
    async def generate(self, request: Request, db: DbSession, ticket_id: FromPath[int]) -> Redirect:
        data = await form_data(request)
        document = await record.generate(
            db, settings(request), request.user, ticket_id, language=data.get("language") or "zh"
        )
        return Redirect(path=f"/documents/{document.id}", status_code=303)
