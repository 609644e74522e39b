"""One error type for everything a user can get wrong, carrying its HTTP status and message.

Services raise these; `parkops.core.error_handlers` renders them as a page/flash for HTML and as
``application/problem+json`` for the API. Field errors name the field (and line for imports).
"""

from __future__ import annotations

from collections.abc import Mapping


class AppError(Exception):
    status_code = 400
    code = "bad_request"
    title = "Bad request"

    def __init__(
        self,
        message: str | None = None,
        *,
        field_errors: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.message = message or self.title
        self.field_errors = dict(field_errors or {})
        self.headers = dict(headers or {})
        super().__init__(self.message)


class ValidationFailed(AppError):
    status_code = 422
    code = "validation_failed"
    title = "The input is not valid"


class NotAuthenticated(AppError):
    status_code = 401
    code = "not_authenticated"
    title = "Sign in required"


class PermissionDenied(AppError):
    status_code = 403
    code = "forbidden"
    title = "You do not have access to this page"


class NotFound(AppError):
    status_code = 404
    code = "not_found"
    title = "Not found"


class Conflict(AppError):
    status_code = 409
    code = "conflict"
    title = "Conflict"


class TooManyRequests(AppError):
    status_code = 429
    code = "too_many_requests"
    title = "Too many attempts"
