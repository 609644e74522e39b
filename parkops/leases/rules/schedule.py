"""Rent schedule of a lease contract: billing periods, due dates and amounts, computed purely.

Given the terms of one contract (``LeaseTerms``), ``compute_schedule`` returns one
``ScheduleLine`` per billing period with its due date, the rent and the property-management fee in
integer fen, and a breakdown (``ChargePiece``) that says which rate applied over which days, so a
bill can show how it was computed. ``validate_terms`` lists what is wrong with terms as
``(field, message)`` pairs for a form; ``deposit_fen`` gives the deposit the contract asks for.

No database, no framework, no floats: rates and areas are ``Decimal``, all arithmetic is exact
(``fractions.Fraction``) and each line amount is rounded once, half-up to the fen, by
``parkops.core.money.round_half_up_to_fen``.

Conventions (each is explained where it is implemented):

* The term is the half-open range ``[start, end)``; so is every period and every piece.
* **Contract months** run from the start day to the same day of the next month, anchored on
  ``start`` (``add_months``): a contract starting 2026-01-31 has months 01-31..02-28,
  02-28..03-31, ... Billing periods are 1, 3, 6 or 12 contract months, also anchored on
  ``start``; the last one is cut at ``end``.
* A **whole contract month** costs exactly the monthly amount, whatever the number of days in it.
  Only a **partial** contract month (cut by the rent start date or by the end of the term) is
  prorated: by actual days per calendar month, or counted whole, as the contract says.
* **Rent-free period**: no rent before ``rent_start`` (起租日); the property fee is still charged
  (fit-out uses the building and its services) unless ``property_fee_during_rent_free=False``.
* **Escalation** applies to rent only, compounding, from the anniversary date; a period or a
  month that straddles a rate change is priced per sub-range.
* **Due dates**: in advance, by a day of the period's first calendar month or N days before the
  period; never before the signing date (or ``start`` when no signing date is known).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, localcontext
from enum import StrEnum
from fractions import Fraction

from parkops.core.i18n import N_, Message
from parkops.core.last_day import last_day_of
from parkops.core.money import format_fen, round_half_up_to_fen
from parkops.leases.rules.number_checks import Err, check_area, check_decimal

MAX_TERM_YEARS = 20
"""The Civil Code (民法典 art. 705) voids the part of a lease term beyond twenty years."""

DAY_RATE_MONTH_DAYS = Fraction(365, 12)
"""Days in "one month" of a 元/m²·天 rent, when a monthly figure is needed (deposit): the
日租金 × 365 ÷ 12 conversion used in Chinese office and park leasing."""


class RentBasis(StrEnum):
    PER_M2_MONTH = "per_m2_month"  # 元/m²·月 x chargeable area
    PER_M2_DAY = "per_m2_day"  # 元/m²·天 x chargeable area x days
    FIXED_MONTHLY = "fixed_monthly"  # 元/月, area ignored


class AreaBasis(StrEnum):
    GROSS = "gross"  # 建筑面积
    LEASABLE = "leasable"  # 套内/计租面积


class PaymentCycle(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"
    YEARLY = "yearly"

    @property
    def months(self) -> int:
        return _CYCLE_MONTHS[self]


_CYCLE_MONTHS = {
    PaymentCycle.MONTHLY: 1,
    PaymentCycle.QUARTERLY: 3,
    PaymentCycle.HALF_YEARLY: 6,
    PaymentCycle.YEARLY: 12,
}


class Proration(StrEnum):
    BY_DAYS = "by_days"
    STARTED_MONTH_WHOLE = "started_month_whole"


class DueKind(StrEnum):
    DAY_OF_MONTH = "day_of_month"
    DAYS_BEFORE = "days_before"


@dataclass(frozen=True)
class DueRule:
    """When a period's payment is due (rent is paid in advance).

    * ``DAY_OF_MONTH`` D: on day D of the calendar month in which the period starts ("每期首月
      5日前"), D clamped to the month's last day. For a period starting 03-15 with D = 5 that is
      03-05, ten days ahead; for a period starting 06-01 it is 06-05, a grace of four days into the
      period, which is what the clause says and what tenants expect, so we do not move it.
    * ``DAYS_BEFORE`` N: N days before the period starts (N = 0: on the first day).

    ``LeaseTerms`` then never lets a due date fall before the signing date (see there).
    """

    kind: DueKind
    value: int

    @classmethod
    def day_of_month(cls, day: int) -> DueRule:
        return cls(DueKind.DAY_OF_MONTH, day)

    @classmethod
    def days_before(cls, days: int) -> DueRule:
        return cls(DueKind.DAYS_BEFORE, days)

    def due_for(self, period_start: date) -> date:
        """The due date the rule gives for a period, before the signing-date floor."""
        if self.kind is DueKind.DAY_OF_MONTH:
            last = calendar.monthrange(period_start.year, period_start.month)[1]
            return period_start.replace(day=min(self.value, last))
        return period_start - timedelta(days=self.value)


class EscalationAnchor(StrEnum):
    START = "start"  # contract years counted from the term start
    RENT_START = "rent_start"  # "rent years" counted from 起租日, as some contracts say


@dataclass(frozen=True)
class PercentEscalation:
    """Rent rises by ``percent`` each contract year from contract year ``from_year`` on.

    Compounding: in contract year ``from_year + k`` the rate is ``base x (1 + p/100)^(k+1)``.
    Contract year 1 is ``[anchor, anchor + 12 months)``; the rise takes effect on the anniversary
    (``add_months(anchor, 12 x (year - 1))``). ``max_increases`` stops after that many rises, so
    "flat for two years, then +10% from year 3 and flat after" is ``percent=10, from_year=3,
    max_increases=1``.

    Escalated rates are kept exact (18 x 1.05² = 19.845 元), not rounded to two decimals: only
    line amounts are rounded. A contract that prints rounded yearly rates is a ``StepEscalation``.
    """

    percent: Decimal
    from_year: int = 2
    max_increases: int | None = None
    anchor: EscalationAnchor = EscalationAnchor.START


@dataclass(frozen=True)
class RentStep:
    effective_from: date
    rate: Decimal  # in the unit of the contract's rent basis


@dataclass(frozen=True)
class StepEscalation:
    """Explicit rates: from ``effective_from`` on (inclusive), the rent rate is ``rate``."""

    steps: tuple[RentStep, ...]


Escalation = PercentEscalation | StepEscalation


@dataclass(frozen=True)
class DepositMonths:
    """N months of rent at the initial monthly rent (the rate in force on the rent start date)."""

    months: int
    include_property_fee: bool = False


@dataclass(frozen=True)
class DepositFixed:
    amount_fen: int


DepositRule = DepositMonths | DepositFixed


@dataclass(frozen=True)
class LeaseTerms:
    """The terms of one lease contract that drive its rent schedule.

    ``rent_rate`` is in the unit of ``rent_basis``. Rent is charged on the area selected by
    ``area_basis``; the property fee (元/m²·月) on ``property_fee_area_basis``, which defaults to
    the rent's. Areas are m² with at most two decimals.

    ``rent_start`` (起租日) defaults to ``start`` (no rent-free period). ``signed_on`` is the
    signing date: no payment is due before it (the first instalment is then due on signing, the
    usual 签约时支付首期). Without it, ``start`` is the floor: we will not ask for money before the
    term begins for a contract whose signing date we do not know.
    """

    start: date
    end: date
    rent_rate: Decimal
    rent_basis: RentBasis = RentBasis.PER_M2_MONTH
    gross_area_m2: Decimal = Decimal(0)
    leasable_area_m2: Decimal | None = None
    area_basis: AreaBasis = AreaBasis.GROSS
    property_fee_rate: Decimal = Decimal(0)
    property_fee_area_basis: AreaBasis | None = None
    rent_start: date | None = None
    property_fee_during_rent_free: bool = True
    cycle: PaymentCycle = PaymentCycle.QUARTERLY
    due_rule: DueRule = DueRule(DueKind.DAYS_BEFORE, 0)
    proration: Proration = Proration.BY_DAYS
    escalation: Escalation | None = None
    deposit: DepositRule | None = None
    signed_on: date | None = None

    @property
    def effective_rent_start(self) -> date:
        return self.rent_start if self.rent_start is not None else self.start

    @property
    def rent_area_m2(self) -> Decimal | None:
        return self._area(self.area_basis)

    @property
    def property_fee_area_m2(self) -> Decimal | None:
        return self._area(self.property_fee_area_basis or self.area_basis)

    def _area(self, basis: AreaBasis) -> Decimal | None:
        return self.gross_area_m2 if basis is AreaBasis.GROSS else self.leasable_area_m2


class ChargeKind(StrEnum):
    RENT = "rent"
    PROPERTY_FEE = "property_fee"


class QuantityKind(StrEnum):
    WHOLE_MONTHS = "whole_months"  # units whole contract months
    CALENDAR_MONTH_DAYS = "calendar_month_days"  # partial month: units / per_days of that month
    CONTRACT_MONTH_DAYS = "contract_month_days"  # rate change inside a whole contract month
    STARTED_MONTH = "started_month"  # partial month counted as one whole month
    DAYS = "days"  # day rate x units days
    PARTIAL_MONTH_CAP = "partial_month_cap"  # negative: caps a partial month at a whole month
    RENT_FREE = "rent_free"  # zero: units days before the rent start, shown for information


@dataclass(frozen=True)
class ChargePiece:
    """One term of a line's computation: ``rate x area x quantity`` over ``[start, end)``.

    ``quantity`` is in the rate's unit (months or days). ``exact_fen`` is the unrounded amount;
    the line rounds the sum of its pieces once.
    """

    charge: ChargeKind
    kind: QuantityKind
    start: date
    end: date
    rate: Decimal
    area_m2: Decimal | None
    units: int
    per_days: int | None
    exact_fen: Fraction

    @property
    def quantity(self) -> Fraction:
        return Fraction(self.units, self.per_days or 1)

    def describe(self) -> str:
        """A line for a bill, e.g. ``rent 2026-06-16..2026-06-30: 18 元/m²·月 x 2,000.00 m² x
        15/30 month (days in 2026-06) = 18,000.00 元``; the range is shown by its last day."""
        span = f"{self.charge.value.replace('_', ' ')} {self.start}..{last_day_of(self.end)}"
        if self.kind is QuantityKind.RENT_FREE:
            return f"{span}: rent-free, {self.units} days"
        if self.kind is QuantityKind.PARTIAL_MONTH_CAP:
            return f"{span}: capped at one whole month {_fmt_fen(self.exact_fen)} 元"
        unit = "元/m²·天" if self.kind is QuantityKind.DAYS else "元/m²·月"
        factors = [f"{_fmt_rate(self.rate)} {unit}"]
        if self.area_m2 is None:
            factors = [f"{_fmt_rate(self.rate)} 元/月"]
        else:
            factors.append(f"{self.area_m2:,.2f} m²")
        if self.kind is QuantityKind.WHOLE_MONTHS:
            factors.append(f"{self.units} month{'s' if self.units != 1 else ''}")
        elif self.kind is QuantityKind.STARTED_MONTH:
            factors.append("1 month (a started month counts whole)")
        elif self.kind is QuantityKind.CALENDAR_MONTH_DAYS:
            factors.append(f"{self.units}/{self.per_days} month (days in {self.start:%Y-%m})")
        elif self.kind is QuantityKind.CONTRACT_MONTH_DAYS:
            factors.append(f"{self.units}/{self.per_days} month (days of the contract month)")
        else:
            factors.append(f"{self.units} days")
        return f"{span}: {' x '.join(factors)} = {_fmt_fen(self.exact_fen)} 元"


@dataclass(frozen=True)
class ScheduleLine:
    index: int  # 1-based period number
    period_start: date
    period_end: date  # exclusive
    due_date: date
    rent_fen: int
    property_fee_fen: int
    breakdown: tuple[ChargePiece, ...]

    @property
    def total_fen(self) -> int:
        return self.rent_fen + self.property_fee_fen


# --- dates ------------------------------------------------------------------------------------


def add_months(anchor: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's last day (01-31 + 1 -> 02-28).

    Always computed from the anchor, never by stepping month to month, so 01-31 + 2 is 03-31 and
    not 03-28: contract months do not drift after a short February.
    """
    index = anchor.year * 12 + anchor.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(anchor.day, calendar.monthrange(year, month)[1]))


