"""API shapes of the tickets domain.

Input models are deliberately lenient (plain strings and optional fields): the service validates
and answers 422 with field errors, the same messages the pages show.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field


class TicketCreate(BaseModel):
    category_id: int | None = None
    subject: str = ""
    description: str = ""
    confidential: bool = False
    preferred_contact: str = "in_app"
    contact_name: str = ""
    contact_detail: str = ""
    enterprise_id: int | None = Field(
        default=None, description="Desk only: the enterprise the ticket is filed for"
    )
    channel: str | None = Field(default=None, description="Desk only: phone or walk_in")


class TicketSummary(BaseModel):
    id: int
    number: str
    subject: str
    status: str
    confidential: bool
    channel: str
    submitted_at: datetime
    next_due_at: datetime | None
    resolve_due_at: datetime | None
    resolve_due_provisional: bool
    overdue: bool
    rating: int | None
    enterprise_id: int
    enterprise_name: str | None
    category_name: str
    lead_department_id: int | None
    lead_department_name: str | None


class TicketPage(BaseModel):
    items: list[TicketSummary]
    total: int
    page: int
    page_size: int
    pages: int


class DeadlineOut(BaseModel):
    key: str
    due_at: datetime
    met_at: datetime | None
    provisional: bool
    unknown_years: list[int]


class AttachmentOut(BaseModel):
    id: int
    name: str
    content_type: str
    size_bytes: int
    created_at: datetime
    internal: bool
    url: str


class EventOut(BaseModel):
    id: int
    at: datetime
    actor: str
    actor_role: str | None
    action: str
    from_status: str | None
    to_status: str | None
    note: str | None
    internal: bool
    data: dict | None
    attachments: list[AttachmentOut]


class TicketState(BaseModel):
    """A ticket as it stands, without its timeline."""

    id: int
    number: str
    subject: str
    description: str
    status: str
    confidential: bool
    channel: str
    preferred_contact: str
    contact_name: str
    contact_detail: str
    enterprise_id: int
    enterprise_name: str | None
    category_id: int
    category_name: str
    lead_department_id: int | None
    co_department_ids: list[int]
    merged_into_number: str | None
    reopen_count: int
    rating: int | None
    rating_comment: str | None
    submitted_at: datetime
    accepted_at: datetime | None
    first_replied_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    extension_days: int
    extension_requested_days: int | None
    paused: bool
    overdue: bool
    your_role: str
    available_actions: list[str]
    can_rate: bool
    deadlines: list[DeadlineOut]


class TicketDetail(TicketState):
    events: list[EventOut] = Field(
        description="The latest page of the timeline (at most 50 events), oldest first;"
        " `GET /api/v1/tickets/{id}/events?page=2` has the earlier ones"
    )
    events_total: int = Field(description="Events in the whole timeline")
    events_pages: int = Field(description="Pages of the timeline")


class ActionResult(TicketState):
    """What an action or a rating answers: the ticket as it now stands and the event it made
    (not the whole history)."""

    event: EventOut | None


class EventPage(BaseModel):
    """A page of a ticket's timeline (page 1: the latest), oldest first within it."""

    items: list[EventOut]
    total: int
    page: int
    page_size: int
    pages: int


class ActionIn(BaseModel):
    action: str = Field(description="A workflow action, e.g. accept, dispatch, start, reply")
    note: str | None = None
    lead_department_id: int | None = Field(
        default=None, description="dispatch/redispatch; default: the category's lead department"
    )
    co_department_ids: list[int] | None = Field(
        default=None, description="dispatch/redispatch; default: the category's co-handling ones"
    )
    merge_into: str | None = Field(default=None, description="merge: the ticket number or id")
    days: int | None = Field(default=None, description="request_extension: working days")


class RatingIn(BaseModel):
    rating: int
    comment: str | None = None


class NoteIn(BaseModel):
    note: str = ""


class DepartmentIn(BaseModel):
    code: str | None = None
    name: str | None = None
    name_en: str | None = None
    kind: str | None = None
    is_active: bool | None = None


class DepartmentOut(BaseModel):
    id: int
    code: str
    name: str
    name_en: str
    kind: str
    is_active: bool


class CategoryIn(BaseModel):
    code: str | None = None
    name: str | None = None
    name_en: str | None = None
    lead_department_id: int | None = None
    co_department_ids: list[int] | None = None
    accept_days: int | None = None
    first_reply_days: int | None = None
    resolve_days: int | None = None
    return_days: int | None = None
    follow_up_days: int | None = None
    sort_order: int | None = None
    is_active: bool | None = None


class CategoryOut(BaseModel):
    id: int
    code: str
    name: str
    name_en: str
    lead_department_id: int
    co_department_ids: list[int]
    accept_days: int
    first_reply_days: int
    resolve_days: int
    return_days: int
    follow_up_days: int
    sort_order: int
    is_active: bool


class CalendarDayIn(BaseModel):
    kind: str = ""
    note: str = ""


class CalendarDayOut(BaseModel):
    day: date
    kind: str
    note: str


class SpecialDayOut(BaseModel):
    day: date
    working: bool
    source: str
    note: str


class CalendarYearOut(BaseModel):
    year: int
    status: str
    filled: bool
    rows: list[CalendarDayOut]
    special_days: list[SpecialDayOut]


class RecomputeOut(BaseModel):
    tickets_recomputed: int


class NotificationOut(BaseModel):
    id: int
    ticket_id: int | None
    kind: str
    text: str
    created_at: datetime
    read_at: datetime | None


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    total: int
    page: int
    page_size: int
    pages: int
    unread: int
