"""The application factory: wires settings, database, middleware, the domains, templates and
OpenAPI.

``DOMAINS`` is the whole wiring of the product: each domain's ``domain.py`` declares its routes,
dashboard cards, document grants, template filters, CLI group, demo loader and startup/shutdown
hooks, and everything here (and in ``parkops.cli`` and ``parkops.demo``) is derived from this list,
in this order: dashboard cards are shown and demo data is loaded in it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from pathlib import Path

import anyio.to_thread
from litestar import Litestar, Router
from litestar.config.compression import CompressionConfig
from litestar.config.response_cache import ResponseCacheConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.middleware.compression import CompressionMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import Message, Scope
from sqlalchemy.ext.asyncio import AsyncSession

from parkops import __version__
from parkops.accounts import domain as accounts
from parkops.accounts.auth import auth_middleware, csrf_check, role_guard
from parkops.billing import domain as billing
from parkops.config import Settings, get_settings
from parkops.core import blobs
from parkops.core import domain as wiring
from parkops.core.domain import Domain
from parkops.core.error_handlers import EXCEPTION_HANDLERS
from parkops.core.health import healthz, readyz
from parkops.core.logging import configure_logging
from parkops.core.middleware import add_request_id_header, request_context_middleware
from parkops.core.schema_page import SchemaPage
from parkops.core.storage import check_writable
from parkops.core.templating import make_environment
from parkops.db.engine import create_engine, resolve_database_url, session_factory
from parkops.db.request_session import finish_request_session, provide_db
from parkops.documents import domain as documents
from parkops.enterprises import domain as enterprises
from parkops.home import domain as home
from parkops.inventory import domain as inventory
from parkops.leases import domain as leases
from parkops.tickets import domain as tickets

log = logging.getLogger(__name__)

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

# No inline scripts or styles anywhere: every script and stylesheet is a file under /static.
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
        b"frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


async def add_security_headers(message: Message, scope: Scope) -> None:
    """On every response, error pages and unknown paths included (route-level headers are not)."""
    if message["type"] == "http.response.start":
        message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]


def _warn_missing_system_libraries() -> None:
    import ctypes.util

    if not ctypes.util.find_library("harfbuzz-subset"):
        log.warning(
            "libharfbuzz-subset0 is not installed: PDF font subsetting falls back to fontTools "
            "and is about 30x slower (apt-get install libharfbuzz-subset0)"
        )


async def configure_storage(app: Litestar) -> None:
    """Documents, attachments and slips in the folder or the S3 bucket the settings name; an
    unwritable bucket stops the start, as an unwritable folder does."""
    blobs.configure(app.state.settings)
    store = blobs.remote()
    if store is not None:
        await anyio.to_thread.run_sync(store.check)


async def start_worker(app: Litestar) -> None:
    """With ``worker_in_app`` (the embedded development setup), run the background jobs in this
    process too, so one command serves everything."""
    settings = app.state.settings
    if settings.worker_in_app:
        from parkops.jobs.worker import run_worker

        url = resolve_database_url(settings, create_embedded=False)
        app.state.worker = asyncio.create_task(
            run_worker(settings, url, install_signal_handlers=False), name="parkops-worker"
        )


async def stop_worker(app: Litestar) -> None:
    worker = app.state.get("worker")
    if worker is not None:
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker
        app.state.worker = None


STARTUP_HOOKS = (configure_storage, *(hook for d in DOMAINS for hook in d.on_startup), start_worker)
SHUTDOWN_HOOKS = (stop_worker, *(hook for d in reversed(DOMAINS) for hook in d.on_shutdown))


def create_app(
    settings: Settings | None = None,
    *,
    session_maker: Callable[[], AsyncSession] | None = None,
) -> Litestar:
    """Build the app. Tests pass ``session_maker`` to bind every request to their transaction."""
    settings = settings or get_settings()
    configure_logging(settings.log_format, settings.log_level)
    state = State(
        {
            "settings": settings,
            "session_maker": session_maker,
            "engine": None,
            "dashboard_cards": wiring.dashboard_cards(DOMAINS),
            "document_access": wiring.access_rules(DOMAINS),
        }
    )

    async def on_startup(app: Litestar) -> None:
        _warn_missing_system_libraries()
        check_writable(settings.storage_dir)  # refuse to start rather than fail every upload
        if app.state.session_maker is None:
            url = resolve_database_url(settings)
            app.state.engine = create_engine(url, pool_size=settings.db_pool_size)
            app.state.session_maker = session_factory(app.state.engine)

    async def on_shutdown(app: Litestar) -> None:
        if app.state.engine is not None:
            await app.state.engine.dispose()

    openapi = OpenAPIConfig(
        title="ParkOps API",
        version=__version__,
        description="Industrial park operations. Authenticate with `Authorization: Bearer <token>`"
        " (create tokens on your account page).",
        openapi_router=Router(
            path="/schema",
            route_handlers=[],
            opt={"public": True},
            # The OpenAPI document is ~150 KB of JSON (~15 KB gzipped), fetched by every API
            # client generator, whatever proxy is or is not in front. Other responses are left
            # to the proxy (PDFs and spreadsheets are compressed already).
            middleware=[
                DefineMiddleware(
                    CompressionMiddleware,
                    config=CompressionConfig(backend="gzip", gzip_compress_level=6),
                )
            ],
        ),
        render_plugins=[SchemaPage(path="/"), JsonRenderPlugin(path="/openapi.json")],
        components=Components(
            security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer")}
        ),
        security=[{"bearer": []}],
    )
    return Litestar(
        route_handlers=[
            healthz,
            readyz,
            *(route for domain in DOMAINS for route in domain.routes),
            create_static_files_router(
                path="/static",
                directories=[STATIC_DIR],
                opt={"public": True},
                include_in_schema=False,
            ),
        ],
        dependencies={"db": Provide(provide_db)},
        guards=[role_guard],
        before_request=csrf_check,
        before_send=[finish_request_session, add_security_headers, add_request_id_header],
        middleware=[request_context_middleware, auth_middleware],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        template_config=TemplateConfig(
            engine=JinjaTemplateEngine.from_environment(
                make_environment(settings.templates_dir, wiring.template_filters(DOMAINS))
            )
        ),
        response_cache_config=ResponseCacheConfig(),
        openapi_config=openapi,
        on_startup=[on_startup, *STARTUP_HOOKS],
        on_shutdown=[*SHUTDOWN_HOOKS, on_shutdown],
        state=state,
        # Logging is configured by parkops.core.logging (text or JSON); Litestar's default
        # config would replace that handler.
        logging_config=None,
        debug=False,
    )


def create_app_from_env() -> Litestar:
    """Factory for ``uvicorn --factory`` (one call per worker process)."""
    return create_app()
