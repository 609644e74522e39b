"""The dashboard at ``/``: the cards of the domains the user works in, in the app's order."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Template

from parkops.accounts.roles import ANY_USER, Role
from parkops.core.domain import DashboardCard, cards_for
from parkops.core.web import render
from parkops.db.request_session import DbSession


@get("/", opt={"roles": ANY_USER}, include_in_schema=False)
async def dashboard(request: Request, db: DbSession) -> Template:
    user = request.user
    shown: list[DashboardCard] = cards_for(request.app.state.dashboard_cards, user)
    cards: dict[str, Any] = {}
    for card in shown:
        cards.update(await card.load(db, user))
    return render(
        request, "dashboard.html", cards=cards, role_cards=[c.template for c in shown], Role=Role
    )
