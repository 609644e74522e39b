"""Turn errors into responses: ``application/problem+json`` for the API, pages for people.

Nothing a user types may produce a 500: services raise `AppError`s, request-shape errors come
from Litestar as ``ValidationException``, and an ``IntegrityError`` that slipped past the
friendly checks (a race the database settled) becomes a 409. A database that cannot be reached
(down, restarting, connections cut) is a 503 with ``Retry-After``, not a 500. Every error body
carries the request id, which is also in the ``X-Request-ID`` header and the logs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from inspect import getmro
from typing import Any

from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    LitestarException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.types import Receive, Scope, Send
from sqlalchemy.exc import IntegrityError

from parkops.core.asgi import request_id_of
from parkops.core.errors import (
    AppError,
    Conflict,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from parkops.core.i18n import N_, gettext
from parkops.core.web import is_api, login_redirect, render
from parkops.db.engine import is_database_unavailable

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"
# How long clients should wait after a 503: a restart or failover of PostgreSQL takes seconds.
RETRY_AFTER_SECONDS = 10


def problem(
    request: Request,
    status: int,
    title: str,
    detail: str,
    code: str,
    errors: list[dict] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": f"https://parkops.example/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "request_id": request_id_of(request.scope),
    }
    if errors:
        body["errors"] = errors
    return Response(content=body, status_code=status, media_type=PROBLEM, headers=headers)


def _page(request: Request, status: int, message: str, headers: dict | None = None) -> Response:
    template = f"errors/{status}.html" if status in (403, 404, 500, 503) else "errors/error.html"
    response = render(
        request,
        template,
        status_code=status,
        message=message,
        status=status,
        request_id=request_id_of(request.scope),
    )
    if headers:
        response.headers.update(headers)
    return response


def handle_app_error(request: Request, exc: AppError) -> Response:
    if is_api(request.url.path):
        errors = [{"field": k, "message": gettext(v)} for k, v in exc.field_errors.items()]
        return problem(
            request,
            exc.status_code,
            gettext(exc.title),
            gettext(exc.message),
            exc.code,
            errors,
            exc.headers,
        )
    if isinstance(exc, NotAuthenticated):
        return login_redirect(request)
    message = gettext(exc.message)
    if exc.field_errors:
        message += " " + "; ".join(f"{k}: {gettext(v)}" for k, v in exc.field_errors.items())
    return _page(request, exc.status_code, message, exc.headers)


def handle_validation(request: Request, exc: ValidationException) -> Response:
    errors = []
    for item in exc.extra or []:
        if isinstance(item, dict):
            errors.append(
                {
                    "field": str(item.get("key") or item.get("source") or ""),
                    "message": str(item.get("message", "")),
                }
            )
    if is_api(request.url.path):
        return problem(
            request,
            400,
            gettext("The request is not valid"),
            str(exc.detail),
            "bad_request",
            errors,
        )
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or str(exc.detail)
    return _page(request, 400, detail)


def handle_http(request: Request, exc: HTTPException) -> Response:
    if isinstance(exc, NotAuthorizedException):
        return handle_app_error(request, NotAuthenticated())
    if isinstance(exc, PermissionDeniedException):
        return handle_app_error(request, PermissionDenied())
    if isinstance(exc, NotFoundException):
        return handle_app_error(request, NotFound())
    status = exc.status_code
    if is_api(request.url.path):
        return problem(
            request, status, str(exc.detail), str(exc.detail), f"http_{status}", headers=exc.headers
        )
    return _page(request, status, str(exc.detail), exc.headers)


def handle_integrity(request: Request, exc: IntegrityError) -> Response:
    log.warning("integrity error turned into 409: %s", exc.orig)
    return handle_app_error(
        request,
        Conflict(N_("The change conflicts with data saved in the meantime. Reload and try again.")),
    )


def handle_unavailable(request: Request, exc: Exception) -> Response:
    """The database cannot be reached: ask the client to come back (no traceback to log)."""
    cause = exc.__cause__ or exc
    log.warning(
        "database unavailable on %s %s: %s: %s",
        request.method,
        request.url.path,
        type(cause).__name__,
        cause,
    )
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if is_api(request.url.path):
        return problem(
            request,
            503,
            gettext("Service temporarily unavailable"),
            gettext("The database cannot be reached. Try again in a moment."),
            "service_unavailable",
            headers=headers,
        )
    return _page(request, 503, "", headers)


def is_value_out_of_range(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what caused it) is a value no column or date can hold: PostgreSQL's
    data exceptions (SQLSTATE class 22: out of range, NUL in text, datetime overflow), asyncpg
    refusing a query argument, or Python's date arithmetic overflowing."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        state = getattr(exc, "sqlstate", None)
        if isinstance(exc, OverflowError) or (isinstance(state, str) and state.startswith("22")):
            return True
        if type(exc).__module__.startswith("asyncpg") and isinstance(exc, ValueError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def handle_unexpected(request: Request, exc: Exception) -> Response:
    if is_database_unavailable(exc):
        return handle_unavailable(request, exc)
    if is_value_out_of_range(exc):
        # The last line of defence behind parkops.core.input_guard and the field parsers: a
        # value that slipped past them is still the client's mistake, and the transaction of
        # the request is rolled back, so nothing changed.
        log.warning("value out of range on %s %s: %s", request.method, request.url.path, exc)
        return handle_app_error(
            request, ValidationFailed(N_("A value is outside the range ParkOps accepts."))
        )
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    if is_api(request.url.path):
        return problem(
            request,
            500,
            "Internal error",
            "Something went wrong on our side. The request id identifies it in the logs.",
            "internal",
        )
    return _page(request, 500, "")


EXCEPTION_HANDLERS: dict[type[Exception], Callable[[Request, Any], Response]] = {
    AppError: handle_app_error,
    ValidationException: handle_validation,
    HTTPException: handle_http,
    IntegrityError: handle_integrity,
    Exception: handle_unexpected,
}


def error_response(request: Request, exc: Exception) -> Response:
    """The response the handler registered for ``exc``'s class (or the nearest base) gives."""
    handler = next(
        (EXCEPTION_HANDLERS[cls] for cls in getmro(type(exc)) if cls in EXCEPTION_HANDLERS),
        handle_unexpected,
    )
    return handler(request, exc)


