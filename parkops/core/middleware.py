"""The request-context middleware: request id, language, access log, and the last-resort error
response.

Every response carries ``X-Request-ID`` (``parkops.core.asgi``).

Litestar turns an exception raised by a handler into a response inside the middleware stack, but
an exception raised by middleware (the session lookup of the auth middleware when the database is
down), or by the commit that runs as the response starts, would reach its outer handler after
this middleware has left (language and request id gone), or uvicorn's bare "Internal Server
Error". This middleware renders those itself, with the app's error handlers.
"""

from __future__ import annotations

import logging
import time
from http.cookies import SimpleCookie

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from parkops.core.asgi import client_address, header, request_id_of
from parkops.core.context import language_var, request_id_var
from parkops.core.error_handlers import send_error_response
from parkops.core.i18n import pick_language

log = logging.getLogger("parkops.access")


def request_context_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        cookies = SimpleCookie(header(scope, b"cookie") or "")
        lang_cookie = cookies.get("parkops_lang")
        default = scope["app"].state.settings.default_language
        rid_token = request_id_var.set(request_id_of(scope))
        lang_token = language_var.set(
            pick_language(lang_cookie.value if lang_cookie else None, default)
        )
        started = time.perf_counter()
        status = {"code": 0, "sent": False}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                await send(message)
                status["sent"] = True  # only now: a hook may refuse to start it
                return
            await send(message)

        try:
            await app(scope, receive, send_wrapper)
        except Exception as exc:
            if status["sent"]:
                raise
            await send_error_response(scope, receive, send_wrapper, exc)
        finally:
            user = scope.get("user")
            log.info(
                "%s %s %s %s",
                client_address(scope),
                scope["method"],
                scope["path"],
                status["code"],
                extra={
                    "client": client_address(scope),
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
