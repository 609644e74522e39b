"""Tables of the tickets domain: departments, the dispatch catalogue, the working-day calendar,
tickets with their events, pauses, attachments, and the in-app notifications.

Deadlines are stored, not derived on every read: each SLA deadline is a ``timestamptz`` column
with a ``*_provisional`` flag (True while the calendar of a year it runs through is unknown) and
the anchor it counts from plus the limit in working days are stored on the ticket too, so that
:func:`parkops.tickets.rules.deadlines.compute` can recompute any of them later (after a pause
ends, an extension is approved, or the admins fill in a year) from the row alone. ``next_due_at``
is the deadline the current state works toward (``rules.sla.sla_clock``), kept for queues and the
sweep.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from parkops.core.workdays import OverrideKind
from parkops.db.base import created_at_field, enum_check, tz_field
from parkops.tickets.rules.states import TicketStatus

SUBJECT_MAX = 200


class DepartmentKind(StrEnum):
    GOVERNMENT = "government"
    PARK = "park"


class Channel(StrEnum):
    """How the ticket reached the desk."""

    ONLINE = "online"
    PHONE = "phone"
    WALK_IN = "walk_in"


class PreferredContact(StrEnum):
    IN_APP = "in_app"
    PHONE = "phone"
    EMAIL = "email"


class Visibility(StrEnum):
    PUBLIC = "public"
    """Shown to the enterprise as well as to staff and the departments involved."""
    INTERNAL = "internal"
    """Only the desk and the departments involved."""


# --- departments and the dispatch catalogue ----------------------------------------------------


class Department(SQLModel, table=True):
    """A government department or park office that handles tickets; its officers are users with
    the gov_officer role and ``users.department_id`` pointing here."""

    __tablename__ = "departments"
    __table_args__ = (enum_check("kind", DepartmentKind),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=120)
    name_en: str = Field(max_length=160)
    kind: str = Field(max_length=16, default=DepartmentKind.GOVERNMENT.value)
    is_active: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
    created_at: datetime = created_at_field()


class TicketCategory(SQLModel, table=True):
    """A kind of problem, with the department it goes to by default and its time limits in
    working days (accept / first reply / resolve / return / follow-up)."""

    __tablename__ = "ticket_categories"
    __table_args__ = (
        sa.CheckConstraint("accept_days BETWEEN 1 AND 30", name="accept_days_range"),
        sa.CheckConstraint("first_reply_days BETWEEN 1 AND 60", name="first_reply_days_range"),
        sa.CheckConstraint("resolve_days BETWEEN 1 AND 60", name="resolve_days_range"),
        sa.CheckConstraint("return_days BETWEEN 1 AND 30", name="return_days_range"),
        sa.CheckConstraint("follow_up_days BETWEEN 1 AND 30", name="follow_up_days_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=120)
    name_en: str = Field(max_length=160)
    lead_department_id: int = Field(foreign_key="departments.id", ondelete="RESTRICT", index=True)
    accept_days: int = Field(default=1)
    first_reply_days: int = Field(default=3)
    resolve_days: int = Field(default=15)
    return_days: int = Field(default=2)
    follow_up_days: int = Field(default=5)
    sort_order: int = Field(default=0)
    is_active: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
    updated_at: datetime = created_at_field()


class CategoryCoDepartment(SQLModel, table=True):
    """Default co-handling departments of a category."""

    __tablename__ = "ticket_category_co_departments"

    category_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("ticket_categories.id", ondelete="CASCADE"), primary_key=True
        )
    )
    department_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("departments.id", ondelete="RESTRICT"), primary_key=True, index=True
        )
    )


# --- working-day calendar (admin table read by core.workdays.WorkCalendar) ---------------------


class CalendarDay(SQLModel, table=True):
    """One admin decision about a date: holiday, make-up working day, or park closure."""

    __tablename__ = "work_calendar_days"
    __table_args__ = (enum_check("kind", OverrideKind),)

    day: date = Field(primary_key=True)
    kind: str = Field(max_length=16)
    note: str = Field(default="", max_length=200)
    updated_at: datetime = created_at_field()
    updated_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")


class CalendarYear(SQLModel, table=True):
    """A year whose holidays the admins declared complete (the State Council notice is in)."""

    __tablename__ = "work_calendar_years"
    __table_args__ = (sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),)

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    filled_at: datetime = created_at_field()
    filled_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")


# --- tickets ----------------------------------------------------------------------------------


class TicketNumberCounter(SQLModel, table=True):
    """Last ticket number used in a year (numbers restart every year: WQ-2026-000001)."""

    __tablename__ = "ticket_number_counters"

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last_value: int = Field(default=0)


# What the statistics read of a ticket besides ``submitted_at`` (the covering index below).
STATISTICS_COLUMNS = [
    "lead_department_id",
    "category_id",
    "status",
    "rating",
    "next_due_at",
    "closed_at",
    "accept_due_at",
    "accepted_at",
    "first_reply_due_at",
    "first_replied_at",
    "resolve_due_at",
    "resolved_at",
    "reply_working_days",
    "resolve_working_days",
]


class Ticket(SQLModel, table=True):
    __tablename__ = "tickets"
    __table_args__ = (
        enum_check("status", TicketStatus),
        enum_check("channel", Channel),
        enum_check("preferred_contact", PreferredContact),
        sa.CheckConstraint(
            f"char_length(subject) BETWEEN 1 AND {SUBJECT_MAX}", name="subject_length"
        ),
        sa.CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_range"),
        sa.CheckConstraint("reopen_count BETWEEN 0 AND 1", name="reopen_count_range"),
        sa.CheckConstraint(
            "extension_requested_days IS NULL OR extension_requested_days > 0",
            name="extension_requested_positive",
        ),
        sa.CheckConstraint("merged_into_id IS NULL OR merged_into_id <> id", name="merge_not_self"),
        # Queues: "open tickets of my department by deadline", "overdue", "what the desk owes".
        sa.Index("ix_tickets_status_next_due_at", "status", "next_due_at"),
        sa.Index("ix_tickets_lead_department_id_status", "lead_department_id", "status"),
        sa.Index("ix_tickets_enterprise_id_submitted_at", "enterprise_id", "submitted_at"),
        sa.Index(
            "ix_tickets_overdue_open",
            "next_due_at",
            postgresql_where=sa.text("overdue"),
        ),
        # The statistics (parkops.tickets.statistics): an index-only scan of a period's tickets,
        # a fifth of the table's size.
        sa.Index(
            "ix_tickets_statistics",
            "submitted_at",
            postgresql_include=STATISTICS_COLUMNS,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=20, unique=True)
    enterprise_id: int = Field(foreign_key="enterprises.id", ondelete="RESTRICT")
    category_id: int = Field(foreign_key="ticket_categories.id", ondelete="RESTRICT", index=True)
    filed_by_id: int = Field(foreign_key="users.id", ondelete="RESTRICT")
    channel: str = Field(max_length=16, default=Channel.ONLINE.value)
    subject: str = Field(max_length=SUBJECT_MAX)
    description: str = Field(default="", sa_type=sa.Text)
    confidential: bool = Field(default=False)
    preferred_contact: str = Field(max_length=16, default=PreferredContact.IN_APP.value)
    contact_name: str = Field(default="", max_length=80)
    contact_detail: str = Field(default="", max_length=120)

    status: str = Field(max_length=24, default=TicketStatus.SUBMITTED.value)
    lead_department_id: int | None = Field(
        default=None, foreign_key="departments.id", ondelete="RESTRICT"
    )
    merged_into_id: int | None = Field(default=None, foreign_key="tickets.id", ondelete="RESTRICT")
    reopen_count: int = Field(default=0)

    # Time limits copied from the category when the clock that uses them starts, so editing the
    # catalogue never moves the deadlines of tickets already running.
    accept_days: int
    first_reply_days: int
    resolve_days: int
    return_days: int
    follow_up_days: int
    extension_days: int = Field(default=0)
    """Working days added to ``resolve_days`` by approved extensions."""
    extension_requested_days: int | None = None
    """A pending extension request (days), waiting for the desk."""

    # Milestones. ``*_from`` are the anchors the deadlines count from.
    submitted_at: datetime = created_at_field()
    accepted_at: datetime | None = tz_field()
    dispatched_at: datetime | None = tz_field()
    """The latest (re)dispatch: the department clocks and the return limit count from it."""
    first_reply_from: datetime | None = tz_field()
    resolve_from: datetime | None = tz_field()
    first_replied_at: datetime | None = tz_field()
    """When the lead department first signed for it (``start``): the first-reply deadline met."""
    resolved_at: datetime | None = tz_field()
    """When the lead department replied with the result; cleared when reopened for a redo."""
    replied_at: datetime | None = tz_field()
    closed_at: datetime | None = tz_field()

    # Deadlines (timestamptz, close of business Asia/Shanghai) and their provisional flags.
    accept_due_at: datetime | None = tz_field()
    accept_due_provisional: bool = Field(default=False)
    first_reply_due_at: datetime | None = tz_field()
    first_reply_due_provisional: bool = Field(default=False)
    resolve_due_at: datetime | None = tz_field()
    resolve_due_provisional: bool = Field(default=False)
    return_due_at: datetime | None = tz_field()
    return_due_provisional: bool = Field(default=False)
    follow_up_due_at: datetime | None = tz_field()
    follow_up_due_provisional: bool = Field(default=False)
    next_due_at: datetime | None = tz_field()
    """The deadline the current state works toward; NULL when none or while paused."""

    overdue: bool = Field(default=False)
    """Set by the supervision sweep when ``next_due_at`` has passed."""
    overdue_at: datetime | None = tz_field()

    # Working days elapsed to the first reply / to the resolution, pauses excluded (NULL until
    # then): kept by the service with the deadlines and by the calendar edits
    # (parkops.tickets.services.elapsed_days), so the statistics only sum them.
    reply_working_days: int | None = None
    resolve_working_days: int | None = None

    rating: int | None = None
    rating_comment: str | None = Field(default=None, sa_type=sa.Text)
    rated_at: datetime | None = tz_field()

    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class TicketCoDepartment(SQLModel, table=True):
    """A co-handling department (协办) of a ticket's current dispatch."""

    __tablename__ = "ticket_co_departments"

    ticket_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    )
    department_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("departments.id", ondelete="RESTRICT"), primary_key=True, index=True
        )
    )


