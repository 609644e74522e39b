"""Tables of the leases domain: contracts, their units, versioned terms, frozen rent schedules,
lifecycle events, terminations, reservations (holds), contract numbering, and unit occupancy.

``lease_unit_occupancy`` is what makes double-letting impossible. Every contract from its
submission on, and every live reservation, has one row per unit with the date range it takes;
two PostgreSQL exclusion constraints then refuse, under any concurrency:

* two contracts on the same unit with overlapping ranges (``ex_lease_unit_occupancy_contracts``);
* any two rows of *different* enterprises on the same unit with overlapping ranges
  (``ex_lease_unit_occupancy_enterprises``): another enterprise's hold blocks a contract, while a
  contract may overlap its own enterprise's hold (the contract consumes it on approval).

The application checks first only to name the conflicting contract or hold in its message.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import DATERANGE, JSONB, ExcludeConstraint
from sqlmodel import Field, SQLModel

from parkops.db.base import created_at_field, enum_check, tz_field
from parkops.documents.models import DocumentLanguage
from parkops.leases.rules.schedule import AreaBasis, DueKind, PaymentCycle, Proration, RentBasis
from parkops.leases.rules.terms import DepositKind
from parkops.leases.rules.workflow import ContractStatus

AREA = sa.Numeric(12, 2)
RATE = sa.Numeric(14, 4)


class ReservationStatus(StrEnum):
    active = "active"  # holding (unless ``held_until`` has passed: expired holds count for nothing)
    released = "released"  # let go by a leasing officer
    expired = "expired"  # ``held_until`` passed; released by the roll-over or a later request
    converted = "converted"  # consumed by the enterprise's approved contract


class OccupancyKind(StrEnum):
    contract = "contract"
    reservation = "reservation"


class LeaseParkSettings(SQLModel, table=True):
    """Per park: the contract number prefix (HX -> HX-2026-0001) and the lessor's details
    printed on contracts (the operating company of the park)."""

    __tablename__ = "lease_park_settings"
    __table_args__ = (
        sa.CheckConstraint("contract_prefix ~ '^[A-Z][A-Z0-9]{0,7}$'", name="prefix_format"),
    )

    park_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("parks.id", ondelete="CASCADE"), primary_key=True)
    )
    contract_prefix: str = Field(max_length=8)
    lessor_name: str = Field(default="", max_length=200)
    lessor_name_en: str = Field(default="", max_length=200)
    lessor_uscc: str = Field(default="", max_length=18)
    lessor_address: str = Field(default="", max_length=300)
    lessor_address_en: str = Field(default="", max_length=300)
    lessor_legal_representative: str = Field(default="", max_length=50)
    lessor_contact: str = Field(default="", max_length=50)
    lessor_phone: str = Field(default="", max_length=40)
    lessor_bank_name: str = Field(default="", max_length=100)
    lessor_bank_account: str = Field(default="", max_length=60)
    signing_place: str = Field(default="", max_length=100)
    signing_place_en: str = Field(default="", max_length=100)
    park_name_en: str = Field(default="", max_length=200)


class LeaseNumberCounter(SQLModel, table=True):
    """The last contract number given in a park and year. Locked ``FOR UPDATE`` by the approving
    transaction, so numbers are consecutive, without gaps (a rolled-back approval rolls the counter
    back too) and without duplicates."""

    __tablename__ = "lease_number_counters"
    __table_args__ = (sa.CheckConstraint("last_value >= 0", name="last_value_not_negative"),)

    park_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("parks.id", ondelete="CASCADE"), primary_key=True)
    )
    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last_value: int = Field(default=0)


class LeaseContract(SQLModel, table=True):
    __tablename__ = "lease_contracts"
    __table_args__ = (
        enum_check("status", ContractStatus),
        enum_check("language", DocumentLanguage),
        sa.CheckConstraint("end_date > start_date", name="term_not_empty"),
        sa.CheckConstraint(
            "terminated_on IS NULL OR (terminated_on > start_date AND terminated_on <= end_date)",
            name="terminated_within_term",
        ),
        sa.CheckConstraint(
            "(number IS NULL) = (number_seq IS NULL) AND (number IS NULL) = (number_year IS NULL)",
            name="number_parts_together",
        ),
        sa.CheckConstraint(
            "number IS NOT NULL OR status IN ('draft', 'pending_approval', 'cancelled')",
            name="number_once_approved",
        ),
        sa.UniqueConstraint("number"),
        sa.UniqueConstraint("park_id", "number_year", "number_seq"),
        # One live successor per contract (a cancelled renewal draft does not count).
        sa.Index(
            "uq_lease_contracts_predecessor_id",
            "predecessor_id",
            unique=True,
            postgresql_where=sa.text("predecessor_id IS NOT NULL AND status <> 'cancelled'"),
        ),
        sa.Index("ix_lease_contracts_status_end_date", "status", "end_date"),
        sa.Index("ix_lease_contracts_enterprise_id", "enterprise_id"),
        sa.Index("ix_lease_contracts_park_id", "park_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    park_id: int = Field(foreign_key="parks.id", ondelete="RESTRICT")
    enterprise_id: int = Field(foreign_key="enterprises.id", ondelete="RESTRICT")
    number: str | None = Field(default=None, max_length=32)
    number_year: int | None = None
    number_seq: int | None = None
    status: str = Field(max_length=24)
    start_date: date
    end_date: date  # exclusive
    signed_on: date | None = None
    terminated_on: date | None = None  # early end (exclusive), set by a termination
    purpose: str = Field(default="", max_length=200)
    purpose_en: str = Field(default="", max_length=200)
    special_terms: str = Field(default="", sa_type=sa.Text)
    language: str = Field(default=DocumentLanguage.zh.value, max_length=8)
    predecessor_id: int | None = Field(
        default=None, foreign_key="lease_contracts.id", ondelete="RESTRICT"
    )
    created_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    approved_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    approved_at: datetime | None = tz_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()

    @property
    def effective_end(self) -> date:
        return self.terminated_on or self.end_date


class LeaseContractUnit(SQLModel, table=True):
    """A unit of a contract, with its code and areas as they were when the contract was drawn up
    (the contract's rent is computed on these, whatever happens to the unit later)."""

    __tablename__ = "lease_contract_units"
    __table_args__ = (
        sa.CheckConstraint("gross_area > 0 AND leasable_area > 0", name="areas_positive"),
        sa.Index("ix_lease_contract_units_unit_id", "unit_id"),
    )

    contract_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("lease_contracts.id", ondelete="CASCADE"), primary_key=True
        )
    )
    unit_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("units.id", ondelete="RESTRICT"), primary_key=True)
    )
    unit_code: str = Field(max_length=40)
    gross_area: Decimal = Field(sa_type=AREA)
    leasable_area: Decimal = Field(sa_type=AREA)


