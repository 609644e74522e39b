"""What a billing run puts on each contract's bill, computed purely from what it gathered.

The run (``parkops.billing.run``) reads everything due for a month in a few set-based queries,
hands it here as plain values, and writes the result with a few multi-row INSERTs. Keeping the
decisions here, away from SQL, makes them testable one by one.

A run for month ``M`` (its first day ``month``) bills, per contract:

* **Rent and property fee** of every current (not superseded) frozen schedule line whose due
  date falls in ``M``, and of earlier lines that were never billed (a contract approved after its
  first due dates is caught up on its first run). Rent is billed in advance, so these are the
  periods starting around ``M``. Two lines per schedule line (rent, property fee), each keyed by
  the schedule line, so a line is billed once however often runs are repeated.
* **Utilities** of meter readings of months before ``M`` (normally ``M - 1``) not billed yet:
  a unit meter's consumption goes to the contract that leased the unit for most of that month;
  a common-area meter's consumption is charged for the building and that amount shared out to
  the contracts with leased area in the building by largest remainder
  (``utilities.common_shares``), one line per contract, shown with its basis.
* **Late fees** per overdue line of the contract's bills, for the days since that line's last
  charge up to the run's cut-off (``late_fee_lines``: the line's unpaid principal, the contract's
  rate, a cap on each line).
* **Adjustments** waiting for the contract's next bill.

**Due dates are per line.** A schedule line's rent and property fee are due on the schedule
line's due date, however late they are billed (a catch-up bill keeps every period's date). Every
other line (utilities, common-area shares, late fees, adjustments) is due the park's
``utility_due_days`` after the run's date, the bill's issue date. A bill's own ``due_date`` is its
earliest line's: it sorts and ages bills, and late fees never use it.

One bill per contract; a contract with nothing to bill gets no bill. Lines are in a fixed order
(rent, property fee, utilities, late fees, adjustments; then by source) so the same inputs always
produce the same bill.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from parkops.billing.models import ChargeType, MeterKind, SourceKind
from parkops.billing.rules import late_fees, settlement, utilities, vocabulary
from parkops.core.i18n import N_, Message
from parkops.core.money import apportion, format_fen, round_half_up_to_fen

PART_RENT = 1
PART_PROPERTY_FEE = 2


def month_start(d: date) -> date:
    return d.replace(day=1)


def add_months(d: date, months: int) -> date:
    """First day of the month ``months`` after ``d``'s month."""
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def parse_month(text: str) -> date:
    """``2026-12`` (or ``2026-12-01``) -> the first day of that month; ``ValueError`` if not."""
    raw = (text or "").strip()
    parts = raw.split("-")
    if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
        raise ValueError(Message(N_("'%(text)s' is not a month like 2026-12"), text=text))
    year, month = int(parts[0]), int(parts[1])
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise ValueError(Message(N_("'%(text)s' is not a month like 2026-12"), text=text))
    if len(parts) == 3 and int(parts[2]) != 1:
        raise ValueError(Message(N_("'%(text)s' is not a month like 2026-12"), text=text))
    return date(year, month, 1)


def late_fee_cutoff(month: date, run_date: date) -> date:
    """Late fees are charged for days before this date (exclusive).

    The run for ``M`` charges up to the end of ``M - 1``; when it runs early (before ``M``
    started) only up to the day before the run, so no future day is ever charged. The next run
    continues from where this one stopped.
    """
    return min(month, run_date)


# --- inputs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractInfo:
    contract_id: int
    enterprise_id: int
    park_id: int


@dataclass(frozen=True)
class ScheduleItem:
    line_id: int
    contract_id: int
    period_start: date
    period_end: date
    due_date: date
    rent_fen: int
    property_fee_fen: int


@dataclass(frozen=True)
class UnitReading:
    reading_id: int
    contract_id: int
    park_id: int
    kind: str
    unit_id: int
    unit_code: str
    meter_code: str
    reading_month: date
    previous_value: Decimal
    value: Decimal
    multiplier: Decimal
    quantity: Decimal


