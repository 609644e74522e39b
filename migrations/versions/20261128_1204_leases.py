"""Lease contracts, terms versions, rent schedules, reservations.

Revision ID: 20261128_leases
Revises: 20261128_tickets

``lease_unit_occupancy`` carries the two exclusion constraints that make double-letting
impossible (see parkops/leases/models.py); they need btree_gist for the ``=`` and ``<>`` on
integers inside a GiST index (a trusted extension since PostgreSQL 13).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "20261128_leases"
down_revision = "20261128_tickets"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.create_table(
        "lease_number_counters",
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "last_value >= 0", name=op.f("ck_lease_number_counters_last_value_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["park_id"],
            ["parks.id"],
            name=op.f("fk_lease_number_counters_park_id_parks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("park_id", "year", name=op.f("pk_lease_number_counters")),
    )
    op.create_table(
        "lease_park_settings",
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("contract_prefix", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("lessor_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("lessor_name_en", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("lessor_uscc", sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
        sa.Column("lessor_address", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column(
            "lessor_address_en", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False
        ),
        sa.Column(
            "lessor_legal_representative",
            sqlmodel.sql.sqltypes.AutoString(length=50),
            nullable=False,
        ),
        sa.Column("lessor_contact", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("lessor_phone", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("lessor_bank_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column(
            "lessor_bank_account", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False
        ),
        sa.Column("signing_place", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("signing_place_en", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("park_name_en", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.CheckConstraint(
            "contract_prefix ~ '^[A-Z][A-Z0-9]{0,7}$'",
            name=op.f("ck_lease_park_settings_prefix_format"),
        ),
        sa.ForeignKeyConstraint(
            ["park_id"],
            ["parks.id"],
            name=op.f("fk_lease_park_settings_park_id_parks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("park_id", name=op.f("pk_lease_park_settings")),
    )
    op.create_table(
        "lease_contracts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("number_year", sa.Integer(), nullable=True),
        sa.Column("number_seq", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("terminated_on", sa.Date(), nullable=True),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("purpose_en", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("special_terms", sa.Text(), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("predecessor_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "language IN ('zh', 'zh_en')", name=op.f("ck_lease_contracts_language_valid")
        ),
        sa.CheckConstraint(
            "number IS NOT NULL OR status IN ('draft', 'pending_approval', 'cancelled')",
            name=op.f("ck_lease_contracts_number_once_approved"),
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'pending_approval', 'active', 'expired', 'terminated', 'renewed', 'cancelled')",
            name=op.f("ck_lease_contracts_status_valid"),
        ),
        sa.CheckConstraint(
            "(number IS NULL) = (number_seq IS NULL) AND (number IS NULL) = (number_year IS NULL)",
            name=op.f("ck_lease_contracts_number_parts_together"),
        ),
        sa.CheckConstraint("end_date > start_date", name=op.f("ck_lease_contracts_term_not_empty")),
        sa.CheckConstraint(
            "terminated_on IS NULL OR (terminated_on > start_date AND terminated_on <= end_date)",
            name=op.f("ck_lease_contracts_terminated_within_term"),
        ),
        sa.ForeignKeyConstraint(
            ["approved_by"],
            ["users.id"],
            name=op.f("fk_lease_contracts_approved_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_lease_contracts_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_lease_contracts_enterprise_id_enterprises"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["park_id"],
            ["parks.id"],
            name=op.f("fk_lease_contracts_park_id_parks"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["predecessor_id"],
            ["lease_contracts.id"],
            name=op.f("fk_lease_contracts_predecessor_id_lease_contracts"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lease_contracts")),
        sa.UniqueConstraint("number", name=op.f("uq_lease_contracts_number")),
        sa.UniqueConstraint(
            "park_id",
            "number_year",
            "number_seq",
            name=op.f("uq_lease_contracts_park_id_number_year_number_seq"),
        ),
    )
    op.create_index(
        "ix_lease_contracts_enterprise_id", "lease_contracts", ["enterprise_id"], unique=False
    )
    op.create_index("ix_lease_contracts_park_id", "lease_contracts", ["park_id"], unique=False)
    op.create_index(
        "ix_lease_contracts_status_end_date",
        "lease_contracts",
        ["status", "end_date"],
        unique=False,
    )
    op.create_index(
        "uq_lease_contracts_predecessor_id",
        "lease_contracts",
        ["predecessor_id"],
        unique=True,
        postgresql_where=sa.text("predecessor_id IS NOT NULL AND status <> 'cancelled'"),
    )
    op.create_table(
        "lease_contract_events",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("from_status", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
        sa.Column("to_status", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("data", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_lease_contract_events_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["lease_contracts.id"],
            name=op.f("fk_lease_contract_events_contract_id_lease_contracts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lease_contract_events")),
    )
    op.create_index(
        "ix_lease_contract_events_contract_id_at",
        "lease_contract_events",
        ["contract_id", "at"],
        unique=False,
    )
    op.create_table(
        "lease_reservations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("held_until", sa.Date(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('active', 'released', 'expired', 'converted')",
            name=op.f("ck_lease_reservations_status_valid"),
        ),
        sa.CheckConstraint(
            "end_date IS NULL OR end_date > start_date",
            name=op.f("ck_lease_reservations_range_not_empty"),
        ),
        sa.ForeignKeyConstraint(
            ["closed_by"],
            ["users.id"],
            name=op.f("fk_lease_reservations_closed_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["lease_contracts.id"],
            name=op.f("fk_lease_reservations_contract_id_lease_contracts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_lease_reservations_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_lease_reservations_enterprise_id_enterprises"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["park_id"],
            ["parks.id"],
            name=op.f("fk_lease_reservations_park_id_parks"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lease_reservations")),
    )
    op.create_index(
        "ix_lease_reservations_enterprise_id", "lease_reservations", ["enterprise_id"], unique=False
    )
    op.create_index(
        "ix_lease_reservations_status_held_until",
        "lease_reservations",
        ["status", "held_until"],
        unique=False,
    )
    op.create_table(
        "lease_schedule_lines",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("terms_version", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("rent_fen", sa.BigInteger(), nullable=False),
        sa.Column("property_fee_fen", sa.BigInteger(), nullable=False),
        sa.Column("breakdown", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "period_end > period_start", name=op.f("ck_lease_schedule_lines_period_not_empty")
        ),
        sa.CheckConstraint(
            "rent_fen >= 0 AND property_fee_fen >= 0",
            name=op.f("ck_lease_schedule_lines_amounts_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["lease_contracts.id"],
            name=op.f("fk_lease_schedule_lines_contract_id_lease_contracts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lease_schedule_lines")),
    )
    op.create_index(
        op.f("ix_lease_schedule_lines_contract_id"),
        "lease_schedule_lines",
        ["contract_id"],
        unique=False,
    )
    op.create_index(
        "ix_lease_schedule_lines_due_date", "lease_schedule_lines", ["due_date"], unique=False
    )
    op.create_index(
        "uq_lease_schedule_lines_current_period",
        "lease_schedule_lines",
        ["contract_id", "period_start"],
        unique=True,
        postgresql_where=sa.text("superseded_at IS NULL"),
    )
    op.create_table(
        "lease_terminations",
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("deposit_held_fen", sa.BigInteger(), nullable=False),
        sa.Column("charges_due_fen", sa.BigInteger(), nullable=False),
        sa.Column("balance_fen", sa.BigInteger(), nullable=False),
        sa.Column("statement", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["lease_contracts.id"],
            name=op.f("fk_lease_terminations_contract_id_lease_contracts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_lease_terminations_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("contract_id", name=op.f("pk_lease_terminations")),
    )
    op.create_table(
        "lease_terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("rent_basis", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("rent_rate", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column("area_basis", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("property_fee_rate", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column(
            "property_fee_area_basis", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True
        ),
        sa.Column("rent_start", sa.Date(), nullable=True),
        sa.Column("property_fee_during_rent_free", sa.Boolean(), nullable=False),
        sa.Column("cycle", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("due_kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("due_value", sa.Integer(), nullable=False),
        sa.Column("proration", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("escalation", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("deposit_kind", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("deposit_months", sa.Integer(), nullable=True),
        sa.Column("deposit_include_property_fee", sa.Boolean(), nullable=False),
        sa.Column("deposit_fixed_fen", sa.BigInteger(), nullable=True),
        sa.Column("late_fee_daily_rate", sa.Numeric(precision=8, scale=6), nullable=False),
        sa.Column("late_fee_cap_percent", sa.Numeric(precision=7, scale=2), nullable=True),
        sa.Column("vat_included", sa.Boolean(), nullable=False),
        sa.Column("vat_rate", sa.Numeric(precision=5, scale=4), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(deposit_kind = 'months') = (deposit_months IS NOT NULL) AND (deposit_kind = 'fixed') = (deposit_fixed_fen IS NOT NULL)",
            name=op.f("ck_lease_terms_deposit_fields"),
        ),
        sa.CheckConstraint(
            "area_basis IN ('gross', 'leasable')", name=op.f("ck_lease_terms_area_basis_valid")
        ),
        sa.CheckConstraint(
            "cycle IN ('monthly', 'quarterly', 'half_yearly', 'yearly')",
            name=op.f("ck_lease_terms_cycle_valid"),
        ),
        sa.CheckConstraint(
            "deposit_kind IN ('none', 'months', 'fixed')",
            name=op.f("ck_lease_terms_deposit_kind_valid"),
        ),
        sa.CheckConstraint(
            "due_kind IN ('day_of_month', 'days_before')",
            name=op.f("ck_lease_terms_due_kind_valid"),
        ),
        sa.CheckConstraint(
            "property_fee_area_basis IS NULL OR property_fee_area_basis IN ('gross', 'leasable')",
            name=op.f("ck_lease_terms_property_fee_area_basis_valid"),
        ),
        sa.CheckConstraint(
            "proration IN ('by_days', 'started_month_whole')",
            name=op.f("ck_lease_terms_proration_valid"),
        ),
        sa.CheckConstraint(
            "rent_basis IN ('per_m2_month', 'per_m2_day', 'fixed_monthly')",
            name=op.f("ck_lease_terms_rent_basis_valid"),
        ),
        sa.CheckConstraint(
            "deposit_fixed_fen IS NULL OR deposit_fixed_fen >= 0",
            name=op.f("ck_lease_terms_deposit_fixed_not_negative"),
        ),
        sa.CheckConstraint(
            "deposit_months IS NULL OR deposit_months >= 1",
            name=op.f("ck_lease_terms_deposit_months_positive"),
        ),
        sa.CheckConstraint(
            "late_fee_cap_percent IS NULL OR late_fee_cap_percent >= 0",
            name=op.f("ck_lease_terms_late_fee_cap_range"),
        ),
        sa.CheckConstraint(
            "late_fee_daily_rate >= 0 AND late_fee_daily_rate <= 0.01",
            name=op.f("ck_lease_terms_late_fee_rate_range"),
        ),
        sa.CheckConstraint(
            "rent_rate >= 0 AND property_fee_rate >= 0",
            name=op.f("ck_lease_terms_rates_not_negative"),
        ),
        sa.CheckConstraint(
            "vat_rate >= 0 AND vat_rate < 1", name=op.f("ck_lease_terms_vat_rate_range")
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_lease_terms_version_positive")),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["lease_contracts.id"],
            name=op.f("fk_lease_terms_contract_id_lease_contracts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_lease_terms_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lease_terms")),
        sa.UniqueConstraint(
            "contract_id", "effective_from", name=op.f("uq_lease_terms_contract_id_effective_from")
        ),
        sa.UniqueConstraint(
            "contract_id", "version", name=op.f("uq_lease_terms_contract_id_version")
        ),
    )
    op.create_index(
        op.f("ix_lease_terms_contract_id"), "lease_terms", ["contract_id"], unique=False
    )
    op.create_table(
        "lease_contract_units",
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("unit_code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("gross_area", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("leasable_area", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.CheckConstraint(
            "gross_area > 0 AND leasable_area > 0",
            name=op.f("ck_lease_contract_units_areas_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["lease_contracts.id"],
            name=op.f("fk_lease_contract_units_contract_id_lease_contracts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_lease_contract_units_unit_id_units"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("contract_id", "unit_id", name=op.f("pk_lease_contract_units")),
    )
    op.create_index(
        "ix_lease_contract_units_unit_id", "lease_contract_units", ["unit_id"], unique=False
    )
    op.create_table(
        "lease_reservation_units",
        sa.Column("reservation_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reservation_id"],
            ["lease_reservations.id"],
            name=op.f("fk_lease_reservation_units_reservation_id_lease_reservations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_lease_reservation_units_unit_id_units"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint(
            "reservation_id", "unit_id", name=op.f("pk_lease_reservation_units")
        ),
    )
    op.create_index(
        "ix_lease_reservation_units_unit_id", "lease_reservation_units", ["unit_id"], unique=False
    )
    op.create_table(
        "lease_unit_occupancy",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("period", postgresql.DATERANGE(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=True),
        sa.Column("reservation_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        postgresql.ExcludeConstraint(
            (sa.column("unit_id"), "="),
            (sa.column("period"), "&&"),
            (sa.column("enterprise_id"), "<>"),
            where=sa.text("active"),
            using="gist",
            name="ex_lease_unit_occupancy_enterprises",
        ),
        postgresql.ExcludeConstraint(
            (sa.column("unit_id"), "="),
            (sa.column("period"), "&&"),
            where=sa.text("active AND kind = 'contract'"),
            using="gist",
            name="ex_lease_unit_occupancy_contracts",
        ),
        sa.CheckConstraint(
            "(kind = 'contract') = (contract_id IS NOT NULL) AND (kind = 'reservation') = (reservation_id IS NOT NULL)",
            name=op.f("ck_lease_unit_occupancy_owner_matches_kind"),
        ),
        sa.CheckConstraint(
            "kind IN ('contract', 'reservation')", name=op.f("ck_lease_unit_occupancy_kind_valid")
        ),
        sa.CheckConstraint(
            "NOT isempty(period) AND NOT lower_inf(period)",
            name=op.f("ck_lease_unit_occupancy_period_bounded"),
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["lease_contracts.id"],
            name=op.f("fk_lease_unit_occupancy_contract_id_lease_contracts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_lease_unit_occupancy_enterprise_id_enterprises"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["reservation_id"],
            ["lease_reservations.id"],
            name=op.f("fk_lease_unit_occupancy_reservation_id_lease_reservations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_lease_unit_occupancy_unit_id_units"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lease_unit_occupancy")),
        sa.UniqueConstraint(
            "contract_id", "unit_id", name=op.f("uq_lease_unit_occupancy_contract_id_unit_id")
        ),
        sa.UniqueConstraint(
            "reservation_id", "unit_id", name=op.f("uq_lease_unit_occupancy_reservation_id_unit_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("lease_unit_occupancy")
    op.drop_index("ix_lease_reservation_units_unit_id", table_name="lease_reservation_units")
    op.drop_table("lease_reservation_units")
    op.drop_index("ix_lease_contract_units_unit_id", table_name="lease_contract_units")
    op.drop_table("lease_contract_units")
    op.drop_index(op.f("ix_lease_terms_contract_id"), table_name="lease_terms")
    op.drop_table("lease_terms")
    op.drop_table("lease_terminations")
    op.drop_index(
        "uq_lease_schedule_lines_current_period",
        table_name="lease_schedule_lines",
        postgresql_where=sa.text("superseded_at IS NULL"),
    )
    op.drop_index("ix_lease_schedule_lines_due_date", table_name="lease_schedule_lines")
    op.drop_index(op.f("ix_lease_schedule_lines_contract_id"), table_name="lease_schedule_lines")
    op.drop_table("lease_schedule_lines")
    op.drop_index("ix_lease_reservations_status_held_until", table_name="lease_reservations")
    op.drop_index("ix_lease_reservations_enterprise_id", table_name="lease_reservations")
    op.drop_table("lease_reservations")
    op.drop_index("ix_lease_contract_events_contract_id_at", table_name="lease_contract_events")
    op.drop_table("lease_contract_events")
    op.drop_index(
        "uq_lease_contracts_predecessor_id",
        table_name="lease_contracts",
        postgresql_where=sa.text("predecessor_id IS NOT NULL AND status <> 'cancelled'"),
    )
    op.drop_index("ix_lease_contracts_status_end_date", table_name="lease_contracts")
    op.drop_index("ix_lease_contracts_park_id", table_name="lease_contracts")
    op.drop_index("ix_lease_contracts_enterprise_id", table_name="lease_contracts")
    op.drop_table("lease_contracts")
    op.drop_table("lease_park_settings")
    op.drop_table("lease_number_counters")
    # btree_gist stays: other objects may use it, and dropping an extension needs ownership.
