"""The raw ASGI scope, for middleware and hooks that run before a ``Request`` exists: headers,
the client's address, and the request id.

Every response carries ``X-Request-ID``: the id is kept in the ASGI scope and a ``before_send``
hook (:func:`add_request_id_header`) adds it, so responses Litestar makes before any middleware
runs (an unknown path, a wrong method) carry it too.
"""

from __future__ import annotations

import re
import uuid

from litestar.types import Message, Scope

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_SCOPE_KEY = "parkops_request_id"


def header(scope: Scope, name: bytes) -> str | None:
    """A request header straight from the ASGI scope (for middleware, before a Request exists)."""
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def request_id_of(scope: Scope) -> str:
    """This request's id: the caller's ``X-Request-ID`` when it is sane, else a new one."""
    request_id = scope.get(_SCOPE_KEY)
    if not isinstance(request_id, str):
        incoming = header(scope, b"x-request-id")
        request_id = incoming if incoming and _SAFE_ID.match(incoming) else uuid.uuid4().hex
        scope[_SCOPE_KEY] = request_id  # type: ignore[literal-required]
    return request_id


async def add_request_id_header(message: Message, scope: Scope) -> None:
    if message["type"] == "http.response.start":
        message["headers"] = [
            *message.get("headers", []),
            (b"x-request-id", request_id_of(scope).encode()),
        ]


def client_address(scope: Scope) -> str:
    """The client's address (uvicorn has already applied trusted X-Forwarded-For)."""
    client = scope.get("client")
    return client[0] if client else "-"
