"""The application factory: the whole wiring of the product on one screen.

``DOMAINS`` lists the domains in order; each domain's ``domain.py`` declares its routes, dashboard
cards, document grants, template filters, CLI group, demo loader and startup/shutdown hooks, and
everything here (and in ``parkops.cli`` and ``parkops.demo``) is derived from this list, in this
order: dashboard cards are shown and demo data is loaded in it. What a piece of the wiring does is
said where it is defined (``parkops.core.*``, ``parkops.db.*``, ``parkops.accounts.auth``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from litestar import Litestar
from litestar.config.response_cache import ResponseCacheConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.static_files import create_static_files_router
from sqlalchemy.ext.asyncio import AsyncSession

from parkops import __version__
from parkops.accounts import domain as accounts
from parkops.accounts.auth import (
    auth_middleware,
    csrf_check,
    role_guard,
    rotate_csrf_with_session,
)
from parkops.billing import domain as billing
from parkops.config import Settings, get_settings
from parkops.core import domain as wiring
from parkops.core.asgi import add_request_id_header
from parkops.core.blobs import configure_storage
from parkops.core.domain import Domain
from parkops.core.error_handlers import EXCEPTION_HANDLERS
from parkops.core.health import healthz, readyz
from parkops.core.input_guard import input_guard
from parkops.core.logging import configure_logging
from parkops.core.middleware import request_context_middleware
from parkops.core.openapi import openapi_config
from parkops.core.openapi_contract import document_api
from parkops.core.security_headers import add_security_headers
from parkops.core.storage import check_storage
from parkops.core.templating import page_templates
from parkops.db.engine import close_database, open_database
from parkops.db.request_session import finish_request_session, provide_db
from parkops.documents import domain as documents
from parkops.enterprises import domain as enterprises
from parkops.home import domain as home
from parkops.inventory import domain as inventory
from parkops.jobs.in_app import start_worker, stop_worker
from parkops.leases import domain as leases
from parkops.tickets import domain as tickets

DOMAINS: tuple[Domain, ...] = (
    accounts.DOMAIN,
    home.DOMAIN,
    inventory.DOMAIN,
    enterprises.DOMAIN,
    leases.DOMAIN,
    billing.DOMAIN,
    tickets.DOMAIN,
    documents.DOMAIN,
)
# What a domain needs from one that builds on it (parkops.core.ports), filled once, here.
wiring.plug_ports(DOMAINS)

STATIC_DIR = Path(__file__).resolve().parent / "static"


def create_app(
    settings: Settings | None = None,
    *,
    session_maker: Callable[[], AsyncSession] | None = None,
) -> Litestar:
    """Build the app. Tests pass ``session_maker`` to bind every request to their transaction."""
    settings = settings or get_settings()
    configure_logging(settings.log_format, settings.log_level)
    static = create_static_files_router(
        path="/static", directories=[STATIC_DIR], opt={"public": True}, include_in_schema=False
    )
    app = Litestar(
        route_handlers=[healthz, readyz, *(r for d in DOMAINS for r in d.routes), static],
        dependencies={"db": Provide(provide_db)},
        # who may use the route, then what no route may receive (parkops.core.input_guard)
        guards=[role_guard, input_guard],
        before_request=csrf_check,
        before_send=[
            finish_request_session,
            rotate_csrf_with_session,
            add_security_headers,
            add_request_id_header,
        ],
        middleware=[request_context_middleware, auth_middleware],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        template_config=page_templates(settings.templates_dir, wiring.template_filters(DOMAINS)),
        response_cache_config=ResponseCacheConfig(),
        openapi_config=openapi_config(__version__),
        on_startup=[
            check_storage,
            configure_storage,
            open_database,
            *(h for d in DOMAINS for h in d.on_startup),
            start_worker,
        ],
        on_shutdown=[
            stop_worker,
            *(h for d in reversed(DOMAINS) for h in d.on_shutdown),
            close_database,
        ],
        state=State(
            {
                "settings": settings,
                "session_maker": session_maker,
                "engine": None,
                "dashboard_cards": wiring.dashboard_cards(DOMAINS),
                "document_access": wiring.access_rules(DOMAINS),
            }
        ),
        # Logging is configured by parkops.core.logging (text or JSON); Litestar's default
        # config would replace that handler.
        logging_config=None,
        debug=False,
    )
    document_api(app)
    return app


def create_app_from_env() -> Litestar:
    """Factory for ``uvicorn --factory`` (one call per worker process)."""
    return create_app()
