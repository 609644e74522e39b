"""Demo data for `make run` and `parkops demo load`: deterministic and idempotent.

Each domain contributes a ``load_demo(db) -> dict[str, int]`` (what it created), called here in
dependency order; loading twice changes nothing.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts import service as accounts
from parkops.accounts.models import User

DEMO_PASSWORD = "parkops-demo-2026"

DEMO_USERS = [
    ("admin", "园区管理员 Park Admin", ["park_admin"]),
    ("leasing", "招商专员 Leasing Officer", ["leasing"]),
    ("finance", "财务专员 Finance Officer", ["finance"]),
    ("desk", "维权中心坐席 Service Desk", ["service_desk"]),
]
# Logins created by the domains' demo loaders, listed by `make run`.
EXTRA_DEMO_LOGINS: list[tuple[str, str]] = []


async def load_users(db: AsyncSession) -> dict[str, int]:
    created = 0
    for username, name, roles in DEMO_USERS:
        exists = await db.scalar(sa.select(sa.func.count()).where(User.username == username))
        if not exists:
            await accounts.create_user(
                db,
                "demo",
                username=username,
                display_name=name,
                password=DEMO_PASSWORD,
                roles=roles,
            )
            created += 1
    return {"users": created}


async def load_demo(db: AsyncSession) -> dict[str, int]:
    from parkops.billing import demo as billing_demo
    from parkops.enterprises import demo as enterprises_demo
    from parkops.inventory import demo as inventory_demo
    from parkops.leases import demo as leases_demo
    from parkops.tickets import demo as tickets_demo

    counts: dict[str, int] = {}
    for loader in (
        load_users,
        inventory_demo.load_demo,
        enterprises_demo.load_demo,
        leases_demo.load_demo,
        billing_demo.load_demo,
        tickets_demo.load_demo,
    ):
        counts.update(await loader(db))
    return counts


def demo_logins() -> list[tuple[str, str, str]]:
    logins = [(u, DEMO_PASSWORD, ", ".join(r)) for u, _n, r in DEMO_USERS]
    logins += [(u, DEMO_PASSWORD, roles) for u, roles in EXTRA_DEMO_LOGINS]
    return logins
