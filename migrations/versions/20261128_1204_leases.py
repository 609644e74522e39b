"""Lease contracts, terms versions, rent schedules, reservations.

Revision ID: 20261128_leases
Revises: 20261128_tickets
"""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
import sqlmodel  # noqa: F401
from alembic import op  # noqa: F401

revision = "20261128_leases"
down_revision = "20261128_tickets"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
