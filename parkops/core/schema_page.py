"""A browsable API reference at ``/schema``, rendered on the server.

Swagger UI and friends load their scripts from a CDN and initialise with inline scripts, which
the no-CDN rule and our Content-Security-Policy both forbid; a server-rendered page of the
OpenAPI document needs neither.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.openapi.plugins import OpenAPIRenderPlugin


class SchemaPage(OpenAPIRenderPlugin):
    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        env = request.app.template_engine.engine  # type: ignore[union-attr]
        operations = []
        for path, item in sorted(openapi_schema.get("paths", {}).items()):
            for method, op in item.items():
                if method not in {"get", "post", "put", "patch", "delete"}:
                    continue
                operations.append(
                    {
                        "path": path,
                        "method": method.upper(),
                        "summary": op.get("summary", ""),
                        "description": op.get("description", ""),
                        "parameters": op.get("parameters", []),
                        "tags": op.get("tags", []),
                        "responses": sorted(op.get("responses", {}).keys()),
                    }
                )
        template = env.get_template("api_reference.html")
        return template.render(
            schema=openapi_schema, operations=operations, json_url="/schema/openapi.json"
        ).encode()
