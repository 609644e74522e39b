"""The tickets part of the JSON API (``/api/v1/tickets``, ``/api/v1/notifications``): tickets,
the catalogue, the calendar, notifications, and the desk's oversight (supervision, statistics,
handling records)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from litestar import Controller, Request, delete, get, patch, post, put
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import File

from parkops.accounts.roles import ANY_USER
from parkops.core.errors import ValidationFailed
from parkops.core.i18n import N_
from parkops.core.web import form_data
from parkops.db.base import utcnow
from parkops.db.request_session import DbSession
from parkops.tickets import catalogue, notifications, record, repository, schemas, statistics
from parkops.tickets.http import (
    DESK,
    ENTERPRISE,
    FILERS,
    RECORD_ROLES,
    STAFF_TICKETS,
    TICKET_USERS,
    UPLOAD_LIMIT,
    download,
    read_uploads,
    settings,
)
from parkops.tickets.services import (
    actions,
    calendar_table,
    filing,
    notes,
    reading,
    supervision,
    supervision_board,
)


def _summary(row: dict) -> schemas.TicketSummary:
    return schemas.TicketSummary(
        **{k: row[k] for k in schemas.TicketSummary.model_fields if k in row and k != "overdue"},
        overdue=bool(row["is_overdue"]),
    )


def _attachment_out(ticket_id: int, a) -> schemas.AttachmentOut:
    return schemas.AttachmentOut(
        id=a.id,
        name=a.original_name,
        content_type=a.content_type,
        size_bytes=a.size_bytes,
        created_at=a.created_at,
        internal=a.internal,
        url=f"/api/v1/tickets/{ticket_id}/attachments/{a.id}",
    )


def _state(view: dict[str, Any]) -> dict[str, Any]:
    """The fields of ``schemas.TicketState`` from a ``reading.ticket_view``."""
    t = view["ticket"]
    return dict(
        **t.model_dump(
            include={
                "id",
                "number",
                "subject",
                "description",
                "status",
                "confidential",
                "channel",
                "preferred_contact",
                "contact_name",
                "contact_detail",
                "enterprise_id",
                "category_id",
                "lead_department_id",
                "reopen_count",
                "rating",
                "rating_comment",
                "submitted_at",
                "accepted_at",
                "first_replied_at",
                "resolved_at",
                "closed_at",
                "extension_days",
                "extension_requested_days",
            }
        ),
        enterprise_name=view["enterprise_name"],
        category_name=view["category"].name,
        co_department_ids=[d.id for d in view["co_departments"]],
        merged_into_number=view["merged_into_number"],
        paused=view["paused"],
        overdue=view["is_overdue"],
        your_role=view["role"].value,
        available_actions=[a.value for a in view["actions"]],
        can_rate=view["can_rate"],
        deadlines=[
            schemas.DeadlineOut(
                key=d["key"],
                due_at=d["due_at"],
                met_at=d["met_at"],
                provisional=d["provisional"],
                unknown_years=d["years"],
            )
            for d in view["deadlines"]
        ],
    )


def _detail(view: dict[str, Any]) -> schemas.TicketDetail:
    t = view["ticket"]
    return schemas.TicketDetail(
        **_state(view),
        events=[_event_out(t.id, e) for e in view["timeline"]],
        events_total=view["timeline_page"].total,
        events_pages=view["timeline_page"].pages,
    )


def _event_out(ticket_id: int, e: dict[str, Any]) -> schemas.EventOut:
    return schemas.EventOut(
        **{k: e[k] for k in ("id", "at", "actor", "actor_role", "action", "note")},
        from_status=e["from_status"],
        to_status=e["to_status"],
        internal=e["internal"],
        data=e["data"],
        attachments=[_attachment_out(ticket_id, a) for a in e["attachments"]],
    )


async def _detail_for(db: DbSession, request: Request, ticket_id: int) -> schemas.TicketDetail:
    return _detail(await reading.ticket_view(db, request.user, ticket_id))


async def _result_for(db: DbSession, request: Request, ticket_id: int) -> schemas.ActionResult:
    """The ticket and the event just written: the latest one the user may see (a timeline of
    one event, so the answer stays small however long the history)."""
    view = await reading.ticket_view(db, request.user, ticket_id, events_page_size=1)
    latest = view["timeline"][-1] if view["timeline"] else None
    return schemas.ActionResult(
        **_state(view), event=_event_out(ticket_id, latest) if latest else None
    )


def _category_out(row: dict) -> schemas.CategoryOut:
    return schemas.CategoryOut(**{k: row[k] for k in schemas.CategoryOut.model_fields})


class TicketsApi(Controller):
    path = "/api/v1/tickets"
    tags = ["tickets"]

    # -- tickets --------------------------------------------------------------------------

    @get("/", opt={"roles": TICKET_USERS}, summary="Tickets I may see (the queue)")
    async def list_tickets(
        self,
        request: Request,
        db: DbSession,
        status: FromQuery[str | None] = None,
        category_id: FromQuery[int | None] = None,
        department_id: FromQuery[int | None] = None,
        overdue: FromQuery[bool] = False,
        q: FromQuery[str | None] = None,
        order: FromQuery[str] = "due",
        page: FromQuery[int] = 1,
        page_size: FromQuery[int] = 20,
    ) -> schemas.TicketPage:
        """``status``: a status, ``open`` (default), ``paused`` or ``all``; ``order``: ``due``
        (next deadline first) or ``newest``."""
        filters = repository.QueueFilters(
            status=status or "open",
            category_id=category_id,
            department_id=department_id,
            overdue=overdue,
            q=q,
            newest_first=order == "newest",
        )
        result = await repository.queue(
            db, request.user, filters, now=utcnow(), page=page, page_size=page_size
        )
        return schemas.TicketPage(**result.as_dict([_summary(r) for r in result.items]))

    @post("/", opt={"roles": FILERS}, summary="File a ticket", status_code=201)
    async def file_ticket(
        self, request: Request, db: DbSession, data: JSONBody[schemas.TicketCreate]
    ) -> schemas.TicketDetail:
        ticket = await filing.file_ticket(db, settings(request), request.user, data.model_dump())
        return await _detail_for(db, request, ticket.id)

    @get(
        "/{ticket_id:int}",
        opt={"roles": TICKET_USERS},
        summary="One ticket with the latest page of its timeline",
    )
    async def get_ticket(
        self, request: Request, db: DbSession, ticket_id: FromPath[int]
    ) -> schemas.TicketDetail:
        """``events`` holds the latest 50 events; ``/{ticket_id}/events?page=2`` the ones before."""
        return await _detail_for(db, request, ticket_id)

    @post(
        "/{ticket_id:int}/actions",
        opt={"roles": TICKET_USERS},
        summary="Do a workflow action (accept, dispatch, start, reply, withdraw, ...)",
        status_code=200,
    )
    async def act(
        self,
        request: Request,
        db: DbSession,
        ticket_id: FromPath[int],
        data: JSONBody[schemas.ActionIn],
    ) -> schemas.ActionResult:
        """Answers the ticket as it now stands and the event the action made; the timeline is
        at ``/{ticket_id}/events``."""
        fields = data.model_dump(exclude_none=True)
        await actions.perform(
            db, settings(request), request.user, ticket_id, fields.pop("action"), fields
        )
        return await _result_for(db, request, ticket_id)

    @post(
        "/{ticket_id:int}/rating",
        opt={"roles": ENTERPRISE},
        summary="Rate the reply 1-5 (1-2 reopens the ticket once)",
        status_code=200,
    )
    async def rate(
        self,
        request: Request,
        db: DbSession,
        ticket_id: FromPath[int],
        data: JSONBody[schemas.RatingIn],
    ) -> schemas.ActionResult:
        await actions.rate(
            db, settings(request), request.user, ticket_id, data.rating, data.comment
        )
        return await _result_for(db, request, ticket_id)

    @post(
        "/{ticket_id:int}/notes",
        opt={"roles": STAFF_TICKETS},
        summary="Add an internal note (not shown to the enterprise)",
        status_code=201,
    )
    async def add_note(
        self,
        request: Request,
        db: DbSession,
        ticket_id: FromPath[int],
        data: JSONBody[schemas.NoteIn],
    ) -> schemas.EventOut:
        """Answers the note's event."""
        event = await notes.add_note(db, settings(request), request.user, ticket_id, data.note)
        # The note alone, not the history it joins (a busy ticket's is hundreds of KB).
        return schemas.EventOut(
            id=event.id,
            at=event.at,
            actor=event.actor_label,
            actor_role=event.actor_role,
            action=event.action,
            from_status=event.from_status,
            to_status=event.to_status,
            note=event.note,
            internal=True,
            data=event.data,
            attachments=[],
        )

    @get(
        "/{ticket_id:int}/events",
        opt={"roles": TICKET_USERS},
        summary="A ticket's timeline in pages (page 1: the latest events)",
    )
    async def events(
        self,
        request: Request,
        db: DbSession,
        ticket_id: FromPath[int],
        page: FromQuery[int] = 1,
        page_size: FromQuery[int] = reading.TIMELINE_PAGE_SIZE,
    ) -> schemas.EventPage:
        """Page 1 holds the latest events, page 2 the ones before; each page is oldest first.
        ``page_size``: at most 100."""
        timeline, found = await reading.timeline_page(db, request.user, ticket_id, page, page_size)
        return schemas.EventPage(**found.as_dict([_event_out(ticket_id, e) for e in timeline]))

    @post(
        "/{ticket_id:int}/attachments",
        opt={"roles": TICKET_USERS},
        summary="Upload files (multipart field 'attachments'; 'internal=1' for staff-only)",
        status_code=201,
        request_max_body_size=UPLOAD_LIMIT,
    )
    async def upload(
        self, request: Request, db: DbSession, ticket_id: FromPath[int]
    ) -> list[schemas.AttachmentOut]:
        data = await form_data(request)
        rows = await notes.attach_files(
            db,
            settings(request),
            request.user,
            ticket_id,
            await read_uploads(data),
            internal=str(data.get("internal", "")).lower() in ("1", "true", "on"),
        )
        return [_attachment_out(ticket_id, r) for r in rows]

    @get(
        "/{ticket_id:int}/attachments/{attachment_id:int}",
        opt={"roles": TICKET_USERS},
        summary="Download an attachment",
        media_type="application/octet-stream",
    )
    async def download(
        self,
        request: Request,
        db: DbSession,
        ticket_id: FromPath[int],
        attachment_id: FromPath[int],
    ) -> File:
        return await download(request, db, ticket_id, attachment_id)

    # -- catalogue ------------------------------------------------------------------------

    @get("/departments", opt={"roles": TICKET_USERS}, summary="Departments")
    async def departments(self, db: DbSession) -> list[schemas.DepartmentOut]:
        return [
            schemas.DepartmentOut(**d.model_dump()) for d in await catalogue.list_departments(db)
        ]

    @post("/departments", opt={"roles": DESK}, summary="Add a department", status_code=201)
    async def create_department(
        self, request: Request, db: DbSession, data: JSONBody[schemas.DepartmentIn]
    ) -> schemas.DepartmentOut:
        row = await catalogue.create_department(
            db, request.user, data.model_dump(exclude_none=True)
        )
        return schemas.DepartmentOut(**row.model_dump())

    @patch("/departments/{department_id:int}", opt={"roles": DESK}, summary="Change a department")
    async def update_department(
        self,
        request: Request,
        db: DbSession,
        department_id: FromPath[int],
        data: JSONBody[schemas.DepartmentIn],
    ) -> schemas.DepartmentOut:
        current = await catalogue.get_department(db, department_id)
        merged = {**current.model_dump(), **data.model_dump(exclude_none=True)}
        row = await catalogue.update_department(db, request.user, department_id, merged)
        return schemas.DepartmentOut(**row.model_dump())

    @get("/categories", opt={"roles": TICKET_USERS}, summary="The dispatch catalogue")
    async def categories(self, db: DbSession) -> list[schemas.CategoryOut]:
        return [_category_out(r) for r in await catalogue.list_categories(db)]

    @post("/categories", opt={"roles": DESK}, summary="Add a category", status_code=201)
    async def create_category(
        self, request: Request, db: DbSession, data: JSONBody[schemas.CategoryIn]
    ) -> schemas.CategoryOut:
        row = await catalogue.create_category(db, request.user, data.model_dump(exclude_none=True))
        return await self._category(db, row.id)

    @patch("/categories/{category_id:int}", opt={"roles": DESK}, summary="Change a category")
    async def update_category(
        self,
        request: Request,
        db: DbSession,
        category_id: FromPath[int],
        data: JSONBody[schemas.CategoryIn],
    ) -> schemas.CategoryOut:
        await catalogue.update_category(
            db, request.user, category_id, data.model_dump(exclude_none=True)
        )
        return await self._category(db, category_id)

    async def _category(self, db: DbSession, category_id: int) -> schemas.CategoryOut:
        rows = [r for r in await catalogue.list_categories(db) if r["id"] == category_id]
        return _category_out(rows[0])

    # -- calendar -------------------------------------------------------------------------

    @get("/calendar", opt={"roles": DESK}, summary="The working-day calendar of a year")
    async def calendar(self, db: DbSession, year: FromQuery[int]) -> schemas.CalendarYearOut:
        view = await calendar_table.year_view(db, year)
        return schemas.CalendarYearOut(
            year=view["year"],
            status=view["status"].value,
            filled=view["filled"],
            rows=[
                schemas.CalendarDayOut(day=r.day, kind=r.kind, note=r.note) for r in view["rows"]
            ],
            special_days=[
                schemas.SpecialDayOut(
                    day=d.date, working=d.working, source=d.source.value, note=d.note
                )
                for d in view["special_days"]
            ],
        )

    @put(
        "/calendar/days/{day:str}",
        opt={"roles": DESK},
        summary="Mark a date as holiday, working day or park closure",
    )
    async def set_day(
        self,
        request: Request,
        db: DbSession,
        day: FromPath[str],
        data: JSONBody[schemas.CalendarDayIn],
    ) -> schemas.CalendarDayOut:
        row = await calendar_table.set_day(db, request.user, {"day": day, **data.model_dump()})
        return schemas.CalendarDayOut(day=row.day, kind=row.kind, note=row.note)

    @delete("/calendar/days/{day:str}", opt={"roles": DESK}, summary="Remove a date's entry")
    async def delete_day(self, request: Request, db: DbSession, day: FromPath[str]) -> None:
        parsed = calendar_table.parse_day(day)
        if parsed is None:
            raise ValidationFailed(field_errors={"day": N_("Not a date (YYYY-MM-DD)")})
        await calendar_table.delete_day(db, request.user, parsed)

    @put(
        "/calendar/years/{year:int}",
        opt={"roles": DESK},
        summary="Declare a year's calendar complete; provisional deadlines are recomputed",
    )
    async def fill_year(
        self, request: Request, db: DbSession, year: FromPath[int]
    ) -> schemas.RecomputeOut:
        count = await calendar_table.set_year_filled(db, request.user, year, True)
        return schemas.RecomputeOut(tickets_recomputed=count)

    @delete(
        "/calendar/years/{year:int}",
        opt={"roles": DESK},
        summary="Take back a year's completeness",
        status_code=200,
    )
    async def unfill_year(
        self, request: Request, db: DbSession, year: FromPath[int]
    ) -> schemas.RecomputeOut:
        count = await calendar_table.set_year_filled(db, request.user, year, False)
        return schemas.RecomputeOut(tickets_recomputed=count)


