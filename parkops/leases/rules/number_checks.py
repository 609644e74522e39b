"""The checks of a number in a contract's terms: a rate or amount, an area. Pure; each reports
through ``err(field, message)`` so the caller gathers every problem at once."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

from parkops.core.i18n import N_

Err = Callable[[str, str], None]


def check_decimal(err: Err, field: str, value: object) -> bool:
    """A finite, non-negative Decimal (or int) of sane size; floats are refused, never converted.

    The size limits keep exact arithmetic cheap: ``Decimal("1e-999999")`` would otherwise become
    a fraction with a million-digit denominator.
    """
    if isinstance(value, float):
        err(field, N_("must be a Decimal, not a float"))
        return False
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        err(field, N_("must be a number"))
        return False
    number = Decimal(value)
    if not number.is_finite():
        err(field, N_("must be a number"))
    elif number < 0:
        err(field, N_("cannot be negative"))
    elif number and number.adjusted() > 12:
        err(field, N_("is too large"))
    elif number and number.adjusted() < -12:
        err(field, N_("is too small"))
    else:
        return True
    return False


def check_area(err: Err, field: str, value: object) -> bool:
    if not check_decimal(err, field, value):
        return False
    if (Fraction(value) * 100).denominator != 1:  # type: ignore[call-overload]
        err(field, N_("at most two decimals"))
        return False
    return True
