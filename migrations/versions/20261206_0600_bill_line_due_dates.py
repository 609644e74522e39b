"""Every bill line has its own due date; late fees are charged per overdue line.

A catch-up bill gathers several periods, each due on its own date, and late fees must accrue per
line from the day after that line's due date (issue 10). Bill lines get ``due_date``; existing
lines take their bill's (the only due date they had). Late-fee lines now name the overdue line
they charge (source kind ``overdue_line``); the old per-bill ones (``late_fee``) stay as they
were charged, and the billing run carries on from where they stopped.

Lines of issued bills are frozen by the line triggers; the backfill is the one sanctioned change
to them, made with those triggers disabled inside this migration's transaction.

Revision ID: 20261206_bill_line_due_dates
Revises: 20261128_schedule_corrections
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261206_bill_line_due_dates"
down_revision = "20261128_schedule_corrections"
branch_labels = None
depends_on = None

LINE_TRIGGERS = ("billing_lines_update_new", "billing_lines_update_old")
OLD_KINDS = "('schedule', 'reading', 'common_share', 'late_fee', 'adjustment')"
NEW_KINDS = "('schedule', 'reading', 'common_share', 'overdue_line', 'late_fee', 'adjustment')"


def _triggers(action: str) -> str:
    clauses = ", ".join(f"{action} TRIGGER {name}" for name in LINE_TRIGGERS)
    return f"ALTER TABLE billing_bill_lines {clauses}"


def _source_kinds(kinds: str) -> None:
    op.drop_constraint(
        op.f("ck_billing_bill_lines_source_kind_valid"), "billing_bill_lines", type_="check"
    )
    op.create_check_constraint(
        op.f("ck_billing_bill_lines_source_kind_valid"),
        "billing_bill_lines",
        f"source_kind IS NULL OR source_kind IN {kinds}",
    )


def upgrade() -> None:
    op.add_column("billing_bill_lines", sa.Column("due_date", sa.Date(), nullable=True))
    op.execute(_triggers("DISABLE"))
    op.execute(
        "UPDATE billing_bill_lines l SET due_date = b.due_date "
        "FROM billing_bills b WHERE b.id = l.bill_id"
    )
    op.execute(_triggers("ENABLE"))
    op.alter_column("billing_bill_lines", "due_date", nullable=False)
    _source_kinds(NEW_KINDS)


def downgrade() -> None:
    # Per-line late-fee lines cannot be expressed without the column: refuse rather than lose
    # what they charged.
    bind = op.get_bind()
    per_line = sa.text("SELECT count(*) FROM billing_bill_lines WHERE source_kind = 'overdue_line'")
    if bind.scalar(per_line):
        raise RuntimeError("late fees were charged per line; this migration cannot be undone")
    _source_kinds(OLD_KINDS)
    op.drop_column("billing_bill_lines", "due_date")
