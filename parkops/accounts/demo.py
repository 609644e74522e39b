"""Demo data of the accounts domain: the park operator's staff logins.

Every demo login of every domain has the password ``DEMO_PASSWORD`` (``make run`` prints them).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts import service as accounts

DEMO_PASSWORD = "parkops-demo-2026"

DEMO_USERS = [
    ("admin", "园区管理员 Park Admin", ["park_admin"]),
    ("leasing", "招商专员 Leasing Officer", ["leasing"]),
    ("finance", "财务专员 Finance Officer", ["finance"]),
    ("desk", "维权中心坐席 Service Desk", ["service_desk"]),
]
DEMO_LOGINS = [(username, ", ".join(roles)) for username, _name, roles in DEMO_USERS]


async def load_demo(db: AsyncSession) -> dict[str, int]:
    created = 0
    for username, name, roles in DEMO_USERS:
        exists = await db.scalar(
            sa.select(sa.func.count()).where(accounts.USERS.c.username == username)
        )
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
