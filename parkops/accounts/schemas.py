"""API shapes of the accounts domain."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class Me(BaseModel):
    id: int
    username: str
    display_name: str
    roles: list[str]
    enterprise_id: int | None
    department_id: int | None


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    email: str | None
    is_active: bool
    roles: list[str]
    enterprise_id: int | None
    department_id: int | None
    created_at: datetime


class UserCreate(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    display_name: str = Field(min_length=1, max_length=120)
    password: str = Field(min_length=1, max_length=200)
    email: str | None = None
    roles: list[str]
    enterprise_id: int | None = None
    department_id: int | None = None


class UserPage(BaseModel):
    items: list[UserOut]
    total: int
    page: int
    page_size: int
    pages: int


class TokenCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="Shown once; only its hash is stored")