@dataclass(frozen=True)
class CommonReading:
    reading_id: int
    park_id: int
    building_code: str
    kind: str
    meter_code: str
    reading_month: date
    quantity: Decimal
    shares: tuple[utilities.ShareBasis, ...]
    billed_contract_ids: frozenset[int] = frozenset()
    divided: bool = False  # ``shares`` is the division recorded when it was first billed


@dataclass(frozen=True)
class TariffInfo:
    park_id: int
    kind: str
    valid_from: date
    valid_to: date | None
    unit_price_fen: Decimal
    tiers: tuple[utilities.Tier, ...] = ()

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


@dataclass(frozen=True)
class ChargedLine:
    """A line of an issued bill, as late fees see it."""

    line_id: int
    charge_type: str
    period_start: date | None
    period_end: date | None  # exclusive
    due_date: date
    amount_fen: int


@dataclass(frozen=True)
class FeesCharged:
    """Late fees charged so far: their total (waived ones included: a waiver forgives a charge,
    it does not make room under the cap) and the end (exclusive) of the last charge."""

    fen: int
    to: date


@dataclass(frozen=True)
class OverdueBill:
    """An issued bill with a line that may owe late fees, and everything that settled it."""

    bill_id: int
    contract_id: int
    lines: tuple[ChargedLine, ...]  # every line of the bill, late fees included
    credits: tuple[settlement.Credit, ...]  # credit notes (see settlement)
    payments: tuple[tuple[date, int], ...]  # (effective date, fen) allocated, in recorded order
    charged: Mapping[int, FeesCharged]  # line id -> late fees charged on that line
    rate: Decimal
    cap_percent: Decimal | None
    legacy: FeesCharged | None = None
    """Late fees charged on the whole bill before lines had due dates (a bill charged so carries
    on per line from where that charge stopped; the amount counts against the lines' caps,
    divided over them by principal)."""


@dataclass(frozen=True)
class PendingAdjustment:
    adjustment_id: int
    contract_id: int
    amount_fen: int
    reason: str


# --- outputs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedLine:
    charge_type: str
    description: str
    period_start: date | None
    period_end: date | None
    quantity: Decimal
    unit_price_fen: Decimal | None
    amount_fen: int
    unit_id: int | None
    source_kind: str
    source_id: int
    source_part: int
    due_date: date
    detail: dict | None = None

    def detail_json(self) -> str | None:
        return None if self.detail is None else json.dumps(self.detail, ensure_ascii=False)


@dataclass
class PlannedBill:
    contract_id: int
    enterprise_id: int
    park_id: int
    lines: list[PlannedLine] = field(default_factory=list)

    @property
    def total_fen(self) -> int:
        return sum(line.amount_fen for line in self.lines)

    @property
    def due_date(self) -> date:
        """The earliest line's due date (for sorting and aging; late fees go by line)."""
        return min(line.due_date for line in self.lines)


class MissingTariff(ValueError):
    """Readings to bill for a park, kind and month with no tariff in force."""

    def __init__(self, park_id: int, kind: str, month: date) -> None:
        self.park_id, self.kind, self.month = park_id, kind, month
        super().__init__(
            f"No {kind} tariff is in force for {month:%Y-%m} in park {park_id}: add one under "
            "Billing > Tariffs before running the billing."
        )


_ORDER = {
    ChargeType.rent.value: 0,
    ChargeType.property_fee.value: 1,
    ChargeType.electricity.value: 2,
    ChargeType.water.value: 3,
    ChargeType.common_electricity.value: 4,
    ChargeType.common_water.value: 5,
    ChargeType.late_fee.value: 6,
    ChargeType.adjustment.value: 7,
}
_UNIT = {MeterKind.electricity.value: "kWh", MeterKind.water.value: "m³"}


def find_tariff(tariffs: Iterable[TariffInfo], park_id: int, kind: str, day: date) -> TariffInfo:
    for tariff in tariffs:
        if tariff.park_id == park_id and tariff.kind == kind and tariff.covers(day):
            return tariff
    raise MissingTariff(park_id, kind, month_start(day))


