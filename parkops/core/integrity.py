"""When the database refuses a change, the field error a person can act on.

Services check uniqueness first to give a friendly message; the constraint is the guarantee when
two people save at once. `flush_or_field_error` flushes in a savepoint and turns a violation of
a named constraint into an error on the form field it is about; any other integrity error
propagates (and becomes the generic 409 of ``parkops.core.error_handlers``).
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.core.errors import AppError, Conflict

UNIQUE_VIOLATION = "23505"
FOREIGN_KEY_VIOLATION = "23503"
EXCLUSION_VIOLATION = "23P01"

FieldErrorFor = Mapping[str, tuple[str, str]]
"""Constraint name -> (field, message) of the error to show when it is violated."""


def sqlstate(exc: IntegrityError) -> str | None:
    """The PostgreSQL error code (``23505`` a unique violation, ...)."""
    orig = exc.orig
    cause = getattr(orig, "__cause__", None)
    return getattr(orig, "sqlstate", None) or getattr(cause, "sqlstate", None)


def constraint_name(exc: IntegrityError) -> str | None:
    """The name of the violated constraint or unique index, when the driver reports it."""
    return getattr(getattr(exc.orig, "__cause__", None), "constraint_name", None)


def field_error_for(exc: IntegrityError, fields: FieldErrorFor) -> tuple[str, str] | None:
    """The (field, message) of the first constraint of ``fields`` the error names."""
    name = constraint_name(exc) or str(exc.orig)
    for constraint, field_error in fields.items():
        if constraint in name:
            return field_error
    return None


async def flush_or_field_error(
    db: AsyncSession,
    fields: FieldErrorFor,
    *,
    message: str | None = None,
    error: type[AppError] = Conflict,
) -> None:
    """Flush in a savepoint; a violation of a constraint named in ``fields`` raises ``error``
    (409 by default) with ``message`` and the field's error."""
    try:
        async with db.begin_nested():
            await db.flush()
    except IntegrityError as exc:
        found = field_error_for(exc, fields)
        if found is None:
            raise
        field, field_message = found
        raise error(message, field_errors={field: field_message}) from None
