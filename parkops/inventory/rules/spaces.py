"""What a park, a phase, a building and a floor are made of, parsed from what people typed.

Pure. The ``clean_*`` functions take the raw values (form strings or JSON values) and return the
clean ones, writing a message naming the field into ``errors`` for each unusable value; the
``*_taken`` messages are the ones a uniqueness check (or the constraint behind it) shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from parkops.core.i18n import N_, Message
from parkops.inventory.rules.fields import (
    parse_area,
    parse_choice,
    parse_code,
    parse_date,
    parse_int,
    parse_text,
)
from parkops.inventory.vocabulary import BuildingUse, PhaseStatus

PARK_FIELDS = ("name", "address")
PHASE_FIELDS = ("number", "name", "status", "planned_area", "handover_date")
BUILDING_FIELDS = ("code", "name", "main_use", "floor_count")
FLOOR_FIELDS = ("number", "name")

Errors = dict[str, Any]


def clean_park(raw: Mapping[str, Any], errors: Errors) -> dict[str, Any]:
    address = parse_text(raw.get("address"), "address", errors, max_length=300, required=False)
    return {
        "name": parse_text(raw.get("name"), "name", errors, max_length=200),
        "address": address or "",
    }


def clean_phase(raw: Mapping[str, Any], errors: Errors) -> dict[str, Any]:
    return {
        "number": parse_int(raw.get("number"), "number", errors, minimum=1, maximum=99),
        "name": parse_text(raw.get("name"), "name", errors, max_length=100),
        "status": parse_choice(raw.get("status"), PhaseStatus, "status", errors),
        "planned_area": parse_area(raw.get("planned_area"), "planned_area", errors, required=False),
        "handover_date": parse_date(raw.get("handover_date"), "handover_date", errors),
    }


def clean_building(raw: Mapping[str, Any], errors: Errors) -> dict[str, Any]:
    name = parse_text(raw.get("name"), "name", errors, max_length=100, required=False)
    return {
        "code": parse_code(raw.get("code"), "code", errors, max_length=32),
        "name": name or "",
        "main_use": parse_choice(raw.get("main_use"), BuildingUse, "main_use", errors),
        "floor_count": parse_int(
            raw.get("floor_count"), "floor_count", errors, minimum=1, maximum=200
        ),
    }


def clean_floor(raw: Mapping[str, Any], errors: Errors) -> dict[str, Any]:
    name = parse_text(raw.get("name"), "name", errors, max_length=60, required=False)
    return {"number": parse_int(raw.get("number"), "number", errors, minimum=1), "name": name or ""}


def park_name_taken(name: str | None) -> Message:
    return Message(N_("A park named '%(name)s' already exists"), name=name)


def phase_number_taken(number: int | None) -> Message:
    return Message(N_("This park already has a phase %(n)s"), n=number)


def building_code_taken(code: str | None) -> Message:
    return Message(N_("The building code '%(code)s' is already used in this park"), code=code)


def floor_number_taken(number: int | None) -> Message:
    return Message(N_("Floor %(n)s of this building already exists"), n=number)


def phase_leased_problem(leased: int) -> Message:
    """A phase with leased units must stay operating (``workflow.followed_status``)."""
    return Message(
        N_(
            "%(n)s unit(s) of this phase are leased: a phase with occupied units "
            "must stay operating"
        ),
        n=leased,
    )


def floor_count_problem(highest: int | None, floor_count: int | None) -> Message | None:
    """Lowering a building's floor count below a floor it has is refused."""
    if highest is None or floor_count is None or highest <= floor_count:
        return None
    return Message(
        N_("Floor %(n)s of this building exists: the floor count cannot be lower than %(n)s"),
        n=highest,
    )