class NotificationsApi(Controller):
    path = "/api/v1/notifications"
    tags = ["tickets"]
    opt = {"roles": ANY_USER}

    @get("/", summary="My notifications, newest first")
    async def list_notifications(
        self,
        request: Request,
        db: DbSession,
        unread: FromQuery[bool] = False,
        page: FromQuery[int] = 1,
    ) -> schemas.NotificationPage:
        result = await notifications.list_for_user(db, request.user, unread_only=unread, page=page)
        return schemas.NotificationPage(
            **result.as_dict([schemas.NotificationOut(**r) for r in result.items]),
            unread=await notifications.unread_count(db, request.user.id),
        )

    @post("/{notification_id:int}/read", summary="Mark one as read", status_code=200)
    async def read(
        self, request: Request, db: DbSession, notification_id: FromPath[int]
    ) -> schemas.NotificationOut:
        row = await notifications.mark_read(db, request.user, notification_id)
        return schemas.NotificationOut(**row.model_dump())

    @post("/read-all", summary="Mark all as read", status_code=200)
    async def read_all(self, request: Request, db: DbSession) -> dict:
        return {"marked": await notifications.mark_all_read(db, request.user)}


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
        data = await supervision_board.board(db, settings(request))
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
            request.app.state.session_maker, settings(request), actor=request.user
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
        report = await statistics.report_for_query(
            db, group, from_month, to_month, department_id, category_id
        )
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
            db, settings(request), request.user, ticket_id, language=language
        )
        return {
            "id": document.id,
            "filename": document.filename,
            "language": document.language,
            "template_version": document.template_version,
            "file_url": f"/api/v1/documents/{document.id}/file",
        }


ROUTES = [TicketsApi, NotificationsApi, OversightApi]
