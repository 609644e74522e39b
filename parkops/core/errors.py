"""One error type for everything a user can get wrong, carrying its HTTP status and message.

Services raise these; `parkops.core.error_handlers` renders them as a page/flash for HTML and as
``application/problem+json`` for the API. Field errors name the field (and line for imports).
"""

from __future__ import annotations

from collections.abc import Mapping

from parkops.core.i18n import N_


class AppError(Exception):
    status_code = 400
    code = "bad_request"
    title = N_("Bad request")

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
    title = N_("The input is not valid")


class NotAuthenticated(AppError):
    status_code = 401
    code = "not_authenticated"
    title = N_("Sign in required")


class PermissionDenied(AppError):
    status_code = 403
    code = "forbidden"
    title = N_("You do not have access to this page")


class NotFound(AppError):
    status_code = 404
    code = "not_found"
    title = N_("Not found")


class Conflict(AppError):
    status_code = 409
    code = "conflict"
    title = N_("Conflict")


class TooManyRequests(AppError):
    status_code = 429
    code = "too_many_requests"
    title = N_("Too many attempts")
