"""API shapes of the enterprises domain.

Input models only check types: the rules (USCC check character, mobile format, non-negative
amounts, allowed statuses) live in the service, which answers with a 422 naming each field, the
same messages the forms show.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from parkops.enterprises.vocabulary import Industry, Platform
from parkops.enterprises.workflow import EnterpriseStatus

_INDUSTRY = {"enum": [i.value for i in Industry]}
_STATUS = {"enum": [s.value for s in EnterpriseStatus]}
_PLATFORM = {"enum": [p.value for p in Platform]}


class ShopIn(BaseModel):
    platform: str = Field(json_schema_extra=_PLATFORM, description="Platform code")
    shop_name: str = Field(max_length=200)
    url: str | None = Field(default=None, description="http(s) URL of the shop")


class ShopOut(ShopIn):
    id: int


class EnterpriseCreate(BaseModel):
    name: str = Field(
        description="Registered Chinese name", examples=["庐山市横塘镇暖阳羽绒服饰有限公司"]
    )
    name_en: str | None = None
    uscc: str = Field(
        description="Unified Social Credit Code (18 characters, GB 32100-2015)",
        examples=["91360483MA35XXXX0X"],
    )
    legal_representative: str
    address: str = Field(default="", description="Registered address (住所), as on the licence")
    address_en: str | None = None
    contact_person: str
    contact_mobile: str = Field(description="11-digit mainland mobile number")
    industry: str = Field(json_schema_extra=_INDUSTRY)
    status: str = Field(default=EnterpriseStatus.prospect.value, json_schema_extra=_STATUS)
    registered_capital_fen: int = Field(description="Registered capital in fen (1 yuan = 100)")
    employee_count: int
    shops: list[ShopIn] = Field(default_factory=list)


class EnterpriseUpdate(BaseModel):
    """Only the fields sent are changed; ``shops``, when sent, replaces the list."""

    name: str | None = None
    name_en: str | None = None
    uscc: str | None = None
    legal_representative: str | None = None
    address: str | None = None
    address_en: str | None = None
    contact_person: str | None = None
    contact_mobile: str | None = None
    industry: str | None = Field(default=None, json_schema_extra=_INDUSTRY)
    status: str | None = Field(default=None, json_schema_extra=_STATUS)
    registered_capital_fen: int | None = None
    employee_count: int | None = None
    shops: list[ShopIn] | None = None


class EnterpriseSummary(BaseModel):
    id: int
    name: str
    name_en: str | None
    uscc: str
    industry: str
    status: str
    legal_representative: str
    address: str
    address_en: str | None
    contact_person: str
    contact_mobile: str
    registered_capital_fen: int
    employee_count: int
    created_at: datetime
    updated_at: datetime


class EnterpriseOut(EnterpriseSummary):
    shops: list[ShopOut]


class EnterprisePage(BaseModel):
    items: list[EnterpriseSummary]
    total: int
    page: int
    page_size: int
    pages: int
