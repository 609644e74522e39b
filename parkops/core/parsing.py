"""Reading what people type: whole numbers, decimals, amounts of money, dates, months, yes/no.

Pure (no database). One set of rules for form fields, the loose fields of the API and CSV cells,
so that a value means the same wherever it is typed and nothing the database cannot hold gets
through: whole numbers stay inside PostgreSQL's ``bigint`` (or ``integer`` with
``bits=32``), dates inside the business range (``FIRST_DATE``..``LAST_DATE``: no lease, bill or
payment happens in year 1 or 9999, and date arithmetic on such values overflows).

Two ways to call each parser:

- ``to_int(raw, ...)``, ``to_decimal``, ``to_fen``, ``to_date``, ``to_month``, ``to_bool`` return
  the value or raise `Invalid` (a ``ValueError``) whose ``code`` and ``params`` say what is wrong;
  `plain_message` words it for a spreadsheet cell (``parkops.core.tabular`` does that).
- ``int_field(raw, field, errors, label=...)`` and friends write a message naming the field into
  ``errors`` (``{field: message}``, the shape ``ValidationFailed`` carries) and return None, or
  return the value; ``required=False`` makes a blank value None without an error. Messages are
  ``i18n.Message`` objects: English source text, translated where they are shown.

The lenient ``optional_int`` and ``optional_date`` turn anything unusable into None, for filters
in query strings where a bad value just means "no filter".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, MutableMapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from parkops.core.i18n import N_, Message
from parkops.core.money import fen_to_yuan, yuan_to_fen

INT4_MIN, INT4_MAX = -(2**31), 2**31 - 1
BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1
FIRST_DATE = date(1990, 1, 1)
LAST_DATE = date(2200, 12, 31)
MAX_DECIMAL_EXPONENT = 15  # beyond 10^16 nothing is a real quantity, and no column holds it

T = TypeVar("T")
Errors = MutableMapping[str, Any]
"""Field name -> message, filled by the ``*_field`` parsers."""


class Invalid(ValueError):
    """What is wrong with a value: a ``code`` (a key of the message tables) and its params."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


# Messages naming the field (forms, services): ``%(field)s`` is the field's label.
FIELD_MESSAGES: dict[str, str] = {
    "required": N_("%(field)s is required"),
    "not_int": N_("%(field)s must be a whole number"),
    "not_number": N_("%(field)s '%(value)s' is not a number"),
    "is_bool": N_("%(field)s is not a number"),
    "not_usable": N_("%(field)s '%(value)s' is not a usable number"),
    "not_positive": N_("%(field)s must be greater than zero"),
    "negative": N_("%(field)s cannot be negative"),
    "too_small": N_("%(field)s must be at least %(n)s"),
    "too_large": N_("%(field)s must be at most %(n)s"),
    "places": N_("%(field)s may have at most %(n)s decimals"),
    "not_amount": N_("%(field)s '%(value)s' is not an amount in yuan"),
    "not_date": N_("%(field)s '%(value)s' is not a date (YYYY-MM-DD)"),
    "date_range": N_("%(field)s must be between %(first)s and %(last)s"),
    "not_month": N_("%(field)s '%(value)s' is not a month like 2026-12"),
    "not_bool": N_("%(field)s '%(value)s' is not yes or no"),
}

# Messages that do not name the field: shown next to it, or in a spreadsheet cell (the import
# preview shows the column beside them).
PLAIN_MESSAGES: dict[str, str] = {
    "not_int": N_("Not a whole number: %(value)s"),
    "not_number": N_("Not a number: %(value)s"),
    "not_usable": N_("Not a number: %(value)s"),
    "is_bool": N_("Not a number: %(value)s"),
    "not_positive": N_("Must be at least %(min)s"),
    "negative": N_("Must be at least %(min)s"),
    "too_small": N_("Must be at least %(min)s"),
    "too_large": N_("Must be at most %(max)s"),
    "places": N_("At most %(places)s decimals: %(value)s"),
    "not_amount": N_("Not a number: %(value)s"),
    "not_date": N_("Not a valid date (use YYYY-MM-DD): %(value)s"),
    "date_range": N_("Not between %(first)s and %(last)s: %(value)s"),
    "not_month": N_("Not a month like 2026-12: %(value)s"),
    "not_bool": N_("Not yes or no: %(value)s"),
}


def plain_message(exc: Invalid) -> Message:
    return Message(PLAIN_MESSAGES[exc.code], **exc.params)


def field_message(exc: Invalid, label: str) -> Message:
    return Message(FIELD_MESSAGES[exc.code], field=label, **exc.params)


# --- values -------------------------------------------------------------------------------------


def is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _text(raw: Any) -> str:
    """Full-width digits and punctuation (１２，５) read as ASCII; thousands separators dropped."""
    text = raw if isinstance(raw, str) else str(raw)
    if not text.isascii():  # NFKC costs; a spreadsheet of 10,000 rows is mostly ASCII
        text = unicodedata.normalize("NFKC", text)
    return text.strip().replace(",", "")


