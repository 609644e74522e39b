"""Departments and the dispatch catalogue (categories with their default departments and time
limits), editable by the service desk."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts.identity import CurrentUser
from parkops.core import audit
from parkops.core.errors import ValidationFailed
from parkops.core.i18n import N_, Message
from parkops.core.integrity import flush_or_field_error
from parkops.core.parsing import optional_int
from parkops.core.rows import get_or_404
from parkops.db.base import utcnow
from parkops.tickets.models import (
    CategoryCoDepartment,
    Department,
    DepartmentKind,
    TicketCategory,
)

CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
LIMITS: dict[str, tuple[str, int, int]] = {
    # field: (label for messages, min, max) in working days; mirrors the CHECK constraints.
    "accept_days": (N_("The acceptance limit"), 1, 30),
    "first_reply_days": (N_("The first-reply limit"), 1, 60),
    "resolve_days": (N_("The resolve limit"), 1, 60),
    "return_days": (N_("The return limit"), 1, 30),
    "follow_up_days": (N_("The rating period"), 1, 30),
}
LIMIT_DEFAULTS = {
    "accept_days": 1,
    "first_reply_days": 3,
    "resolve_days": 15,
    "return_days": 2,
    "follow_up_days": 5,
}


# --- departments -------------------------------------------------------------------------------


async def list_departments(db: AsyncSession, *, active_only: bool = False) -> list[Department]:
    stmt = sa.select(Department).order_by(Department.id)
    if active_only:
        stmt = stmt.where(Department.is_active.is_(True))
    return list((await db.execute(stmt)).scalars())


async def get_department(db: AsyncSession, department_id: int) -> Department:
    return await get_or_404(db, Department, department_id, N_("No such department"))


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return str(value).strip() if value is not None else ""


def _flag(value: Any, default: bool = True) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("1", "true", "on", "yes")


def _department_fields(data: Mapping[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    name, name_en = _text(data, "name"), _text(data, "name_en")
    kind = _text(data, "kind") or DepartmentKind.GOVERNMENT.value
    if not name or len(name) > 120:
        errors["name"] = N_("Enter the department's name (at most 120 characters)")
    if not name_en or len(name_en) > 160:
        errors["name_en"] = N_("Enter the English name (at most 160 characters)")
    if kind not in set(DepartmentKind):
        errors["kind"] = N_("Choose government department or park office")
    return {
        "name": name,
        "name_en": name_en,
        "kind": kind,
        "is_active": _flag(data.get("is_active")),
    }


async def create_department(
    db: AsyncSession, actor: CurrentUser, data: Mapping[str, Any]
) -> Department:
    errors: dict[str, str] = {}
    code = _text(data, "code").lower()
    if not CODE_RE.match(code):
        errors["code"] = N_(
            "2 to 40 characters: lower-case letters, digits and _, starting a letter"
        )
    fields = _department_fields(data, errors)
    if not errors.get("code") and await db.scalar(
        sa.select(sa.func.count()).where(Department.code == code)
    ):
        errors["code"] = Message(N_("The code '%(code)s' is already used"), code=code)
    if errors:
        raise ValidationFailed(N_("The department was not saved."), field_errors=errors)
    row = Department(code=code, **fields)
    db.add(row)
    used = Message(N_("The code '%(code)s' is already used"), code=code)
    await flush_or_field_error(db, {"uq_departments_code": ("code", used)})
    audit.record(
        db,
        actor=actor,
        action="department_created",
        entity="department",
        entity_id=row.id,
        after=audit.snapshot(row, "code", "name", "name_en", "kind", "is_active"),
    )
    return row


async def update_department(
    db: AsyncSession, actor: CurrentUser, department_id: int, data: Mapping[str, Any]
) -> Department:
    row = await get_department(db, department_id)
    errors: dict[str, str] = {}
    fields = _department_fields(data, errors)
    if errors:
        raise ValidationFailed(N_("The department was not saved."), field_errors=errors)
    before = audit.snapshot(row, "name", "name_en", "kind", "is_active")
    for key, value in fields.items():
        setattr(row, key, value)
    await db.flush()
    audit.record(
        db,
        actor=actor,
        action="department_updated",
        entity="department",
        entity_id=row.id,
        before=before,
        after=audit.snapshot(row, "name", "name_en", "kind", "is_active"),
    )
    return row


# --- categories --------------------------------------------------------------------------------


async def list_categories(db: AsyncSession, *, active_only: bool = False) -> list[dict]:
    """Categories with their lead department's names and co-handling department ids."""
    co = (
        sa.select(sa.func.coalesce(sa.func.array_agg(CategoryCoDepartment.department_id), []))
        .where(CategoryCoDepartment.category_id == TicketCategory.id)
        .scalar_subquery()
    )
    stmt = (
        sa.select(
            *TicketCategory.__table__.c,
            Department.name.label("lead_department_name"),
            Department.name_en.label("lead_department_name_en"),
            co.label("co_department_ids"),
        )
        .join(Department, Department.id == TicketCategory.lead_department_id)
        .order_by(TicketCategory.sort_order, TicketCategory.id)
    )
    if active_only:
        stmt = stmt.where(TicketCategory.is_active.is_(True))
    rows = (await db.execute(stmt)).mappings().all()
    return [{**r, "co_department_ids": sorted(r["co_department_ids"] or [])} for r in rows]


async def get_category(db: AsyncSession, category_id: int) -> TicketCategory:
    return await get_or_404(db, TicketCategory, category_id, N_("No such category"))


