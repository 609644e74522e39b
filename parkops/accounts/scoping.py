"""Row scoping: enterprise users and government officers only ever load their own rows.

Scoping happens in the query (a WHERE clause), never by loading a row and then checking it, so
somebody else's row is indistinguishable from a missing one: both answer 404.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts.identity import CurrentUser
from parkops.accounts.roles import Role
from parkops.core.errors import NotFound


def scope(
    stmt: sa.Select,
    user: CurrentUser,
    *,
    enterprise_column: Any = None,
    department_column: Any = None,
) -> sa.Select:
    """Restrict ``stmt`` to the rows ``user`` may see.

    Staff see everything. An enterprise user sees rows whose ``enterprise_column`` is their
    enterprise; a government officer rows whose ``department_column`` is their department
    (a column or any boolean SQL expression of the department id, given as a callable).
    A row kind without the relevant column is invisible to that kind of user.
    """
    if user.is_staff:
        return stmt
    if user.has(Role.enterprise_user):
        if enterprise_column is None or user.enterprise_id is None:
            return stmt.where(sa.false())
        return stmt.where(enterprise_column == user.enterprise_id)
    if user.has(Role.gov_officer):
        if department_column is None or user.department_id is None:
            return stmt.where(sa.false())
        if callable(department_column):
            return stmt.where(department_column(user.department_id))
        return stmt.where(department_column == user.department_id)
    return stmt.where(sa.false())


async def one_or_404(db: AsyncSession, stmt: sa.Select, message: str = "Not found") -> Any:
    """The single row of a (scoped) query, or NotFound."""
    row = (await db.execute(stmt)).first()
    if row is None:
        raise NotFound(message)
    return row[0] if len(row) == 1 else row
