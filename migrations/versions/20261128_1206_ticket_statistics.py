"""Tickets: stored working days to first reply / resolution for the statistics.

``reply_working_days`` and ``resolve_working_days`` (pauses excluded, NULL until the event) are
filled by the service when the event happens and recomputed when a calendar day is edited, so the
department statistics only sum them (parkops/tickets/services/elapsed_days.py). Existing rows are
backfilled here with the calendar as it stands (library + admin table), exactly as the statistics
counted them on every read before.

Revision ID: 20261128_ticket_statistics
Revises: 20261128_billing
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261128_ticket_statistics"
down_revision = "20261128_billing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tickets", sa.Column("reply_working_days", sa.Integer(), nullable=True))
    op.add_column("tickets", sa.Column("resolve_working_days", sa.Integer(), nullable=True))
    _backfill(op.get_bind())
    op.create_index(
        "ix_tickets_statistics",
        "tickets",
        ["submitted_at"],
        unique=False,
        postgresql_include=[
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
        ],
    )


def downgrade() -> None:
    op.drop_index("ix_tickets_statistics", table_name="tickets")
    op.drop_column("tickets", "resolve_working_days")
    op.drop_column("tickets", "reply_working_days")


def _backfill(connection: sa.Connection) -> None:
    # The calendar is Python (the holiday library) plus the admin table: the app's own code
    # builds it and counts, so the backfill gives what the statistics computed on every read.
    from parkops.tickets.services import elapsed_days

    elapsed_days.recompute_sync(connection, elapsed_days.load_calendar_sync(connection))