def _contract_months(terms: LeaseTerms) -> Iterator[tuple[date, date]]:
    """Every contract month ``[m0, m1)`` overlapping the term, *not* cut at ``end``."""
    j = 0
    while (m0 := add_months(terms.start, j)) < terms.end:
        yield m0, add_months(terms.start, j + 1)
        j += 1


def _calendar_month_splits(a: date, b: date) -> Iterator[tuple[date, date, int]]:
    """Split ``[a, b)`` at the first of each month: ``(start, end, days in that month)``."""
    while a < b:
        dim = calendar.monthrange(a.year, a.month)[1]
        nxt = min(b, date(a.year, a.month, dim) + timedelta(days=1))
        yield a, nxt, dim
        a = nxt


# --- rates ------------------------------------------------------------------------------------


def _rate_changes(terms: LeaseTerms) -> list[tuple[date, Fraction]]:
    """``(effective_from, rent rate)`` sorted by date, the first one at ``start``."""
    changes = [(terms.start, Fraction(terms.rent_rate))]
    esc = terms.escalation
    if isinstance(esc, StepEscalation):
        changes += [(s.effective_from, Fraction(s.rate)) for s in esc.steps]
    elif isinstance(esc, PercentEscalation):
        anchor = terms.start if esc.anchor is EscalationAnchor.START else terms.effective_rent_start
        factor = 1 + Fraction(esc.percent) / 100
        k = 1
        while esc.max_increases is None or k <= esc.max_increases:
            anniversary = add_months(anchor, 12 * (esc.from_year + k - 2))
            if anniversary >= terms.end:
                break
            changes.append((anniversary, changes[0][1] * factor**k))
            k += 1
    return changes