class TicketEvent(SQLModel, table=True):
    """One thing that happened to a ticket: a transition, the filing, or a note.

    ``action`` is a ``rules.states.TicketAction`` value, or ``file`` / ``note`` / ``attach`` for the
    events that are not transitions. ``from_status == to_status`` for self-loops and notes.
    """

    __tablename__ = "ticket_events"
    __table_args__ = (
        enum_check("visibility", Visibility),
        sa.Index("ix_ticket_events_ticket_id_at", "ticket_id", "at"),
    )

    id: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, primary_key=True))
    ticket_id: int = Field(foreign_key="tickets.id", ondelete="CASCADE")
    at: datetime = created_at_field()
    actor_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    actor_label: str = Field(max_length=120)
    actor_role: str | None = Field(default=None, max_length=24)
    action: str = Field(max_length=32, index=True)
    from_status: str | None = Field(default=None, max_length=24)
    to_status: str | None = Field(default=None, max_length=24)
    note: str | None = Field(default=None, sa_type=sa.Text)
    visibility: str = Field(max_length=16, default=Visibility.PUBLIC.value)
    data: dict | None = Field(default=None, sa_type=JSONB)


class TicketPause(SQLModel, table=True):
    """A period in which the ticket waited for the enterprise; its SLA clock stood still."""

    __tablename__ = "ticket_pauses"
    __table_args__ = (
        enum_check("from_status", TicketStatus),
        sa.CheckConstraint("resumed_at IS NULL OR resumed_at >= paused_at", name="resume_order"),
        # At most one open pause per ticket.
        sa.Index(
            "uq_ticket_pauses_open",
            "ticket_id",
            unique=True,
            postgresql_where=sa.text("resumed_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", ondelete="CASCADE", index=True)
    paused_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    resumed_at: datetime | None = tz_field()
    from_status: str = Field(max_length=24)


class TicketAttachment(SQLModel, table=True):
    """A file uploaded with a ticket, stored outside the web root under a random name."""

    __tablename__ = "ticket_attachments"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", ondelete="CASCADE", index=True)
    event_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.BigInteger, sa.ForeignKey("ticket_events.id", ondelete="SET NULL"), nullable=True
        ),
    )
    uploaded_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    original_name: str = Field(max_length=255)
    stored_name: str = Field(max_length=64, unique=True)
    content_type: str = Field(max_length=120)
    size_bytes: int
    sha256: str = Field(max_length=64)
    internal: bool = Field(default=False)
    """Uploaded with an internal note: hidden from the enterprise."""
    created_at: datetime = created_at_field()


# --- notifications ------------------------------------------------------------------------------


class Notification(SQLModel, table=True):
    """An in-app message to one user (the same text also goes out by email when possible)."""

    __tablename__ = "notifications"
    __table_args__ = (
        sa.Index("ix_notifications_user_id_created_at", "user_id", "created_at"),
        sa.Index(
            "ix_notifications_unread",
            "user_id",
            postgresql_where=sa.text("read_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, primary_key=True))
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    ticket_id: int | None = Field(
        default=None, foreign_key="tickets.id", ondelete="CASCADE", index=True
    )
    kind: str = Field(max_length=40)
    text: str = Field(max_length=500)
    created_at: datetime = created_at_field()
    read_at: datetime | None = tz_field()
