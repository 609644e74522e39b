"""Bench only: the app plus the unit list answered through raw asyncpg, for
``bench/units_api.py``, which serves it with ``uvicorn --app-dir bench units_raw:create_app``.

The product code knows nothing of it. ``GET /bench/raw/units`` is public and unauthenticated on
purpose: it measures what the same two SQL statements cost with nothing around them, so that
the benchmark can report how much of the real endpoint's time goes to the framework,
authentication, the ORM layer and validation. It is added to the real app (same process, same
middleware stack around it) rather than served by a second server.

The SQL is *identical* to the real endpoint's: both run ``repository.unit_list_queries``
(compiled once per combination of filters from the same SQLAlchemy statements); the API runs
them on the request's connection inside its transaction, this endpoint on a plain pool.
"""

from __future__ import annotations

from typing import Any

import asyncpg
from litestar import Litestar, Request, get

from parkops.app import create_app_from_env
from parkops.core.pagination import clamp
from parkops.db.engine import to_libpq_url
from parkops.inventory import repository
from parkops.inventory.repository import UnitFilters

_pool: asyncpg.Pool | None = None


async def _get_pool(request: Request) -> asyncpg.Pool:
    global _pool
    if _pool is None:
        url = to_libpq_url(request.app.state.settings.database_url)
        size = request.app.state.settings.db_pool_size
        _pool = await asyncpg.create_pool(url, min_size=size, max_size=size)
    return _pool


@get("/bench/raw/units", opt={"public": True}, include_in_schema=False)
async def raw_units(request: Request) -> dict[str, Any]:
    params = request.query_params
    f = UnitFilters.from_query(**{k: params.get(k) for k in params})
    sort = params.get("sort") or repository.DEFAULT_SORT
    if sort not in repository.SORTS:
        sort = repository.DEFAULT_SORT
    page, page_size = clamp(int(params.get("page") or 1), int(params.get("page_size") or 20))
    count, page_query = repository.unit_list_queries(f, sort)
    values = repository.filter_params(f) | {"limit": page_size, "offset": (page - 1) * page_size}
    pool = await _get_pool(request)
    async with pool.acquire() as conn:
        total = await conn.fetchval(count.sql, *count.args(values))
        rows = await conn.fetch(page_query.sql, *page_query.args(values))
    return {
        "items": [dict(r) for r in rows],
        "total": total,
        "page": page,
        "page_size": page_size,
        "pages": max(1, -(-total // page_size)),
    }


def create_app() -> Litestar:
    """The app of ``parkops serve`` with the raw twin added (a uvicorn ``--factory``)."""
    app = create_app_from_env()
    app.register(raw_units)
    return app