def _segments(
    changes: list[tuple[date, Fraction]], a: date, b: date
) -> list[tuple[date, date, Fraction]]:
    """``[a, b)`` cut where the rate changes: ``(start, end, rate)``."""
    out = []
    for i, (since, rate) in enumerate(changes):
        until = changes[i + 1][0] if i + 1 < len(changes) else date.max
        s, e = max(a, since), min(b, until)
        if s < e:
            out.append((s, e, rate))
    return out


def _rate_on(changes: list[tuple[date, Fraction]], day: date) -> Fraction:
    return [rate for since, rate in changes if since <= day][-1]


def rent_rate_on(terms: LeaseTerms, day: date) -> Decimal:
    """The rent rate (in the unit of ``terms.rent_basis``) in force on ``day``, escalation
    included; exact, not rounded. Raises ``ValueError`` on invalid terms."""
    _raise_if_invalid(terms)
    return _to_decimal(_rate_on(_rate_changes(terms), max(day, terms.start)))


def rent_rate_changes(terms: LeaseTerms) -> list[tuple[date, Decimal]]:
    """Each day inside the term from which the rent rate changes (escalation), with the rate
    from that day on (unit of ``terms.rent_basis``, exact): what a contract lists as its rent
    rises. Raises ``ValueError`` on invalid terms."""
    _raise_if_invalid(terms)
    return [(since, _to_decimal(rate)) for since, rate in _rate_changes(terms)[1:]]


