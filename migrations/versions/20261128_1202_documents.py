"""Generated documents (PDFs) and their stored files.

Revision ID: 20261128_documents
Revises: 20261128_enterprises
"""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
import sqlmodel  # noqa: F401
from alembic import op  # noqa: F401

revision = "20261128_documents"
down_revision = "20261128_enterprises"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
