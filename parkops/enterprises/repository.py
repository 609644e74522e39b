"""The enterprises domain's reads: the register's list (filtered, sorted, paginated, exported),
one enterprise, its shops, users and invitations, the dashboard's counts.

What a caller may *see* is decided here, in the queries: :func:`scoped` filters every read in
SQL, so an enterprise user asking for another enterprise gets the same 404 as for one that does
not exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts.identity import CurrentUser
from parkops.accounts.models import User
from parkops.accounts.scoping import one_or_404, scope
from parkops.core.i18n import N_
from parkops.core.pagination import Page, paginate
from parkops.db.base import utcnow
from parkops.enterprises.models import Enterprise, EnterpriseInvitation, EnterpriseShop
from parkops.enterprises.rules.invitations import invitation_state
from parkops.enterprises.rules.uscc import normalize_uscc
from parkops.enterprises.vocabulary import Industry
from parkops.enterprises.workflow import EnterpriseStatus

# ?sort= values of the lists; "-name" sorts descending. Ties are broken by id so pages are stable.
SORTS: dict[str, Any] = {
    "name": Enterprise.name,
    "uscc": Enterprise.uscc,
    "industry": Enterprise.industry,
    "status": Enterprise.status,
    "capital": Enterprise.registered_capital_fen,
    "employees": Enterprise.employee_count,
    "created": Enterprise.created_at,
}
DEFAULT_SORT = "name"


def scoped(stmt: sa.Select, user: CurrentUser) -> sa.Select:
    """``stmt`` restricted to the enterprises ``user`` may read: all for staff, their own for
    enterprise users, none for anybody else."""
    return scope(stmt, user, enterprise_column=Enterprise.id)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class ListFilters:
    """The register list's filters (page, API, exports); empty strings filter nothing."""

    q: str = ""
    industry: str = ""
    status: str = ""
    sort: str = ""

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> ListFilters:
        """Lenient: unknown industries and statuses are no filter, not an error."""
        industry, status = query.get("industry"), query.get("status")
        return cls(
            q=(query.get("q") or "").strip(),
            industry=industry if industry in set(Industry) else "",
            status=status if status in set(EnterpriseStatus) else "",
            sort=query.get("sort") or "",
        )

    def as_query(self) -> dict[str, str]:
        """The filters that are set, for a link's query string."""
        return {k: v for k, v in asdict(self).items() if v}


def parse_sort(sort: str | None) -> tuple[str, bool]:
    """(key, descending) for a ``?sort=`` value; unknown keys fall back to the default."""
    raw = (sort or "").strip()
    descending = raw.startswith("-")
    key = raw.lstrip("-")
    if key not in SORTS:
        return DEFAULT_SORT, False
    return key, descending


def filtered_query(columns: list[Any], user: CurrentUser, filters: ListFilters) -> sa.Select:
    q, industry, status, sort = filters.q, filters.industry, filters.status, filters.sort
    stmt = scoped(sa.select(*columns), user)
    text = (q or "").strip()
    if text:
        like = _like(text)
        conditions = [
            Enterprise.name.ilike(like),
            Enterprise.name_en.ilike(like),
            Enterprise.contact_person.ilike(like),
            Enterprise.contact_mobile.like(_like(text.replace(" ", ""))),
        ]
        code = normalize_uscc(text)
        if code:
            conditions.append(Enterprise.uscc.like(_like(code)))
        stmt = stmt.where(sa.or_(*conditions))
    if industry in set(Industry):
        stmt = stmt.where(Enterprise.industry == industry)
    if status in set(EnterpriseStatus):
        stmt = stmt.where(Enterprise.status == status)
    key, descending = parse_sort(sort)
    column = SORTS[key]
    # the tie-breaker follows the direction, so one index serves both (read backwards)
    tie = Enterprise.id.desc() if descending else Enterprise.id.asc()
    stmt = stmt.order_by(column.desc() if descending else column.asc(), tie)
    return stmt


LIST_COLUMNS = [
    Enterprise.id,
    Enterprise.name,
    Enterprise.name_en,
    Enterprise.uscc,
    Enterprise.industry,
    Enterprise.status,
    Enterprise.legal_representative,
    Enterprise.address,
    Enterprise.address_en,
    Enterprise.contact_person,
    Enterprise.contact_mobile,
    Enterprise.registered_capital_fen,
    Enterprise.employee_count,
    Enterprise.created_at,
    Enterprise.updated_at,
]


async def list_enterprises(
    db: AsyncSession, user: CurrentUser, filters: ListFilters, *, page: int = 1, page_size: int = 20
) -> Page:
    stmt = filtered_query(LIST_COLUMNS, user, filters)
    return await paginate(db, stmt, page=page, page_size=page_size)


async def export_rows(
    db: AsyncSession, user: CurrentUser, filters: ListFilters
) -> list[dict[str, Any]]:
    """Every row of the filtered list (no pagination) with its shops, for CSV/XLSX export."""
    shops = (
        sa.select(
            sa.func.coalesce(
                sa.func.jsonb_agg(
                    sa.func.jsonb_build_object(
                        "platform",
                        EnterpriseShop.platform,
                        "shop_name",
                        EnterpriseShop.shop_name,
                        "url",
                        EnterpriseShop.url,
                    )
                ).filter(EnterpriseShop.id.is_not(None)),
                sa.text("'[]'::jsonb"),
            )
        )
        .where(EnterpriseShop.enterprise_id == Enterprise.id)
        .scalar_subquery()
        .label("shops")
    )
    stmt = filtered_query([*LIST_COLUMNS, shops], user, filters)
    return [dict(r) for r in (await db.execute(stmt)).mappings()]


async def get_enterprise(db: AsyncSession, user: CurrentUser, enterprise_id: int) -> Enterprise:
    stmt = scoped(sa.select(Enterprise).where(Enterprise.id == enterprise_id), user)
    return await one_or_404(db, stmt, N_("No such enterprise"))


async def list_shops(db: AsyncSession, enterprise_id: int) -> list[EnterpriseShop]:
    rows = await db.execute(
        sa.select(EnterpriseShop)
        .where(EnterpriseShop.enterprise_id == enterprise_id)
        .order_by(EnterpriseShop.id)
    )
    return list(rows.scalars())


async def status_counts(db: AsyncSession) -> dict[str, int]:
    rows = await db.execute(
        sa.select(Enterprise.status, sa.func.count()).group_by(Enterprise.status)
    )
    counts = {s.value: 0 for s in EnterpriseStatus}
    counts.update({status: n for status, n in rows})
    return counts


async def list_users(db: AsyncSession, enterprise_id: int) -> list[dict[str, Any]]:
    # A read of the accounts table: the accounts service has no per-enterprise listing.
    rows = await db.execute(
        sa.select(
            User.id, User.username, User.display_name, User.email, User.is_active, User.created_at
        )
        .where(User.enterprise_id == enterprise_id)
        .order_by(User.username)
    )
    return [dict(r) for r in rows.mappings()]


async def list_invitations(db: AsyncSession, enterprise_id: int) -> list[dict[str, Any]]:
    rows = (
        await db.execute(
            sa.select(EnterpriseInvitation)
            .where(EnterpriseInvitation.enterprise_id == enterprise_id)
            .order_by(EnterpriseInvitation.id.desc())
        )
    ).scalars()
    now = utcnow()
    return [
        {
            **inv.model_dump(exclude={"token_hash"}),
            "state": invitation_state(inv, now),
        }
        for inv in rows
    ]
