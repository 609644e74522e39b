"""Late fees (滞纳金/违约金) on an overdue charge, as one line per billing run.

A pure module: the billing run passes a charge's due date (each bill line has its own), the
history of its open principal and the range of days to charge; it gets back a
:class:`LateFeeLine` to record. Waivers, attributing a bill's payments to its lines
(``settlement``), and deciding which lines accrue late fees at all are the caller's business;
below, "the bill" is whatever charge the caller passes, in practice one bill line.

The product rules, and how they are read here:

* **Which days.** A day ``D`` accrues a fee when ``D > due_date`` (the due date itself is the
  last day to pay on time, so the first fee day is the day after) and ``D`` lies in the half-open
  range ``[from_date, to_date)`` being charged. A billing run charges "the days since the last
  charge": it passes the previous line's ``to_date`` as ``from_date`` (or anything on or before
  the due date for the first charge), so consecutive lines never overlap or leave a gap.
* **On what.** The fee for day ``D`` is ``rate x principal(D)``, where ``principal(D)`` is the
  bill's open principal *after* the events of day ``D``: money received on day ``D`` stops the
  fee on the paid part from that day on. Late fees are never charged on earlier late fees; the
  principal is the bill's own amount, and payments count only where they were allocated to it.
* **Rate.** A ``Decimal`` daily rate from the contract, by default 0.0005 (万分之五, 0.05%).
* **Cap.** A contract may cap the total late fees on a bill as a fraction of the overdue principal
  (0.2 = at most 20%), as an absolute amount in fen, or both (the lower applies). The fraction is
  taken of the *largest* principal that was overdue on any day up to ``to_date``, i.e. the amount
  that fell overdue: paying part of the arrears does not shrink the room already earned, and a
  reversed payment that raises the principal again raises the cap with it. The cap bounds
  ``already_charged_fen + amount_fen`` for the bill.
* **Rounding.** Exactly once per line, half-up to the fen, by ``core.money``: the line's exact
  fee (a sum over days of principal x rate, computed in ``Decimal`` with no intermediate
  rounding) is rounded, then the cap is applied. Each line can therefore be checked on its own
  from its basis, which finance staff do.

**Split charges.** Because each line is rounded on its own, charging a range in ``n`` consecutive
lines may differ from charging it in one line by rounding. What is guaranteed, when the
principal does not rise within the range and ``already_charged_fen`` is passed on from line to
line: the ``n`` line amounts add up to ``min(sum of their own rounded amounts, cap room)``, and
that total differs from the single-line amount by at most ``n // 2`` fen (so at most 1 fen for
two lines). Each rounding moves a line by less than half a fen either way; ``n`` lines and the
one line they are compared with give ``n + 1`` such errors, under ``(n + 1) / 2`` fen together,
and the difference is a whole number of fen. However a range is split, the total never exceeds
the cap. Passing the accrued-but-unrounded remainder from line to line would make splits exact,
but then a line could no longer be checked against its own basis.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, Inexact, localcontext
from itertools import pairwise
from typing import Any, NamedTuple

from parkops.billing.rules import vocabulary
from parkops.core.money import format_fen, round_half_up_to_fen

DEFAULT_DAILY_RATE = Decimal("0.0005")
"""万分之五 per day, the common rate in Chinese park leases."""

_ONE_DAY = timedelta(days=1)


class PrincipalChange(NamedTuple):
    """From ``effective_on`` (inclusive) the bill's open principal is ``principal_fen``.

    The value is the principal *after* all of that day's events (payments, reversals).
    """

    effective_on: date
    principal_fen: int


@dataclass(frozen=True, slots=True)
class LateFeeCap:
    """A contract's cap on the total late fees of one bill; either limit may be absent.

    ``fraction`` is a ``Decimal`` share of the overdue principal (``Decimal("0.2")`` = 20%);
    ``max_fen`` an absolute amount. With both, the lower one applies.
    """

    fraction: Decimal | None = None
    max_fen: int | None = None

    def __post_init__(self) -> None:
        if self.fraction is not None:
            _check_decimal("cap fraction", self.fraction)
        if self.max_fen is not None and (not _is_fen(self.max_fen) or self.max_fen < 0):
            raise ValueError(f"cap max_fen must be a non-negative int, got {self.max_fen!r}")

    def limit_fen(self, overdue_principal_fen: int) -> int | None:
        """The cap in fen for this overdue principal, or ``None`` when nothing is capped."""
        limits: list[int] = []
        if self.fraction is not None:
            # The cap is an amount like any other, so it is rounded by the one rule.
            limits.append(
                round_half_up_to_fen(_exact(Decimal(overdue_principal_fen), self.fraction))
            )
        if self.max_fen is not None:
            limits.append(self.max_fen)
        return min(limits) if limits else None


@dataclass(frozen=True, slots=True)
class LateFeeSegment:
    """Days ``[start, end)`` on which the principal was constant and positive."""

    start: date
    end: date
    principal_fen: int
    exact_fen: Decimal
    """``principal_fen x rate x days``, unrounded."""

    @property
    def days(self) -> int:
        return (self.end - self.start).days


@dataclass(frozen=True, slots=True)
class LateFeeLine:
    """One late-fee charge for ``[from_date, to_date)``, as requested by the billing run.

    ``from_date``/``to_date`` are the requested range (the next charge starts at ``to_date``);
    ``days`` counts the days in it that actually accrued a fee (overdue, principal positive), and
    ``segments`` show them grouped by principal. ``uncapped_fen`` is the rounded exact fee;
    ``amount_fen`` is what to charge after the cap (``cap_fen`` is ``None`` without one).
    ``basis`` explains the computation in words for the bill line and for audit; it shows date
    ranges with their *last* day, as people read them.
    """

    from_date: date
    to_date: date
    days: int
    amount_fen: int
    uncapped_fen: int
    exact_fen: Decimal
    cap_fen: int | None
    rate: Decimal
    segments: tuple[LateFeeSegment, ...]
    basis: str

    @property
    def capped(self) -> bool:
        return self.amount_fen < self.uncapped_fen


def principal_schedule(
    principal_fen: int, payments: Sequence[tuple[date, int]], *, start: date
) -> tuple[PrincipalChange, ...]:
    """Turn a bill's principal and the payments allocated to it into a principal history.

    ``principal_fen`` is the bill's amount; ``payments`` are ``(date received, fen)`` allocations
    to this bill's principal (not to its late-fee lines), in any order. The history starts at
    ``start`` (normally the due date) with the principal less the payments received by then; it
    then changes on each later payment date. A negative amount is a reversal. Raises
    ``ValueError`` if the payments ever exceed the principal.
    """
    if not _is_fen(principal_fen) or principal_fen < 0:
        raise ValueError(f"principal_fen must be a non-negative int, got {principal_fen!r}")
    by_day: dict[date, int] = {}
    for day, amount in payments:
        if not _is_fen(amount):
            raise TypeError(f"payment on {day} must be an int number of fen, got {amount!r}")
        by_day[max(day, start)] = by_day.get(max(day, start), 0) + amount
    changes = [PrincipalChange(start, principal_fen)]
    open_fen = principal_fen
    for day in sorted(by_day):
        open_fen -= by_day[day]
        if open_fen < 0:
            raise ValueError(f"payments by {day} exceed the principal of {principal_fen} fen")
        if day == start:
            changes[0] = PrincipalChange(start, open_fen)
        else:
            changes.append(PrincipalChange(day, open_fen))
    return tuple(changes)


def late_fee_for_period(
    due_date: date,
    principal_events: Sequence[tuple[date, int]],
    *,
    from_date: date,
    to_date: date,
    rate: Decimal = DEFAULT_DAILY_RATE,
    already_charged_fen: int = 0,
    cap: LateFeeCap | None = None,
) -> LateFeeLine:
    """The late fee to charge on one bill for the days ``[from_date, to_date)``.

    ``principal_events`` is the principal history as ``(date, principal after that day's events)``
    pairs (see :class:`PrincipalChange` and :func:`principal_schedule`), one per date, in any
    order; it must start on or before the first overdue day, ``due_date + 1``, because the cap
    depends on the principal that fell overdue. ``already_charged_fen`` is the total of earlier
    late-fee lines on this bill; it matters only for the cap. Count waived lines in it too: a
    waiver forgives a charge, it does not make room under the cap for new ones.

    A range that ends on or before ``due_date + 1`` gives a zero-day, zero-fen line.
    """
    if to_date < from_date:
        raise ValueError(f"to_date {to_date} is before from_date {from_date}")
    _check_decimal("rate", rate)
    if not _is_fen(already_charged_fen) or already_charged_fen < 0:
        raise ValueError(
            f"already_charged_fen must be a non-negative int, got {already_charged_fen!r}"
        )
    changes = _checked_changes(principal_events)
    first_overdue = due_date + _ONE_DAY
    if changes[0].effective_on > first_overdue:
        raise ValueError(
            f"the principal history starts on {changes[0].effective_on}, after the first overdue "
            f"day {first_overdue}: the principal that fell overdue is unknown"
        )

    segments = tuple(
        LateFeeSegment(
            start, end, principal, _exact(Decimal(principal), rate, Decimal((end - start).days))
        )
        for start, end, principal in _constant_runs(changes, max(from_date, first_overdue), to_date)
        if principal > 0
    )
    exact_fen = _exact(*(s.exact_fen for s in segments), add=True)
    uncapped_fen = round_half_up_to_fen(exact_fen)

    cap_fen = None
    amount_fen = uncapped_fen
    if cap is not None:
        overdue_principal = max(
            (p for _, _, p in _constant_runs(changes, first_overdue, to_date)), default=0
        )
        cap_fen = cap.limit_fen(overdue_principal)
        if cap_fen is not None:
            # A cap lowered after earlier charges leaves no room, never a negative line.
            amount_fen = min(uncapped_fen, max(0, cap_fen - already_charged_fen))

    return LateFeeLine(
        from_date=from_date,
        to_date=to_date,
        days=sum(s.days for s in segments),
        amount_fen=amount_fen,
        uncapped_fen=uncapped_fen,
        exact_fen=exact_fen,
        cap_fen=cap_fen,
        rate=rate,
        segments=segments,
        basis=_basis(segments, rate, uncapped_fen, amount_fen, cap_fen, cap, already_charged_fen),
    )


# --- internals ---------------------------------------------------------------------------------


def _is_fen(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_decimal(name: str, value: object) -> None:
    # Rates are Decimal by house rule; a float here would bring binary fractions into money.
    if not isinstance(value, Decimal):
        raise TypeError(f"{name} must be a Decimal, got {type(value).__name__}")
    if not value.is_finite() or value < 0:
        raise ValueError(f"{name} must be a finite non-negative Decimal, got {value}")


def _exact(*values: Decimal, add: bool = False) -> Decimal:
    """Multiply (or add) exactly; raise rather than round if precision would ever run out.

    Rounding must happen only in ``round_half_up_to_fen``. Decimal arithmetic silently rounds to
    the context precision, so intermediate results are computed with ample precision and with
    ``Inexact`` trapped: an input that could not be handled exactly fails loudly.
    """
    with localcontext() as ctx:
        ctx.prec = 100
        ctx.traps[Inexact] = True
        result = Decimal(0) if add else Decimal(1)
        for v in values:
            result = result + v if add else result * v
        return result


def _checked_changes(events: Sequence[tuple[date, int]]) -> list[PrincipalChange]:
    changes = sorted((PrincipalChange(d, p) for d, p in events), key=lambda c: c.effective_on)
    if not changes:
        raise ValueError("the principal history is empty")
    for prev, cur in pairwise(changes):
        if prev.effective_on == cur.effective_on:
            raise ValueError(f"two principal values for {cur.effective_on}")
    for change in changes:
        if not _is_fen(change.principal_fen):
            raise TypeError(f"principal on {change.effective_on} must be an int number of fen")
        if change.principal_fen < 0:
            raise ValueError(f"principal on {change.effective_on} is negative")
    return changes


def _constant_runs(
    changes: Sequence[PrincipalChange], start: date, end: date
) -> list[tuple[date, date, int]]:
    """Split ``[start, end)`` into maximal runs ``(start, end, principal)`` of constant principal.

    ``changes`` is sorted and starts on or before ``start`` (checked by the caller).
    """
    runs: list[tuple[date, date, int]] = []
    for i, change in enumerate(changes):
        run_start = max(change.effective_on, start)
        run_end = min(changes[i + 1].effective_on, end) if i + 1 < len(changes) else end
        if run_start < run_end:
            runs.append((run_start, run_end, change.principal_fen))
    return runs


def _percent(rate: Decimal) -> str:
    return f"{format(_exact(rate, Decimal(100)).normalize(), 'f')}%"


def _basis(
    segments: Sequence[LateFeeSegment],
    rate: Decimal,
    uncapped_fen: int,
    amount_fen: int,
    cap_fen: int | None,
    cap: LateFeeCap | None,
    already_charged_fen: int,
) -> str:
    if not segments:
        return "No overdue days with an open principal in this period."
    text = _segments_text(_stored_segments(segments), rate, uncapped_fen, zh=False)
    if cap_fen is not None and cap is not None and amount_fen < uncapped_fen:
        limits = []
        if cap.fraction is not None:
            limits.append(f"{_percent(cap.fraction)} of the overdue principal")
        if cap.max_fen is not None:
            limits.append(f"at most {format_fen(cap.max_fen)}")
        text += (
            f"; capped at {format_fen(cap_fen)} ({', '.join(limits)}), "
            f"{format_fen(already_charged_fen)} already charged: {format_fen(amount_fen)}"
        )
    return text


def _stored_segments(segments: Sequence[LateFeeSegment]) -> list[list]:
    """Segments as a bill line's ``detail`` stores them: [principal, days, first, last day]."""
    return [
        [s.principal_fen, s.days, s.start.isoformat(), (s.end - _ONE_DAY).isoformat()]
        for s in segments
    ]


def detail_segments(line: LateFeeLine) -> list[list]:
    return _stored_segments(line.segments)


def _segments_text(segments: Sequence[Sequence], rate: Decimal, uncapped_fen: int, *, zh: bool):
    """``principal × rate × days (first to last) + ... = fee`` in Chinese or English."""
    parts = [
        f"{format_fen(p)} × {_percent(rate)} × {d}{'天' if zh else ' days'}"
        + (f"（{first}至{last}）" if zh else f" ({first} to {last})")
        for p, d, first, last in segments
    ]
    return " + ".join(parts) + f" = {format_fen(uncapped_fen)}"


def describe(detail: Mapping[str, Any] | None, language: str) -> str | None:
    """A late-fee bill line's basis in Chinese (``zh``) or English, from its stored ``detail``.

    Bill lines store ``basis`` in English for audit; people read the line in their language,
    and the bill notice PDF is Chinese. A line names the overdue line it charges (its charge,
    period and due date); one charged on a whole bill before lines had their own due dates
    names the bill's due date. ``None`` for lines stored before their detail carried the
    segments: show their description then.
    """
    if not detail or "segments" not in detail:
        return None
    zh = language == "zh"
    text = _segments_text(
        detail["segments"], Decimal(detail["rate"]), detail["uncapped_fen"], zh=zh
    )
    cap_fen, amount = detail.get("cap_fen"), detail.get("amount_fen")
    if cap_fen is not None and amount is not None and amount < detail["uncapped_fen"]:
        already = format_fen(detail.get("already_charged_fen", 0))
        if zh:
            text += f"；上限 {format_fen(cap_fen)}，已计 {already}，本次 {format_fen(amount)}"
        else:
            text += f"; capped at {format_fen(cap_fen)}, {already} already charged: "
            text += format_fen(amount)
    due = detail["due_date"]
    if "line_id" not in detail:
        return f"{due} 到期账单：{text}" if zh else f"Bill due {due}: {text}"
    what = vocabulary.text(vocabulary.CHARGE_LABELS, detail["charge_type"], language)
    period = detail.get("line_period")
    if zh:
        span = f" {period[0]}至{period[1]}" if period else ""
        return f"{what}{span}（{due}到期）：{text}"
    span = f" {period[0]} to {period[1]}" if period else ""
    return f"{what}{span} (due {due}): {text}"
