"""What a domain contributes to the app, declared in one place: the ``DOMAIN`` of its
``domain.py``.

``parkops/app.py`` lists the domains in order and builds everything from that list: the route
handlers, the dashboard cards (shown in the listed order), the document access grants, the
template filters, the startup and shutdown hooks; ``parkops/cli.py`` adds the CLI groups and
``parkops/demo.py`` runs the demo loaders from the same list. Nothing is registered as a side
effect of importing a module, so a process sees the same wiring whatever it happened to import.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import click
from litestar import Litestar
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from parkops.core.ports import Port


class Viewer(Protocol):
    """What the wiring needs of a signed-in user (``accounts.identity.CurrentUser`` is one)."""

    @property
    def roles(self) -> frozenset[str]: ...


CardLoader = Callable[[AsyncSession, Any], Awaitable[Mapping[str, Any]]]
"""``async load(db, user) -> context``: the values a dashboard card's template shows."""

AccessRule = Callable[[Any], "ColumnElement[bool] | None"]
"""``rule(user)``: a SQL condition on ``Document`` columns granting more documents of one kind to
``user``, or None for nothing more (see ``parkops.documents.access``)."""

AccessRules = Mapping[str, Sequence[AccessRule]]
"""Document kind -> the rules granting access to documents of that kind."""

Hook = Callable[[Litestar], Awaitable[None]]
DemoLoader = Callable[[AsyncSession], Awaitable[Mapping[str, int]]]
"""``async load(db) -> {what: how many created}``; idempotent."""


@dataclass(frozen=True)
class DashboardCard:
    roles: frozenset[str]
    """Users holding any of these roles see the card."""
    template: str
    load: CardLoader


@dataclass(frozen=True)
class DocumentGrant:
    """Lets ``rule`` grant access to stored documents of ``kind`` beyond the base rule."""

    kind: str
    rule: AccessRule


@dataclass(frozen=True)
class Domain:
    name: str
    routes: Sequence[ControllerRouterHandler] = ()
    dashboard_cards: Sequence[DashboardCard] = ()
    document_grants: Sequence[DocumentGrant] = ()
    template_filters: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    cli: click.Command | None = None
    demo: DemoLoader | None = None
    demo_logins: Sequence[tuple[str, str]] = ()
    """(username, roles) of the demo users the demo loader creates, listed by ``make run``."""
    on_startup: Sequence[Hook] = ()
    on_shutdown: Sequence[Hook] = ()
    plugs: Sequence[tuple[Port[Any], Any]] = ()
    """(port of a domain below this one, what fills it): see ``parkops.core.ports``."""


def dashboard_cards(domains: Iterable[Domain]) -> tuple[DashboardCard, ...]:
    return tuple(card for domain in domains for card in domain.dashboard_cards)


def cards_for(cards: Iterable[DashboardCard], user: Viewer) -> list[DashboardCard]:
    """The cards ``user`` sees, in order."""
    return [card for card in cards if user.roles & card.roles]


def access_rules(domains: Iterable[Domain]) -> dict[str, tuple[AccessRule, ...]]:
    rules: dict[str, tuple[AccessRule, ...]] = {}
    for domain in domains:
        for grant in domain.document_grants:
            rules[grant.kind] = (*rules.get(grant.kind, ()), grant.rule)
    return rules


def template_filters(domains: Iterable[Domain]) -> dict[str, Callable[..., Any]]:
    filters: dict[str, Callable[..., Any]] = {}
    for domain in domains:
        clash = filters.keys() & domain.template_filters.keys()
        if clash:
            raise ValueError(f"template filters defined twice: {sorted(clash)}")
        filters.update(domain.template_filters)
    return filters


def plug_ports(domains: Iterable[Domain]) -> None:
    """Fill every port the domains declare (idempotent)."""
    for domain in domains:
        for port, impl in domain.plugs:
            port.plug(impl)
