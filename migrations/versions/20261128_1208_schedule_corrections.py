"""Billing follows schedule changes made after billing: corrections of billed periods.

An amendment or termination supersedes schedule lines that may already have been billed. The
billing run now compares what each such period was charged with the current schedule and
records the difference once per superseded line (``billing_schedule_corrections``), as an
adjustment or a credit note (parkops/billing/corrections.py).

Revision ID: 20261128_schedule_corrections
Revises: 20261128_enterprise_address
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261128_schedule_corrections"
down_revision = "20261128_enterprise_address"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_lease_schedule_lines_contract_period",
        "lease_schedule_lines",
        ["contract_id", "period_start"],
    )
    op.create_table(
        "billing_schedule_corrections",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("part", sa.SmallInteger(), nullable=False),
        sa.Column("superseded_line_id", sa.BigInteger(), nullable=False),
        sa.Column("line_id", sa.BigInteger(), nullable=True),
        sa.Column("charged_fen", sa.BigInteger(), nullable=False),
        sa.Column("due_fen", sa.BigInteger(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("credit_note_id", sa.Integer(), nullable=True),
        sa.Column("adjustment_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "part IN (1, 2)", name=op.f("ck_billing_schedule_corrections_part_valid")
        ),
        sa.CheckConstraint(
            "amount_fen <> 0", name=op.f("ck_billing_schedule_corrections_amount_not_zero")
        ),
        sa.CheckConstraint(
            "amount_fen = due_fen - charged_fen",
            name=op.f("ck_billing_schedule_corrections_amount_is_difference"),
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["lease_contracts.id"],
            name=op.f("fk_billing_schedule_corrections_contract_id_lease_contracts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["superseded_line_id"],
            ["lease_schedule_lines.id"],
            name=op.f("fk_billing_schedule_corrections_superseded_line_id_lease_schedule_lines"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["lease_schedule_lines.id"],
            name=op.f("fk_billing_schedule_corrections_line_id_lease_schedule_lines"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["credit_note_id"],
            ["billing_credit_notes.id"],
            name=op.f("fk_billing_schedule_corrections_credit_note_id_billing_credit_notes"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["adjustment_id"],
            ["billing_adjustments.id"],
            name=op.f("fk_billing_schedule_corrections_adjustment_id_billing_adjustments"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_schedule_corrections")),
        sa.UniqueConstraint(
            "superseded_line_id",
            "part",
            name=op.f("uq_billing_schedule_corrections_superseded_line_id_part"),
        ),
    )
    op.create_index(
        "ix_billing_schedule_corrections_contract_period",
        "billing_schedule_corrections",
        ["contract_id", "period_start"],
    )
    op.execute(
        "CREATE TRIGGER billing_schedule_corrections_append_only BEFORE UPDATE OR DELETE OR "
        "TRUNCATE ON billing_schedule_corrections FOR EACH STATEMENT "
        "EXECUTE FUNCTION billing_append_only()"
    )


def downgrade() -> None:
    op.drop_table("billing_schedule_corrections")
    op.drop_index("ix_lease_schedule_lines_contract_period", table_name="lease_schedule_lines")
