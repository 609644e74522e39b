"""Bench only: the unit list answered through raw asyncpg, for ``bench/units_api.py``.

Registered by ``parkops.inventory.controllers`` only when ``PARKOPS_BENCH_RAW=1`` is set in the
environment of the server process (the bench sets it for the uvicorn it starts); never in
production or tests. It is public and unauthenticated on purpose: it measures what the same
two SQL statements cost with nothing around them, so that the benchmark can report how much of
the real endpoint's time goes to the framework, authentication, the ORM layer and validation.

The SQL is *identical* to the real endpoint's: both run ``repository.unit_list_queries``
(compiled once per combination of filters from the same SQLAlchemy statements); the API runs
them on the request's connection inside its transaction, this endpoint on a plain pool.
"""

from __future__ import annotations

import os
from typing import Any

import asyncpg
from litestar import Request, get

from parkops.core.pagination import clamp
from parkops.db.engine import to_libpq_url
from parkops.inventory import repository
from parkops.inventory.repository import UnitFilters

if os.environ.get("PARKOPS_BENCH_RAW") != "1":  # pragma: no cover - import guard
    raise RuntimeError("parkops.inventory.bench_raw is for bench/units_api.py only")

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


ROUTES = [raw_units]