# --- amounts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Charge:
    """What one kind of charge needs to price a contract month."""

    kind: ChargeKind
    changes: list[tuple[date, Fraction]]
    area: Decimal | None  # None: the rate is a fixed amount per month
    per_day: bool
    charged_from: date


def _monthly_fen(charge: _Charge, rate: Fraction) -> Fraction:
    amount = rate * 100
    return amount * Fraction(charge.area) if charge.area is not None else amount


def _piece(
    charge: _Charge,
    kind: QuantityKind,
    start: date,
    end: date,
    rate: Fraction,
    units: int,
    per_days: int | None = None,
) -> ChargePiece:
    quantity = Fraction(units, per_days or 1)
    exact = _monthly_fen(charge, rate) * quantity
    return ChargePiece(
        charge.kind, kind, start, end, _to_decimal(rate), charge.area, units, per_days, exact
    )


def _month_pieces(
    terms: LeaseTerms, charge: _Charge, m0: date, m1_nominal: date
) -> list[ChargePiece]:
    """Price one contract month ``[m0, m1_nominal)`` for one charge.

    The month may be cut at the end by the term end and at the start by the date the charge
    starts (rent start); ``c0..c1`` is what is charged.

    * Day rate: rate x area x days per constant-rate range; no proration.
    * Whole month: the monthly amount, whatever its number of days. A rate change inside it
      (a step date, or an anniversary counted from a mid-month rent start) splits it by days of
      the contract month, so equal rates on both sides still add up to exactly one month.
    * Partial month, ``BY_DAYS``: each day costs the monthly amount / days in *its calendar*
      month (17 days of a 31-day March: 17/31). Because a partial contract month can straddle a
      short February, that sum can exceed one month (01-29..02-27 is 3/31 + 26/28 = 1.025 of a
      30-day contract month); a partial month is therefore capped at what the whole month would
      cost, with a visible negative ``PARTIAL_MONTH_CAP`` piece.
    * Partial month, ``STARTED_MONTH_WHOLE``: one whole month at the rate in force on the first
      charged day. This applies at both ends: the month in which rent starts mid-month and the
      last, short month.
    """
    m1 = min(m1_nominal, terms.end)
    c0 = max(m0, charge.charged_from)
    if c0 >= m1:
        return []
    if charge.per_day:
        return [
            _piece(charge, QuantityKind.DAYS, s, e, r, (e - s).days)
            for s, e, r in _segments(charge.changes, c0, m1)
        ]
    whole = _whole_month_pieces(charge, m0, m1_nominal)
    if (c0, m1) == (m0, m1_nominal):
        return whole
    if terms.proration is Proration.STARTED_MONTH_WHOLE:
        return [_piece(charge, QuantityKind.STARTED_MONTH, c0, m1, _rate_on(charge.changes, c0), 1)]
    pieces = [
        _piece(charge, QuantityKind.CALENDAR_MONTH_DAYS, a, b, rate, (b - a).days, dim)
        for s, e, rate in _segments(charge.changes, c0, m1)
        for a, b, dim in _calendar_month_splits(s, e)
    ]
    excess = sum(p.exact_fen for p in pieces) - sum(p.exact_fen for p in whole)
    if excess > 0:
        pieces.append(
            ChargePiece(
                charge.kind,
                QuantityKind.PARTIAL_MONTH_CAP,
                c0,
                m1,
                Decimal(0),
                charge.area,
                0,
                None,
                Fraction(-excess),
            )
        )
    return pieces


