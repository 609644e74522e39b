"""What people type about a contract's terms, parsed and checked; the terms row <-> LeaseTerms.

Pure. ``parse_terms`` takes raw values (form strings or JSON values, same field names) and
returns a ``TermsInput``, writing a message per bad field into ``errors``; ``lease_terms`` turns
it, with the term and the contract's areas, into ``schedule.LeaseTerms`` and maps the schedule
module's own validation messages back onto the form's field names. ``row_values`` and
``from_row`` convert to and from a ``lease_terms`` row.

Form and API share field names:

``rent_basis`` ``rent_rate`` ``area_basis`` ``property_fee_rate`` ``property_fee_area_basis``
``rent_start`` | ``rent_free_months`` ``property_fee_during_rent_free`` ``cycle`` ``due_kind``
``due_value`` ``proration`` ``escalation_kind`` (none/percent/steps) ``escalation_percent``
``escalation_from_year`` ``escalation_max_increases`` ``escalation_anchor``
``escalation_steps`` ("2027-01-01=20.5; 2028-01-01=21" or a list of {effective_from, rate})
``deposit_kind`` (none/months/fixed) ``deposit_months`` ``deposit_include_property_fee``
``deposit_amount`` (yuan) ``late_fee_daily_rate`` ``late_fee_cap_percent`` ``vat_included``
``vat_rate`` ``signed_on``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from parkops.core import parsing
from parkops.core.i18n import N_, Message
from parkops.core.i18n import join as join_messages
from parkops.core.last_day import end_after
from parkops.core.money import fen_to_yuan, yuan_to_fen
from parkops.leases.rules import schedule as s

DEFAULT_LATE_FEE_RATE = Decimal("0.0005")  # 万分之五 per day
DEFAULT_VAT_RATE = Decimal("0.09")  # VAT on leasing real property, general taxpayer
MAX_LATE_FEE_RATE = Decimal("0.01")
RATE_PLACES = 4  # Numeric(14, 4)


class DepositKind(StrEnum):
    none = "none"
    months = "months"
    fixed = "fixed"


FIELD_LABELS = {
    "rent_basis": N_("Rent basis"),
    "rent_rate": N_("Rent"),
    "area_basis": N_("Area basis"),
    "property_fee_rate": N_("Property fee"),
    "property_fee_area_basis": N_("Property fee area basis"),
    "rent_start": N_("Rent start date"),
    "rent_free_months": N_("Rent-free months"),
    "cycle": N_("Payment cycle"),
    "due_kind": N_("Due rule"),
    "due_value": N_("Due day / days"),
    "proration": N_("Proration"),
    "escalation_kind": N_("Escalation"),
    "escalation_percent": N_("Escalation %"),
    "escalation_from_year": N_("Escalation from year"),
    "escalation_max_increases": N_("Number of increases"),
    "escalation_anchor": N_("Lease years count from"),
    "escalation_steps": N_("Rent steps"),
    "deposit_kind": N_("Deposit"),
    "deposit_months": N_("Deposit months"),
    "deposit_amount": N_("Deposit amount"),
    "late_fee_daily_rate": N_("Late fee per day"),
    "late_fee_cap_percent": N_("Late fee cap"),
    "vat_rate": N_("VAT rate"),
    "signed_on": N_("Signing date"),
    "start_date": N_("Start date"),
    "last_day": N_("Last day"),
    "accept_partial_month": N_("Term not in whole months"),
    "held_until": N_("Held until"),
    "wanted_until": N_("Wanted until"),
}


def label(name: str) -> Message:
    """The field's name, translated wherever the message quoting it is shown."""
    return Message(FIELD_LABELS.get(name, name))


