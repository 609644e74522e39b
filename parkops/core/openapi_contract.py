"""The OpenAPI contract made honest, once for every operation of ``/schema/openapi.json``.

Every ``/api/`` operation can answer with ``application/problem+json`` (RFC 9457, the shape
`parkops.core.error_handlers.problem` writes) for bad input (400, 422), a missing or unusable
token (401), a role that may not (403), a row that does not exist or is not the caller's (404),
a conflict with saved data (409), a body too large (413), throttling (429) and a database that
cannot be reached (503). Litestar documents its own 400 body for handlers that take parameters;
the responses set here replace it, so a client generated from the schema reads what the server
sends.
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar._openapi.plugin import OpenAPIPlugin
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import (
    OpenAPIHeader,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    PathItem,
    Schema,
)
from pydantic import BaseModel, Field

PROBLEM_MEDIA_TYPE = "application/problem+json"
HTTP_DATE_PATTERN = r"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$"


class FieldError(BaseModel):
    field: str = Field(description="The field (JSON path, query parameter or form field)")
    message: str = Field(description="What is wrong with it, in the caller's language")


class Problem(BaseModel):
    """An error, as ``application/problem+json``."""

    type: str = Field(description="A URI naming the kind of problem")
    title: str
    status: int = Field(ge=400, le=599)
    detail: str
    request_id: str = Field(description="Also in the X-Request-ID header and the server's logs")
    errors: list[FieldError] | None = Field(
        default=None, description="One entry per field that was refused"
    )


ERROR_STATUSES: dict[int, str] = {
    400: "The request is malformed (not JSON, wrong types, nested too deeply)",
    401: "No valid token or session",
    403: "The caller's role may not do this (or the CSRF check failed)",
    404: "No such resource, or not one the caller may see",
    409: "The change conflicts with the resource's state or with data saved meanwhile",
    413: "The request body is too large",
    422: "The input is refused: the errors name the fields",
    429: "Too many attempts; Retry-After says when to try again",
    503: "The database cannot be reached; Retry-After says when to try again",
}


def error_responses() -> dict[int, ResponseSpec]:
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=description,
            media_type=PROBLEM_MEDIA_TYPE,
            generate_examples=False,
        )
        for status, description in ERROR_STATUSES.items()
    }


def document_api(app: Litestar) -> None:
    """Add the problem responses to every API operation (a handler's own entries win), and
    correct what Litestar writes for file responses."""
    errors = error_responses()
    for route in app.routes:
        if not route.path.startswith("/api/"):
            continue
        for handler in getattr(route, "route_handlers", []):
            if isinstance(handler, HTTPRouteHandler):
                handler.responses = {**errors, **(handler.responses or {})}
    openapi = app.plugins.get(OpenAPIPlugin).provide_openapi()  # built once, here, then served
    for path_item in (openapi.paths or {}).values():
        for operation in _operations(path_item):
            for response in (operation.responses or {}).values():
                _correct_file_response(response)


def _operations(path_item: PathItem) -> list[Operation]:
    methods = ("get", "put", "post", "delete", "patch", "head", "options")
    return [op for op in (getattr(path_item, m, None) for m in methods) if op is not None]


def _correct_file_response(response: Any) -> None:
    """Litestar documents a file's Last-Modified as an ISO date-time; it is an HTTP date."""
    if not isinstance(response, OpenAPIResponse):
        return
    for name, spec in (response.headers or {}).items():
        if name.lower() == "last-modified" and isinstance(spec, OpenAPIHeader):
            spec.schema = Schema(type=OpenAPIType.STRING, pattern=HTTP_DATE_PATTERN)
            spec.description = "HTTP date (RFC 9110), e.g. Sun, 06 Nov 1994 08:49:37 GMT"
