"""The rights-protection ticket desk.

Revision ID: 20261128_tickets
Revises: 20261128_documents
"""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
import sqlmodel  # noqa: F401
from alembic import op  # noqa: F401

revision = "20261128_tickets"
down_revision = "20261128_documents"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