class LeaseTerms(SQLModel, table=True):
    """One version of a contract's terms. Version 1 runs from the start; an amendment adds a
    version ``effective_from`` a date, and the schedule is recomputed from that date on."""

    __tablename__ = "lease_terms"
    __table_args__ = (
        sa.UniqueConstraint("contract_id", "version"),
        sa.UniqueConstraint("contract_id", "effective_from"),
        enum_check("rent_basis", RentBasis),
        enum_check("area_basis", AreaBasis),
        enum_check("cycle", PaymentCycle),
        enum_check("due_kind", DueKind),
        enum_check("proration", Proration),
        enum_check("deposit_kind", DepositKind),
        sa.CheckConstraint(
            "property_fee_area_basis IS NULL OR property_fee_area_basis IN ('gross', 'leasable')",
            name="property_fee_area_basis_valid",
        ),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.CheckConstraint("rent_rate >= 0 AND property_fee_rate >= 0", name="rates_not_negative"),
        sa.CheckConstraint(
            "late_fee_daily_rate >= 0 AND late_fee_daily_rate <= 0.01", name="late_fee_rate_range"
        ),
        sa.CheckConstraint(
            "late_fee_cap_percent IS NULL OR late_fee_cap_percent >= 0", name="late_fee_cap_range"
        ),
        sa.CheckConstraint("vat_rate >= 0 AND vat_rate < 1", name="vat_rate_range"),
        sa.CheckConstraint(
            "(deposit_kind = 'months') = (deposit_months IS NOT NULL)"
            " AND (deposit_kind = 'fixed') = (deposit_fixed_fen IS NOT NULL)",
            name="deposit_fields",
        ),
        sa.CheckConstraint(
            "deposit_months IS NULL OR deposit_months >= 1", name="deposit_months_positive"
        ),
        sa.CheckConstraint(
            "deposit_fixed_fen IS NULL OR deposit_fixed_fen >= 0", name="deposit_fixed_not_negative"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="lease_contracts.id", ondelete="CASCADE", index=True)
    version: int
    effective_from: date
    rent_basis: str = Field(max_length=16)
    rent_rate: Decimal = Field(sa_type=RATE)
    area_basis: str = Field(max_length=16)
    property_fee_rate: Decimal = Field(sa_type=RATE)
    property_fee_area_basis: str | None = Field(default=None, max_length=16)
    rent_start: date | None = None
    property_fee_during_rent_free: bool = True
    cycle: str = Field(max_length=16)
    due_kind: str = Field(max_length=16)
    due_value: int
    proration: str = Field(max_length=24)
    escalation: dict | None = Field(default=None, sa_type=JSONB)
    deposit_kind: str = Field(max_length=8)
    deposit_months: int | None = None
    deposit_include_property_fee: bool = False
    deposit_fixed_fen: int | None = Field(default=None, sa_type=sa.BigInteger)
    late_fee_daily_rate: Decimal = Field(sa_type=sa.Numeric(8, 6))
    late_fee_cap_percent: Decimal | None = Field(default=None, sa_type=sa.Numeric(7, 2))
    vat_included: bool = True
    vat_rate: Decimal = Field(sa_type=sa.Numeric(5, 4))
    note: str = Field(default="", sa_type=sa.Text)
    created_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()


class LeaseScheduleLine(SQLModel, table=True):
    """One billing period of a contract's frozen rent schedule (written at approval).

    Lines are never updated nor deleted: an amendment or a termination supersedes the lines it
    replaces (``superseded_at``) and adds new ones, so what billing read stays readable.
    """

    __tablename__ = "lease_schedule_lines"
    __table_args__ = (
        sa.CheckConstraint("period_end > period_start", name="period_not_empty"),
        sa.CheckConstraint("rent_fen >= 0 AND property_fee_fen >= 0", name="amounts_not_negative"),
        sa.Index(
            "uq_lease_schedule_lines_current_period",
            "contract_id",
            "period_start",
            unique=True,
            postgresql_where=sa.text("superseded_at IS NULL"),
        ),
        sa.Index("ix_lease_schedule_lines_due_date", "due_date"),
        # Every line of a period, current or superseded: billing finds what a period was
        # charged through any of them (parkops.billing.corrections).
        sa.Index("ix_lease_schedule_lines_contract_period", "contract_id", "period_start"),
    )

    id: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, primary_key=True))
    contract_id: int = Field(foreign_key="lease_contracts.id", ondelete="CASCADE", index=True)
    terms_version: int
    seq: int
    period_start: date
    period_end: date  # exclusive
    due_date: date
    rent_fen: int = Field(sa_type=sa.BigInteger)
    property_fee_fen: int = Field(sa_type=sa.BigInteger)
    breakdown: list = Field(sa_type=JSONB)
    superseded_at: datetime | None = tz_field()
    created_at: datetime = created_at_field()


