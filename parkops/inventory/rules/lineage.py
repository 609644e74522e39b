"""The rules of splitting a unit into parts and merging units into one.

Pure: the service locks the units, asks the database what it must (contracts and holds that
take the units, unit codes already used in the park) and hands the answers to these functions;
what they return is written as it is.

- Only available units that are still current (not retired by an earlier split or merge) are
  split or merged, and only units of one floor are merged.
- A split's parts add up exactly to the original's gross and leasable areas; parts inherit the
  original's type and floor load unless given; power capacity is per part.
- A merged unit's areas are the sums of the units'; when given they must equal them. Its type
  defaults to the units' common type, its floor load to the lowest of theirs (the weakest part
  bounds the whole), its power capacity to the sum of theirs when all have one.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from parkops.core.i18n import N_, Message
from parkops.core.parsing import is_blank
from parkops.inventory.rules.fields import parse_int
from parkops.inventory.rules.units import clean_unit, unit_code_taken
from parkops.inventory.vocabulary import UNIT_STATUS_LABELS, UnitStatus

MAX_SPLIT_PARTS = 50
MAX_MERGE_UNITS = 50
ZERO = Decimal("0.00")

Errors = dict[str, Any]


class Piece(Protocol):
    """What these rules read of a unit (``inventory.models.Unit`` is one)."""

    @property
    def code(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def retired_at(self) -> datetime | None: ...
    @property
    def floor_id(self) -> int: ...
    @property
    def unit_type(self) -> str: ...
    @property
    def gross_area(self) -> Decimal: ...
    @property
    def leasable_area(self) -> Decimal: ...
    @property
    def floor_load(self) -> int | None: ...
    @property
    def power_kva(self) -> int | None: ...


@dataclass(frozen=True)
class Areas:
    gross: Decimal
    leasable: Decimal


def not_splittable(unit: Piece, verb: str) -> Message | None:
    """Why ``unit`` cannot be split or merged (``verb``), whatever takes it."""
    if unit.retired_at is not None:
        return Message(N_("Unit %(code)s was already split or merged"), code=unit.code)
    if unit.status != UnitStatus.available:
        return Message(
            N_("Only available units can be %(verb)s; unit %(code)s is %(status)s"),
            verb=Message(verb),
            code=unit.code,
            status=Message(UNIT_STATUS_LABELS[UnitStatus(unit.status)]),
        )
    return None


def _new_unit_values(raw: Mapping[str, Any], errors: Errors) -> dict[str, Any]:
    """A successor's own fields: always available, so without status and reason."""
    values = clean_unit({**raw, "status": UnitStatus.available}, errors)
    del values["status"], values["unavailable_reason"]
    return values


def _given(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if not is_blank(v)}


# --- split --------------------------------------------------------------------------------------


def split_count_problem(count: int) -> Message | None:
    if count < 2:
        return Message(N_("Split the unit into at least two parts"))
    if count > MAX_SPLIT_PARTS:
        return Message(N_("Split the unit into at most %(n)s parts"), n=MAX_SPLIT_PARTS)
    return None


def clean_parts(
    unit: Piece, parts: Sequence[Mapping[str, Any]], errors: Errors
) -> list[dict[str, Any]]:
    """Each part's fields, the type and floor load inherited from ``unit`` unless given; a
    part's errors are keyed ``parts.<i>.<field>``."""
    cleaned = []
    for i, part in enumerate(parts):
        part_errors: Errors = {}
        inherited = {"unit_type": unit.unit_type, "floor_load": unit.floor_load}
        cleaned.append(_new_unit_values({**inherited, **_given(part)}, part_errors))
        errors.update({f"parts.{i}.{k}": v for k, v in part_errors.items()})
    return cleaned


def check_parts(
    unit: Piece, parts: Sequence[Mapping[str, Any]], taken: Collection[str], errors: Errors
) -> None:
    """The parts' codes are free (not in ``taken``, the park's codes in use) and distinct; their
    areas add up to the original's (checked once every area parsed)."""
    seen: set[str] = set()
    for i, values in enumerate(parts):
        code = values["code"]
        if code in taken:
            errors[f"parts.{i}.code"] = unit_code_taken(code)
        elif code and code in seen:
            errors[f"parts.{i}.code"] = Message(
                N_("The code '%(code)s' is given to two parts"), code=code
            )
        seen.add(code)
    if not any(k.endswith(("gross_area", "leasable_area")) for k in errors):
        errors.update(
            area_sum_problems(
                Areas(unit.gross_area, unit.leasable_area),
                [Areas(p["gross_area"], p["leasable_area"]) for p in parts],
            )
        )


def area_sum_problems(original: Areas, parts: Sequence[Areas]) -> dict[str, Message]:
    """A split's parts must add up to the original exactly (gross and leasable)."""
    errors: dict[str, Message] = {}
    gross = sum((p.gross for p in parts), ZERO)
    leasable = sum((p.leasable for p in parts), ZERO)
    if gross != original.gross:
        errors["gross_area"] = Message(
            N_(
                "The parts' gross floor areas add up to %(sum)s m², "
                "not the original unit's %(original)s m²"
            ),
            sum=gross,
            original=original.gross,
        )
    if leasable != original.leasable:
        errors["leasable_area"] = Message(
            N_(
                "The parts' leasable areas add up to %(sum)s m², "
                "not the original unit's %(original)s m²"
            ),
            sum=leasable,
            original=original.leasable,
        )
    return errors


# --- merge --------------------------------------------------------------------------------------


def merge_ids(raw_ids: Sequence[Any], errors: Errors) -> list[int]:
    """The ids of the units to merge, in the order given, each once."""
    ids: list[int] = []
    for raw in raw_ids:
        value = parse_int(raw, "unit_ids", errors, minimum=1)
        if value is not None and value not in ids:
            ids.append(value)
    if "unit_ids" not in errors and len(ids) < 2:
        errors["unit_ids"] = N_("Choose at least two units to merge")
    if len(ids) > MAX_MERGE_UNITS:
        errors["unit_ids"] = Message(N_("Merge at most %(n)s units at once"), n=MAX_MERGE_UNITS)
    return ids


def merge_problem(units: Sequence[Piece], taken: Message | None = None) -> Message | None:
    """Why ``units`` cannot be merged: the first unit that cannot (and how many more), else what
    takes them (``taken``, from the contracts and holds), else that they lie on several floors."""
    problems = [p for u in units if (p := not_splittable(u, N_("merged")))]
    if len(problems) > 1:
        return Message(N_("%(first)s (and %(n)s more)"), first=problems[0], n=len(problems) - 1)
    if problems or taken:
        return problems[0] if problems else taken
    if len({u.floor_id for u in units}) > 1:
        return Message(N_("Only units on the same floor of the same building can be merged"))
    return None


def merged_defaults(units: Sequence[Piece]) -> dict[str, Any]:
    """The merged unit's fields where none are given."""
    types = {u.unit_type for u in units}
    loads = [u.floor_load for u in units if u.floor_load is not None]
    powers = [u.power_kva for u in units]
    return {
        "unit_type": types.pop() if len(types) == 1 else None,
        "floor_load": min(loads) if loads else None,
        "power_kva": sum(p for p in powers if p is not None)
        if all(p is not None for p in powers)
        else None,
        "gross_area": sum((u.gross_area for u in units), ZERO),
        "leasable_area": sum((u.leasable_area for u in units), ZERO),
    }


def merged_values(
    units: Sequence[Piece], given: Mapping[str, Any], errors: Errors
) -> dict[str, Any]:
    """The merged unit's fields: what was given over the defaults; given areas must be the
    sums of the units'."""
    defaults = merged_defaults(units)
    values = _new_unit_values({**defaults, **_given(given)}, errors)
    for field, what in (
        (
            "gross_area",
            N_(
                "The merged unit's gross floor area must be the sum of the units' "
                "(%(sum)s m²), not %(value)s m²"
            ),
        ),
        (
            "leasable_area",
            N_(
                "The merged unit's leasable area must be the sum of the units' "
                "(%(sum)s m²), not %(value)s m²"
            ),
        ),
    ):
        if values[field] is not None and values[field] != defaults[field]:
            errors[field] = Message(what, sum=defaults[field], value=values[field])
    return values
