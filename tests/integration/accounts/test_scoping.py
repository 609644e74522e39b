"""The scoping helper filters in SQL: other enterprises' and departments' rows do not exist."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from parkops.accounts import service
from parkops.accounts.models import User
from parkops.accounts.scoping import one_or_404, scope
from parkops.core.errors import NotFound
from tests.support import create_user


async def test_staff_see_all_enterprise_users_see_their_own(db):
    mine = await create_user(db, "enterprise_user")
    theirs = await create_user(db, "enterprise_user")
    officer = await create_user(db, "gov_officer", department_id=3)
    staff = await create_user(db, "finance")
    stmt = sa.select(User.id).where(User.id.in_([mine.id, theirs.id, officer.id]))

    async def visible(user):
        identity = await service.get_identity(db, user.id)
        scoped = scope(
            stmt,
            identity,
            enterprise_column=User.enterprise_id,
            department_column=User.department_id,
        )
        return set((await db.execute(scoped)).scalars())

    assert await visible(staff) == {mine.id, theirs.id, officer.id}
    assert await visible(mine) == {mine.id}
    assert await visible(officer) == {officer.id}


async def test_someone_elses_row_is_not_found(db):
    mine = await create_user(db, "enterprise_user")
    theirs = await create_user(db, "enterprise_user")
    identity = await service.get_identity(db, mine.id)
    own = await one_or_404(
        db,
        scope(
            sa.select(User).where(User.id == mine.id),
            identity,
            enterprise_column=User.enterprise_id,
        ),
    )
    assert own.id == mine.id
    with pytest.raises(NotFound):
        await one_or_404(
            db,
            scope(
                sa.select(User).where(User.id == theirs.id),
                identity,
                enterprise_column=User.enterprise_id,
            ),
        )
    # A row kind that has no enterprise column is invisible to enterprise users.
    with pytest.raises(NotFound):
        await one_or_404(db, scope(sa.select(User).where(User.id == mine.id), identity))
