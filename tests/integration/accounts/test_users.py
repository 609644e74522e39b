"""User administration rules."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from parkops.accounts import service
from parkops.accounts.models import User
from parkops.core.errors import ValidationFailed


async def test_enterprise_user_for_a_missing_enterprise_is_refused(db):
    with pytest.raises(ValidationFailed) as caught:
        await service.create_user(
            db,
            "test",
            username="ghost.user",
            display_name="G",
            password="long-enough-pw",
            roles=["enterprise_user"],
            enterprise_id=999999,
        )
    assert caught.value.field_errors == {"enterprise_id": "No such record"}
    assert await db.scalar(sa.select(sa.func.count()).where(User.username == "ghost.user")) == 0


async def test_outside_roles_cannot_be_combined_with_staff_roles(db):
    with pytest.raises(ValidationFailed) as caught:
        await service.create_user(
            db,
            "test",
            username="mixed.user",
            display_name="M",
            password="long-enough-pw",
            roles=["finance", "gov_officer"],
            department_id=1,
        )
    assert "cannot hold other roles" in caught.value.field_errors["roles"]