def _month_end(d: date) -> date:
    return add_months(d, 1)


def _utility_line(
    charge_type: str,
    description: str,
    reading_month: date,
    quantity: Decimal,
    tariff: TariffInfo,
    amount_fen: int,
    tiers: list[dict],
    *,
    due_date: date,
    unit_id: int | None,
    source_kind: str,
    source_id: int,
    source_part: int,
    detail: dict | None,
) -> PlannedLine:
    if tiers:
        detail = {**(detail or {}), "tiers": tiers}
    return PlannedLine(
        charge_type=charge_type,
        description=description,
        period_start=reading_month,
        period_end=_month_end(reading_month),
        quantity=utilities.display_quantity(quantity),
        unit_price_fen=None if tariff.tiers else tariff.unit_price_fen,
        amount_fen=amount_fen,
        unit_id=unit_id,
        source_kind=source_kind,
        source_id=source_id,
        source_part=source_part,
        due_date=due_date,
        detail=detail,
    )


def plan_bills(
    *,
    month: date,
    run_date: date,
    contracts: Mapping[int, ContractInfo],
    schedule: Sequence[ScheduleItem] = (),
    unit_readings: Sequence[UnitReading] = (),
    common_readings: Sequence[CommonReading] = (),
    tariffs: Sequence[TariffInfo] = (),
    overdue: Sequence[OverdueBill] = (),
    adjustments: Sequence[PendingAdjustment] = (),
    utility_due_days: Callable[[int], int] = lambda _park: 10,
) -> list[PlannedBill]:
    """The bills of the run, one per contract with something to bill, by contract id.

    Items of contracts not in ``contracts`` (already billed this month, or not binding) are
    ignored. Raises :class:`MissingTariff` when a reading has no tariff for its month.
    """
    lines: dict[int, list[PlannedLine]] = defaultdict(list)

    def other_due(contract_id: int) -> date:
        """Due date of every line that is not in the rent schedule."""
        return run_date + timedelta(days=utility_due_days(contracts[contract_id].park_id))

    for item in schedule:
        if item.contract_id not in contracts:
            continue
        if item.rent_fen == 0 and item.property_fee_fen == 0:
            continue  # rent-free and no property fee: nothing to bill for the period
        for charge, amount, part in (
            (ChargeType.rent, item.rent_fen, PART_RENT),
            (ChargeType.property_fee, item.property_fee_fen, PART_PROPERTY_FEE),
        ):
            lines[item.contract_id].append(
                PlannedLine(
                    charge_type=charge.value,
                    description="",
                    period_start=item.period_start,
                    period_end=item.period_end,
                    quantity=Decimal(1),
                    unit_price_fen=Decimal(amount),
                    amount_fen=amount,
                    unit_id=None,
                    source_kind=SourceKind.schedule,
                    source_id=item.line_id,
                    source_part=part,
                    due_date=item.due_date,  # the period's own, however late it is billed
                    detail=None,  # the schedule line (source) has the breakdown
                )
            )

    for r in unit_readings:
        if r.contract_id not in contracts:
            continue
        tariff = find_tariff(tariffs, r.park_id, r.kind, r.reading_month)
        exact, tiers = utilities.charge(r.quantity, tariff.unit_price_fen, tariff.tiers)
        unit = _UNIT[r.kind]
        multiplier = "" if r.multiplier == 1 else f" × {r.multiplier}"
        lines[r.contract_id].append(
            _utility_line(
                r.kind,
                f"{r.unit_code} · {r.meter_code}: {r.previous_value} → {r.value}{multiplier} "
                f"{unit}",
                r.reading_month,
                r.quantity,
                tariff,
                round_half_up_to_fen(exact),
                tiers,
                due_date=other_due(r.contract_id),
                unit_id=r.unit_id,
                source_kind=SourceKind.reading,
                source_id=r.reading_id,
                source_part=0,
                detail=None,  # the description names the meter and both readings
            )
        )

    for c in common_readings:
        wanted = {b.contract_id for b in c.shares if b.weight > 0}
        wanted = (wanted & contracts.keys()) - c.billed_contract_ids
        if not wanted:
            continue
        tariff = find_tariff(tariffs, c.park_id, c.kind, c.reading_month)
        # The building's consumption is charged once (tiers on the meter's whole quantity) and
        # that amount divided, so the shares add up to it exactly.
        exact, tiers = utilities.charge(c.quantity, tariff.unit_price_fen, tariff.tiers)
        building_fen = round_half_up_to_fen(exact)
        shares = utilities.common_shares(c.quantity, c.shares, building_fen)
        unit = _UNIT[c.kind]
        basis = {b.contract_id: b for b in c.shares}
        total_weight = utilities.total_weight(c.shares)
        for cid, share in shares.items():
            if cid not in wanted:
                continue
            b = basis[cid]
            percent = utilities.display_quantity(share.fraction * 100)
            lines[cid].append(
                _utility_line(
                    f"common_{c.kind}",
                    f"{c.building_code} · {c.meter_code}: {c.quantity} {unit} × "
                    f"{b.area} m² × {b.days} d / {utilities.display_quantity(total_weight)} "
                    f"m²·d ({percent}% × {format_fen(building_fen)})",
                    c.reading_month,
                    share.quantity,
                    tariff,
                    share.amount_fen,
                    tiers,
                    due_date=other_due(cid),
                    unit_id=None,
                    source_kind=SourceKind.common_share,
                    source_id=c.reading_id,
                    source_part=cid,
                    detail={
                        "meter": c.meter_code,
                        "building": c.building_code,
                        "building_quantity": str(c.quantity),
                        "building_amount_fen": building_fen,
                        "area": str(b.area),
                        "days": b.days,
                        "total_area_days": str(utilities.display_quantity(total_weight)),
                        "share_percent": str(percent),
                        "unit": unit,
                    },
                )
            )

    cutoff = late_fee_cutoff(month, run_date)
    for bill in overdue:
        if bill.contract_id not in contracts:
            continue
        lines[bill.contract_id].extend(
            late_fee_lines(bill, cutoff, due_date=other_due(bill.contract_id))
        )

    by_contract_adjustments: dict[int, list[PendingAdjustment]] = defaultdict(list)
    for adj in adjustments:
        if adj.contract_id in contracts:
            by_contract_adjustments[adj.contract_id].append(adj)
    for cid, adjs in by_contract_adjustments.items():
        running = sum(line.amount_fen for line in lines[cid])
        # Charges first, then credits as long as the bill stays >= 0: a credit larger than the
        # bill waits for the next one rather than making a negative bill.
        for adj in sorted(adjs, key=lambda a: (a.amount_fen < 0, a.adjustment_id)):
            if running + adj.amount_fen < 0:
                continue
            running += adj.amount_fen
            lines[cid].append(
                PlannedLine(
                    charge_type=ChargeType.adjustment,
                    description=adj.reason[:500],
                    period_start=None,
                    period_end=None,
                    quantity=Decimal(1),
                    unit_price_fen=Decimal(adj.amount_fen),
                    amount_fen=adj.amount_fen,
                    unit_id=None,
                    source_kind=SourceKind.adjustment,
                    source_id=adj.adjustment_id,
                    source_part=0,
                    due_date=other_due(cid),
                )
            )

    bills = []
    for cid in sorted(lines):
        bill_lines = lines[cid]
        if not bill_lines:
            continue
        info = contracts[cid]
        bill_lines.sort(key=lambda ln: (_ORDER[ln.charge_type], ln.source_id, ln.source_part))
        bills.append(PlannedBill(cid, info.enterprise_id, info.park_id, bill_lines))
    return bills


