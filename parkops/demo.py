"""Demo data for `make run` and `parkops demo load`: deterministic and idempotent.

Each domain declares a demo loader (``Domain.demo``: ``load(db) -> {what: how many created}``)
and the logins it creates (``Domain.demo_logins``); they run in the order of the app's domain
list, which is their dependency order. Loading twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts.demo import DEMO_PASSWORD
from parkops.core.domain import Domain


async def load_demo(db: AsyncSession, domains: Iterable[Domain]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for domain in domains:
        if domain.demo is not None:
            counts.update(await domain.demo(db))
    return counts


def demo_logins(domains: Iterable[Domain]) -> list[tuple[str, str, str]]:
    """(username, password, roles) of every demo login, for ``make run`` to print."""
    return [(u, DEMO_PASSWORD, roles) for d in domains for u, roles in d.demo_logins]