def _whole_month_pieces(charge: _Charge, m0: date, m1: date) -> list[ChargePiece]:
    segments = _segments(charge.changes, m0, m1)
    if len(segments) == 1:
        return [_piece(charge, QuantityKind.WHOLE_MONTHS, m0, m1, segments[0][2], 1)]
    month_days = (m1 - m0).days
    return [
        _piece(charge, QuantityKind.CONTRACT_MONTH_DAYS, s, e, r, (e - s).days, month_days)
        for s, e, r in segments
    ]


def _merge(pieces: list[ChargePiece]) -> list[ChargePiece]:
    """Join adjacent whole months (or day-rate ranges) at the same rate into one piece, so a
    quarter reads "3 months", not three lines."""
    out: list[ChargePiece] = []
    mergeable = (QuantityKind.WHOLE_MONTHS, QuantityKind.DAYS, QuantityKind.RENT_FREE)
    for p in pieces:
        last = out[-1] if out else None
        if (
            last is not None
            and p.kind in mergeable
            and (last.kind, last.charge, last.rate, last.end) == (p.kind, p.charge, p.rate, p.start)
        ):
            out[-1] = ChargePiece(
                p.charge,
                p.kind,
                last.start,
                p.end,
                p.rate,
                p.area_m2,
                last.units + p.units,
                None,
                last.exact_fen + p.exact_fen,
            )
        else:
            out.append(p)
    return out


