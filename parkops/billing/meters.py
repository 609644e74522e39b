"""Meters, monthly readings (by hand or imported from CSV) and utility tariffs.

A reading is the meter's value at the end of ``reading_month``; its consumption is the
difference from the previous reading (or the meter's initial value) and is billed by the run of
the following month. Readings are entered in month order: a reading for an earlier month than
the latest one is refused, and so is a value lower than the previous one unless the meter was
replaced (then the old meter's final value and the new one's start value are given). A
consumption more than three times the average of the previous months is stored *flagged*: the
billing run leaves it out until finance confirms it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.billing.models import Meter, MeterKind, MeterReading, MeterScope, Tariff
from parkops.billing.rules import utilities
from parkops.billing.rules.run_plan import parse_month
from parkops.billing.run import shanghai_today
from parkops.core import audit
from parkops.core.actor import Actor, actor_id
from parkops.core.errors import Conflict, NotFound, ValidationFailed
from parkops.core.i18n import Message
from parkops.core.importing import Checked, ImportSpec, RowErrors
from parkops.core.last_day import end_after_or_none
from parkops.core.pagination import Page, paginate
from parkops.core.parsing import optional_int
from parkops.core.rows import get_or_404
from parkops.core.tabular import N_, Column, PreviewRow, RowError, date_value, decimal, text
from parkops.db.base import utcnow

KIND_LABELS = {MeterKind.electricity: N_("Electricity"), MeterKind.water: N_("Water")}
SCOPE_LABELS = {MeterScope.unit: N_("Unit meter"), MeterScope.common: N_("Common-area meter")}
UNITS = {MeterKind.electricity: "kWh", MeterKind.water: "m³"}
MAX_VALUE = Decimal("999999999999.99")


def _decimal(
    raw: Any,
    field: str,
    errors: dict,
    *,
    required: bool = True,
    places: int = 2,
    positive: bool = False,
) -> Decimal | None:
    text_value = str(raw if raw is not None else "").strip().replace(",", "")
    if not text_value:
        if required:
            errors[field] = "Enter a number."
        return None
    try:
        value = Decimal(text_value)
    except InvalidOperation:
        errors[field] = "Enter a number."
        return None
    if not value.is_finite() or value.as_tuple().exponent < -places:  # type: ignore[operator]
        errors[field] = Message(N_("At most %(n)s decimals."), n=places)
        return None
    if value < 0 or (positive and value == 0) or value > MAX_VALUE:
        errors[field] = (
            N_("Enter a positive number.") if positive else N_("The number cannot be negative.")
        )
        return None
    return value


def _date(raw: Any, field: str, errors: dict, *, required: bool = True) -> date | None:
    if isinstance(raw, date):
        return raw
    value = str(raw or "").strip()
    if not value:
        if required:
            errors[field] = N_("Enter the date.")
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[field] = N_("Enter a date like 2026-11-30.")
        return None


# --- meters ---------------------------------------------------------------------------------


async def create_meter(db: AsyncSession, actor: Actor, raw: Mapping[str, Any]) -> Meter:
    errors: dict[str, str] = {}
    kind = raw.get("kind")
    if kind not in {k.value for k in MeterKind}:
        errors["kind"] = N_("Choose electricity or water.")
    scope = raw.get("scope") or MeterScope.unit.value
    if scope not in {s.value for s in MeterScope}:
        errors["scope"] = N_("Choose a unit meter or a common-area meter.")
    code = str(raw.get("code") or "").strip()
    if not code:
        errors["code"] = N_("Give the meter number.")
    elif len(code) > 40:
        errors["code"] = N_("At most 40 characters.")
    multiplier = _decimal(raw.get("multiplier") or "1", "multiplier", errors, positive=True)
    initial = _decimal(raw.get("initial_reading") or "0", "initial_reading", errors)
    installed_on = _date(raw.get("installed_on"), "installed_on", errors)
    place = None
    if scope == MeterScope.unit:
        unit_id = optional_int(raw.get("unit_id"))
        place = (
            (
                await db.execute(
                    sa.text(
                        "SELECT id AS unit_id, building_id, park_id FROM units "
                        "WHERE id = :id AND retired_at IS NULL"
                    ),
                    {"id": unit_id},
                )
            )
            .mappings()
            .first()
            if unit_id
            else None
        )
        if place is None:
            errors["unit_id"] = N_("Choose the unit the meter measures.")
    elif scope == MeterScope.common:
        building_id = optional_int(raw.get("building_id"))
        place = (
            (
                await db.execute(
                    sa.text(
                        "SELECT NULL::int AS unit_id, id AS building_id, park_id FROM buildings "
                        "WHERE id = :id"
                    ),
                    {"id": building_id},
                )
            )
            .mappings()
            .first()
            if building_id
            else None
        )
        if place is None:
            errors["building_id"] = N_("Choose the building whose common areas the meter measures.")
    if place and code and "code" not in errors:
        taken = await db.scalar(
            sa.select(Meter.id).where(Meter.park_id == place["park_id"], Meter.code == code)
        )
        if taken:
            errors["code"] = Message(N_("Meter %(code)s already exists in this park."), code=code)
    if errors:
        raise ValidationFailed(N_("The meter was not created."), field_errors=errors)
    assert place is not None
    meter = Meter(
        park_id=place["park_id"],
        building_id=place["building_id"],
        unit_id=place["unit_id"],
        kind=str(kind),
        scope=str(scope),
        code=code,
        multiplier=multiplier,  # type: ignore[arg-type]
        initial_reading=initial,  # type: ignore[arg-type]
        installed_on=installed_on,  # type: ignore[arg-type]
        note=str(raw.get("note") or "").strip()[:200],
    )
    db.add(meter)
    try:
        async with db.begin_nested():
            await db.flush()
    except IntegrityError:
        raise ValidationFailed(
            N_("The meter was not created."),
            field_errors={"code": Message(N_("Meter %(code)s already exists."), code=code)},
        ) from None
    audit.record(
        db,
        actor=actor,
        action="billing_meter_created",
        entity="billing_meter",
        entity_id=meter.id,
        after=audit.snapshot(meter),
    )
    return meter


def meters_statement(
    *, kind: str | None = None, scope: str | None = None, q: str | None = None
) -> sa.Select:
    last = (
        sa.select(MeterReading.reading_month)
        .where(MeterReading.meter_id == Meter.id)
        .order_by(MeterReading.reading_month.desc())
        .limit(1)
        .scalar_subquery()
    )
    last_value = (
        sa.select(MeterReading.value)
        .where(MeterReading.meter_id == Meter.id)
        .order_by(MeterReading.reading_month.desc())
        .limit(1)
        .scalar_subquery()
    )
    stmt = sa.select(
        Meter.id,
        Meter.code,
        Meter.kind,
        Meter.scope,
        Meter.multiplier,
        Meter.active,
        Meter.initial_reading,
        sa.text("(SELECT code FROM units WHERE units.id = billing_meters.unit_id) AS unit_code"),
        sa.text(
            "(SELECT code FROM buildings WHERE buildings.id = billing_meters.building_id) "
            "AS building_code"
        ),
        last.label("last_month"),
        last_value.label("last_value"),
    ).order_by(Meter.code)
    if kind:
        stmt = stmt.where(Meter.kind == kind)
    if scope:
        stmt = stmt.where(Meter.scope == scope)
    if q:
        stmt = stmt.where(Meter.code.ilike(f"%{q.strip()}%"))
    return stmt


async def list_meters(db: AsyncSession, *, page: int = 1, **filters: Any) -> Page:
    return await paginate(db, meters_statement(**filters), page=page, page_size=50)


async def get_meter(db: AsyncSession, meter_id: int) -> Meter:
    return await get_or_404(db, Meter, meter_id, N_("No such meter"))


async def meter_readings(db: AsyncSession, meter_id: int, limit: int = 24) -> list[MeterReading]:
    return list(
        (
            await db.execute(
                sa.select(MeterReading)
                .where(MeterReading.meter_id == meter_id)
                .order_by(MeterReading.reading_month.desc())
                .limit(limit)
            )
        ).scalars()
    )


# --- readings -------------------------------------------------------------------------------


async def record_reading(
    db: AsyncSession,
    actor: Actor,
    meter_id: int,
    raw: Mapping[str, Any],
    *,
    today: date | None = None,
) -> MeterReading:
    """Record the reading of ``reading_month``; refused with field errors when it cannot be
    right, stored flagged when the consumption jumps (see the module docstring)."""
    today = today or shanghai_today()
    errors: dict[str, str] = {}
    month = None
    try:
        month = parse_month(str(raw.get("reading_month") or ""))
    except ValueError:
        errors["reading_month"] = N_("Enter the month like 2026-11.")
    value = _decimal(raw.get("value"), "value", errors)
    read_on = _date(raw.get("read_on"), "read_on", errors, required=False) or today
    if read_on > today:
        errors["read_on"] = N_("The date cannot be in the future.")
    replaced = str(raw.get("replaced") or "").lower() in {"1", "true", "on", "yes"}
    replacement = None
    if replaced:
        old_final = _decimal(raw.get("old_final_value"), "old_final_value", errors)
        new_start = _decimal(raw.get("new_start_value"), "new_start_value", errors)
        if old_final is not None and new_start is not None:
            replacement = utilities.Replacement(old_final, new_start)
    meter = await db.scalar(sa.select(Meter).where(Meter.id == meter_id).with_for_update())
    if meter is None:
        raise NotFound(N_("No such meter"))
    if errors:
        raise ValidationFailed(N_("The reading was not recorded."), field_errors=errors)
    assert month is not None and value is not None
    history = list(
        (
            await db.execute(
                sa.select(MeterReading)
                .where(MeterReading.meter_id == meter_id)
                .order_by(MeterReading.reading_month.desc())
                .limit(utilities.JUMP_HISTORY)
            )
        ).scalars()
    )
    if history and month <= history[0].reading_month:
        raise ValidationFailed(
            N_("The reading was not recorded."),
            field_errors={
                "reading_month": Message(
                    N_(
                        "Meter %(code)s already has a reading for %(month)s; readings are entered"
                        " month after month."
                    ),
                    code=meter.code,
                    month=f"{history[0].reading_month:%Y-%m}",
                )
            },
        )
    if month < meter.installed_on.replace(day=1):
        raise ValidationFailed(
            N_("The reading was not recorded."),
            field_errors={"reading_month": N_("The meter was installed after that month.")},
        )
    previous = history[0].value if history else meter.initial_reading
    try:
        used = utilities.consumption(previous, value, replacement)
    except utilities.ReadingError as exc:
        raise ValidationFailed(
            N_("The reading was not recorded."), field_errors={exc.field: exc.message}
        ) from None
    flag = utilities.unusual_jump(used, [r.consumption for r in reversed(history)])
    reading = MeterReading(
        meter_id=meter_id,
        reading_month=month,
        read_on=read_on,
        value=value,
        previous_value=previous,
        replaced=replacement is not None,
        old_final_value=replacement.old_final if replacement else None,
        new_start_value=replacement.new_start if replacement else None,
        consumption=used,
        quantity=used * meter.multiplier,
        flagged=flag is not None,
        flag_reason=(flag or "")[:300],
        entered_by=actor_id(actor),
    )
    db.add(reading)
    try:
        async with db.begin_nested():
            await db.flush()
    except IntegrityError:
        raise ValidationFailed(
            N_("The reading was not recorded."),
            field_errors={"reading_month": N_("There is already a reading for that month.")},
        ) from None
    audit.record(
        db,
        actor=actor,
        action="billing_reading_recorded",
        entity="billing_meter",
        entity_id=meter_id,
        after=audit.snapshot(
            reading,
            "reading_month",
            "value",
            "previous_value",
            "replaced",
            "old_final_value",
            "new_start_value",
            "consumption",
            "quantity",
            "flagged",
        ),
    )
    return reading


async def confirm_reading(db: AsyncSession, actor: Actor, reading_id: int) -> MeterReading:
    reading = await db.scalar(
        sa.select(MeterReading).where(MeterReading.id == reading_id).with_for_update()
    )
    if reading is None:
        raise NotFound(N_("No such reading"))
    if not reading.flagged:
        raise Conflict(N_("This reading was not flagged."))
    if reading.confirmed_at is not None:
        raise Conflict(N_("This reading was already confirmed."))
    reading.confirmed_at = utcnow()
    reading.confirmed_by = actor_id(actor)
    await db.flush()
    audit.record(
        db,
        actor=actor,
        action="billing_reading_confirmed",
        entity="billing_meter",
        entity_id=reading.meter_id,
        after={"reading_id": reading_id, "reading_month": reading.reading_month},
    )
    return reading


async def flagged_readings(db: AsyncSession) -> list[dict]:
    rows = await db.execute(
        sa.select(
            MeterReading.id,
            MeterReading.reading_month,
            MeterReading.value,
            MeterReading.consumption,
            MeterReading.flag_reason,
            Meter.id.label("meter_id"),
            Meter.code.label("meter_code"),
            Meter.kind,
        )
        .join(Meter, Meter.id == MeterReading.meter_id)
        .where(MeterReading.flagged, MeterReading.confirmed_at.is_(None))
        .order_by(MeterReading.reading_month, Meter.code)
    )
    return [dict(r) for r in rows.mappings()]


# --- CSV import of readings -----------------------------------------------------------------


def _month_cell():
    class MonthParser:
        hint = N_("A month like 2026-11")

        def __call__(self, value: str) -> date:
            try:
                return parse_month(value)
            except ValueError:
                raise ValueError(N_("Enter the month like 2026-11")) from None

        def export(self, value: Any, lang: str) -> Any:
            return value.strftime("%Y-%m") if isinstance(value, date) else value

    return MonthParser()


READING_COLUMNS = [
    Column("meter_code", "Meter", "表号", required=True, parse=text(max_length=40)),
    Column("reading_month", "Month", "月份", required=True, parse=_month_cell()),
    Column("value", "Reading", "读数", required=True, parse=decimal(places=2, min_value=0)),
    Column("read_on", "Read on", "抄表日期", parse=date_value()),
    Column(
        "old_final_value",
        "Old meter final reading",
        "旧表止码",
        parse=decimal(places=2, min_value=0),
    ),
    Column(
        "new_start_value",
        "New meter start reading",
        "新表起码",
        parse=decimal(places=2, min_value=0),
    ),
]


async def _meters_by_code(db: AsyncSession, codes: set[str]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for meter_id, code in await db.execute(
        sa.select(Meter.id, Meter.code).where(Meter.code.in_(codes))
    ):
        found.setdefault(code, []).append(meter_id)
    return found


async def check_readings(db: AsyncSession, actor: Actor, rows: list[PreviewRow]) -> Checked:
    meters = await _meters_by_code(db, {r.values["meter_code"] for r in rows})
    errors = []
    seen: set[tuple[str, date]] = set()
    for r in rows:
        code = r.values["meter_code"]
        if code not in meters:
            errors.append(RowError(r.line, "meter_code", N_("No meter %(code)s"), {"code": code}))
        elif len(meters[code]) > 1:
            errors.append(
                RowError(
                    r.line,
                    "meter_code",
                    N_("Meter number %(code)s is used in several parks"),
                    {"code": code},
                )
            )
        key = (code, r.values["reading_month"])
        if key in seen:
            errors.append(
                RowError(
                    r.line, "reading_month", N_("A second reading of this meter for the same month")
                )
            )
        seen.add(key)
        if (r.values["old_final_value"] is None) != (r.values["new_start_value"] is None):
            errors.append(
                RowError(
                    r.line,
                    "new_start_value",
                    N_(
                        "Give both the old meter's final and the new meter's start "
                        "reading, or neither"
                    ),
                )
            )
    return rows, errors


async def commit_readings(db: AsyncSession, actor: Actor, rows: list[PreviewRow]) -> int:
    """Record every row (in meter and month order) or none: the first refusal of any row
    rejects the import with every row's problem listed."""
    meters = await _meters_by_code(db, {r.values["meter_code"] for r in rows})
    problems: list[RowError] = []
    for r in sorted(rows, key=lambda r: (r.values["meter_code"], r.values["reading_month"])):
        v = r.values
        raw = {
            "reading_month": v["reading_month"].strftime("%Y-%m"),
            "value": str(v["value"]),
            "read_on": v["read_on"].isoformat() if v["read_on"] else "",
            "replaced": "1" if v["old_final_value"] is not None else "",
            "old_final_value": "" if v["old_final_value"] is None else str(v["old_final_value"]),
            "new_start_value": "" if v["new_start_value"] is None else str(v["new_start_value"]),
        }
        try:
            async with db.begin_nested():
                await record_reading(db, actor, meters[v["meter_code"]][0], raw)
        except ValidationFailed as exc:
            for field, message in exc.field_errors.items():
                column = field if field in {c.name for c in READING_COLUMNS} else None
                problems.append(RowError(r.line, column, message))
    if problems:
        raise RowErrors(problems)
    return len(rows)