def _number(raw: Any, code: str, infinite: str) -> Decimal:
    if raw is True or raw is False:
        raise Invalid(code, value=raw)
    try:
        number = Decimal(raw) if isinstance(raw, int) else Decimal(_text(raw))
    except (InvalidOperation, ValueError):
        raise Invalid(code, value=raw) from None
    if not number.is_finite():
        raise Invalid(infinite, value=raw)
    return number


def _bounds(value: Any, minimum: Any, maximum: Any, positive: bool) -> None:
    if positive and value <= 0:
        raise Invalid("not_positive", n=1, min=1)
    if minimum is not None and value < minimum:
        raise Invalid("too_small", n=minimum, min=minimum)
    if maximum is not None and value > maximum:
        raise Invalid("too_large", n=maximum, max=maximum)


_QUANTUM = {places: Decimal(1).scaleb(-places) for places in range(10)}


def to_int(
    raw: Any,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    positive: bool = False,
    bits: int = 64,
) -> int:
    """A whole number (``12``, ``"1,234"``, ``"12.0"``), within ``minimum``..``maximum`` and the
    PostgreSQL integer type of ``bits`` (64: ``bigint``, 32: ``integer``)."""
    if isinstance(raw, int) and raw is not True and raw is not False:
        value = raw
    else:
        number = _number(raw, "not_int", "not_int")
        if number != number.to_integral_value() or number.adjusted() > 20:
            raise Invalid("not_int", value=raw)
        value = int(number)
    _bounds(value, minimum, maximum, positive)
    if bits == 32:
        _bounds(value, INT4_MIN, INT4_MAX, False)
    elif not BIGINT_MIN <= value <= BIGINT_MAX:
        _bounds(value, BIGINT_MIN, BIGINT_MAX, False)
    return value


def to_decimal(
    raw: Any,
    *,
    places: int,
    minimum: Decimal | int | None = 0,
    maximum: Decimal | int | None = None,
    positive: bool = False,
) -> Decimal:
    """A decimal with at most ``places`` decimals, never rounded silently; not negative unless
    ``minimum`` says otherwise. Floats from JSON are read through their shortest repr
    (``0.05`` -> ``Decimal("0.05")``), never their binary value."""
    number = _number(raw, "not_number", "not_usable")
    if number and number.adjusted() > MAX_DECIMAL_EXPONENT - 3:
        raise Invalid("not_usable", value=raw)
    if minimum == 0 and number < 0:
        raise Invalid("negative", n=0, min=0)
    _bounds(number, minimum, None, positive)
    quantum = _QUANTUM.get(places) or Decimal(1).scaleb(-places)
    if number != number.quantize(quantum):
        raise Invalid("places", n=places, places=places, value=raw)
    _bounds(number, None, maximum, False)
    return number


def to_fen(raw: Any, *, minimum: int | None = 0, maximum: int | None = None) -> int:
    """An amount typed in yuan (``"1,234.5"``, ``"¥12"``) as integer fen; ``minimum`` and
    ``maximum`` are in fen (and quoted in yuan)."""
    if isinstance(raw, bool):
        raise Invalid("not_amount", value=raw)
    try:
        fen = yuan_to_fen(unicodedata.normalize("NFKC", str(raw)))
    except ValueError:
        raise Invalid("not_amount", value=raw) from None
    if minimum == 0 and fen < 0:
        raise Invalid("negative", n=0, min=0)
    low = BIGINT_MIN if minimum is None else max(minimum, BIGINT_MIN)
    high = BIGINT_MAX if maximum is None else min(maximum, BIGINT_MAX)
    if fen < low:
        raise Invalid("too_small", n=fen_to_yuan(low), min=fen_to_yuan(low))
    if fen > high:
        raise Invalid("too_large", n=fen_to_yuan(high), max=fen_to_yuan(high))
    return fen


_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
]


def _check_date(value: date, earliest: date, latest: date) -> date:
    if value < earliest or value > latest:
        raise Invalid(
            "date_range", first=earliest.isoformat(), last=latest.isoformat(), value=value
        )
    return value


def to_date(raw: Any, *, earliest: date = FIRST_DATE, latest: date = LAST_DATE) -> date:
    """``2024-03-01``, ``2024/3/1``, ``2024.3.1``, ``2024年3月1日`` (a time part, as Excel
    writes it, is ignored), or any ISO 8601 date; within ``earliest``..``latest``."""
    if isinstance(raw, date):
        return _check_date(raw, earliest, latest)
    text = raw if isinstance(raw, str) else str(raw)
    text = (text if text.isascii() else unicodedata.normalize("NFKC", text)).strip()
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                value = date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                raise Invalid("not_date", value=raw) from None
            return _check_date(value, earliest, latest)
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise Invalid("not_date", value=raw) from None
    return _check_date(value, earliest, latest)


_MONTH = re.compile(r"^(\d{4})(?:[-/.](\d{1,2})|年(\d{1,2})月)$")


