"""Tables of the accounts domain: users, their roles, web sessions, API tokens, login attempts."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from parkops.accounts.roles import Role
from parkops.db.base import created_at_field, enum_check, tz_field


class User(SQLModel, table=True):
    __tablename__ = "users"
    __table_args__ = (
        sa.Index("uq_users_username_lower", sa.text("lower(username)"), unique=True),
        sa.CheckConstraint("length(username) BETWEEN 3 AND 64", name="username_length"),
    )

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64)
    display_name: str = Field(max_length=120)
    email: str | None = Field(default=None, max_length=254)
    password_hash: str = Field(max_length=255)
    is_active: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
    # Set for enterprise users and government officers; the foreign keys are added by the
    # migrations of the enterprises and tickets domains.
    enterprise_id: int | None = Field(
        default=None, index=True, foreign_key="enterprises.id", ondelete="RESTRICT"
    )
    department_id: int | None = Field(
        default=None, index=True, foreign_key="departments.id", ondelete="RESTRICT"
    )
    language: str | None = Field(default=None, max_length=5)
    created_at: datetime = created_at_field()
    password_changed_at: datetime | None = tz_field()


class UserRole(SQLModel, table=True):
    __tablename__ = "user_roles"
    __table_args__ = (enum_check("role", Role),)

    user_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    )
    role: str = Field(sa_column=sa.Column(sa.String(32), primary_key=True))


class UserSession(SQLModel, table=True):
    """A signed-in browser. Only the sha256 of the cookie value is stored."""

    __tablename__ = "user_sessions"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    created_at: datetime = created_at_field()
    last_seen_at: datetime = created_at_field()
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    revoked_at: datetime | None = tz_field()
    ip: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=300)


class ApiToken(SQLModel, table=True):
    """A bearer token for ``/api/v1``. Only the sha256 is stored; the prefix helps people tell
    their tokens apart."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = created_at_field()
    last_used_at: datetime | None = tz_field()
    revoked_at: datetime | None = tz_field()


class LoginAttempt(SQLModel, table=True):
    """Every sign-in attempt, kept for throttling (shared by all app processes) and forensics."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        sa.Index("ix_login_attempts_username_at", "username", "at"),
        sa.Index("ix_login_attempts_ip_at", "ip", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = created_at_field()
    username: str = Field(max_length=64)
    ip: str = Field(max_length=64)
    success: bool
