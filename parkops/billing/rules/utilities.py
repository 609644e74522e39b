"""Utility metering, computed purely: consumption from readings, unusual jumps, tariff amounts
(flat or tiered), and the share-out of common-area consumption (公摊) by leased area.

No database here; the meters service and the billing run call these with plain values.

Conventions:

* Meter values and consumption are ``Decimal`` in meter units (kWh, m³) with two decimals, as
  meters are read. The billed quantity is consumption x the meter's multiplier (current
  transformers on large workshop meters: a reading of 12.5 on a x80 meter is 1,000 kWh).
* Prices are ``Decimal`` fen per unit (0.6532 元/kWh = 65.32 fen). A line's amount is its exact
  quantity x price, rounded once, half-up to the fen, by ``core.money``.
* A common meter's consumption is charged once for the building (tiers apply to the meter's
  whole quantity, as to any meter), rounded once, and that amount is divided over the
  contracts by largest remainder, so the shares add up to it exactly. A share's quantity is
  shown with four decimals, for information only.
* Arithmetic is ``Decimal`` with 60 digits (:data:`EXACT`): products of quantities and prices
  are exact; money is divided in whole fen by ``core.money.apportion`` (exact fractions).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from itertools import pairwise

from parkops.core.i18n import N_, Message
from parkops.core.money import apportion

JUMP_FACTOR = Decimal(3)
"""A month's consumption above 3x the average of the previous months is flagged for review."""
JUMP_HISTORY = 6
"""How many previous months the average is taken over (fewer when the meter is newer)."""
QUANTITY_PLACES = Decimal("0.0001")