async def send_error_response(scope: Scope, receive: Receive, send: Send, exc: Exception) -> None:
    """Answer an exception that escaped Litestar's own handling (see parkops.core.middleware).

    Should rendering the error fail as well, a minimal response that needs nothing (no
    template, no database) still carries the request id.
    """
    if type(exc) is LitestarException and exc.__cause__ is not None:
        # Litestar gave up because a before_send hook (the commit) failed as the response was
        # starting; nothing was sent, so the real error can still be answered.
        exc = exc.__cause__  # type: ignore[assignment]
    litestar_app = scope["litestar_app"]
    request = litestar_app.request_class(scope=scope, receive=receive, send=send)
    started = False

    async def tracking_send(message: Any) -> None:
        nonlocal started
        await send(message)
        started = started or message["type"] == "http.response.start"

    try:
        response = error_response(request, exc)
        await response.to_asgi_response(app=None, request=request)(scope, receive, tracking_send)
    except Exception:
        log.exception("the error response for %s %s failed too", request.method, scope["path"])
        if started:
            raise
        unavailable = is_database_unavailable(exc)
        status = 503 if unavailable else 500
        text = "Service temporarily unavailable" if unavailable else "Internal error"
        headers = [(b"content-type", b"text/plain; charset=utf-8")]
        if unavailable:
            headers.append((b"retry-after", str(RETRY_AFTER_SECONDS).encode()))
        start: Any = {"type": "http.response.start", "status": status, "headers": headers}
        await send(start)
        body = f"{text}. Request id: {request_id_of(scope)}\n".encode()
        end: Any = {"type": "http.response.body", "body": body}
        await send(end)
