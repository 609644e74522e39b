"""No page or API list issues more SQL statements when the park's data grows (no N+1, no query
per row): every GET page and API list (``parkops.loadtest.pages``) is requested on the demo park
and again on three copies of it, and the statements sent on the connection are counted.

Counting happens at the driver (asyncpg's query logger on the test's connection), so statements
that bypass SQLAlchemy are counted too."""

from __future__ import annotations

import sqlalchemy as sa

from parkops import loadtest
from parkops.accounts.models import User
from parkops.app import DOMAINS
from parkops.billing.reports import REPORTS
from parkops.demo import load_demo
from tests.support import statements_sent

LOGINS = {"park_admin": "admin", "enterprise_user": "qiye", "gov_officer": "shichang"}


async def _counts(client, login, db, pages) -> dict[str, int]:
    counts = {}
    for role in sorted({p.role for p in pages}):
        query = sa.select(User).where(User.username == LOGINS[role])
        await login(user=(await db.execute(query)).scalar_one())
        for page in (p for p in pages if p.role == role):
            first = await client.get(page.path)  # warms caches filled on first use
            if first.is_redirect:
                continue  # an index that sends to a list measured on its own
            assert first.status_code == 200, (page, first.status_code, first.text[:300])
            async with statements_sent(db) as sent:
                response = await client.get(page.path)
            assert response.status_code == 200, page
            counts[f"{page.path} as {role}"] = len(sent)
    return counts


async def test_statement_counts_do_not_grow_with_the_data(app, client, login, db):
    await load_demo(db, DOMAINS)
    pages = loadtest.pages(app, REPORTS)
    one = await _counts(client, login, db, pages)

    conn = await db.connection()
    driver = (await conn.get_raw_connection()).driver_connection
    base = await loadtest.snapshot(driver)
    await loadtest.multiply(driver, base, 1, 2)
    assert (await driver.fetchval("SELECT count(*) FROM parks")) == 3  # the data did grow
    three = await _counts(client, login, db, pages)

    grown = {page: (one[page], three[page]) for page in one if three[page] > one[page]}
    assert grown == {}, f"statements per request at 1x and 3x: {grown}"
    assert len(one) >= 60
    assert min(one.values()) >= 2  # every request was counted (its session, its user)
