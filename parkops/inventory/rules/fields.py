"""Parsing and checking what people type about spaces: areas, numbers, codes, choices.

Pure. Each parser takes the raw value (a form string, a JSON number, a CSV cell), writes a
message naming the field into ``errors`` when the value is unusable and returns the clean value
(or None). The service, the API and the CSV import share these, so a mistake reads the same
wherever it is made.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar

from parkops.core import parsing
from parkops.core.i18n import N_, Message
from parkops.core.parsing import is_blank

MAX_AREA = Decimal("9999999999.99")  # Numeric(12, 2)
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/#]{0,39}$")
TWO_PLACES = Decimal("0.01")
E = TypeVar("E", bound=StrEnum)

FIELD_LABELS = {
    "name": N_("Name"),
    "address": N_("Address"),
    "number": N_("Number"),
    "status": N_("Status"),
    "planned_area": N_("Planned area"),
    "handover_date": N_("Hand-over date"),
    "code": N_("Code"),
    "main_use": N_("Main use"),
    "floor_count": N_("Floor count"),
    "floor": N_("Floor"),
    "building": N_("Building"),
    "building_id": N_("Building"),
    "unit_type": N_("Type"),
    "gross_area": N_("Gross floor area"),
    "leasable_area": N_("Leasable area"),
    "floor_load": N_("Floor load"),
    "power_kva": N_("Power capacity"),
    "unavailable_reason": N_("Reason unavailable"),
}


def label(field: str) -> Message:
    """The field's name, translated wherever the message quoting it is shown."""
    return Message(FIELD_LABELS.get(field, field))


def parse_text(
    raw: Any, field: str, errors: dict, *, max_length: int, required: bool = True
) -> str | None:
    text = "" if raw is None else str(raw).strip()
    name = label(field)
    if not text:
        if required:
            errors[field] = Message(N_("%(field)s is required"), field=name)
        return None
    if len(text) > max_length:
        errors[field] = Message(
            N_("%(field)s is longer than %(n)s characters"), field=name, n=max_length
        )
        return None
    return text


def parse_code(raw: Any, field: str, errors: dict, *, max_length: int = 40) -> str | None:
    code = parse_text(raw, field, errors, max_length=max_length)
    if code is not None and not CODE_RE.match(code):
        errors[field] = Message(
            N_(
                "%(field)s '%(value)s' may only contain letters, digits and . _ - / # "
                "(starting with a letter or digit)"
            ),
            field=label(field),
            value=code,
        )
        return None
    return code


def parse_area(raw: Any, field: str, errors: dict, *, required: bool = True) -> Decimal | None:
    """An area in m² with at most two decimals, greater than zero. Never rounds silently."""
    name = label(field)
    if is_blank(raw):
        if required:
            errors[field] = Message(N_("%(field)s is required"), field=name)
        return None
    if isinstance(raw, bool):
        errors[field] = Message(N_("%(field)s is not a number"), field=name)
        return None
    text = str(raw).strip().replace(",", "").replace("，", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        errors[field] = Message(N_("%(field)s '%(value)s' is not a number"), field=name, value=raw)
        return None
    if not value.is_finite():
        errors[field] = Message(N_("%(field)s '%(value)s' is not a number"), field=name, value=raw)
        return None
    if value <= 0:
        errors[field] = Message(N_("%(field)s must be greater than zero"), field=name)
        return None
    if value > MAX_AREA:
        errors[field] = Message(N_("%(field)s is too large"), field=name)
        return None
    if value != value.quantize(TWO_PLACES):
        errors[field] = Message(N_("%(field)s may have at most two decimals"), field=name)
        return None
    return value.quantize(TWO_PLACES)


def parse_int(
    raw: Any,
    field: str,
    errors: dict,
    *,
    required: bool = True,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int | None:
    # Inventory's wording for a minimum of 1 is "must be greater than zero".
    return parsing.int_field(
        raw, field, errors, label=label(field), required=required,
        minimum=None if minimum == 1 else minimum, positive=minimum == 1, maximum=maximum,
    )  # fmt: skip


def parse_choice(
    raw: Any, enum: type[E], field: str, errors: dict, *, required: bool = True
) -> E | None:
    name = label(field)
    if is_blank(raw):
        if required:
            errors[field] = Message(N_("%(field)s is required"), field=name)
        return None
    try:
        return enum(str(raw).strip())
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        errors[field] = Message(
            N_("%(field)s '%(value)s' is not one of: %(allowed)s"),
            field=name,
            value=raw,
            allowed=allowed,
        )
        return None


def parse_date(raw: Any, field: str, errors: dict, *, required: bool = False) -> date | None:
    return parsing.date_field(raw, field, errors, label=label(field), required=required)


def check_areas(gross: Decimal | None, leasable: Decimal | None, errors: dict) -> None:
    if gross is not None and leasable is not None and leasable > gross:
        errors["leasable_area"] = Message(
            N_("Leasable area (%(leasable)s m²) cannot exceed the gross floor area (%(gross)s m²)"),
            leasable=leasable,
            gross=gross,
        )


def check_floor_number(number: int | None, floor_count: int, errors: dict, field: str) -> None:
    if number is not None and number > floor_count:
        errors[field] = Message(
            N_("Floor %(floor)s is above the building's floor count (%(count)s floors)"),
            floor=number,
            count=floor_count,
        )
