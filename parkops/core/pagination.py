"""One way to paginate every list, in pages and in the API: ``?page=1&page_size=20``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

MAX_PAGE_SIZE = 100


@dataclass
class Page:
    items: list[Any]
    total: int
    page: int
    page_size: int
    more: bool = False  # counted only up to a bound: there are more than ``total``

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    def as_dict(self, items: list[Any] | None = None) -> dict:
        return {
            "items": self.items if items is None else items,
            "total": self.total,
            "page": self.page,
            "page_size": self.page_size,
            "pages": self.pages,
        }


def clamp(page: int | None, page_size: int | None) -> tuple[int, int]:
    page = max(1, page or 1)
    page_size = min(MAX_PAGE_SIZE, max(1, page_size or 20))
    return page, page_size


async def paginate(db: AsyncSession, stmt: sa.Select, *, page: int, page_size: int) -> Page:
    """Rows (not ORM entities: list pages are hot paths) of one page plus the total count."""
    page, page_size = clamp(page, page_size)
    total = await db.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    rows = (await db.execute(stmt.limit(page_size).offset((page - 1) * page_size))).mappings().all()
    return Page(items=[dict(r) for r in rows], total=total or 0, page=page, page_size=page_size)