class LeaseContractEvent(SQLModel, table=True):
    """Something that happened to a contract: a transition, an amendment, a renewal, a PDF."""

    __tablename__ = "lease_contract_events"
    __table_args__ = (sa.Index("ix_lease_contract_events_contract_id_at", "contract_id", "at"),)

    id: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, primary_key=True))
    contract_id: int = Field(foreign_key="lease_contracts.id", ondelete="CASCADE")
    at: datetime = created_at_field()
    actor_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    actor_label: str = Field(max_length=120)
    action: str = Field(max_length=32)
    from_status: str | None = Field(default=None, max_length=24)
    to_status: str | None = Field(default=None, max_length=24)
    note: str | None = Field(default=None, sa_type=sa.Text)
    data: dict | None = Field(default=None, sa_type=JSONB)


class LeaseTermination(SQLModel, table=True):
    """An early end and its settlement statement: the deposit held against what the schedule says
    was due for the periods up to the end date. Billing settles the money later."""

    __tablename__ = "lease_terminations"

    contract_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("lease_contracts.id", ondelete="CASCADE"), primary_key=True
        )
    )
    end_date: date  # exclusive
    reason: str = Field(sa_type=sa.Text)
    deposit_held_fen: int = Field(sa_type=sa.BigInteger)
    charges_due_fen: int = Field(sa_type=sa.BigInteger)
    balance_fen: int = Field(sa_type=sa.BigInteger)
    statement: dict = Field(sa_type=JSONB)
    created_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()