READING_IMPORT = ImportSpec(
    key="billing.readings",
    title=N_("Import meter readings"),
    columns=READING_COLUMNS,
    check=check_readings,
    write=commit_readings,
    template_filename="meter-readings.csv",
)


# --- tariffs --------------------------------------------------------------------------------


def parse_tiers_text(value: str, errors: dict) -> list[dict] | None:
    """``"1000=0.60; 3000=0.75; *=0.90"`` (yuan per unit up to a monthly quantity) -> JSON."""
    value = (value or "").strip()
    if not value:
        return None
    tiers = []
    for part in [p.strip() for p in value.replace("，", ";").replace(",", ";").split(";")]:
        if not part:
            continue
        bound, _, price = part.partition("=")
        try:
            price_fen = Decimal(price.strip()) * 100
            up_to = None if bound.strip() in {"*", ""} else str(Decimal(bound.strip()))
        except InvalidOperation:
            errors["tiers"] = N_("Write tiers like 1000=0.60; 3000=0.75; *=0.90")
            return None
        tiers.append({"up_to": up_to, "price_fen": str(price_fen)})
    try:
        utilities.parse_tiers(tiers)
    except ValueError as exc:
        errors["tiers"] = Message(N_("Tiers: %(problem)s."), problem=exc.args[0])
        return None
    return tiers


