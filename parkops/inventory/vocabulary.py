"""The words of the inventory domain: phase statuses, building uses, unit types and statuses.

Values are stored in CHECK-constrained text columns and never change; the labels are English
source strings that templates translate with ``_()``.
"""

from __future__ import annotations

from enum import StrEnum

from parkops.core.i18n import N_


class PhaseStatus(StrEnum):
    planned = "planned"
    under_construction = "under_construction"
    operating = "operating"


class BuildingUse(StrEnum):
    production = "production"
    office = "office"
    warehousing = "warehousing"
    hotel_apartment = "hotel_apartment"
    ecommerce = "ecommerce"


class UnitType(StrEnum):
    workshop = "workshop"
    office = "office"
    warehouse = "warehouse"
    shop = "shop"
    apartment = "apartment"
    live_streaming = "live_streaming"


class UnitStatus(StrEnum):
    available = "available"
    reserved = "reserved"
    leased = "leased"
    unavailable = "unavailable"


class LineageOperation(StrEnum):
    split = "split"  # type: ignore[assignment]  # a member named like str.split
    merge = "merge"


PHASE_STATUS_LABELS = {
    PhaseStatus.planned: N_("Planned"),
    PhaseStatus.under_construction: N_("Under construction"),
    PhaseStatus.operating: N_("Operating"),
}
BUILDING_USE_LABELS = {
    BuildingUse.production: N_("Production plant"),
    BuildingUse.office: N_("Office"),
    BuildingUse.warehousing: N_("Warehousing and logistics"),
    BuildingUse.hotel_apartment: N_("Hotel apartments"),
    BuildingUse.ecommerce: N_("Live-streaming and e-commerce"),
}
UNIT_TYPE_LABELS = {
    UnitType.workshop: N_("Workshop"),
    UnitType.office: N_("Office"),
    UnitType.warehouse: N_("Warehouse"),
    UnitType.shop: N_("Shop / exhibition"),
    UnitType.apartment: N_("Apartment"),
    UnitType.live_streaming: N_("Live-streaming room"),
}
UNIT_STATUS_LABELS = {
    UnitStatus.available: N_("Available"),
    UnitStatus.reserved: N_("Reserved"),
    UnitStatus.leased: N_("Leased"),
    UnitStatus.unavailable: N_("Unavailable"),
}
LINEAGE_LABELS = {LineageOperation.split: N_("Split"), LineageOperation.merge: N_("Merge")}

# Every label, for templates: ``labels[value]`` whatever the vocabulary.
ALL_LABELS: dict[str, str] = {
    **{k.value: v for k, v in PHASE_STATUS_LABELS.items()},
    **{k.value: v for k, v in BUILDING_USE_LABELS.items()},
    **{k.value: v for k, v in UNIT_TYPE_LABELS.items()},
    **{k.value: v for k, v in UNIT_STATUS_LABELS.items()},
    **{k.value: v for k, v in LINEAGE_LABELS.items()},
}
# "office" is both a building use and a unit type, with the same label: no clash.
