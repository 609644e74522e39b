"""The register of tenant enterprises: registering one and changing it (with its online shops).

Services flush, never commit. Who may call what is decided by the routes; what a caller may see,
by the queries (``repository.scoped``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts.identity import CurrentUser
from parkops.core import audit
from parkops.core.actor import Actor
from parkops.core.errors import Conflict, NotFound, ValidationFailed
from parkops.core.i18n import N_, Message
from parkops.core.integrity import flush_or_field_error
from parkops.db.base import utcnow
from parkops.enterprises.models import Enterprise, EnterpriseShop
from parkops.enterprises.repository import list_shops
from parkops.enterprises.rules.enterprise import EnterpriseInput, clean_enterprise
from parkops.enterprises.workflow import transition_problem

AUDITED_FIELDS = (
    "name",
    "name_en",
    "uscc",
    "legal_representative",
    "address",
    "address_en",
    "contact_person",
    "contact_mobile",
    "industry",
    "status",
    "registered_capital_fen",
    "employee_count",
)


def _duplicate_message(uscc: str, name: str) -> str:
    return Message(
        N_("Unified Social Credit Code %(uscc)s is already registered for %(name)s."),
        uscc=uscc,
        name=name,
    )


async def _check_uscc_free(db: AsyncSession, uscc: str, *, except_id: int | None = None) -> None:
    stmt = sa.select(Enterprise.name).where(Enterprise.uscc == uscc)
    if except_id is not None:
        stmt = stmt.where(Enterprise.id != except_id)
    holder = await db.scalar(stmt)
    if holder is not None:
        raise Conflict(
            N_("The enterprise was not saved."),
            field_errors={"uscc": _duplicate_message(uscc, holder)},
        )


async def _flush_guarding_uscc(db: AsyncSession, uscc: str) -> None:
    """Flush in a savepoint; a concurrent insert of the same USCC becomes a friendly 409."""
    taken = Message(N_("Unified Social Credit Code %(uscc)s is already registered."), uscc=uscc)
    await flush_or_field_error(
        db, {"uq_enterprises_uscc": ("uscc", taken)}, message=N_("The enterprise was not saved.")
    )


def _clean_or_raise(raw: Mapping[str, Any]) -> EnterpriseInput:
    clean, errors = clean_enterprise(raw)
    if errors:
        raise ValidationFailed(N_("The enterprise was not saved."), field_errors=errors)
    assert clean is not None
    return clean


def _shops_snapshot(shops) -> list[dict]:
    return [{"platform": s.platform, "shop_name": s.shop_name, "url": s.url} for s in shops]


async def create_enterprise(db: AsyncSession, actor: Actor, raw: Mapping[str, Any]) -> Enterprise:
    clean = _clean_or_raise(raw)
    await _check_uscc_free(db, clean.uscc)
    enterprise = Enterprise(**clean.row())
    db.add(enterprise)
    await _flush_guarding_uscc(db, clean.uscc)
    assert enterprise.id is not None
    for shop in clean.shops:
        db.add(EnterpriseShop(enterprise_id=enterprise.id, **asdict(shop)))
    await db.flush()
    audit.record(
        db,
        actor=actor,
        action="enterprise_created",
        entity="enterprise",
        entity_id=enterprise.id,
        after={
            **audit.snapshot(enterprise, *AUDITED_FIELDS),
            "shops": _shops_snapshot(clean.shops),
        },
    )
    return enterprise


def editable_values(enterprise: Enterprise, shops: list[EnterpriseShop]) -> dict[str, Any]:
    """The current values in the shape :func:`clean_enterprise` accepts."""
    values = {f: getattr(enterprise, f) for f in AUDITED_FIELDS}
    values["shops"] = _shops_snapshot(shops)
    return values


async def update_enterprise(
    db: AsyncSession, actor: CurrentUser, enterprise_id: int, changes: Mapping[str, Any]
) -> Enterprise:
    """Apply ``changes`` (all fields from a form, or some from an API PATCH) and re-check all.

    The registered capital may come as ``registered_capital`` (yuan, from a form) or
    ``registered_capital_fen``; online shops are replaced only when ``shops`` is given.
    """
    enterprise = (
        await db.execute(
            sa.select(Enterprise).where(Enterprise.id == enterprise_id).with_for_update()
        )
    ).scalar_one_or_none()
    if enterprise is None:
        raise NotFound(N_("No such enterprise"))
    current_shops = await list_shops(db, enterprise_id)
    merged = editable_values(enterprise, current_shops)
    if "registered_capital" in changes:
        merged.pop("registered_capital_fen")
    merged.update({k: v for k, v in changes.items() if k in merged or k == "registered_capital"})
    clean = _clean_or_raise(merged)
    problem = transition_problem(enterprise.status, clean.status)
    if problem:
        raise ValidationFailed(
            N_("The enterprise was not saved."), field_errors={"status": problem}
        )
    await _check_uscc_free(db, clean.uscc, except_id=enterprise_id)

    before = {
        **audit.snapshot(enterprise, *AUDITED_FIELDS),
        "shops": _shops_snapshot(current_shops),
    }
    for field, value in clean.row().items():
        setattr(enterprise, field, value)
    new_shops = _shops_snapshot(clean.shops)
    shops_changed = new_shops != before["shops"]
    after = {**audit.snapshot(enterprise, *AUDITED_FIELDS), "shops": new_shops}
    changed = [k for k in after if after[k] != before[k]]
    if not changed:
        return enterprise
    enterprise.updated_at = utcnow()
    await _flush_guarding_uscc(db, clean.uscc)
    if shops_changed:
        await db.execute(
            sa.delete(EnterpriseShop).where(EnterpriseShop.enterprise_id == enterprise_id)
        )
        for shop in clean.shops:
            db.add(EnterpriseShop(enterprise_id=enterprise_id, **asdict(shop)))
        await db.flush()
    audit.record(
        db,
        actor=actor,
        action="enterprise_updated",
        entity="enterprise",
        entity_id=enterprise_id,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    if "status" in changed:
        audit.record(
            db,
            actor=actor,
            action="enterprise_status_changed",
            entity="enterprise",
            entity_id=enterprise_id,
            before={"status": before["status"]},
            after={"status": after["status"]},
        )
    return enterprise