def _charges(terms: LeaseTerms) -> tuple[_Charge, _Charge]:
    rent = _Charge(
        ChargeKind.RENT,
        _rate_changes(terms),
        None if terms.rent_basis is RentBasis.FIXED_MONTHLY else terms.rent_area_m2,
        terms.rent_basis is RentBasis.PER_M2_DAY,
        terms.effective_rent_start,
    )
    fee = _Charge(
        ChargeKind.PROPERTY_FEE,
        [(terms.start, Fraction(terms.property_fee_rate))],
        terms.property_fee_area_m2,
        False,
        terms.start if terms.property_fee_during_rent_free else terms.effective_rent_start,
    )
    return rent, fee


def compute_schedule(terms: LeaseTerms) -> list[ScheduleLine]:
    """One line per billing period tiling ``[start, end)``, in order.

    Periods are ``cycle`` contract months long, anchored on ``start`` (a quarterly contract from
    2026-03-15 bills 03-15..06-15, 06-15..09-15, ...), the last cut at ``end``. Periods wholly
    inside the rent-free period are kept (with zero rent) so the schedule always covers the term.
    Raises ``ValueError`` listing the problems when ``validate_terms`` finds any.
    """
    _raise_if_invalid(terms)
    rent, fee = _charges(terms)
    floor = terms.signed_on or terms.start
    months = list(_contract_months(terms))
    cycle = terms.cycle.months
    lines = []
    for index, first in enumerate(range(0, len(months), cycle), start=1):
        group = months[first : first + cycle]
        period_start, period_end = group[0][0], min(group[-1][1], terms.end)
        rent_pieces: list[ChargePiece] = []
        fee_pieces: list[ChargePiece] = []
        free_from, free_to = period_start, min(period_end, terms.effective_rent_start)
        if free_from < free_to:
            rent_pieces.append(_rent_free_piece(free_from, free_to))
        for m0, m1 in group:
            rent_pieces += _month_pieces(terms, rent, m0, m1)
            if terms.property_fee_rate:  # no fee agreed: no zero lines on the bill
                fee_pieces += _month_pieces(terms, fee, m0, m1)
        breakdown = _merge(rent_pieces) + _merge(fee_pieces)
        lines.append(
            ScheduleLine(
                index=index,
                period_start=period_start,
                period_end=period_end,
                due_date=max(terms.due_rule.due_for(period_start), floor),
                rent_fen=_round(rent_pieces),
                property_fee_fen=_round(fee_pieces),
                breakdown=tuple(breakdown),
            )
        )
    return lines


def _rent_free_piece(a: date, b: date) -> ChargePiece:
    free, days = QuantityKind.RENT_FREE, (b - a).days
    return ChargePiece(ChargeKind.RENT, free, a, b, Decimal(0), None, days, None, Fraction())


def _round(pieces: list[ChargePiece]) -> int:
    return _round_fraction(sum((p.exact_fen for p in pieces), Fraction(0)))


def _round_fraction(value: Fraction) -> int:
    """Round an exact amount of fen half-up via the one rounding function of the system.

    ``round_half_up_to_fen`` takes a Decimal. A Fraction converts exactly when its denominator is
    1 or 2 (the only case where half-up matters: an exact .5); any other fraction is at least
    1/(2 x denominator) away from a .5 tie, far more than the error of a 50-digit quotient, so the
    rounding is that of the exact value.
    """
    with localcontext(prec=50):
        approx = Decimal(value.numerator) / Decimal(value.denominator)
    return round_half_up_to_fen(approx)


