"""Races the database settles: two registrations of one USCC, two uses of one invitation."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa

from parkops.accounts import service as accounts
from parkops.accounts.models import User
from parkops.core import mail
from parkops.core.errors import AppError, Conflict
from parkops.db.engine import create_engine, session_factory
from parkops.enterprises.models import Enterprise
from parkops.enterprises.services import register, users
from tests.integration.enterprises.factories import enterprise_values
from tests.support import create_user

pytestmark = pytest.mark.slow


async def test_two_registrations_of_one_uscc_at_once(committed_database_url):
    engine = create_engine(committed_database_url, pool_size=2)
    sessions = session_factory(engine)
    values = enterprise_values()
    first_inserted = asyncio.Event()

    async def register_one(name: str, *, first: bool):
        async with sessions() as db, db.begin():
            if not first:
                await first_inserted.wait()  # the friendly check sees nothing: not committed
            enterprise = await register.create_enterprise(db, "race", {**values, "name": name})
            if first:
                first_inserted.set()
                await asyncio.sleep(0.3)  # the other one is now waiting on the unique index
            return enterprise.id

    try:
        results = await asyncio.gather(
            register_one("先到有限公司", first=True),
            register_one("后到有限公司", first=False),
            return_exceptions=True,
        )
        assert isinstance(results[0], int)
        assert isinstance(results[1], Conflict)
        assert results[1].field_errors["uscc"].startswith("Unified Social Credit Code")
        async with sessions() as db:
            names = (
                (
                    await db.execute(
                        sa.select(Enterprise.name).where(Enterprise.uscc == values["uscc"])
                    )
                )
                .scalars()
                .all()
            )
        assert names == ["先到有限公司"]
    finally:
        await engine.dispose()


async def test_one_invitation_used_twice_at_once_makes_one_user(
    committed_database_url, test_settings
):
    engine = create_engine(committed_database_url, pool_size=3)
    sessions = session_factory(engine)
    mail.OUTBOX.clear()
    try:
        async with sessions() as db, db.begin():
            enterprise = await register.create_enterprise(db, "race", enterprise_values())
            staff = await accounts.get_identity(db, (await create_user(db, "leasing")).id)
            await users.invite_user(
                db, test_settings, staff, enterprise.id,
                email="race@example.cn", display_name="赛跑", base_url="http://x",
            )  # fmt: skip
        token = mail.OUTBOX[-1].body.split("/invite/")[1].split()[0]

        async def accept(username: str):
            async with sessions() as db, db.begin():
                user = await users.accept_invitation(
                    db, token, username=username, display_name="赛跑",
                    password="long-password-1", confirm="long-password-1",
                )  # fmt: skip
                await asyncio.sleep(0.2)  # hold the row lock while the other one waits
                return user.username

        results = await asyncio.gather(accept("racer.one"), accept("racer.two"),
                                       return_exceptions=True)  # fmt: skip
        winners = [r for r in results if isinstance(r, str)]
        losers = [r for r in results if isinstance(r, AppError)]
        assert len(winners) == 1 and len(losers) == 1
        assert "already been used" in losers[0].message
        async with sessions() as db:
            created = (
                (await db.execute(sa.select(User.username).where(User.username.like("racer.%"))))
                .scalars()
                .all()
            )
        assert created == winners
    finally:
        mail.OUTBOX.clear()
        await engine.dispose()
