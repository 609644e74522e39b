"""Each common-area reading is divided once: the division (contract, area, days) is recorded.

``billing_common_shares``: one row per contract of the first division of a common meter's
reading; later runs bill the rest of that division, never a new one (a contract approved later
used to be charged a share of a reading already shared out in full). Readings shared out before
this migration are recorded from the contracts their bills charged.

Revision ID: 20261206_common_share_divisions
Revises: 20261206_unit_status_follows
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261206_common_share_divisions"
down_revision = "20261206_unit_status_follows"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "billing_common_shares",
        sa.Column("reading_id", sa.BigInteger(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("area", sa.Numeric(12, 2), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.CheckConstraint("area > 0 AND days > 0", name=op.f("ck_billing_common_shares_weight_positive")),
        sa.ForeignKeyConstraint(["reading_id"], ["billing_meter_readings.id"], name=op.f("fk_billing_common_shares_reading_id_billing_meter_readings"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["contract_id"], ["lease_contracts.id"], name=op.f("fk_billing_common_shares_contract_id_lease_contracts"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("reading_id", "contract_id", name=op.f("pk_billing_common_shares")),
    )  # fmt: skip
    op.create_index(
        "ix_billing_common_shares_contract_id", "billing_common_shares", ["contract_id"]
    )
    # Divisions made before: the contracts that were charged, with their leased area in the
    # reading's building and the days they held it in the reading's month.
    op.execute(
        """
        INSERT INTO billing_common_shares (reading_id, contract_id, area, days)
        SELECT r.id, c.id, a.area,
               LEAST(COALESCE(c.terminated_on, c.end_date),
                     (r.reading_month + interval '1 month')::date)
               - GREATEST(c.start_date, r.reading_month)
          FROM billing_bill_lines bl
          JOIN billing_meter_readings r ON r.id = bl.source_id
          JOIN billing_meters m ON m.id = r.meter_id
          JOIN lease_contracts c ON c.id = bl.source_part
          JOIN LATERAL (SELECT sum(cu.gross_area) AS area FROM lease_contract_units cu
                          JOIN units u ON u.id = cu.unit_id
                         WHERE cu.contract_id = c.id AND u.building_id = m.building_id) a ON true
         WHERE bl.source_kind = 'common_share' AND a.area > 0
           AND LEAST(COALESCE(c.terminated_on, c.end_date),
                     (r.reading_month + interval '1 month')::date)
               > GREATEST(c.start_date, r.reading_month)
        ON CONFLICT DO NOTHING
        """
    )


def downgrade() -> None:
    op.drop_table("billing_common_shares")
