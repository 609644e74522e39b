"""Figures of the oracle comparisons of a test session, printed at its end (tests/conftest.py):
how many examples each oracle test ran and how much it compared."""

from __future__ import annotations

from collections import Counter, defaultdict

TOTALS: defaultdict[str, Counter[str]] = defaultdict(Counter)


def record(test: str, **counts: int) -> None:
    TOTALS[test]["examples"] += 1
    TOTALS[test].update(counts)


def summary() -> list[str]:
    return [
        f"oracle {test}: " + ", ".join(f"{k}={v:,}" for k, v in counts.items())
        for test, counts in sorted(TOTALS.items())
    ]
