"""Turn errors into responses: ``application/problem+json`` for the API, pages for people.

Nothing a user types may produce a 500: services raise `AppError`s, request-shape errors come
from Litestar as ``ValidationException``, and an ``IntegrityError`` that slipped past the
friendly checks (a race the database settled) becomes a 409.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from sqlalchemy.exc import IntegrityError

from parkops.core.context import request_id_var
from parkops.core.errors import AppError, Conflict, NotAuthenticated, NotFound, PermissionDenied
from parkops.core.i18n import N_, gettext
from parkops.core.web import is_api, login_redirect, render

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"


def problem(
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
        "request_id": request_id_var.get(),
    }
    if errors:
        body["errors"] = errors
    return Response(content=body, status_code=status, media_type=PROBLEM, headers=headers)


def _page(request: Request, status: int, message: str, headers: dict | None = None) -> Response:
    template = f"errors/{status}.html" if status in (403, 404, 500) else "errors/error.html"
    response = render(request, template, status_code=status, message=message, status=status)
    if headers:
        response.headers.update(headers)
    return response


def handle_app_error(request: Request, exc: AppError) -> Response:
    if is_api(request.url.path):
        errors = [{"field": k, "message": gettext(v)} for k, v in exc.field_errors.items()]
        return problem(
            exc.status_code, gettext(exc.title), gettext(exc.message), exc.code, errors, exc.headers
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
            400, gettext("The request is not valid"), str(exc.detail), "bad_request", errors
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
            status, str(exc.detail), str(exc.detail), f"http_{status}", headers=exc.headers
        )
    return _page(request, status, str(exc.detail), exc.headers)


def handle_integrity(request: Request, exc: IntegrityError) -> Response:
    log.warning("integrity error turned into 409: %s", exc.orig)
    return handle_app_error(
        request,
        Conflict(N_("The change conflicts with data saved in the meantime. Reload and try again.")),
    )


def handle_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    if is_api(request.url.path):
        return problem(
            500,
            "Internal error",
            "Something went wrong on our side. The request id identifies it in the logs.",
            "internal",
        )
    return _page(request, 500, "")


EXCEPTION_HANDLERS = {
    AppError: handle_app_error,
    ValidationException: handle_validation,
    HTTPException: handle_http,
    IntegrityError: handle_integrity,
    Exception: handle_unexpected,
}
