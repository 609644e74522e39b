"""The OpenAPI document of the JSON API, served at ``/schema`` (a server-rendered page) and
``/schema/openapi.json``, both public."""

from __future__ import annotations

from litestar import Router
from litestar.config.compression import CompressionConfig
from litestar.middleware import DefineMiddleware
from litestar.middleware.compression import CompressionMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from parkops.core.schema_page import SchemaPage


def openapi_config(version: str) -> OpenAPIConfig:
    return OpenAPIConfig(
        title="ParkOps API",
        version=version,
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
