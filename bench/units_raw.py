"""Bench only: a bare Litestar app (no middleware, guards, session or templates) serving the
framework ceiling and the raw asyncpg twin of the unit list, for ``bench/units_api.py`` and
``bench/pages.py`` (``uvicorn --app-dir bench units_raw:create_app --factory``).

``GET /bench/const`` answers a constant JSON document: what one request costs in Litestar and
uvicorn alone. ``GET /bench/raw/units`` runs the unit list's two SQL statements (count + page,
compiled from the same SQLAlchemy code by ``repository.unit_list_queries``) on a plain asyncpg
pool, no authentication, no ORM. Both are in their own app, in their own process, so the ratio of
the product's endpoints to them shows everything the product adds (middleware, authentication,
the request session, the ORM layer, validation). Public on purpose; never part of the product.
"""

from __future__ import annotations

import os
from typing import Any

import asyncpg
from litestar import Litestar, Request, get

from parkops.core.pagination import clamp
from parkops.db.engine import to_libpq_url
from parkops.inventory import repository
from parkops.inventory.repository import UnitFilters

_pool: asyncpg.Pool | None = None
CONSTANT = {"items": [{"id": 1, "code": "P1-B001-0101", "status": "available"}], "total": 1}


@get("/bench/const")
async def const() -> dict[str, Any]:
    return CONSTANT


@get("/bench/raw/units")
async def raw_units(request: Request) -> dict[str, Any]:
    params = request.query_params
    f = UnitFilters.from_query(**{k: params.get(k) for k in params})
    sort = params.get("sort") or repository.DEFAULT_SORT
    if sort not in repository.SORTS:
        sort = repository.DEFAULT_SORT
    page, page_size = clamp(int(params.get("page") or 1), int(params.get("page_size") or 20))
    count, page_query = repository.unit_list_queries(f, sort)
    values = repository.filter_params(f) | {"limit": page_size, "offset": (page - 1) * page_size}
    assert _pool is not None
    async with _pool.acquire() as conn:
        total = await conn.fetchval(count.sql, *count.args(values))
        rows = await conn.fetch(page_query.sql, *page_query.args(values))
    return {
        "items": [dict(r) for r in rows],
        "total": total,
        "page": page,
        "page_size": page_size,
        "pages": max(1, -(-total // page_size)),
    }


async def _open_pool() -> None:
    global _pool
    size = int(os.environ.get("PARKOPS_DB_POOL_SIZE", "10"))
    url = to_libpq_url(os.environ["PARKOPS_DATABASE_URL"])
    _pool = await asyncpg.create_pool(url, min_size=size, max_size=size)


async def _close_pool() -> None:
    if _pool is not None:
        await _pool.close()


def create_app() -> Litestar:
    """The bare app (a uvicorn ``--factory``); PARKOPS_DATABASE_URL names the database."""
    return Litestar(
        route_handlers=[const, raw_units],
        on_startup=[_open_pool],
        on_shutdown=[_close_pool],
        openapi_config=None,
        logging_config=None,
    )