@dataclass(frozen=True)
class TermsInput:
    """Parsed terms, before they meet a term and areas (which make them ``schedule.LeaseTerms``)."""

    rent_rate: Decimal
    rent_basis: s.RentBasis = s.RentBasis.PER_M2_MONTH
    area_basis: s.AreaBasis = s.AreaBasis.GROSS
    property_fee_rate: Decimal = Decimal(0)
    property_fee_area_basis: s.AreaBasis | None = None
    rent_start: date | None = None
    rent_free_months: int | None = None
    property_fee_during_rent_free: bool = True
    cycle: s.PaymentCycle = s.PaymentCycle.QUARTERLY
    due_rule: s.DueRule = field(default_factory=lambda: s.DueRule.days_before(0))
    proration: s.Proration = s.Proration.BY_DAYS
    escalation: s.Escalation | None = None
    deposit: s.DepositRule | None = None
    late_fee_daily_rate: Decimal = DEFAULT_LATE_FEE_RATE
    late_fee_cap_percent: Decimal | None = None
    vat_included: bool = True
    vat_rate: Decimal = DEFAULT_VAT_RATE
    signed_on: date | None = None

    def rent_start_for(self, start: date) -> date | None:
        if self.rent_start is not None:
            return self.rent_start
        if self.rent_free_months:
            return s.add_months(start, self.rent_free_months)
        return None


# --- raw value parsers --------------------------------------------------------------------------


def _blank(raw: Any) -> bool:
    if isinstance(raw, list):
        return all(_blank(r) for r in raw)
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _last(raw: Any) -> Any:
    """Forms send a hidden "0" before a checkbox's "1": the last value wins."""
    return raw[-1] if isinstance(raw, list) and raw else raw


def parse_bool(raw: Any, default: bool) -> bool:
    return parsing.bool_field(_last(raw), default)


def parse_decimal(
    raw: Any,
    name: str,
    errors: dict,
    *,
    required: bool = False,
    places: int = RATE_PLACES,
    maximum: Decimal | None = None,
) -> Decimal | None:
    """A non-negative decimal with at most ``places`` decimals."""
    return parsing.decimal_field(
        _last(raw), name, errors, label=label(name), required=required,
        places=places, maximum=maximum,
    )  # fmt: skip


