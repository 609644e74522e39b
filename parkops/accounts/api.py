"""The accounts part of the JSON API (``/api/v1``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Request, delete, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from parkops.accounts import schemas, service
from parkops.accounts.models import User
from parkops.accounts.roles import ADMIN, ANY_USER
from parkops.core import audit
from parkops.db.request_session import DbSession


def _token_out(token) -> dict:
    return schemas.TokenOut.model_validate(token, from_attributes=True).model_dump()


async def _user_out(db: DbSession, user: User) -> schemas.UserOut:
    assert user.id is not None  # a stored user
    roles = sorted(role.value for role in await service.roles_of(db, user.id))
    return schemas.UserOut(**user.model_dump(exclude={"password_hash"}), roles=roles)


class AccountsApi(Controller):
    path = "/api/v1"
    tags = ["accounts"]

    @get("/me", opt={"roles": ANY_USER}, summary="The authenticated user")
    async def me(self, request: Request) -> schemas.Me:
        u = request.user
        return schemas.Me(
            id=u.id,
            username=u.username,
            display_name=u.display_name,
            roles=sorted(u.roles),
            enterprise_id=u.enterprise_id,
            department_id=u.department_id,
        )

    @get("/users", opt={"roles": ADMIN}, summary="List users")
    async def list_users(
        self,
        db: DbSession,
        q: FromQuery[str | None] = None,
        role: FromQuery[str | None] = None,
        active: FromQuery[bool | None] = None,
        page: FromQuery[int] = 1,
        page_size: FromQuery[int] = 20,
    ) -> schemas.UserPage:
        result = await service.list_users(
            db, q=q, role=role, active=active, page=page, page_size=page_size
        )
        items = [schemas.UserOut(**{**r, "roles": sorted(r["roles"] or [])}) for r in result.items]
        return schemas.UserPage(**result.as_dict(items))

    @post("/users", opt={"roles": ADMIN}, summary="Create a user", status_code=201)
    async def create_user(
        self, request: Request, db: DbSession, data: JSONBody[schemas.UserCreate]
    ) -> schemas.UserOut:
        return await _user_out(db, await service.create_user(db, request.user, **data.model_dump()))

    @get("/users/{user_id:int}", opt={"roles": ADMIN}, summary="One user")
    async def get_user(self, db: DbSession, user_id: FromPath[int]) -> schemas.UserOut:
        return await _user_out(db, await service.get_user(db, user_id))

    @get("/tokens", opt={"roles": ANY_USER}, summary="My API tokens")
    async def list_tokens(self, request: Request, db: DbSession) -> list[schemas.TokenOut]:
        return [
            schemas.TokenOut(**_token_out(t))
            for t in await service.list_api_tokens(db, request.user)
        ]

    @post("/tokens", opt={"roles": ANY_USER}, summary="Create an API token", status_code=201)
    async def create_token(
        self, request: Request, db: DbSession, data: JSONBody[schemas.TokenCreate]
    ) -> schemas.TokenCreated:
        token, plaintext = await service.create_api_token(db, request.user, data.name)
        return schemas.TokenCreated(**_token_out(token), token=plaintext)

    @delete(
        "/tokens/{token_id:int}",
        opt={"roles": ANY_USER},
        summary="Revoke an API token",
        status_code=204,
    )
    async def revoke_token(self, request: Request, db: DbSession, token_id: FromPath[int]) -> None:
        await service.revoke_api_token(db, request.user, token_id)


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
        result = await audit.search(
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