async def create_tariff(db: AsyncSession, actor: Actor, raw: Mapping[str, Any]) -> Tariff:
    errors: dict[str, str] = {}
    park_id = optional_int(raw.get("park_id"))
    if not park_id or not await db.scalar(
        sa.text("SELECT EXISTS (SELECT 1 FROM parks WHERE id = :id)"), {"id": park_id}
    ):
        errors["park_id"] = N_("Choose the park.")
    kind = raw.get("kind")
    if kind not in {k.value for k in MeterKind}:
        errors["kind"] = N_("Choose electricity or water.")
    price = _decimal(raw.get("price"), "price", errors, places=4)
    valid_from = _date(raw.get("valid_from"), "valid_from", errors)
    # typed as the inclusive last day, kept as the day after (core.last_day)
    valid_to = end_after_or_none(_date(raw.get("last_day"), "last_day", errors, required=False))
    if valid_from and valid_to and valid_to <= valid_from:
        errors["last_day"] = N_("The last day cannot be before the start date")
    tiers = parse_tiers_text(str(raw.get("tiers") or ""), errors)
    if not errors:
        overlap = await db.scalar(
            sa.select(Tariff.id).where(
                Tariff.park_id == park_id,
                Tariff.kind == kind,
                sa.or_(Tariff.valid_to.is_(None), Tariff.valid_to > valid_from),
                sa.true() if valid_to is None else Tariff.valid_from < valid_to,
            )
        )
        if overlap:
            errors["valid_from"] = N_(
                "Another tariff of this kind is in force in these dates; end it first."
            )
    if errors:
        raise ValidationFailed(N_("The tariff was not saved."), field_errors=errors)
    tariff = Tariff(
        park_id=park_id,  # type: ignore[arg-type]
        kind=str(kind),
        valid_from=valid_from,  # type: ignore[arg-type]
        valid_to=valid_to,
        unit_price_fen=price * 100,  # type: ignore[operator]
        tiers=tiers,
        note=str(raw.get("note") or "").strip()[:200],
        created_by=actor_id(actor),
    )
    db.add(tariff)
    try:
        async with db.begin_nested():
            await db.flush()
    except IntegrityError:
        raise ValidationFailed(
            N_("The tariff was not saved."),
            field_errors={
                "valid_from": N_("Another tariff of this kind is in force in these dates.")
            },
        ) from None
    audit.record(
        db,
        actor=actor,
        action="billing_tariff_created",
        entity="billing_tariff",
        entity_id=tariff.id,
        after=audit.snapshot(tariff),
    )
    return tariff