def parse_int(
    raw: Any,
    name: str,
    errors: dict,
    *,
    required: bool = False,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int | None:
    return parsing.int_field(
        _last(raw), name, errors, label=label(name), required=required,
        minimum=minimum, maximum=maximum,
    )  # fmt: skip


def parse_date(raw: Any, name: str, errors: dict, *, required: bool = False) -> date | None:
    return parsing.date_field(_last(raw), name, errors, label=label(name), required=required)


def parse_choice(raw: Any, enum, name: str, errors: dict, default=None):
    raw = _last(raw)
    if _blank(raw):
        if default is None:
            errors[name] = Message(N_("%(field)s is required"), field=label(name))
        return default
    try:
        return enum(str(raw).strip())
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        errors[name] = Message(
            N_("%(field)s '%(value)s' is not one of: %(allowed)s"),
            field=label(name),
            value=raw,
            allowed=allowed,
        )
        return default


def parse_text(raw: Any, name: str, errors: dict, *, max_length: int) -> str:
    text = "" if _blank(raw) else str(_last(raw)).strip()
    if len(text) > max_length:
        errors[name] = Message(
            N_("%(field)s is longer than %(n)s characters"), field=label(name), n=max_length
        )
        return text[:max_length]
    return text


_STEP_RE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*[=:：]\s*([0-9.,]+)\s*$")


def parse_steps(raw: Any, errors: dict) -> tuple[s.RentStep, ...]:
    """Rent steps as ``2027-01-01=20.5; 2028-01-01=21`` (one per line or ``;``), or a list of
    ``{"effective_from": ..., "rate": ...}``."""
    name = "escalation_steps"
    items: list[tuple[Any, Any]] = []
    if isinstance(raw, list) and all(isinstance(x, Mapping) for x in raw):
        items = [(x.get("effective_from"), x.get("rate")) for x in raw]
    else:
        text = str(_last(raw) or "")
        for part in re.split(r"[;\n；]+", text):
            if not part.strip():
                continue
            match = _STEP_RE.match(part)
            if not match:
                errors[name] = Message(
                    N_("Write each step as YYYY-MM-DD=rate; '%(part)s' is not"), part=part.strip()
                )
                return ()
            items.append((match.group(1), match.group(2)))
    steps = []
    for when_raw, rate_raw in items:
        step_errors: dict[str, str] = {}
        when = parse_date(when_raw, name, step_errors, required=True)
        rate = parse_decimal(rate_raw, name, step_errors, required=True)
        if step_errors:
            errors[name] = step_errors[name]
            return ()
        steps.append(s.RentStep(when, rate))  # type: ignore[arg-type]
    if not steps:
        errors[name] = N_("Give at least one step (YYYY-MM-DD=rate)")
    return tuple(steps)


# --- the term -----------------------------------------------------------------------------------

# Each count has a singular and a plural message; the form's script gets the same patterns.
COUNT_MESSAGES = {
    "year": (N_("1 year"), N_("%(n)s years")),
    "month": (N_("1 month"), N_("%(n)s months")),
    "day": (N_("1 day"), N_("%(n)s days")),
}


@dataclass(frozen=True)
class TermLength:
    """A term ``[start, end)`` in whole contract months (``schedule.add_months`` from the
    start, the way the schedule counts them) and the days left over: 2027-01-01 to the last day
    2029-12-31 is 36 months and 0 days; to 2029-12-30, 35 months and 30 days."""

    months: int
    days: int

    @property
    def whole_months(self) -> bool:
        return self.days == 0

    def text(self) -> Message:
        """ "3 years 0 months", "11 months", "2 years 11 months 30 days"."""
        years, months = divmod(self.months, 12)
        parts = [_count("year", years)] if years else []
        if years or months or not self.days:
            parts.append(_count("month", months))
        if self.days:
            parts.append(_count("day", self.days))
        return join_messages(parts, sep=" ")


def _count(unit: str, n: int) -> Message:
    one, many = COUNT_MESSAGES[unit]
    return Message(one) if n == 1 else Message(many, n=n)


def term_length(start: date, end: date) -> TermLength:
    # The month difference is an upper bound: add_months lands in end's month, at most one month
    # past ``end`` when the start's day is later in the month than the end's.
    months = max(0, (end.year - start.year) * 12 + end.month - start.month)
    if months and s.add_months(start, months) > end:
        months -= 1
    return TermLength(months, (end - s.add_months(start, months)).days)


def typed_term_length(raw: Mapping[str, Any], start: date | None = None) -> TermLength | None:
    """The length of the term a form holds (``start_date``, or ``start`` when fixed, and the
    inclusive ``last_day``), to show beside it; None while it is incomplete or backwards."""
    errors: dict[str, str] = {}
    start = start or parse_date(raw.get("start_date"), "start_date", errors)
    last_day = parse_date(raw.get("last_day"), "last_day", errors)
    if start is None or last_day is None or last_day < start:
        return None
    return term_length(start, end_after(last_day))


def nearest_whole_months_end(start: date, end: date) -> date:
    """The end of the term of whole months nearest to ``[start, end)`` (at least one month):
    what somebody who typed 2030-01-01 or 2029-12-30 as the last day probably meant."""
    months = term_length(start, end).months
    below, above = s.add_months(start, months), s.add_months(start, months + 1)
    return below if months and end - below <= above - end else above


# --- terms --------------------------------------------------------------------------------------


def parse_terms(raw: Mapping[str, Any], errors: dict[str, str]) -> TermsInput | None:
    """Parse the terms fields; None when any is unusable (the messages are in ``errors``)."""
    before = len(errors)
    rent_rate = parse_decimal(raw.get("rent_rate"), "rent_rate", errors, required=True)
    rent_basis = parse_choice(
        raw.get("rent_basis"), s.RentBasis, "rent_basis", errors, s.RentBasis.PER_M2_MONTH
    )
    area_basis = parse_choice(
        raw.get("area_basis"), s.AreaBasis, "area_basis", errors, s.AreaBasis.GROSS
    )
    fee_rate = parse_decimal(raw.get("property_fee_rate"), "property_fee_rate", errors)
    fee_basis = None
    if not _blank(raw.get("property_fee_area_basis")):
        fee_basis = parse_choice(
            raw.get("property_fee_area_basis"), s.AreaBasis, "property_fee_area_basis", errors
        )
    rent_start = parse_date(raw.get("rent_start"), "rent_start", errors)
    free_months = parse_int(
        raw.get("rent_free_months"), "rent_free_months", errors, minimum=0, maximum=240
    )
    if rent_start is not None and free_months:
        errors["rent_free_months"] = N_("Give either the rent start date or rent-free months")
    cycle = parse_choice(
        raw.get("cycle"), s.PaymentCycle, "cycle", errors, s.PaymentCycle.QUARTERLY
    )
    due_kind = parse_choice(
        raw.get("due_kind"), s.DueKind, "due_kind", errors, s.DueKind.DAYS_BEFORE
    )
    due_value = parse_int(raw.get("due_value"), "due_value", errors, minimum=0, maximum=366)
    proration = parse_choice(
        raw.get("proration"), s.Proration, "proration", errors, s.Proration.BY_DAYS
    )
    escalation = _parse_escalation(raw, errors)
    deposit = _parse_deposit(raw, errors)
    late_rate = parse_decimal(
        raw.get("late_fee_daily_rate"),
        "late_fee_daily_rate",
        errors,
        places=6,
        maximum=MAX_LATE_FEE_RATE,
    )
    late_cap = parse_decimal(
        raw.get("late_fee_cap_percent"), "late_fee_cap_percent", errors, places=2
    )
    vat_rate = parse_decimal(
        raw.get("vat_rate"), "vat_rate", errors, places=4, maximum=Decimal("0.9999")
    )
    signed_on = parse_date(raw.get("signed_on"), "signed_on", errors)
    if len(errors) > before:
        return None
    return TermsInput(
        rent_rate=rent_rate,  # type: ignore[arg-type]
        rent_basis=rent_basis,
        area_basis=area_basis,
        property_fee_rate=fee_rate if fee_rate is not None else Decimal(0),
        property_fee_area_basis=fee_basis,
        rent_start=rent_start,
        rent_free_months=free_months or None,
        property_fee_during_rent_free=parse_bool(raw.get("property_fee_during_rent_free"), True),
        cycle=cycle,
        due_rule=s.DueRule(due_kind, due_value if due_value is not None else 0),
        proration=proration,
        escalation=escalation,
        deposit=deposit,
        late_fee_daily_rate=late_rate if late_rate is not None else DEFAULT_LATE_FEE_RATE,
        late_fee_cap_percent=late_cap,
        vat_included=parse_bool(raw.get("vat_included"), True),
        vat_rate=vat_rate if vat_rate is not None else DEFAULT_VAT_RATE,
        signed_on=signed_on,
    )


def _parse_escalation(raw: Mapping[str, Any], errors: dict) -> s.Escalation | None:
    kind = str(_last(raw.get("escalation_kind")) or "").strip()
    if not kind:
        # An API caller giving just a percent means the usual yearly rise.
        kind = "percent" if not _blank(raw.get("escalation_percent")) else "none"
        kind = "steps" if not _blank(raw.get("escalation_steps")) else kind
    if kind == "none":
        return None
    if kind == "steps":
        steps = parse_steps(raw.get("escalation_steps"), errors)
        return s.StepEscalation(steps) if steps else None
    if kind != "percent":
        errors["escalation_kind"] = Message(
            N_("Escalation '%(kind)s' is not one of: none, percent, steps"), kind=kind
        )
        return None
    percent = parse_decimal(
        raw.get("escalation_percent"),
        "escalation_percent",
        errors,
        required=True,
        places=2,
        maximum=Decimal(100),
    )
    from_year = parse_int(
        raw.get("escalation_from_year"), "escalation_from_year", errors, minimum=2, maximum=20
    )
    max_increases = parse_int(
        raw.get("escalation_max_increases"), "escalation_max_increases", errors, minimum=1
    )
    anchor = parse_choice(
        raw.get("escalation_anchor"),
        s.EscalationAnchor,
        "escalation_anchor",
        errors,
        s.EscalationAnchor.START,
    )
    if percent is None:
        return None
    return s.PercentEscalation(percent, from_year or 2, max_increases, anchor)


def _parse_deposit(raw: Mapping[str, Any], errors: dict) -> s.DepositRule | None:
    kind_raw = _last(raw.get("deposit_kind"))
    if _blank(kind_raw):
        kind_raw = (
            "months"
            if not _blank(raw.get("deposit_months"))
            else ("fixed" if not _blank(raw.get("deposit_amount")) else "none")
        )
    kind = parse_choice(kind_raw, DepositKind, "deposit_kind", errors, DepositKind.none)
    if kind is DepositKind.months:
        months = parse_int(
            raw.get("deposit_months"),
            "deposit_months",
            errors,
            required=True,
            minimum=1,
            maximum=24,
        )
        include_fee = parse_bool(raw.get("deposit_include_property_fee"), False)
        return s.DepositMonths(months, include_fee) if months else None
    if kind is DepositKind.fixed:
        amount_raw = _last(raw.get("deposit_amount"))
        if _blank(amount_raw):
            errors["deposit_amount"] = N_("Deposit amount is required")
            return None
        try:
            fen = yuan_to_fen(str(amount_raw))
        except ValueError as exc:
            errors["deposit_amount"] = str(exc)
            return None
        if fen < 0:
            errors["deposit_amount"] = N_("Deposit amount cannot be negative")
            return None
        return s.DepositFixed(fen)
    return None


# --- to the schedule ----------------------------------------------------------------------------

# The schedule module names fields after LeaseTerms; the forms after the raw inputs.
_SCHEDULE_FIELDS = {
    "start": "start_date",
    "end": "last_day",
    "rent_rate": "rent_rate",
    "property_fee_rate": "property_fee_rate",
    "gross_area_m2": "unit_ids",
    "leasable_area_m2": "area_basis",
    "rent_start": "rent_start",
    "signed_on": "signed_on",
    "due_rule": "due_kind",
    "due_rule.value": "due_value",
    "escalation": "escalation_kind",
    "escalation.percent": "escalation_percent",
    "escalation.from_year": "escalation_from_year",
    "escalation.max_increases": "escalation_max_increases",
    "deposit": "deposit_kind",
    "deposit.months": "deposit_months",
    "deposit.amount_fen": "deposit_amount",
}


def form_field(schedule_field: str) -> str:
    if schedule_field.startswith("escalation.steps"):
        return "escalation_steps"
    return _SCHEDULE_FIELDS.get(schedule_field, schedule_field)


def lease_terms(
    terms: TermsInput, start: date, end: date, gross: Decimal, leasable: Decimal
) -> s.LeaseTerms:
    return s.LeaseTerms(
        start=start,
        end=end,
        rent_rate=terms.rent_rate,
        rent_basis=terms.rent_basis,
        gross_area_m2=gross,
        leasable_area_m2=leasable,
        area_basis=terms.area_basis,
        property_fee_rate=terms.property_fee_rate,
        property_fee_area_basis=terms.property_fee_area_basis,
        rent_start=terms.rent_start_for(start),
        property_fee_during_rent_free=terms.property_fee_during_rent_free,
        cycle=terms.cycle,
        due_rule=terms.due_rule,
        proration=terms.proration,
        escalation=terms.escalation,
        deposit=terms.deposit,
        signed_on=terms.signed_on,
    )


def check_terms(lt: s.LeaseTerms, errors: dict[str, str]) -> None:
    """The schedule module's validation, on the form's field names (first message per field)."""
    for name, message in s.validate_terms(lt):
        target = form_field(name)
        if target == "rent_start" and "rent_start" in message and lt.rent_start is not None:
            message = (
                N_("The rent-free period cannot cover the whole term")
                if lt.rent_start >= lt.end
                else message
            )
        errors.setdefault(target, message)


def with_rent_start(terms: TermsInput, start: date) -> TermsInput:
    """Rent-free months resolved to a date (what is stored)."""
    return replace(terms, rent_start=terms.rent_start_for(start), rent_free_months=None)


def renewal_terms(terms: TermsInput, rate_in_force: Decimal, percent: Decimal | None) -> TermsInput:
    """Terms for a renewal: the rent rate in force at the old end (``rate_in_force``, escalation
    applied), raised by ``percent``; no rent-free period, no signing date yet.

    The old contract's escalation is not carried over as such (its years counted from the old
    start): a yearly percentage rise restarts from the renewal's year 2; explicit steps, being
    dated, end with the old term.
    """
    factor = 1 + (percent or Decimal(0)) / 100
    escalation = None
    if isinstance(terms.escalation, s.PercentEscalation):
        escalation = s.PercentEscalation(terms.escalation.percent, 2, None)
    return replace(
        terms,
        rent_rate=(Decimal(rate_in_force) * factor).quantize(Decimal(1).scaleb(-RATE_PLACES)),
        rent_start=None,
        rent_free_months=None,
        escalation=escalation,
        signed_on=None,
    )


# --- rows ---------------------------------------------------------------------------------------


def row_values(terms: TermsInput) -> dict[str, Any]:
    """The ``lease_terms`` columns for parsed terms (rent start already resolved)."""
    esc = terms.escalation
    escalation: dict | None = None
    if isinstance(esc, s.PercentEscalation):
        escalation = {
            "kind": "percent",
            "percent": str(esc.percent),
            "from_year": esc.from_year,
            "max_increases": esc.max_increases,
            "anchor": esc.anchor.value,
        }
    elif isinstance(esc, s.StepEscalation):
        escalation = {
            "kind": "steps",
            "steps": [
                {"effective_from": st.effective_from.isoformat(), "rate": str(st.rate)}
                for st in esc.steps
            ],
        }
    dep = terms.deposit
    return {
        "rent_basis": terms.rent_basis.value,
        "rent_rate": terms.rent_rate,
        "area_basis": terms.area_basis.value,
        "property_fee_rate": terms.property_fee_rate,
        "property_fee_area_basis": (
            terms.property_fee_area_basis.value if terms.property_fee_area_basis else None
        ),
        "rent_start": terms.rent_start,
        "property_fee_during_rent_free": terms.property_fee_during_rent_free,
        "cycle": terms.cycle.value,
        "due_kind": terms.due_rule.kind.value,
        "due_value": terms.due_rule.value,
        "proration": terms.proration.value,
        "escalation": escalation,
        "deposit_kind": (
            DepositKind.months
            if isinstance(dep, s.DepositMonths)
            else DepositKind.fixed
            if isinstance(dep, s.DepositFixed)
            else DepositKind.none
        ).value,
        "deposit_months": dep.months if isinstance(dep, s.DepositMonths) else None,
        "deposit_include_property_fee": (
            dep.include_property_fee if isinstance(dep, s.DepositMonths) else False
        ),
        "deposit_fixed_fen": dep.amount_fen if isinstance(dep, s.DepositFixed) else None,
        "late_fee_daily_rate": terms.late_fee_daily_rate,
        "late_fee_cap_percent": terms.late_fee_cap_percent,
        "vat_included": terms.vat_included,
        "vat_rate": terms.vat_rate,
    }


def from_row(row: Any, signed_on: date | None = None) -> TermsInput:
    """A ``lease_terms`` row (entity or mapping) back to ``TermsInput``."""
    get: Callable[[str], Any] = row.get if isinstance(row, Mapping) else lambda k: getattr(row, k)
    esc = get("escalation")
    escalation: s.Escalation | None = None
    if esc and esc.get("kind") == "percent":
        escalation = s.PercentEscalation(
            Decimal(esc["percent"]),
            int(esc.get("from_year") or 2),
            esc.get("max_increases"),
            s.EscalationAnchor(esc.get("anchor") or "start"),
        )
    elif esc and esc.get("kind") == "steps":
        escalation = s.StepEscalation(
            tuple(
                s.RentStep(date.fromisoformat(st["effective_from"]), Decimal(st["rate"]))
                for st in esc["steps"]
            )
        )
    kind = get("deposit_kind")
    deposit: s.DepositRule | None = None
    if kind == DepositKind.months:
        deposit = s.DepositMonths(get("deposit_months"), bool(get("deposit_include_property_fee")))
    elif kind == DepositKind.fixed:
        deposit = s.DepositFixed(int(get("deposit_fixed_fen")))
    fee_basis = get("property_fee_area_basis")
    return TermsInput(
        rent_rate=Decimal(get("rent_rate")),
        rent_basis=s.RentBasis(get("rent_basis")),
        area_basis=s.AreaBasis(get("area_basis")),
        property_fee_rate=Decimal(get("property_fee_rate")),
        property_fee_area_basis=s.AreaBasis(fee_basis) if fee_basis else None,
        rent_start=get("rent_start"),
        property_fee_during_rent_free=bool(get("property_fee_during_rent_free")),
        cycle=s.PaymentCycle(get("cycle")),
        due_rule=s.DueRule(s.DueKind(get("due_kind")), int(get("due_value"))),
        proration=s.Proration(get("proration")),
        escalation=escalation,
        deposit=deposit,
        late_fee_daily_rate=Decimal(get("late_fee_daily_rate")),
        late_fee_cap_percent=(
            Decimal(get("late_fee_cap_percent"))
            if get("late_fee_cap_percent") is not None
            else None
        ),
        vat_included=bool(get("vat_included")),
        vat_rate=Decimal(get("vat_rate")),
        signed_on=signed_on,
    )


def form_values(terms: TermsInput) -> dict[str, str]:
    """Terms as the strings a form shows (to prefill the edit, amendment and renewal forms)."""
    esc = terms.escalation
    dep = terms.deposit
    values = {
        "rent_basis": terms.rent_basis.value,
        "rent_rate": f"{terms.rent_rate.normalize():f}",
        "area_basis": terms.area_basis.value,
        "property_fee_rate": f"{terms.property_fee_rate.normalize():f}",
        "property_fee_area_basis": (
            terms.property_fee_area_basis.value if terms.property_fee_area_basis else ""
        ),
        "rent_start": terms.rent_start.isoformat() if terms.rent_start else "",
        "rent_free_months": str(terms.rent_free_months or ""),
        "property_fee_during_rent_free": "1" if terms.property_fee_during_rent_free else "0",
        "cycle": terms.cycle.value,
        "due_kind": terms.due_rule.kind.value,
        "due_value": str(terms.due_rule.value),
        "proration": terms.proration.value,
        "escalation_kind": "none",
        "escalation_percent": "",
        "escalation_from_year": "2",
        "escalation_max_increases": "",
        "escalation_anchor": "start",
        "escalation_steps": "",
        "deposit_kind": "none",
        "deposit_months": "",
        "deposit_include_property_fee": "0",
        "deposit_amount": "",
        "late_fee_daily_rate": f"{terms.late_fee_daily_rate.normalize():f}",
        "late_fee_cap_percent": (
            f"{terms.late_fee_cap_percent.normalize():f}"
            if terms.late_fee_cap_percent is not None
            else ""
        ),
        "vat_included": "1" if terms.vat_included else "0",
        "vat_rate": f"{terms.vat_rate.normalize():f}",
        "signed_on": terms.signed_on.isoformat() if terms.signed_on else "",
    }
    if isinstance(esc, s.PercentEscalation):
        values.update(
            escalation_kind="percent",
            escalation_percent=f"{esc.percent.normalize():f}",
            escalation_from_year=str(esc.from_year),
            escalation_max_increases=str(esc.max_increases or ""),
            escalation_anchor=esc.anchor.value,
        )
    elif isinstance(esc, s.StepEscalation):
        values.update(
            escalation_kind="steps",
            escalation_steps="; ".join(
                f"{st.effective_from.isoformat()}={st.rate.normalize():f}" for st in esc.steps
            ),
        )
    if isinstance(dep, s.DepositMonths):
        values.update(
            deposit_kind="months",
            deposit_months=str(dep.months),
            deposit_include_property_fee="1" if dep.include_property_fee else "0",
        )
    elif isinstance(dep, s.DepositFixed):
        values.update(deposit_kind="fixed", deposit_amount=str(fen_to_yuan(dep.amount_fen)))
    return values
