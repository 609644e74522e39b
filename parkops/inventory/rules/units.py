"""What a unit is made of, parsed from what people typed, and the rules on a status given by hand.

Pure. ``clean_unit`` parses the unit's own fields (the service adds what needs the database:
the building and floor, the code's uniqueness, what contracts and holds take the unit).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from parkops.core.i18n import N_, Message
from parkops.core.parsing import is_blank
from parkops.inventory import workflow
from parkops.inventory.rules.fields import (
    check_areas,
    parse_area,
    parse_choice,
    parse_code,
    parse_int,
    parse_text,
)
from parkops.inventory.vocabulary import UnitStatus, UnitType

UNIT_FIELDS = (
    "code",
    "unit_type",
    "gross_area",
    "leasable_area",
    "floor_load",
    "power_kva",
    "status",
    "unavailable_reason",
)
# What the unit edit form changes: everything but the status (given on the unit page, with its
# confirmation step).
EDITABLE_FIELDS = tuple(f for f in UNIT_FIELDS if f not in ("status", "unavailable_reason"))

Errors = dict[str, Any]


def clean_status(
    status_raw: Any,
    reason_raw: Any,
    errors: Errors,
    default: UnitStatus | None = UnitStatus.available,
) -> dict[str, Any]:
    status = (
        default if is_blank(status_raw) else parse_choice(status_raw, UnitStatus, "status", errors)
    )
    reason = parse_text(reason_raw, "unavailable_reason", errors, max_length=200, required=False)
    # The reason belongs to the unavailable status only; any other status clears it.
    return {
        "status": status,
        "unavailable_reason": reason if status is UnitStatus.unavailable else None,
    }


def clean_unit(
    raw: Mapping[str, Any], errors: Errors, *, default_status: UnitStatus = UnitStatus.available
) -> dict[str, Any]:
    """The unit's own fields, parsed (no database checks)."""
    values = {
        "code": parse_code(raw.get("code"), "code", errors),
        "unit_type": parse_choice(raw.get("unit_type"), UnitType, "unit_type", errors),
        "gross_area": parse_area(raw.get("gross_area"), "gross_area", errors),
        "leasable_area": parse_area(raw.get("leasable_area"), "leasable_area", errors),
        "floor_load": parse_int(
            raw.get("floor_load"), "floor_load", errors, required=False, minimum=1, maximum=100000
        ),
        "power_kva": parse_int(
            raw.get("power_kva"), "power_kva", errors, required=False, minimum=1, maximum=1000000
        ),
        **clean_status(raw.get("status"), raw.get("unavailable_reason"), errors, default_status),
    }
    check_areas(values["gross_area"], values["leasable_area"], errors)
    return values


def status_rule_errors(
    current: UnitStatus | str | None, values: Mapping[str, Any], errors: Errors
) -> None:
    """The rules on a status given by hand (``current`` None: a new unit), as field errors."""
    new = values["status"]
    if new is None:
        return
    problem = workflow.manual_status_problem(current, new)
    if problem:
        errors["status"] = problem
    problem = workflow.reason_problem(new, values["unavailable_reason"])
    if problem:
        errors["unavailable_reason"] = problem


def status_differs(current: tuple[UnitStatus | str, str | None], values: Mapping[str, Any]) -> bool:
    """Whether ``values`` give a unit whose (status, reason) is ``current`` another one."""
    new = (values["status"], values["unavailable_reason"])
    return new[0] is not None and new != current


def unit_code_taken(code: str | None) -> Message:
    return Message(N_("The unit code '%(code)s' is already used in this park"), code=code)
