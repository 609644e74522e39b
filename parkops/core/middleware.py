"""The request-context middleware: request id, language, access log."""

from __future__ import annotations

import logging
import re
import time
import uuid
from http.cookies import SimpleCookie

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from parkops.core.context import language_var, request_id_var
from parkops.core.i18n import pick_language

log = logging.getLogger("parkops.access")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def header(scope: Scope, name: bytes) -> str | None:
    """A request header straight from the ASGI scope (for middleware, before a Request exists)."""
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def request_context_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        incoming = header(scope, b"x-request-id")
        request_id = incoming if incoming and _SAFE_ID.match(incoming) else uuid.uuid4().hex
        cookies = SimpleCookie(header(scope, b"cookie") or "")
        lang_cookie = cookies.get("parkops_lang")
        default = scope["app"].state.settings.default_language
        rid_token = request_id_var.set(request_id)
        lang_token = language_var.set(
            pick_language(lang_cookie.value if lang_cookie else None, default)
        )
        started = time.perf_counter()
        status = {"code": 0}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await app(scope, receive, send_wrapper)
        finally:
            user = scope.get("user")
            log.info(
                "%s %s %s",
                scope["method"],
                scope["path"],
                status["code"],
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status["code"],
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": getattr(user, "id", None),
                },
            )
            request_id_var.reset(rid_token)
            language_var.reset(lang_token)

    return middleware
