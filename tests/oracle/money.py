"""Money arithmetic of the oracle: exact fractions of a fen, rounded once, half-up; division of
a whole by largest remainder (DOMAIN.md, "Billing arithmetic, precisely")."""

from __future__ import annotations

from fractions import Fraction


def half_up(fen: Fraction) -> int:
    """Round an exact (non-negative) amount of fen to the nearest fen, halves up."""
    assert fen >= 0, fen
    return int(fen + Fraction(1, 2))  # int() floors a non-negative fraction


def largest_remainder(total: int, weights: list[Fraction]) -> list[int]:
    """``total`` fen in parts proportional to ``weights`` that add up to it exactly: each part
    floored, the fen left over one each to the largest remainders, ties to the earlier part."""
    whole = sum(weights)
    exact = [Fraction(total) * w / whole for w in weights]
    parts = [int(e) for e in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts
