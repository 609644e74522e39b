"""Reading a contract from a form or API body: enterprise, units, term and terms, checked
together so every problem is reported at once (``ValidationFailed`` with field errors).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from parkops.core.i18n import N_, Message
from parkops.core.i18n import join as join_messages
from parkops.core.last_day import end_after_or_none, last_day_of
from parkops.documents.models import DocumentLanguage
from parkops.leases import repository
from parkops.leases.rules import schedule as sched
from parkops.leases.rules import terms as t
from parkops.leases.services.common import MAX_UNITS, raise_if_errors


@dataclass(frozen=True)
class ContractInput:
    enterprise_id: int
    units: list[dict]  # repository.units_by_id rows
    park_id: int
    start: date
    end: date
    terms: t.TermsInput  # rent start resolved to a date
    lease_terms: sched.LeaseTerms
    purpose: str
    purpose_en: str
    special_terms: str
    language: str


RESERVATION_STATES = {
    "active": N_("active"),
    "released": N_("released"),
    "expired": N_("expired"),
    "converted": N_("converted"),
}


def parse_unit_ids(raw: Any, errors: dict, name: str = "unit_ids") -> list[int]:
    """Unit ids from a list (JSON, repeated form fields) or a comma/space separated string."""
    if raw is None or raw == "":
        errors[name] = N_("Choose at least one unit")
        return []
    items = raw if isinstance(raw, list | tuple) else str(raw).replace(",", " ").split()
    ids: list[int] = []
    for item in items:
        if isinstance(item, bool):
            errors[name] = N_("Unit ids must be whole numbers")
            return []
        try:
            value = int(str(item).strip())
        except ValueError:
            errors[name] = Message(N_("'%(item)s' is not a unit id"), item=item)
            return []
        if value <= 0:
            errors[name] = Message(N_("'%(item)s' is not a unit id"), item=item)
            return []
        if value not in ids:
            ids.append(value)
    if not ids:
        errors[name] = N_("Choose at least one unit")
    elif len(ids) > MAX_UNITS:
        errors[name] = Message(N_("A contract can have at most %(n)s units"), n=MAX_UNITS)
    return ids


async def check_enterprise(db: AsyncSession, raw: Any, errors: dict) -> int | None:
    enterprise_id = t.parse_int(raw, "enterprise_id", errors, required=True, minimum=1)
    if enterprise_id is None:
        errors["enterprise_id"] = N_("Choose the enterprise")
        return None
    if await repository.enterprise_row(db, enterprise_id) is None:
        errors["enterprise_id"] = N_("No such enterprise")
        return None
    return enterprise_id


async def check_units(
    db: AsyncSession, unit_ids: list[int], start: date | None, errors: dict
) -> list[dict]:
    """Units exist, are current, lie in one park, and (pre-letting) start after hand-over."""
    if not unit_ids:
        return []
    found = await repository.units_by_id(db, unit_ids)
    missing = [str(i) for i in unit_ids if i not in found]
    if missing:
        errors["unit_ids"] = Message(N_("No such unit: %(units)s"), units=", ".join(missing))
        return []
    units = [found[i] for i in unit_ids]
    problems = []
    for u in units:
        if u["retired_at"] is not None:
            problems.append(
                Message(N_("Unit %(code)s was split or merged and cannot be let"), code=u["code"])
            )
        elif u["phase_status"] != "operating":
            if u["handover_date"] is None:
                problems.append(
                    Message(
                        N_(
                            "Unit %(code)s is in a phase that is not operating and has no"
                            " hand-over date yet: it cannot be pre-let"
                        ),
                        code=u["code"],
                    )
                )
            elif start is not None and start < u["handover_date"]:
                problems.append(
                    Message(
                        N_(
                            "Unit %(code)s can be pre-let only from the hand-over of its phase"
                            " (%(date)s)"
                        ),
                        code=u["code"],
                        date=u["handover_date"].isoformat(),
                    )
                )
        elif u["status"] == "unavailable":
            problems.append(
                Message(
                    N_("Unit %(code)s is unavailable (%(reason)s)"),
                    code=u["code"],
                    reason=u["unavailable_reason"] or "",
                )
            )
    if len({u["park_id"] for u in units}) > 1:
        problems.append(N_("All units of a contract must be in the same park"))
    if problems:
        errors["unit_ids"] = join_messages(problems)
        return []
    return units


def parse_last_day(raw: Mapping[str, Any], name: str, errors: dict, **kwargs: Any) -> date | None:
    """The inclusive last day typed as ``name``, as the half-open end kept inside (the day
    after). The exclusive ``end_date`` callers gave before is refused, not read one day off."""
    if "end_date" in raw:
        errors["end_date"] = Message(
            N_("'end_date' (the day after the last day) is no longer accepted: give %(name)s"),
            name=name,
        )
    return end_after_or_none(t.parse_date(raw.get(name), name, errors, **kwargs))


def parse_term(
    raw: Mapping[str, Any], errors: dict, *, confirmed: tuple[date, date] | None = None
) -> tuple[date | None, date | None]:
    """``start_date`` and the inclusive ``last_day`` typed, as the half-open ``(start, end)``.

    A term that is not a whole number of months is refused unless ``accept_partial_month`` says
    it is meant (or it is the ``confirmed`` term, saved before): typing the day after the last
    day, the old habit, would otherwise add a day to the contract without anybody noticing.
    """
    start = t.parse_date(raw.get("start_date"), "start_date", errors, required=True)
    end = parse_last_day(raw, "last_day", errors, required=True)
    if start is None or end is None:
        return start, end
    if end <= start:
        errors["last_day"] = N_("The last day cannot be before the start date")
        return start, end
    length = t.term_length(start, end)
    accepted = t.parse_bool(raw.get("accept_partial_month"), False) or confirmed == (start, end)
    if not length.whole_months and not accepted:
        whole_end = t.nearest_whole_months_end(start, end)
        errors["last_day"] = Message(
            N_(
                "The term is %(length)s, not a whole number of months (%(suggestion)s as the "
                "last day would make it %(whole)s). Correct the last day, or confirm that the "
                "term ends part-way through a month."
            ),
            length=length.text(),
            suggestion=last_day_of(whole_end).isoformat(),
            whole=t.term_length(start, whole_end).text(),
        )
    return start, end


async def parse_contract(
    db: AsyncSession, raw: Mapping[str, Any], *, confirmed_term: tuple[date, date] | None = None
) -> ContractInput:
    """Everything a contract draft needs, checked; ``ValidationFailed`` naming each bad field."""
    errors: dict[str, str] = {}
    enterprise_id = await check_enterprise(db, raw.get("enterprise_id"), errors)
    unit_ids = parse_unit_ids(raw.get("unit_ids", raw.get("unit_ids[]")), errors)
    start, end = parse_term(raw, errors, confirmed=confirmed_term)
    terms = t.parse_terms(raw, errors)
    purpose = t.parse_text(raw.get("purpose"), "purpose", errors, max_length=200)
    purpose_en = t.parse_text(raw.get("purpose_en"), "purpose_en", errors, max_length=200)
    special = t.parse_text(raw.get("special_terms"), "special_terms", errors, max_length=4000)
    language = t.parse_choice(
        raw.get("language"), DocumentLanguage, "language", errors, DocumentLanguage.zh
    )
    units = await check_units(db, unit_ids, start, errors)
    lease_terms = None
    if not errors:
        assert start and end and terms
        gross = sum((u["gross_area"] for u in units), Decimal("0.00"))
        leasable = sum((u["leasable_area"] for u in units), Decimal("0.00"))
        lease_terms = t.lease_terms(terms, start, end, gross, leasable)
        t.check_terms(lease_terms, errors)
    raise_if_errors(N_("The contract was not saved."), errors)
    assert enterprise_id and start and end and terms and lease_terms
    return ContractInput(
        enterprise_id=enterprise_id,
        units=units,
        park_id=units[0]["park_id"],
        start=start,
        end=end,
        terms=t.with_rent_start(terms, start),
        lease_terms=lease_terms,
        purpose=purpose,
        purpose_en=purpose_en,
        special_terms=special,
        language=language.value,
    )
