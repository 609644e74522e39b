"""Money: integer fen everywhere, one rounding rule, parsing and display.

Every amount the system stores is an ``int`` number of fen (1 元 = 100 fen). Rates and areas are
``Decimal``; whenever a computation produces a fractional fen it is rounded here and only here,
half-up to the fen, so every bill can record the one policy it was computed with.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from math import lcm

ROUNDING_POLICY = "half_up_fen"
"""Recorded on each bill: amounts are rounded half-up to the fen, once per line."""


def round_half_up_to_fen(value: Decimal) -> int:
    """Round an amount in fen (possibly fractional) half-up to a whole fen.

    Half-up means away from zero for .5 on both signs (``-0.5`` -> ``-1``), the rule Chinese
    finance staff expect and the one ``Decimal.quantize(ROUND_HALF_UP)`` implements.
    """
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def apportion(total_fen: int, weights: Sequence[int | Decimal | Fraction]) -> list[int]:
    """Divide ``total_fen`` into whole-fen parts proportional to ``weights`` that add up to it.

    Largest remainder (Hamilton's method): each part's exact share ``total x weight / sum`` is
    computed as a fraction and floored; the fen left over (fewer than there are parts) go one
    each to the parts with the largest fractional remainders, ties to the earlier part in
    ``weights``. So the parts always sum exactly to the whole, each is within one fen of its
    exact share, a zero weight gets nothing, a larger weight never gets less, and the same input
    always gives the same parts: callers pass the weights in a stable order (ascending id).

    ``100.00`` over three equal weights -> ``33.34 + 33.33 + 33.33``. A negative total (a
    credit) is divided as its opposite and negated, so credits mirror charges fen for fen.
    Weights are ``int``, ``Decimal`` or ``Fraction`` (never ``float``), none negative, and not
    all zero. Rounding of the whole (if it came from a computation) is the caller's, by
    :func:`round_half_up_to_fen`, before dividing.
    """
    if isinstance(total_fen, bool) or not isinstance(total_fen, int):
        raise TypeError(f"the amount to divide must be an int number of fen, not {total_fen!r}")
    if total_fen < 0:
        return [-part for part in apportion(-total_fen, weights)]
    if not weights:
        raise ValueError("apportion needs at least one weight")
    ratios = []
    for weight in weights:
        if isinstance(weight, bool) or not isinstance(weight, int | Decimal | Fraction):
            raise TypeError(
                f"a weight must be an int, Decimal or Fraction, not {type(weight).__name__}"
            )
        if weight < 0:
            raise ValueError(f"a weight cannot be negative, got {weight}")
        ratios.append(weight.as_integer_ratio())
    # Exact integer arithmetic (a billing run divides thousands of amounts): every weight over
    # one common denominator, then each share is total x w / sum as a quotient and remainder.
    common = lcm(*(d for _, d in ratios))
    scaled = [n * (common // d) for n, d in ratios]
    whole = sum(scaled)
    if whole == 0:
        raise ValueError("at least one weight must be positive")
    parts, remainders = [], []
    for w in scaled:
        part, remainder = divmod(total_fen * w, whole)
        parts.append(part)
        remainders.append(remainder)
    left = total_fen - sum(parts)
    # Largest remainder first; sorted() is stable, so equal remainders keep the input order.
    for i in sorted(range(len(parts)), key=lambda i: -remainders[i])[:left]:
        parts[i] += 1
    return parts


def yuan_to_fen(text: str | Decimal | int) -> int:
    """Parse an amount in yuan as typed by a person ("1,234.5", "1234.56") into fen.

    Raises ``ValueError`` with a message fit for a form when it is not an amount with at most two
    decimals; never rounds silently, because a mistyped third decimal is a data-entry error.
    """
    raw = str(text).strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise ValueError(f"'{text}' is not an amount") from None
    if not amount.is_finite():
        raise ValueError(f"'{text}' is not an amount")
    if amount and amount.adjusted() > 15:
        # Beyond 10^16 yuan nothing is a real amount, it would not fit a BIGINT of fen, and an
        # exponent like "1e999999999" must not make us build a billion-digit integer.
        raise ValueError(f"'{text}' is too large")
    if amount and amount.adjusted() < -2:
        # Non-zero and below 0.01 in magnitude (also stops "1e-999999999" from being expanded).
        raise ValueError(f"'{text}' has more than two decimals")
    # Exact arithmetic: Decimal multiplication would round to the context's 28 digits. And "1.230"
    # is 1.23 typed with a trailing zero, not a third decimal: judge the value, not the digits.
    fen = Fraction(amount) * 100
    if fen.denominator != 1:
        raise ValueError(f"'{text}' has more than two decimals")
    return int(fen)


def fen_to_yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def format_fen(fen: int) -> str:
    """Display fen as yuan with thousands separators: ``1234567`` -> ``"12,345.67"``."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


# --- Chinese capital numerals (大写金额) -------------------------------------------------------
#
# Contracts, receipts and bank forms state every amount a second time in capital numerals so that
# the figures cannot be altered. The rules below follow the People's Bank of China's 《正确填写票据
# 和结算凭证的基本规定》 (annex to the 1997 《支付结算办法》); where that text allows two forms we
# pick one and always use it, so that the same amount always prints the same way:
#
# * The text starts with 人民币 and follows it without a gap.
# * 整 follows 元 when there are no 角 and 分 (``100`` -> 人民币壹元整). After 角 the rule says 整
#   "may be omitted"; we omit it by default (``10`` -> 人民币壹角) and ``zheng_after_jiao=True``
#   gives 人民币壹角整 for forms that want it. Never 整 after 分.
# * One 零 stands for any run of zeros between two non-zero digits (¥6007.14 ->
#   陆仟零柒元壹角肆分). Zeros at the end of a 万/亿 section are silent, as in speech: ¥107000.53 ->
#   壹拾万柒仟元零伍角叁分 (the standard allows 壹拾万零柒仟; we read it the way it is spoken).
# * A zero 元 digit between a non-zero yuan digit and a non-zero 角 is written 零 (¥1680.32 ->
#   壹仟陆佰捌拾元零叁角贰分, the form the standard gives first; 元叁角 is also allowed). A zero
#   角 before a non-zero 分 is always written 零 (¥325.04 -> 叁佰贰拾伍元零肆分; mandatory).
# * Tens are always written with 壹: 壹拾 (¥10 -> 壹拾元整, ¥110000 -> 壹拾壹万元整), never a
#   bare 拾, because a bare 拾 at the start invites prefixing another digit.
# * Amounts under one yuan have no 元 part: ``5`` -> 人民币伍分, ``50`` -> 人民币伍角. Zero is
#   人民币零元整.
# * Negative amounts (credit notes, adjustments) print 负 after 人民币: 人民币负壹佰元整, as
#   red-letter VAT invoices do, rather than raising: a credit note must still be printable.
# * Sections are 万 and 亿; 10^12 is 壹万亿元整; the limit is just below 10^16 yuan.

_CAPITAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_CAPITAL_SMALL_UNITS = ("", "拾", "佰", "仟")
MAX_CAPITALS_FEN = 10**18 - 1
"""The largest magnitude ``fen_to_chinese_capitals`` accepts: 9999,9999,9999,9999.99 元."""


def _capital_section(n: int) -> str:
    """Capitals for 0 < n < 10000, with 零 only between non-zero digits."""
    out: list[str] = []
    zero_pending = False
    for power in (3, 2, 1, 0):
        digit = n // 10**power % 10
        if digit == 0:
            zero_pending = bool(out)
            continue
        if zero_pending:
            out.append("零")
            zero_pending = False
        out.append(_CAPITAL_DIGITS[digit] + _CAPITAL_SMALL_UNITS[power])
    return "".join(out)


def _capital_integer(n: int) -> str:
    """Capitals for a positive whole number of yuan, sections 万 and 亿 (recursively 万亿)."""
    for size, unit in ((10**8, "亿"), (10**4, "万")):
        if n >= size:
            high, low = divmod(n, size)
            text = _capital_integer(high) + unit
            if low:
                # The lower part starts with zeros (e.g. 1,0005) -> one 零 stands for them.
                if low < size // 10:
                    text += "零"
                text += _capital_integer(low)
            return text
    return _capital_section(n)


def fen_to_chinese_capitals(fen: int, *, zheng_after_jiao: bool = False) -> str:
    """The amount in Chinese capital numerals for contracts and receipts.

    ``1234567`` -> ``"人民币壹万贰仟叁佰肆拾伍元陆角柒分"``,
    ``1200000`` -> ``"人民币壹万贰仟元整"``,
    ``100000005`` -> ``"人民币壹佰万元零伍分"``,
    ``-10000`` -> ``"人民币负壹佰元整"``.
    The rules, and the choice made where the banking standard allows two forms, are in the
    comment above this function.

    Raises ``TypeError`` for anything but an ``int`` (a float amount is a bug upstream) and
    ``ValueError`` beyond ``MAX_CAPITALS_FEN``.
    """
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"amount must be an int number of fen, not {type(fen).__name__}")
    if abs(fen) > MAX_CAPITALS_FEN:
        raise ValueError("amount is too large to write in capitals")
    if fen == 0:
        return "人民币零元整"

    yuan, rest = divmod(abs(fen), 100)
    jiao, fen_digit = divmod(rest, 10)
    parts = ["人民币", "负" if fen < 0 else ""]
    if yuan:
        parts += [_capital_integer(yuan), "元"]
    if jiao == 0 and fen_digit == 0:
        parts.append("整")
    elif jiao:
        if yuan % 10 == 0 and yuan:
            parts.append("零")
        parts.append(_CAPITAL_DIGITS[jiao] + "角")
        if fen_digit:
            parts.append(_CAPITAL_DIGITS[fen_digit] + "分")
        elif zheng_after_jiao:
            parts.append("整")
    else:
        if yuan:
            parts.append("零")
        parts.append(_CAPITAL_DIGITS[fen_digit] + "分")
    return "".join(parts)
