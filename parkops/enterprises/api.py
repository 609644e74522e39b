"""The enterprises part of the JSON API (``/api/v1/enterprises``): the register, read by staff
and (their own enterprise) by enterprise users, changed by park admins and leasing officers."""

from __future__ import annotations

from litestar import Controller, Request, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.db.request_session import DbSession
from parkops.enterprises import repository, schemas
from parkops.enterprises.access import API_READERS, EDITORS
from parkops.enterprises.models import Enterprise
from parkops.enterprises.repository import ListFilters
from parkops.enterprises.services import register


async def _enterprise_out(db: AsyncSession, enterprise: Enterprise) -> schemas.EnterpriseOut:
    shops = await repository.list_shops(db, enterprise.id)
    return schemas.EnterpriseOut(
        **enterprise.model_dump(),
        shops=[schemas.ShopOut.model_validate(s, from_attributes=True) for s in shops],
    )


class EnterprisesApi(Controller):
    path = "/api/v1/enterprises"
    tags = ["enterprises"]

    @get(
        "/",
        opt={"roles": API_READERS},
        summary="List enterprises",
        description="Enterprise users see only their own enterprise. `sort` is one of "
        + ", ".join(repository.SORTS)
        + ", optionally prefixed with `-` for descending.",
    )
    async def list_enterprises(
        self,
        request: Request,
        db: DbSession,
        q: FromQuery[str | None] = None,
        industry: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        sort: FromQuery[str | None] = None,
        page: FromQuery[int] = 1,
        page_size: FromQuery[int] = 20,
    ) -> schemas.EnterprisePage:
        filters = {"q": q, "industry": industry, "status": status, "sort": sort}
        result = await repository.list_enterprises(
            db, request.user, ListFilters.from_query(filters), page=page, page_size=page_size
        )
        items = [schemas.EnterpriseSummary(**r) for r in result.items]
        return schemas.EnterprisePage(**result.as_dict(items))

    @get("/{enterprise_id:int}", opt={"roles": API_READERS}, summary="One enterprise")
    async def get_enterprise(
        self, request: Request, db: DbSession, enterprise_id: FromPath[int]
    ) -> schemas.EnterpriseOut:
        enterprise = await repository.get_enterprise(db, request.user, enterprise_id)
        return await _enterprise_out(db, enterprise)

    @post("/", opt={"roles": EDITORS}, summary="Register an enterprise", status_code=201)
    async def create_enterprise(
        self, request: Request, db: DbSession, data: JSONBody[schemas.EnterpriseCreate]
    ) -> schemas.EnterpriseOut:
        enterprise = await register.create_enterprise(db, request.user, data.model_dump())
        return await _enterprise_out(db, enterprise)

    @patch(
        "/{enterprise_id:int}",
        opt={"roles": EDITORS},
        summary="Change an enterprise (only the fields sent)",
    )
    async def update_enterprise(
        self,
        request: Request,
        db: DbSession,
        enterprise_id: FromPath[int],
        data: JSONBody[schemas.EnterpriseUpdate],
    ) -> schemas.EnterpriseOut:
        enterprise = await register.update_enterprise(
            db, request.user, enterprise_id, data.model_dump(exclude_unset=True)
        )
        return await _enterprise_out(db, enterprise)


ROUTES = [EnterprisesApi]
