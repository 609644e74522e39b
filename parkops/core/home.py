"""The landing page: a dashboard whose cards depend on the user's roles."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import sqlalchemy as sa
from litestar import Request, get
from litestar.response import Template

from parkops.accounts.models import User
from parkops.accounts.roles import ANY_USER, Role
from parkops.core.audit import AuditEntry
from parkops.core.web import render
from parkops.db.request_session import DbSession

DASHBOARD_CARDS: list[tuple[frozenset, str, Callable[..., Awaitable[dict]]]] = []
"""(roles that see it, card template, ``async loader(db, user) -> context``), per domain."""


@get("/", opt={"roles": ANY_USER}, include_in_schema=False)
async def dashboard(request: Request, db: DbSession) -> Template:
    user = request.user
    cards: dict[str, object] = {}
    if user.has(Role.park_admin):
        cards["active_users"] = await db.scalar(sa.select(sa.func.count()).where(User.is_active))
        cards["recent_audit"] = (
            (await db.execute(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(8)))
            .scalars()
            .all()
        )
    # Domains add cards by appending (template, async loader) pairs to DASHBOARD_CARDS.
    role_cards = []
    for roles, template, loader in DASHBOARD_CARDS:
        if user.roles & roles:
            cards.update(await loader(db, user))
            role_cards.append(template)
    return render(request, "dashboard.html", cards=cards, role_cards=role_cards, Role=Role)