def settle_lines(
    lines: Sequence[ChargedLine],
    credits: Sequence[settlement.Credit],
    payments: Sequence[tuple[date, int]],
) -> dict[int, settlement.LineAccount]:
    """A bill's credits and payments attributed to its lines (``settlement.settle``)."""
    return settlement.settle(
        [
            settlement.Line(
                ln.line_id, ln.due_date, ln.amount_fen, ln.charge_type == ChargeType.late_fee
            )
            for ln in lines
        ],
        credits,
        payments,
    )


def late_fee_lines(bill: OverdueBill, cutoff: date, *, due_date: date) -> list[PlannedLine]:
    """The late-fee lines of ``bill`` up to ``cutoff`` (exclusive): one per line that accrued.

    Each principal line accrues from the day after its own due date (or from where its last
    charge stopped) on what was still unpaid of it each day, the bill's credits and payments
    attributed to its lines by ``settlement.settle``; the cap is a share of that line's overdue
    principal. Late-fee lines never accrue. The new lines are due on ``due_date``.
    """
    accounts = settle_lines(bill.lines, bill.credits, bill.payments)
    principal = [
        ln
        for ln in bill.lines
        if ln.charge_type != ChargeType.late_fee and accounts[ln.line_id].principal_fen > 0
    ]
    legacy_share: dict[int, int] = {}
    if bill.legacy is not None and principal:
        parts = apportion(bill.legacy.fen, [accounts[ln.line_id].principal_fen for ln in principal])
        legacy_share = {ln.line_id: part for ln, part in zip(principal, parts, strict=True)}
    cap = None
    if bill.cap_percent is not None:
        cap = late_fees.LateFeeCap(fraction=bill.cap_percent / 100)
    out = []
    for ln in principal:
        account = accounts[ln.line_id]
        charged = bill.charged.get(ln.line_id)
        from_date = max(
            ln.due_date + timedelta(days=1),
            charged.to if charged else date.min,
            bill.legacy.to if bill.legacy else date.min,
        )
        if from_date >= cutoff:
            continue
        already = (charged.fen if charged else 0) + legacy_share.get(ln.line_id, 0)
        events = late_fees.principal_schedule(
            account.principal_fen, account.payments, start=ln.due_date
        )
        fee = late_fees.late_fee_for_period(
            ln.due_date,
            events,
            from_date=from_date,
            to_date=cutoff,
            rate=bill.rate,
            already_charged_fen=already,
            cap=cap,
        )
        if fee.amount_fen <= 0:
            continue
        out.append(_late_fee_line(bill, ln, fee, already, due_date))
    return out


