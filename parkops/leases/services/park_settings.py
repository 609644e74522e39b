"""Per-park leases settings: the contract number prefix and the contract texts' defaults."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts.roles import Role
from parkops.core import audit
from parkops.core.actor import Actor
from parkops.core.errors import NotFound
from parkops.core.i18n import N_
from parkops.enterprises.rules.uscc import normalize_uscc, validate_uscc
from parkops.inventory.models import Park
from parkops.leases import repository
from parkops.leases.models import LeaseParkSettings
from parkops.leases.rules import terms as t
from parkops.leases.services.common import raise_if_errors, require_role


async def park_settings_overview(db: AsyncSession) -> list[dict]:
    """Every park with its contract prefix and lessor name (None where nothing is set yet)."""
    rows = await db.execute(
        sa.select(
            Park.id,
            Park.name,
            LeaseParkSettings.contract_prefix,
            LeaseParkSettings.lessor_name,
            LeaseParkSettings.lessor_uscc,
            LeaseParkSettings.lessor_bank_account,
        )
        .outerjoin(LeaseParkSettings, LeaseParkSettings.park_id == Park.id)
        .order_by(Park.name)
    )
    return [dict(r) for r in rows.mappings()]


async def park_settings_values(db: AsyncSession, park_id: int) -> tuple[str, dict[str, str]]:
    """The park's name and its settings as form values (empty strings where unset)."""
    name = await repository.park_name(db, park_id)
    if name is None:
        raise NotFound(N_("No such park"))
    settings = await db.get(LeaseParkSettings, park_id)
    values = {
        column: (getattr(settings, column) or "") if settings else ""
        for column in LeaseParkSettings.__table__.c.keys()
        if column != "park_id"
    }
    return name, values


async def set_park_settings(
    db: AsyncSession, actor: Actor, park_id: int, raw: Mapping[str, Any]
) -> LeaseParkSettings:
    require_role(actor, frozenset({Role.park_admin}))
    if await repository.park_name(db, park_id) is None:
        raise NotFound(N_("No such park"))
    errors: dict[str, str] = {}
    prefix = t.parse_text(
        raw.get("contract_prefix"), "contract_prefix", errors, max_length=8
    ).upper()
    if not prefix or not prefix[0].isalpha() or not prefix.isalnum() or not prefix.isascii():
        errors["contract_prefix"] = N_(
            "One to eight capital letters or digits, starting with a letter"
        )
    fields = {
        name: t.parse_text(raw.get(name), name, errors, max_length=column.type.length)
        for name, column in LeaseParkSettings.__table__.c.items()
        if name not in ("park_id", "contract_prefix") and name in raw
    }
    if fields.get("lessor_uscc"):
        # Printed on every contract as the lessor's code: held to the same check as tenants'.
        fields["lessor_uscc"] = normalize_uscc(fields["lessor_uscc"])
        if problem := validate_uscc(fields["lessor_uscc"]):
            errors["lessor_uscc"] = problem
    raise_if_errors(N_("The settings were not saved."), errors)
    settings = await db.get(LeaseParkSettings, park_id)
    before = audit.snapshot(settings) if settings else None
    if settings is None:
        settings = LeaseParkSettings(park_id=park_id, contract_prefix=prefix)
        db.add(settings)
    settings.contract_prefix = prefix
    for name, value in fields.items():
        setattr(settings, name, value)
    await db.flush()
    audit.record(
        db,
        actor=actor,
        action="lease_park_settings_saved",
        entity="park",
        entity_id=park_id,
        before=before,
        after=audit.snapshot(settings),
    )
    return settings