def deposit_fen(terms: LeaseTerms) -> int:
    """The deposit the contract asks for, in fen (0 without a deposit rule).

    ``DepositMonths``: months x the monthly rent at the rate in force on the rent start date (a
    day rate is turned into a month as rate x 365/12), plus as many months of property fee when
    ``include_property_fee``; rounded once. ``DepositFixed``: the amount as agreed.
    """
    _raise_if_invalid(terms)
    rule = terms.deposit
    if rule is None:
        return 0
    if isinstance(rule, DepositFixed):
        return rule.amount_fen
    rent, fee = _charges(terms)
    monthly = _monthly_fen(rent, _rate_on(rent.changes, terms.effective_rent_start))
    if rent.per_day:
        monthly *= DAY_RATE_MONTH_DAYS
    if rule.include_property_fee:
        monthly += _monthly_fen(fee, Fraction(terms.property_fee_rate))
    return _round_fraction(monthly * rule.months)


# --- validation -------------------------------------------------------------------------------


def validate_terms(terms: LeaseTerms) -> list[tuple[str, str]]:
    """Everything wrong with ``terms``, as ``(field, message)`` pairs; empty when valid.

    Fields are the attribute names (``escalation.percent``, ``escalation.steps[1].rate``) so a form
    can put each message next to its input.
    """
    errors: list[tuple[str, str]] = []

    def err(field: str, message: str) -> None:
        errors.append((field, message))

    for name in ("start", "end"):
        if not isinstance(getattr(terms, name), date):
            err(name, N_("must be a date"))
    if errors:
        return errors
    term_ok = terms.end > terms.start
    if not term_ok:
        err("end", N_("must be after the start date"))
    elif terms.end > add_months(terms.start, 12 * MAX_TERM_YEARS):
        err("end", Message(N_("a lease term cannot exceed %(n)s years"), n=MAX_TERM_YEARS))

    for name, kind in (
        ("rent_basis", RentBasis),
        ("area_basis", AreaBasis),
        ("cycle", PaymentCycle),
        ("proration", Proration),
    ):
        if not isinstance(getattr(terms, name), kind):
            err(name, Message(N_("must be one of %(choices)s"), choices=", ".join(kind)))
    if terms.property_fee_area_basis is not None and not isinstance(
        terms.property_fee_area_basis, AreaBasis
    ):
        err(
            "property_fee_area_basis",
            Message(N_("must be one of %(choices)s"), choices=", ".join(AreaBasis)),
        )
    if errors:
        return errors

    _validate_amounts(terms, err)

    if terms.rent_start is not None and term_ok:
        if terms.rent_start < terms.start:
            err("rent_start", N_("cannot be before the start of the term"))
        elif terms.rent_start >= terms.end:
            err(
                "rent_start",
                N_("must be before the end: the rent-free period covers the whole term"),
            )
    if terms.signed_on is not None and term_ok and terms.signed_on >= terms.end:
        err("signed_on", N_("must be before the end of the term"))

    rule = terms.due_rule
    if not isinstance(rule, DueRule) or not isinstance(rule.kind, DueKind):
        err("due_rule", N_("unknown due rule"))
    elif rule.kind is DueKind.DAY_OF_MONTH and not 1 <= rule.value <= 31:
        err("due_rule.value", N_("day of month must be between 1 and 31"))
    if rule.kind is DueKind.DAYS_BEFORE and not 0 <= rule.value <= 366:
        err("due_rule.value", N_("days before must be between 0 and 366"))

    if term_ok:
        _validate_escalation(terms, err)
    _validate_deposit(terms.deposit, err)
    return errors


