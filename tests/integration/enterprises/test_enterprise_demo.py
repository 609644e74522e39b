"""The enterprises demo data: size, statuses, the demo enterprise user, idempotency, speed."""

from __future__ import annotations

import time
from collections import Counter

import sqlalchemy as sa
from sqlalchemy import event

from parkops.accounts.demo import DEMO_PASSWORD
from parkops.accounts.models import User
from parkops.accounts.rules import passwords
from parkops.app import DOMAINS
from parkops.demo import demo_logins
from parkops.enterprises import demo
from parkops.enterprises.models import Enterprise, EnterpriseShop
from parkops.enterprises.rules.uscc import is_valid_uscc
from tests.support import post_form


async def test_load_demo_creates_the_tenants_and_the_enterprise_user(db):
    started = time.perf_counter()
    counts = await demo.load_demo(db)
    first_run = time.perf_counter() - started
    assert counts["enterprises"] == 420 and counts["enterprise_users"] == 1
    assert counts["enterprise_shops"] > 100
    statuses = Counter((await db.execute(sa.select(Enterprise.status))).scalars())
    assert statuses["tenant"] >= 395 and statuses["prospect"] >= 10
    assert 3 <= statuses["former_tenant"] <= 10
    usccs = (await db.execute(sa.select(Enterprise.uscc))).scalars().all()
    assert all(is_valid_uscc(u) for u in usccs)
    shops = await db.scalar(sa.select(sa.func.count()).select_from(EnterpriseShop))
    assert shops == counts["enterprise_shops"]

    qiye = await db.scalar(sa.select(User).where(User.username == "qiye"))
    anchor = await db.scalar(sa.select(Enterprise).where(Enterprise.id == qiye.enterprise_id))
    assert anchor.status == "tenant"
    assert passwords.verify_password(qiye.password_hash, DEMO_PASSWORD)
    assert ("qiye", DEMO_PASSWORD, "enterprise_user") in demo_logins(DOMAINS)
    assert first_run < 5, first_run


async def test_second_run_changes_nothing_and_is_quick(db):
    await demo.load_demo(db)
    before = (
        await db.scalar(sa.select(sa.func.count()).select_from(Enterprise)),
        await db.scalar(sa.select(sa.func.count()).select_from(EnterpriseShop)),
        await db.scalar(sa.select(sa.func.count()).select_from(User)),
    )
    statements = []
    sync_engine = db.bind.sync_engine

    def count(*_args):
        statements.append(1)

    event.listen(sync_engine, "before_cursor_execute", count)
    try:
        assert await demo.load_demo(db) == {}
    finally:
        event.remove(sync_engine, "before_cursor_execute", count)
    assert len(statements) == 1
    after = (
        await db.scalar(sa.select(sa.func.count()).select_from(Enterprise)),
        await db.scalar(sa.select(sa.func.count()).select_from(EnterpriseShop)),
        await db.scalar(sa.select(sa.func.count()).select_from(User)),
    )
    assert after == before


async def test_the_enterprises_are_inserted_in_bulk(db):
    inserts = []
    sync_engine = db.bind.sync_engine

    def record(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("INSERT INTO ENTERPRISES"):
            inserts.append(statement)

    event.listen(sync_engine, "before_cursor_execute", record)
    try:
        await demo.load_demo(db)
    finally:
        event.remove(sync_engine, "before_cursor_execute", record)
    assert len(inserts) == 1


async def test_the_demo_enterprise_user_can_sign_in_and_see_the_portal(client, db):
    await demo.load_demo(db)
    response = await post_form(client, "/login", {"username": "qiye", "password": DEMO_PASSWORD})
    assert response.status_code == 303
    portal = await client.get("/portal/enterprise")
    first = demo.demo_enterprises(1, seed=demo.DEMO_SEED)[0]
    assert portal.status_code == 200 and first.name in portal.text