def to_month(raw: Any, *, earliest: date = FIRST_DATE, latest: date = LAST_DATE) -> date:
    """``2026-12`` (``2026/12``, ``2026年12月``, or the month's first day) -> that first day."""
    if isinstance(raw, date):
        if raw.day != 1:
            raise Invalid("not_month", value=raw)
        return _check_date(raw, earliest, latest)
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    match = _MONTH.match(text)
    try:
        if match:
            value = date(int(match[1]), int(match[2] or match[3]), 1)
        else:
            value = date.fromisoformat(text)
            if value.day != 1:
                raise ValueError
    except ValueError:
        raise Invalid("not_month", value=raw) from None
    return _check_date(value, earliest, latest)


TRUE_WORDS = frozenset({"1", "y", "yes", "true", "on", "是", "对", "√"})
FALSE_WORDS = frozenset({"0", "n", "no", "false", "off", "否", "×"})


def to_bool(raw: Any) -> bool:
    """Yes or no, strictly: 是/否, yes/no, true/false, on/off, 1/0, Y/N."""
    if isinstance(raw, bool):
        return raw
    key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(raw)).casefold())
    if key in TRUE_WORDS:
        return True
    if key in FALSE_WORDS:
        return False
    raise Invalid("not_bool", value=raw)


# --- lenient values -----------------------------------------------------------------------------


def optional_int(raw: Any) -> int | None:
    """``"12"``/``" 12 "``/``12`` -> 12; empty, missing, booleans, non-numbers, fractions and
    numbers outside ``bigint`` -> None."""
    if raw is None or isinstance(raw, bool):
        return None
    try:
        value = int(str(raw).strip())
    except ValueError:
        return None
    return value if BIGINT_MIN <= value <= BIGINT_MAX else None


def optional_date(raw: Any) -> date | None:
    """An ISO date within the business range, or None for anything else."""
    if is_blank(raw):
        return None
    try:
        return to_date(str(raw))
    except Invalid:
        return None


# --- form fields --------------------------------------------------------------------------------


def _field(
    parse: Callable[[Any], T],
    raw: Any,
    field: str,
    errors: Errors,
    label: str | None,
    required: bool,
) -> T | None:
    """``parse(raw)``, or None with a message naming the field in ``errors`` (blank: None, and
    "required" when it is). The label (the field's name when there is none) is translated where
    the message is shown."""
    name = label if isinstance(label, Message) else Message(field if label is None else label)
    if is_blank(raw):
        if required:
            errors[field] = Message(FIELD_MESSAGES["required"], field=name)
        return None
    try:
        return parse(raw)
    except Invalid as exc:
        errors[field] = field_message(exc, name)
        return None


def int_field(
    raw: Any,
    field: str,
    errors: Errors,
    *,
    label: str | None = None,
    required: bool = False,
    minimum: int | None = None,
    maximum: int | None = None,
    positive: bool = False,
    bits: int = 64,
) -> int | None:
    def parse(value: Any) -> int:
        return to_int(value, minimum=minimum, maximum=maximum, positive=positive, bits=bits)

    return _field(parse, raw, field, errors, label, required)


def decimal_field(
    raw: Any,
    field: str,
    errors: Errors,
    *,
    label: str | None = None,
    required: bool = False,
    places: int = 2,
    minimum: Decimal | int | None = 0,
    maximum: Decimal | int | None = None,
    positive: bool = False,
) -> Decimal | None:
    def parse(value: Any) -> Decimal:
        if isinstance(value, bool):
            raise Invalid("is_bool", value=value)
        return to_decimal(value, places=places, minimum=minimum, maximum=maximum, positive=positive)

    return _field(parse, raw, field, errors, label, required)


def money_field(
    raw: Any,
    field: str,
    errors: Errors,
    *,
    label: str | None = None,
    required: bool = False,
    minimum_fen: int | None = 0,
    maximum_fen: int | None = None,
) -> int | None:
    """An amount typed in yuan, as fen."""

    def parse(value: Any) -> int:
        return to_fen(value, minimum=minimum_fen, maximum=maximum_fen)

    return _field(parse, raw, field, errors, label, required)


def date_field(
    raw: Any,
    field: str,
    errors: Errors,
    *,
    label: str | None = None,
    required: bool = False,
    earliest: date = FIRST_DATE,
    latest: date = LAST_DATE,
) -> date | None:
    def parse(value: Any) -> date:
        return to_date(value, earliest=earliest, latest=latest)

    return _field(parse, raw, field, errors, label, required)


def month_field(
    raw: Any, field: str, errors: Errors, *, label: str | None = None, required: bool = False
) -> date | None:
    return _field(to_month, raw, field, errors, label, required)


def bool_field(raw: Any, default: bool) -> bool:
    """A checkbox or a yes/no field: blank is ``default``; anything not a "yes" word is False
    (a form sends a hidden "0" before a checked box's "1": pass the last value)."""
    if is_blank(raw):
        return default
    if isinstance(raw, bool):
        return raw
    try:
        return to_bool(raw)
    except Invalid:
        return False
