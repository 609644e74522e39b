"""The audit log, filterable, for park administrators (page and API)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from litestar import Controller, Request, get
from litestar.params import FromQuery
from litestar.response import Template

from parkops.accounts.roles import ADMIN
from parkops.core.audit import AuditEntry
from parkops.core.pagination import paginate
from parkops.core.templating import SHANGHAI
from parkops.core.web import render
from parkops.db.request_session import DbSession


def _parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


async def search_audit(
    db: DbSession,
    *,
    actor: str | None,
    action: str | None,
    entity: str | None,
    entity_id: str | None,
    since: date | None,
    until: date | None,
    page: int,
    page_size: int = 50,
):
    stmt = sa.select(AuditEntry.__table__).order_by(AuditEntry.id.desc())
    if actor:
        stmt = stmt.where(AuditEntry.actor_label.ilike(f"%{actor}%"))
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if entity:
        stmt = stmt.where(AuditEntry.entity == entity)
    if entity_id:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    # Days are Asia/Shanghai days, as people read them on the page.
    if since:
        stmt = stmt.where(AuditEntry.at >= datetime.combine(since, time(), SHANGHAI))
    if until:
        stmt = stmt.where(
            AuditEntry.at < datetime.combine(until + timedelta(days=1), time(), SHANGHAI)
        )
    return await paginate(db, stmt, page=page, page_size=page_size)


class AuditPages(Controller):
    path = "/admin/audit"
    include_in_schema = False
    opt = {"roles": ADMIN}

    @get("/")
    async def audit_log(
        self,
        request: Request,
        db: DbSession,
        actor: FromQuery[str | None] = None,
        action: FromQuery[str | None] = None,
        entity: FromQuery[str | None] = None,
        entity_id: FromQuery[str | None] = None,
        since: FromQuery[str | None] = None,
        until: FromQuery[str | None] = None,
        page: FromQuery[int] = 1,
    ) -> Template:
        result = await search_audit(
            db,
            actor=actor,
            action=action,
            entity=entity,
            entity_id=entity_id,
            since=_parse_day(since),
            until=_parse_day(until),
            page=page,
        )
        actions = (
            (await db.execute(sa.select(AuditEntry.action).distinct().order_by(AuditEntry.action)))
            .scalars()
            .all()
        )
        entities = (
            (await db.execute(sa.select(AuditEntry.entity).distinct().order_by(AuditEntry.entity)))
            .scalars()
            .all()
        )
        filters = {
            "actor": actor or "",
            "action": action or "",
            "entity": entity or "",
            "entity_id": entity_id or "",
            "since": since or "",
            "until": until or "",
        }
        return render(
            request,
            "admin/audit.html",
            page=result,
            filters=filters,
            actions=actions,
            entities=entities,
        )


class AuditApi(Controller):
    path = "/api/v1/audit"
    tags = ["audit"]
    opt = {"roles": ADMIN}

    @get("/", summary="Search the audit log")
    async def search(
        self,
        db: DbSession,
        actor: FromQuery[str | None] = None,
        action: FromQuery[str | None] = None,
        entity: FromQuery[str | None] = None,
        entity_id: FromQuery[str | None] = None,
        since: FromQuery[date | None] = None,
        until: FromQuery[date | None] = None,
        page: FromQuery[int] = 1,
        page_size: FromQuery[int] = 50,
    ) -> dict[str, Any]:
        result = await search_audit(
            db,
            actor=actor,
            action=action,
            entity=entity,
            entity_id=entity_id,
            since=since,
            until=until,
            page=page,
            page_size=page_size,
        )
        return result.as_dict()
