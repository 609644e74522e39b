"""Tenant enterprises, their online shops and user invitations.

Revision ID: 20261128_enterprises
Revises: 20261128_inventory
"""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
import sqlmodel  # noqa: F401
from alembic import op  # noqa: F401

revision = "20261128_enterprises"
down_revision = "20261128_inventory"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
