"""Tables of the enterprises domain: tenant enterprises, their online shops, user invitations."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from parkops.db.base import created_at_field, enum_check, tz_field
from parkops.enterprises.vocabulary import Industry, Platform
from parkops.enterprises.workflow import EnterpriseStatus

# Mainland mobile numbers: 11 digits starting 13-19. Kept in the database too, so an import
# that bypassed the service could not store a number nobody can call.
MOBILE_PATTERN = "^1[3-9][0-9]{9}$"
# The USCC alphabet (digits and capitals without I, O, S, V, Z); the check character is verified
# by the application (parkops.enterprises.rules.uscc), the shape by the database.
USCC_PATTERN = "^[0-9A-HJ-NP-RTUW-Y]{18}$"


class Enterprise(SQLModel, table=True):
    __tablename__ = "enterprises"
    __table_args__ = (
        sa.Index("uq_enterprises_uscc", "uscc", unique=True),
        sa.Index("ix_enterprises_name_id", "name", "id"),  # the list's default order
        enum_check("industry", Industry),
        enum_check("status", EnterpriseStatus),
        sa.CheckConstraint(f"uscc ~ '{USCC_PATTERN}'", name="uscc_format"),
        sa.CheckConstraint(f"contact_mobile ~ '{MOBILE_PATTERN}'", name="contact_mobile_format"),
        sa.CheckConstraint("registered_capital_fen >= 0", name="registered_capital_not_negative"),
        sa.CheckConstraint("employee_count >= 0", name="employee_count_not_negative"),
        sa.CheckConstraint("length(btrim(name)) > 0", name="name_not_blank"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    uscc: str = Field(max_length=18)
    legal_representative: str = Field(max_length=50)
    address: str = Field(default="", max_length=300, sa_column_kwargs={"server_default": ""})
    address_en: str | None = Field(default=None, max_length=300)
    contact_person: str = Field(max_length=50)
    contact_mobile: str = Field(max_length=11)
    industry: str = Field(max_length=32, index=True)
    registered_capital_fen: int = Field(sa_type=sa.BigInteger)
    employee_count: int
    status: str = Field(max_length=16, index=True)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class EnterpriseShop(SQLModel, table=True):
    """An online shop an enterprise runs (platform + shop name, optionally its URL)."""

    __tablename__ = "enterprise_shops"
    __table_args__ = (
        sa.UniqueConstraint("enterprise_id", "platform", "shop_name"),
        enum_check("platform", Platform),
    )

    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int = Field(foreign_key="enterprises.id", index=True, ondelete="CASCADE")
    platform: str = Field(max_length=16)
    shop_name: str = Field(max_length=100)
    url: str | None = Field(default=None, max_length=500)


class EnterpriseInvitation(SQLModel, table=True):
    """An emailed invitation to become an enterprise user. Only the sha256 of the token is kept."""

    __tablename__ = "enterprise_invitations"

    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int = Field(foreign_key="enterprises.id", index=True, ondelete="CASCADE")
    email: str = Field(max_length=254)
    display_name: str = Field(max_length=120)
    token_hash: str = Field(max_length=64, unique=True)
    invited_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    accepted_at: datetime | None = tz_field()
    accepted_user_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    revoked_at: datetime | None = tz_field()
