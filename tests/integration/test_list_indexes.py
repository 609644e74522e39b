"""Every 20-row list reads 20 rows: an index matches its sort, so the first page is an index
scan that stops after the page, not a sort of the whole table (measured in ``bench/pages.py``).

The plans are asked for with sequential and bitmap scans priced out: on the few
rows of a test the planner would rightly prefer them, and what matters is whether a sort-free
plan exists at all."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from parkops.accounts.identity import CurrentUser
from parkops.accounts.roles import Role
from parkops.billing import service as billing
from parkops.enterprises import repository as enterprises
from parkops.enterprises.models import Enterprise
from parkops.inventory.services import spaces

STAFF = CurrentUser(1, "finance", "Finance", frozenset({Role.finance}))


def _sql(stmt: sa.Select) -> str:
    page = stmt.limit(20)
    return str(page.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


PAYMENTS = """
SELECT p.id, e.name FROM billing_payments p JOIN enterprises e ON e.id = p.enterprise_id
 ORDER BY p.received_on DESC, p.id DESC LIMIT 20
"""


@pytest.mark.parametrize(
    "name",
    ["bills", "payments", "enterprises by name", "enterprises by name, descending", "buildings"],
)
async def test_first_page_of_a_list_needs_no_sort(db, name):
    sql = {
        "bills": lambda: _sql(billing.list_statement(None)),
        "payments": lambda: PAYMENTS,
        "buildings": lambda: _sql(spaces.building_list_statement()),
        "enterprises by name": lambda: _sql(
            enterprises.filtered_query(
                [Enterprise.id, Enterprise.name], STAFF, enterprises.ListFilters(sort="name")
            )
        ),
        "enterprises by name, descending": lambda: _sql(
            enterprises.filtered_query(
                [Enterprise.id, Enterprise.name], STAFF, enterprises.ListFilters(sort="-name")
            )
        ),
    }[name]()
    for setting in ("enable_seqscan", "enable_bitmapscan"):
        await db.execute(sa.text(f"SET LOCAL {setting} = off"))
    plan = "\n".join((await db.execute(sa.text("EXPLAIN " + sql))).scalars())
    assert "Sort" not in plan, plan
