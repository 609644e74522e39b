"""Park spaces: parks, phases, buildings, floors, units and their history.

Revision ID: 20261128_inventory
Revises: cff891866d42
"""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
import sqlmodel  # noqa: F401
from alembic import op  # noqa: F401

revision = "20261128_inventory"
down_revision = "cff891866d42"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
