"""Enterprises: registered address (住所), printed as the lessee's address on lease contracts.

Revision ID: 20261128_enterprise_address
Revises: 20261128_ticket_statistics
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261128_enterprise_address"
down_revision = "20261128_ticket_statistics"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "enterprises",
        sa.Column("address", sa.String(length=300), nullable=False, server_default=""),
    )
    op.add_column("enterprises", sa.Column("address_en", sa.String(length=300), nullable=True))


def downgrade() -> None:
    op.drop_column("enterprises", "address_en")
    op.drop_column("enterprises", "address")
