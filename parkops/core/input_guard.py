"""The input boundary: what no route may receive, refused once for all of them before any
handler, service or query sees it.

`input_guard` is an app-wide guard, run after the role guard (a caller who may not use the
route hears that first) and before the handler's parameters and body are parsed:

- ids in the path that no row can have (not 1..2**31-1; ``year`` outside the business range):
  404, the answer for any other missing row;
- in the query string, a urlencoded form or a JSON body: NUL bytes (PostgreSQL text cannot hold
  them), text-direction controls (U+202A-U+202E, U+2066-U+2069: a name or subject carrying one
  displays as something else), JSON integers beyond ``bigint``, ids (``id``, ``*_id``,
  ``*_ids``) beyond ``integer`` and amounts in fen beyond ``bigint`` however they are sent, and
  values shaped like a date or month outside ``FIRST_DATE``..``LAST_DATE``, and booleans or
  fractions given for an id or an amount in fen (``"amount_fen": true`` is not 1 fen): 422
  naming the field;
- JSON bodies over ``MAX_JSON_BYTES`` (413) or nested deeper than ``MAX_JSON_DEPTH`` (400: the
  decoder would recurse until Python gives up).

Values are only checked, never rewritten: the body the handler reads is the one that was sent.
Multipart bodies (uploads) are left to the handlers and Litestar's body-size limits.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.handlers.base import BaseRouteHandler

from parkops.core.errors import AppError, NotFound, ValidationFailed
from parkops.core.i18n import N_
from parkops.core.parsing import BIGINT_MAX, FIRST_DATE, INT4_MAX, LAST_DATE

MAX_JSON_BYTES = 1024 * 1024
MAX_FORM_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 32
MAX_PAGE = 1_000_000

BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_DATE_SHAPED = re.compile(r"^(\d{1,6})-(\d{1,2})(?:-(\d{1,2}))?(?:[T ].*)?$")
_INTEGER = re.compile(r"^[+-]?\d+$")


class TooLarge(AppError):
    status_code = 413
    code = "too_large"
    title = N_("The request is too large")


def _is_id(name: str) -> bool:
    return name == "id" or name.endswith(("_id", "_ids"))


def _is_whole_number_key(name: str) -> bool:
    """Ids, and amounts of money (integer fen: every such field ends in ``_fen``)."""
    return _is_id(name) or name.endswith("_fen")


def _last_key(field: str) -> str:
    return re.sub(r"\[\d+\]$", "", field.rsplit(".", 1)[-1])


def text_problem(text: str) -> str | None:
    if "\x00" in text:
        return N_("The text contains a NUL character")
    if BIDI_CONTROLS.search(text):
        return N_("The text contains text-direction control characters")
    return None


def value_problem(field: str, value: Any) -> str | None:
    """Why ``value`` sent as ``field`` cannot be accepted by any route, or None."""
    if value is None:
        return None
    if isinstance(value, bool | float) and _is_whole_number_key(_last_key(field)):
        # JSON's true would be read as 1 fen, and 1.5 as 1 fen or id 1
        return N_("Must be a whole number")
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        if _is_id(_last_key(field)) and not -INT4_MAX <= value <= INT4_MAX:
            return N_("No such record")
        if not -BIGINT_MAX <= value <= BIGINT_MAX:
            return N_("The number is too large")
        return None
    if not isinstance(value, str):
        return None
    problem = text_problem(value)
    if problem or isinstance(value, KeyName):
        return problem
    if (
        _is_whole_number_key(_last_key(field))
        and len(value) <= 40
        and _INTEGER.match(value.strip())
    ):
        # only where a number is meant: a long digit string elsewhere (a bank account) is text
        return value_problem(field, int(value))
    match = _DATE_SHAPED.match(value.strip()) if len(value) <= 40 else None
    if match and not FIRST_DATE.year <= int(match[1]) <= LAST_DATE.year:
        return N_("The date must be between 1990 and 2200")
    return None


def _check_pairs(pairs: list[tuple[str, str]]) -> None:
    errors: dict[str, str] = {}
    for key, value in pairs:
        field = _clean(key)
        message = text_problem(key) or value_problem(field, value)
        if field == "page" and not message and _INTEGER.match(value.strip()):
            if int(value) > MAX_PAGE:  # its offset would not fit a bigint
                message = N_("There is no such page")
        if message and field not in errors:
            errors[field] = message
    if errors:
        raise ValidationFailed(field_errors=errors)


class KeyName(str):
    """A JSON object key: checked as text only (a key "12" is not a number)."""


def _walk(value: Any, path: str, depth: int) -> Iterator[tuple[str, Any]]:
    if depth > MAX_JSON_DEPTH:
        raise AppError(N_("The JSON body is nested too deeply"))
    if isinstance(value, dict):
        for key, item in value.items():
            field = f"{path}.{key}" if path else str(key)
            yield field, KeyName(key)
            yield from _walk(item, field, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]", depth + 1)
    else:
        yield path, value


def _clean(field: str) -> str:
    """A field name fit to show back: without the NUL bytes and direction controls it carried."""
    return BIDI_CONTROLS.sub("", field.replace("\x00", "")) or "?"


def check_json(body: bytes) -> None:
    """Refuse a JSON body no route may receive (malformed JSON is left to the handler's 400)."""
    try:
        document = json.loads(body)
    except RecursionError:
        raise AppError(N_("The JSON body is nested too deeply")) from None
    except ValueError:
        return
    errors: dict[str, str] = {}
    for field, value in _walk(document, "", 0):
        message = value_problem(field, value)
        if message:
            errors.setdefault(_clean(field) if field else "body", message)
    if errors:
        raise ValidationFailed(field_errors=errors)


def check_path(params: dict[str, Any]) -> None:
    for name, value in params.items():
        if not isinstance(value, int):
            continue
        if _is_id(name) and not 1 <= value <= INT4_MAX:
            raise NotFound()
        if name == "year" and not FIRST_DATE.year <= value <= LAST_DATE.year:
            raise NotFound()


async def input_guard(connection: ASGIConnection, route_handler: BaseRouteHandler) -> None:
    """Refuse what no route may receive. Runs after the role guard (who may ask comes first),
    before the handler's parameters and body are read."""
    if connection.scope["type"] != ScopeType.HTTP:
        return
    check_path(connection.path_params)
    query = connection.scope.get("query_string", b"").decode("utf-8", "replace")
    _check_pairs(parse_qsl(query, keep_blank_values=True))
    if not isinstance(connection, Request) or connection.method in ("GET", "HEAD", "OPTIONS"):
        return
    content_type = connection.headers.get("content-type", "").split(";")[0].strip().lower()
    is_json = content_type == "application/json" or content_type.endswith("+json")
    if not (is_json or content_type == "application/x-www-form-urlencoded"):
        return  # uploads: Litestar's body-size limit of the route, and the handler's checks
    body = await connection.body()  # kept by Litestar for the handler
    if len(body) > (MAX_JSON_BYTES if is_json else MAX_FORM_BYTES):
        raise TooLarge(N_("The request body is too large"))
    if is_json:
        check_json(body)
    else:
        _check_pairs(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
