"""Demo data of the enterprises domain: 420 fictional enterprises and one enterprise user.

Deterministic (``demo_names`` with a fixed seed, statuses by position) and idempotent: one
query tells whether the data is there, and a second run returns at once. Rows go in with one
multi-row INSERT per table rather than one ORM round trip per enterprise.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts import service as accounts
from parkops.accounts.demo import DEMO_PASSWORD
from parkops.accounts.models import User
from parkops.core import audit
from parkops.enterprises.demo_names import demo_enterprises
from parkops.enterprises.models import Enterprise, EnterpriseShop
from parkops.enterprises.rules.enterprise import parse_platform
from parkops.enterprises.workflow import EnterpriseStatus

DEMO_COUNT = 420
DEMO_SEED = 2015
DEMO_USERNAME = "qiye"
# The demo enterprise user belongs to the first demo enterprise (a tenant).
DEMO_USER_ENTERPRISE_INDEX = 0
DEMO_LOGINS = [(DEMO_USERNAME, "enterprise_user")]


def demo_status(index: int) -> EnterpriseStatus:
    """About 400 tenants, 14 prospects and 6 former tenants out of 420, spread through the list."""
    if index % 30 == 7:
        return EnterpriseStatus.prospect
    if index % 70 == 33:
        return EnterpriseStatus.former_tenant
    return EnterpriseStatus.tenant


async def load_demo(db: AsyncSession) -> dict[str, int]:
    # The first k demo firms do not depend on how many are asked for: a cheap anchor to look up.
    anchor = demo_enterprises(DEMO_USER_ENTERPRISE_INDEX + 1, seed=DEMO_SEED)[-1]
    state = (
        await db.execute(
            sa.select(
                sa.select(Enterprise.id).where(Enterprise.uscc == anchor.uscc).scalar_subquery(),
                sa.exists().where(sa.func.lower(User.username) == DEMO_USERNAME),
            )
        )
    ).one()
    anchor_id, user_exists = state
    counts: dict[str, int] = {}
    if anchor_id is None:
        firms = demo_enterprises(DEMO_COUNT, seed=DEMO_SEED)
        anchor_id, counts = await _insert_enterprises(db, firms)
    if not user_exists:
        await accounts.create_user(
            db,
            "demo",
            username=DEMO_USERNAME,
            display_name=f"{anchor.contact_person} ({anchor.trade_name})",
            password=DEMO_PASSWORD,
            roles=["enterprise_user"],
            enterprise_id=anchor_id,
        )
        counts["enterprise_users"] = 1
    return counts


async def _insert_enterprises(db: AsyncSession, firms) -> tuple[int, dict[str, int]]:
    rows = [
        {
            "name": f.name,
            "name_en": f.name_en,
            "uscc": f.uscc,
            "legal_representative": f.legal_representative,
            "address": f.address,
            "address_en": f.address_en,
            "contact_person": f.contact_person,
            "contact_mobile": f.contact_mobile,
            "industry": f.industry,
            "status": demo_status(i).value,
            "registered_capital_fen": f.registered_capital_fen,
            "employee_count": f.employee_count,
        }
        for i, f in enumerate(firms)
    ]
    # A USCC somebody already entered by hand wins over the demo row.
    stmt = (
        insert(Enterprise)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["uscc"])
        .returning(Enterprise.id, Enterprise.uscc)
    )
    ids = {uscc: id_ for id_, uscc in (await db.execute(stmt)).all()}
    shops = [
        {
            "enterprise_id": ids[f.uscc],
            "platform": parse_platform(shop.platform) or "other",
            "shop_name": shop.shop_name,
        }
        for f in firms
        if f.uscc in ids
        for shop in f.online_shops
    ]
    if shops:
        await db.execute(sa.insert(EnterpriseShop).values(shops))
    audit.record(
        db,
        actor="demo",
        action="enterprises_imported",
        entity="enterprise",
        after={"source": "demo", "count": len(ids)},
    )
    anchor_id = ids.get(firms[DEMO_USER_ENTERPRISE_INDEX].uscc)
    if anchor_id is None:
        anchor_id = await db.scalar(
            sa.select(Enterprise.id).where(
                Enterprise.uscc == firms[DEMO_USER_ENTERPRISE_INDEX].uscc
            )
        )
    return anchor_id, {"enterprises": len(ids), "enterprise_shops": len(shops)}