class LeaseReservation(SQLModel, table=True):
    """A hold on units for a prospect enterprise, from ``start_date`` (open-ended unless
    ``end_date``), until ``held_until`` (inclusive). A hold past ``held_until`` counts for
    nothing, whether or not the roll-over has marked it expired yet."""

    __tablename__ = "lease_reservations"
    __table_args__ = (
        enum_check("status", ReservationStatus),
        sa.CheckConstraint("end_date IS NULL OR end_date > start_date", name="range_not_empty"),
        sa.Index("ix_lease_reservations_status_held_until", "status", "held_until"),
        sa.Index("ix_lease_reservations_enterprise_id", "enterprise_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    park_id: int = Field(foreign_key="parks.id", ondelete="RESTRICT")
    enterprise_id: int = Field(foreign_key="enterprises.id", ondelete="RESTRICT")
    start_date: date
    end_date: date | None = None  # exclusive; None: open-ended
    held_until: date
    status: str = Field(max_length=16)
    note: str = Field(default="", sa_type=sa.Text)
    contract_id: int | None = Field(
        default=None, foreign_key="lease_contracts.id", ondelete="SET NULL"
    )
    created_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()
    closed_at: datetime | None = tz_field()
    closed_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")


class LeaseReservationUnit(SQLModel, table=True):
    __tablename__ = "lease_reservation_units"
    __table_args__ = (sa.Index("ix_lease_reservation_units_unit_id", "unit_id"),)

    reservation_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("lease_reservations.id", ondelete="CASCADE"), primary_key=True
        )
    )
    unit_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("units.id", ondelete="RESTRICT"), primary_key=True)
    )


class LeaseUnitOccupancy(SQLModel, table=True):
    """The date range a contract or a hold takes on one unit; the exclusion constraints here are
    the guarantee against double-letting (module docstring)."""

    __tablename__ = "lease_unit_occupancy"
    __table_args__ = (
        enum_check("kind", OccupancyKind),
        sa.CheckConstraint(
            "(kind = 'contract') = (contract_id IS NOT NULL)"
            " AND (kind = 'reservation') = (reservation_id IS NOT NULL)",
            name="owner_matches_kind",
        ),
        sa.CheckConstraint("NOT isempty(period) AND NOT lower_inf(period)", name="period_bounded"),
        ExcludeConstraint(
            ("unit_id", "="),
            ("period", "&&"),
            where=sa.text("active AND kind = 'contract'"),
            using="gist",
            name="ex_lease_unit_occupancy_contracts",
        ),
        ExcludeConstraint(
            ("unit_id", "="),
            ("period", "&&"),
            ("enterprise_id", "<>"),
            where=sa.text("active"),
            using="gist",
            name="ex_lease_unit_occupancy_enterprises",
        ),
        sa.UniqueConstraint("contract_id", "unit_id"),
        sa.UniqueConstraint("reservation_id", "unit_id"),
    )

    id: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, primary_key=True))
    unit_id: int = Field(foreign_key="units.id", ondelete="RESTRICT")
    enterprise_id: int = Field(foreign_key="enterprises.id", ondelete="RESTRICT")
    kind: str = Field(max_length=16)
    period: Any = Field(sa_column=sa.Column(DATERANGE, nullable=False))
    contract_id: int | None = Field(
        default=None, foreign_key="lease_contracts.id", ondelete="CASCADE"
    )
    reservation_id: int | None = Field(
        default=None, foreign_key="lease_reservations.id", ondelete="CASCADE"
    )
    active: bool = True
