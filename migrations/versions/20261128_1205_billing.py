"""Billing: meters, tariffs, bills, payments, allocations, deposits, late fees.

Revision ID: 20261128_billing
Revises: 20261128_leases
"""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
import sqlmodel  # noqa: F401
from alembic import op  # noqa: F401

revision = "20261128_billing"
down_revision = "20261128_leases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