async def end_tariff(
    db: AsyncSession, actor: Actor, tariff_id: int, raw: Mapping[str, Any]
) -> Tariff:
    """Give an open-ended tariff an end date (so a new one can follow)."""
    errors: dict[str, str] = {}
    valid_to = end_after_or_none(_date(raw.get("last_day"), "last_day", errors))
    tariff = await get_or_404(db, Tariff, tariff_id, N_("No such tariff"))
    if valid_to and valid_to <= tariff.valid_from:
        errors["last_day"] = N_("The last day cannot be before the start date")
    if tariff.valid_to is not None:
        errors["last_day"] = N_("This tariff already has an end date.")
    if errors:
        raise ValidationFailed(N_("The tariff was not changed."), field_errors=errors)
    tariff.valid_to = valid_to
    await db.flush()
    audit.record(
        db,
        actor=actor,
        action="billing_tariff_ended",
        entity="billing_tariff",
        entity_id=tariff_id,
        after={"valid_to": valid_to},
    )
    return tariff


async def list_tariffs(db: AsyncSession) -> list[dict]:
    rows = await db.execute(
        sa.select(
            Tariff.__table__,
            sa.text(
                "(SELECT name FROM parks WHERE parks.id = billing_tariffs.park_id) AS park_name"
            ),
        ).order_by(Tariff.park_id, Tariff.kind, Tariff.valid_from.desc())
    )
    return [dict(r) for r in rows.mappings()]


async def unit_choices(db: AsyncSession) -> list[dict]:
    rows = await db.execute(
        sa.text("SELECT id, code FROM units WHERE retired_at IS NULL ORDER BY code LIMIT 5000")
    )
    return [dict(r) for r in rows.mappings()]


async def building_choices(db: AsyncSession) -> list[dict]:
    rows = await db.execute(sa.text("SELECT id, code, name FROM buildings ORDER BY code"))
    return [dict(r) for r in rows.mappings()]


def kinds() -> Sequence[str]:
    return [k.value for k in MeterKind]