def _late_fee_line(
    bill: OverdueBill,
    ln: ChargedLine,
    fee: late_fees.LateFeeLine,
    already_charged_fen: int,
    due_date: date,
) -> PlannedLine:
    period = None
    if ln.period_start and ln.period_end:
        period = [ln.period_start.isoformat(), (ln.period_end - timedelta(days=1)).isoformat()]
    what = vocabulary.text(vocabulary.CHARGE_LABELS, ln.charge_type, "en")
    description = f"{what} of bill {bill.bill_id} due {ln.due_date.isoformat()}: {fee.basis}"
    return PlannedLine(
        charge_type=ChargeType.late_fee,
        description=description[:500],
        period_start=fee.from_date,
        period_end=fee.to_date,
        quantity=Decimal(fee.days),
        unit_price_fen=None,
        amount_fen=fee.amount_fen,
        unit_id=None,
        source_kind=SourceKind.overdue_line,
        source_id=ln.line_id,
        source_part=fee.from_date.toordinal(),
        due_date=due_date,
        detail={
            "bill_id": bill.bill_id,
            "line_id": ln.line_id,
            "charge_type": ln.charge_type,
            "line_period": period,
            "due_date": ln.due_date.isoformat(),
            "rate": str(bill.rate),
            "days": fee.days,
            "uncapped_fen": fee.uncapped_fen,
            "cap_fen": fee.cap_fen,
            "basis": fee.basis,
            "amount": format_fen(fee.amount_fen),
            # For late_fees.describe (the line in the reader's language).
            "segments": late_fees.detail_segments(fee),
            "amount_fen": fee.amount_fen,
            "already_charged_fen": already_charged_fen,
        },
    )