async def co_department_ids(db: AsyncSession, category_id: int) -> list[int]:
    rows = await db.execute(
        sa.select(CategoryCoDepartment.department_id)
        .where(CategoryCoDepartment.category_id == category_id)
        .order_by(CategoryCoDepartment.department_id)
    )
    return list(rows.scalars())


def _ids(values: Any) -> list[int] | None:
    if values is None:
        return []
    if not isinstance(values, list | tuple | set):
        values = [values]
    result = []
    for value in values:
        if value in (None, ""):
            continue
        number = optional_int(value)
        if number is None:
            return None
        result.append(number)
    return sorted(set(result))


async def active_department_ids(db: AsyncSession, ids: Iterable[int]) -> set[int]:
    ids = list(ids)
    if not ids:
        return set()
    rows = await db.execute(
        sa.select(Department.id).where(Department.id.in_(ids), Department.is_active.is_(True))
    )
    return set(rows.scalars())


async def _category_fields(
    db: AsyncSession, data: Mapping[str, Any], errors: dict[str, str], *, partial_of=None
) -> tuple[dict[str, Any], list[int] | None]:
    def pick(key: str) -> Any:
        if key in data:
            return data[key]
        return getattr(partial_of, key) if partial_of is not None else None

    fields: dict[str, Any] = {}
    for key, limit in (("name", 120), ("name_en", 160)):
        value = str(pick(key) or "").strip()
        if not value or len(value) > limit:
            errors[key] = Message(N_("Enter a name of 1 to %(limit)s characters"), limit=limit)
        fields[key] = value
    lead = optional_int(pick("lead_department_id"))
    if lead is None:
        errors["lead_department_id"] = N_("Choose the default lead department")
    fields["lead_department_id"] = lead
    for key, (label, low, high) in LIMITS.items():
        raw = pick(key)
        value = LIMIT_DEFAULTS[key] if raw in (None, "") else optional_int(raw)
        if value is None or not low <= value <= high:
            errors[key] = Message(
                N_("%(label)s is a whole number of working days from %(low)s to %(high)s"),
                label=Message(label),
                low=low,
                high=high,
            )
        fields[key] = value
    fields["sort_order"] = optional_int(pick("sort_order")) or 0
    fields["is_active"] = _flag(pick("is_active"))

    co: list[int] | None = None
    if "co_department_ids" in data or partial_of is None:
        co = _ids(data.get("co_department_ids"))
        if co is None:
            errors["co_department_ids"] = N_("Choose co-handling departments from the list")
    wanted = ({lead} if lead else set()) | set(co or [])
    known = await active_department_ids(db, wanted)
    if lead and lead not in known:
        errors["lead_department_id"] = N_("Choose an active department")
    if co:
        if lead in co:
            errors["co_department_ids"] = N_(
                "The lead department cannot also be a co-handling department"
            )
        elif set(co) - known:
            errors["co_department_ids"] = N_("Choose active departments only")
    return fields, co


async def _set_co_departments(db: AsyncSession, category_id: int, ids: list[int]) -> None:
    await db.execute(
        sa.delete(CategoryCoDepartment).where(CategoryCoDepartment.category_id == category_id)
    )
    for department_id in ids:
        db.add(CategoryCoDepartment(category_id=category_id, department_id=department_id))
    await db.flush()


def _category_snapshot(row: TicketCategory, co: list[int]) -> dict:
    return {
        **audit.snapshot(
            row,
            "code",
            "name",
            "name_en",
            "lead_department_id",
            *LIMITS,
            "sort_order",
            "is_active",
        ),
        "co_department_ids": co,
    }


async def create_category(
    db: AsyncSession, actor: CurrentUser, data: Mapping[str, Any]
) -> TicketCategory:
    errors: dict[str, str] = {}
    code = _text(data, "code").lower()
    if not CODE_RE.match(code):
        errors["code"] = N_(
            "2 to 40 characters: lower-case letters, digits and _, starting a letter"
        )
    elif await db.scalar(sa.select(sa.func.count()).where(TicketCategory.code == code)):
        errors["code"] = Message(N_("The code '%(code)s' is already used"), code=code)
    fields, co = await _category_fields(db, data, errors)
    if errors:
        raise ValidationFailed(N_("The category was not saved."), field_errors=errors)
    row = TicketCategory(code=code, **fields)
    db.add(row)
    used = Message(N_("The code '%(code)s' is already used"), code=code)
    await flush_or_field_error(db, {"uq_ticket_categories_code": ("code", used)})
    await _set_co_departments(db, row.id, co or [])
    audit.record(
        db,
        actor=actor,
        action="ticket_category_created",
        entity="ticket_category",
        entity_id=row.id,
        after=_category_snapshot(row, co or []),
    )
    return row


async def update_category(
    db: AsyncSession, actor: CurrentUser, category_id: int, data: Mapping[str, Any]
) -> TicketCategory:
    """Change a category. Tickets already filed keep the limits they were filed with."""
    row = await get_category(db, category_id)
    before = _category_snapshot(row, await co_department_ids(db, category_id))
    errors: dict[str, str] = {}
    fields, co = await _category_fields(db, data, errors, partial_of=row)
    if errors:
        raise ValidationFailed(N_("The category was not saved."), field_errors=errors)
    for key, value in fields.items():
        setattr(row, key, value)
    row.updated_at = utcnow()
    await db.flush()
    if co is not None:
        await _set_co_departments(db, row.id, co)
    audit.record(
        db,
        actor=actor,
        action="ticket_category_updated",
        entity="ticket_category",
        entity_id=row.id,
        before=before,
        after=_category_snapshot(row, await co_department_ids(db, category_id)),
    )
    return row
