"""Indexes matching the sort of the bill, payment and enterprise lists, so that their first
page is an index scan that stops after 20 rows instead of a sort of the whole table (issue 17:
at 100x the bill list sorted 104,000 bills for each page).

Revision ID: 20261206_list_sort_indexes
Revises: 20261206_common_share_divisions
"""

from __future__ import annotations

from alembic import op

revision = "20261206_list_sort_indexes"
down_revision = "20261206_common_share_divisions"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_billing_bills_due_date_id", "billing_bills", ["due_date", "id"]),
    ("ix_billing_payments_received_on_id", "billing_payments", ["received_on", "id"]),
    ("ix_enterprises_name_id", "enterprises", ["name", "id"]),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