def _validate_amounts(terms: LeaseTerms, err: Err) -> None:
    """The rates and areas, and the area each charge is computed on."""
    check_decimal(err, "rent_rate", terms.rent_rate)
    fee_ok = check_decimal(err, "property_fee_rate", terms.property_fee_rate)
    areas_ok = check_area(err, "gross_area_m2", terms.gross_area_m2)
    if terms.leasable_area_m2 is not None:
        areas_ok &= check_area(err, "leasable_area_m2", terms.leasable_area_m2)
    if areas_ok and terms.leasable_area_m2 is not None:
        if terms.leasable_area_m2 > terms.gross_area_m2:
            err("leasable_area_m2", N_("cannot exceed the gross area"))
    needed = []
    if terms.rent_basis is not RentBasis.FIXED_MONTHLY:
        needed.append(terms.area_basis)
    if fee_ok and terms.property_fee_rate > 0:
        needed.append(terms.property_fee_area_basis or terms.area_basis)
    for basis in dict.fromkeys(needed):
        area = terms._area(basis)
        if area is None:
            err("leasable_area_m2", N_("required when charging on the leasable area"))
        elif areas_ok and area == 0:
            err(f"{basis.value}_area_m2", N_("must be more than zero"))


def _validate_escalation(terms: LeaseTerms, err: Err) -> None:
    esc = terms.escalation
    if isinstance(esc, PercentEscalation):
        if check_decimal(err, "escalation.percent", esc.percent) and not (0 < esc.percent <= 100):
            err("escalation.percent", N_("must be more than 0 and at most 100 percent"))
        if esc.from_year < 2:
            err("escalation.from_year", N_("the first rise can apply from contract year 2 on"))
        if esc.max_increases is not None and esc.max_increases < 1:
            err("escalation.max_increases", N_("must be at least 1 (or none for no limit)"))
    elif isinstance(esc, StepEscalation):
        if not esc.steps:
            err("escalation.steps", N_("give at least one step"))
        previous = terms.start
        for i, step in enumerate(esc.steps):
            field = f"escalation.steps[{i}]"
            check_decimal(err, f"{field}.rate", step.rate)
            if not terms.start < step.effective_from < terms.end:
                err(f"{field}.effective_from", N_("must fall inside the term, after its start"))
            elif step.effective_from <= previous and i > 0:
                err(f"{field}.effective_from", N_("steps must be in date order, one per date"))
            previous = max(previous, step.effective_from)
    elif esc is not None:
        err("escalation", N_("unknown escalation rule"))


def _validate_deposit(rule: DepositRule | None, err: Err) -> None:
    if isinstance(rule, DepositMonths):
        if isinstance(rule.months, bool) or not isinstance(rule.months, int) or rule.months < 1:
            err("deposit.months", N_("must be a whole number of months, at least 1"))
    elif isinstance(rule, DepositFixed):
        if not isinstance(rule.amount_fen, int) or rule.amount_fen < 0:
            err("deposit.amount_fen", N_("must be a non-negative amount"))
    elif rule is not None:
        err("deposit", N_("unknown deposit rule"))


def _raise_if_invalid(terms: LeaseTerms) -> None:
    errors = validate_terms(terms)
    if errors:
        raise ValueError("invalid lease terms: " + "; ".join(f"{f}: {m}" for f, m in errors))


# --- display helpers --------------------------------------------------------------------------


def _to_decimal(value: Fraction) -> Decimal:
    """Exact Decimal for a fraction whose denominator is 2^a x 5^b (all rates here are)."""
    den, twos, fives = value.denominator, 0, 0
    while den % 2 == 0:
        den, twos = den // 2, twos + 1
    while den % 5 == 0:
        den, fives = den // 5, fives + 1
    if den != 1:
        raise ValueError(f"{value} has no exact decimal form")
    places = max(twos, fives)
    # From a string: exact whatever the number of digits (arithmetic would round to the context).
    return Decimal(f"{value.numerator * 10**places // value.denominator}E-{places}")


def _fmt_rate(rate: Decimal) -> str:
    if rate == round(rate, 6):
        return f"{rate:f}"
    return f"≈{round(rate, 6):f}"


def _fmt_fen(exact: Fraction) -> str:
    text = format_fen(_round_fraction(exact))
    return text if exact.denominator == 1 else "≈" + text