class ReadingError(ValueError):
    """A reading that cannot be right: ``field`` names the form field, ``message`` says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Replacement:
    """The meter was swapped during the month: the old one's final value and the new one's
    start value (the new meter usually starts at or near zero)."""

    old_final: Decimal
    new_start: Decimal


def consumption(
    previous: Decimal, value: Decimal, replacement: Replacement | None = None
) -> Decimal:
    """Consumption since ``previous`` (the last reading, or the meter's initial value).

    Without a replacement the value may not go down: a lower reading is a typo or a replaced
    meter, and billing a negative or wrapped-around consumption would be wrong either way. With
    a replacement, consumption is what the old meter ran up to its final value plus what the
    new meter ran since its start value.
    """
    if value < 0:
        raise ReadingError("value", N_("A meter reading cannot be negative."))
    if replacement is None:
        if value < previous:
            raise ReadingError(
                "value",
                Message(
                    N_(
                        "The reading %(value)s is lower than the previous reading %(previous)s."
                        " If the meter was replaced, enter the old meter's final reading and the"
                        " new meter's start reading."
                    ),
                    value=value,
                    previous=previous,
                ),
            )
        return value - previous
    if replacement.old_final < previous:
        raise ReadingError(
            "old_final_value",
            Message(
                N_(
                    "The old meter's final reading %(final)s is lower than its previous reading"
                    " %(previous)s."
                ),
                final=replacement.old_final,
                previous=previous,
            ),
        )
    if replacement.new_start < 0:
        raise ReadingError(
            "new_start_value", N_("The new meter's start reading cannot be negative.")
        )
    if value < replacement.new_start:
        raise ReadingError(
            "value",
            Message(
                N_("The reading %(value)s is lower than the new meter's start reading %(start)s."),
                value=value,
                start=replacement.new_start,
            ),
        )
    return (replacement.old_final - previous) + (value - replacement.new_start)


def unusual_jump(
    consumption_now: Decimal, history: Sequence[Decimal], factor: Decimal = JUMP_FACTOR
) -> str | None:
    """Why this month's consumption needs a second look, or ``None``.

    Unusual: more than ``factor`` times the average of the previous consumptions (up to
    :data:`JUMP_HISTORY` months). Without history nothing can be judged; an average of zero
    (an empty unit that starts consuming) is not flagged either, since any start is "infinitely"
    more than nothing and would flag every new tenant.
    """
    recent = [h for h in history[-JUMP_HISTORY:]]
    if not recent:
        return None
    average = sum(recent, Decimal(0)) / len(recent)
    if average <= 0:
        return None
    if consumption_now > average * factor:
        return (
            f"Consumption {consumption_now} is more than {factor}x the average of the previous "
            f"{len(recent)} months ({average.quantize(Decimal('0.01'))})."
        )
    return None


@dataclass(frozen=True)
class Tier:
    """Price ``price_fen`` for the part of a month's quantity up to ``up_to`` (None: the rest)."""

    up_to: Decimal | None
    price_fen: Decimal


def parse_tiers(raw: Sequence[Mapping[str, object]] | None) -> tuple[Tier, ...]:
    """Stored tiers (JSON) -> :class:`Tier` values; raises ``ValueError`` if malformed.

    Bands must rise strictly and only the last may be open-ended.
    """
    if not raw:
        return ()
    tiers: list[Tier] = []
    for i, item in enumerate(raw):
        try:
            up_to = None if item.get("up_to") in (None, "") else Decimal(str(item["up_to"]))
            price = Decimal(str(item["price_fen"]))
        except (KeyError, InvalidOperation, TypeError):
            raise ValueError(Message(N_("tier %(n)s is not a number"), n=i + 1)) from None
        if price < 0:
            raise ValueError(Message(N_("tier %(n)s: the price cannot be negative"), n=i + 1))
        if up_to is not None and up_to <= 0:
            raise ValueError(Message(N_("tier %(n)s: the upper bound must be positive"), n=i + 1))
        tiers.append(Tier(up_to, price))
    for prev, cur in pairwise(tiers):
        if prev.up_to is None:
            raise ValueError(Message(N_("only the last tier may be open-ended")))
        if cur.up_to is not None and cur.up_to <= prev.up_to:
            raise ValueError(Message(N_("tier bounds must rise")))
    if tiers[-1].up_to is not None:
        raise ValueError(Message(N_("the last tier must be open-ended")))
    return tuple(tiers)


EXACT = 60
"""Digits of the arithmetic of charges: quantities (4 decimals) x prices (4 decimals) stay exact;
the shares' quantities and fractions (display only) are precise far beyond what is shown."""


_CTX = Context(prec=EXACT, rounding=ROUND_HALF_UP)


def charge(
    quantity: Decimal, unit_price_fen: Decimal, tiers: Sequence[Tier] = ()
) -> tuple[Decimal, list[dict]]:
    """The exact charge in fen for ``quantity`` and its tier breakdown (empty when flat).

    Rounding is the caller's, once per line, through ``core.money.round_half_up_to_fen``.
    """
    if not tiers:
        return _CTX.multiply(quantity, unit_price_fen), []
    total = Decimal(0)
    lower = Decimal(0)
    breakdown = []
    for tier in tiers:
        upper = tier.up_to
        part = _CTX.subtract(min(quantity, upper) if upper is not None else quantity, lower)
        if part > 0:
            total = _CTX.add(total, _CTX.multiply(part, tier.price_fen))
            breakdown.append(
                {
                    "from": str(lower),
                    "to": None if upper is None else str(upper),
                    "quantity": str(display_quantity(part)),
                    "price_fen": str(tier.price_fen),
                }
            )
        if upper is None or quantity <= upper:
            break
        lower = upper
    return total, breakdown


def display_quantity(value: Decimal) -> Decimal:
    """A quantity as stored on a bill line (four decimals, half-up: display only)."""
    return value.quantize(QUANTITY_PLACES, context=_CTX)


@dataclass(frozen=True)
class ShareBasis:
    """One contract's weight in a building's common-area consumption for a month: its leased
    area in the building and the days of the month it held it."""

    contract_id: int
    area: Decimal
    days: int

    @property
    def weight(self) -> Decimal:
        """Area x days; nothing for a contract without area or days in the month."""
        return self.area * self.days if self.area > 0 and self.days > 0 else Decimal(0)


@dataclass(frozen=True)
class Share:
    """One contract's part of a building's common-area consumption for a month."""

    quantity: Decimal  # its part of the building's quantity (display: ``display_quantity``)
    fraction: Decimal  # its weight / the total weight
    amount_fen: int  # its part of the building's charge, by largest remainder


def common_shares(
    quantity: Decimal, bases: Sequence[ShareBasis], total_fen: int
) -> dict[int, Share]:
    """Share a common meter's ``quantity`` and its charge ``total_fen`` out by area x days.

    Vacant area takes no share (the leased units carry the whole common consumption, as
    公摊 is usually agreed); a contract present for part of the month weighs in for those days.
    The amounts are ``total_fen`` divided by largest remainder in ascending contract id order
    (``core.money.apportion``), so they add up to the building's charge exactly: 100.00 over
    three equal tenants is 33.34 + 33.33 + 33.33, the lowest contract id taking the extra fen.
    Quantity and fraction are computed to :data:`EXACT` digits, for display. Returns ``{}``
    when nothing was leased.
    """
    weights = {b.contract_id: b.weight for b in bases if b.weight > 0}
    total = sum(weights.values(), Decimal(0))
    if total == 0:
        return {}
    ids = sorted(weights)
    amounts = apportion(total_fen, [weights[cid] for cid in ids])
    return {
        cid: Share(
            _CTX.divide(_CTX.multiply(quantity, weights[cid]), total),
            _CTX.divide(weights[cid], total),
            amount,
        )
        for cid, amount in zip(ids, amounts, strict=True)
    }


def total_weight(bases: Sequence[ShareBasis]) -> Decimal:
    return sum((b.weight for b in bases), Decimal(0))
