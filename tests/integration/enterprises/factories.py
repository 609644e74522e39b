"""Enterprise factories for tests of any domain: plain functions, valid data, unique USCCs."""

from __future__ import annotations

import random
from itertools import count
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from parkops.enterprises.models import Enterprise
from parkops.enterprises.rules.uscc import ALPHABET, make_uscc
from parkops.enterprises.services import register

_seq = count(1)
_rng = random.Random(32100)


def new_uscc() -> str:
    """A valid USCC not used before in this test process (registered in Lushan City)."""
    n = next(_seq)
    body = "".join(_rng.choice(ALPHABET) for _ in range(4)) + f"{n:05d}"
    return make_uscc("91360483" + body)


def enterprise_values(**overrides: Any) -> dict[str, Any]:
    n = next(_seq)
    values: dict[str, Any] = {
        "name": f"庐山市测试{n}羽绒服饰有限公司",
        "name_en": None,
        "uscc": new_uscc(),
        "legal_representative": "王伟",
        "contact_person": "李娜",
        "contact_mobile": "13800138000",
        "industry": "down_apparel",
        "status": "tenant",
        "registered_capital_fen": 100_000_000,
        "employee_count": 12,
        "shops": [],
    }
    values.update(overrides)
    return values


async def create_enterprise(db: AsyncSession, **overrides: Any) -> Enterprise:
    enterprise = await register.create_enterprise(db, "test", enterprise_values(**overrides))
    await db.flush()  # the audit row too, before requests on other sessions write theirs
    return enterprise
