"""Billing tables: runs, bills and lines, credit notes, adjustments, payments, allocations,
refunds, bank slips reported by enterprises, deposits, meters, readings, tariffs, park settings.

What the database guarantees, whatever the application does (triggers and constraints in the
migration ``20261128_1205_billing``):

* **One bill per contract and billing month** (``uq_billing_bills_contract_id_run_month``) and
  **each source billed once** (``uq_billing_bill_lines_source``: a schedule line's rent, a meter
  reading, a late-fee period...). Two billing runs of the same month started at the same time
  insert with ``ON CONFLICT DO NOTHING`` and end up with one bill each.
* **Issued bills are frozen.** Once a bill leaves ``draft`` its amounts, dates, parties and lines
  can no longer change (trigger ``billing_bills_frozen`` and the line triggers); only the paid
  and credited sums and the status derived from them move. Corrections are credit notes or
  adjustment lines on a later bill. An issued bill's total equals the sum of its lines.
* **Money never over-allocates.** ``paid_fen`` of a bill and ``allocated_fen``/``refunded_fen``
  of a payment are maintained by triggers on the append-only allocation, credit-note and refund
  tables, and CHECK constraints keep ``paid + credited <= total`` and
  ``allocated + refunded <= amount``. The trigger's UPDATE locks the bill and payment rows, so
  concurrent allocations serialise on them and the later one sees the earlier one's sums.
* **Deposits never go negative** (``held_fen >= 0``, kept by a trigger on the append-only ledger).
* **Payments are idempotent** (unique ``idempotency_key``) and a bank slip becomes at most one
  payment (unique ``slip_id``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, ExcludeConstraint
from sqlmodel import Field, SQLModel

from parkops.billing.rules.allocation import AllocationPolicy
from parkops.core.money import ROUNDING_POLICY
from parkops.db.base import created_at_field, enum_check, tz_field

QTY = sa.Numeric(16, 4)
PRICE = sa.Numeric(18, 4)  # fen per unit, fractions of a fen allowed (0.6532 元/kWh = 65.32 fen)
METER = sa.Numeric(14, 2)


class BillStatus(StrEnum):
    draft = "draft"
    issued = "issued"
    partially_paid = "partially_paid"
    paid = "paid"
    void = "void"


class ChargeType(StrEnum):
    rent = "rent"
    property_fee = "property_fee"
    electricity = "electricity"
    water = "water"
    common_electricity = "common_electricity"
    common_water = "common_water"
    late_fee = "late_fee"
    adjustment = "adjustment"


class SourceKind(StrEnum):
    schedule = "schedule"  # lease_schedule_lines.id; part 1 = rent, 2 = property fee
    reading = "reading"  # billing_meter_readings.id of a unit meter
    common_share = "common_share"  # common meter reading id; part = contract id
    overdue_line = "overdue_line"  # overdue bill line id; part = first day charged (ordinal)
    late_fee = "late_fee"  # overdue bill id; part = first day charged (before per-line fees)
    adjustment = "adjustment"  # billing_adjustments.id


class RunStatus(StrEnum):
    running = "running"
    completed = "completed"
    failed = "failed"


class CreditNoteKind(StrEnum):
    void = "void"
    correction = "correction"
    late_fee_waiver = "late_fee_waiver"


class PaymentMethod(StrEnum):
    bank_transfer = "bank_transfer"
    cash = "cash"
    wechat_pay = "wechat_pay"
    alipay = "alipay"
    deposit = "deposit"  # deposit applied to arrears (recorded by the deposit ledger only)


class AllocationSource(StrEnum):
    payment = "payment"  # when the payment was recorded
    credit = "credit"  # the payment's unallocated remainder, used later on new bills
    deposit = "deposit"


class SlipStatus(StrEnum):
    pending = "pending"
    confirmed = "confirmed"
    rejected = "rejected"


class DepositEntryKind(StrEnum):
    received = "received"
    topped_up = "topped_up"
    deducted_arrears = "deducted_arrears"
    deducted_damages = "deducted_damages"
    refunded = "refunded"


DEPOSIT_INFLOWS = frozenset({DepositEntryKind.received, DepositEntryKind.topped_up})


class MeterKind(StrEnum):
    electricity = "electricity"
    water = "water"


class MeterScope(StrEnum):
    unit = "unit"
    common = "common"  # common areas of a building, shared out by leased area (公摊)


class BillingParkSettings(SQLModel, table=True):
    __tablename__ = "billing_park_settings"
    __table_args__ = (
        enum_check("allocation_policy", AllocationPolicy),
        sa.CheckConstraint("utility_due_days BETWEEN 0 AND 90", name="utility_due_days_range"),
        sa.CheckConstraint("dunning_after_days BETWEEN 1 AND 365", name="dunning_days_range"),
    )

    park_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("parks.id", ondelete="CASCADE"), primary_key=True)
    )
    allocation_policy: str = Field(default=AllocationPolicy.OLDEST_DUE_FIRST.value, max_length=24)
    utility_due_days: int = 10
    dunning_after_days: int = 30
    updated_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    updated_at: datetime = created_at_field()


class BillingRun(SQLModel, table=True):
    """One execution of the billing of a month (a rerun of the same month is another row)."""

    __tablename__ = "billing_runs"
    __table_args__ = (
        enum_check("status", RunStatus),
        sa.CheckConstraint("EXTRACT(DAY FROM run_month) = 1", name="run_month_first_day"),
        sa.Index("ix_billing_runs_run_month", "run_month"),
    )

    id: int | None = Field(default=None, primary_key=True)
    run_month: date
    status: str = Field(max_length=16)
    issue: bool = True
    run_date: date  # the business date the run charged late fees up to and issued bills on
    started_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    started_by_label: str = Field(max_length=120)
    started_at: datetime = created_at_field()
    heartbeat_at: datetime = created_at_field()
    finished_at: datetime | None = tz_field()
    contracts_total: int = 0
    contracts_done: int = 0
    bills_created: int = 0
    lines_created: int = 0
    total_fen: int = Field(default=0, sa_type=sa.BigInteger)
    error: str | None = Field(default=None, sa_type=sa.Text)


class Bill(SQLModel, table=True):
    __tablename__ = "billing_bills"
    __table_args__ = (
        sa.UniqueConstraint("contract_id", "run_month"),
        enum_check("status", BillStatus),
        sa.CheckConstraint("total_fen >= 0", name="total_not_negative"),
        sa.CheckConstraint("paid_fen >= 0 AND credited_fen >= 0", name="sums_not_negative"),
        sa.CheckConstraint("paid_fen + credited_fen <= total_fen", name="not_over_settled"),
        sa.CheckConstraint("EXTRACT(DAY FROM run_month) = 1", name="run_month_first_day"),
        sa.Index("ix_billing_bills_enterprise_id_status", "enterprise_id", "status"),
        sa.Index("ix_billing_bills_status_due_date", "status", "due_date"),
        sa.Index("ix_billing_bills_run_month", "run_month"),
        sa.Index("ix_billing_bills_due_date_id", "due_date", "id"),
    )

    id: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, primary_key=True))
    park_id: int = Field(foreign_key="parks.id", ondelete="RESTRICT")
    enterprise_id: int = Field(foreign_key="enterprises.id", ondelete="RESTRICT")
    contract_id: int = Field(foreign_key="lease_contracts.id", ondelete="RESTRICT")
    run_id: int | None = Field(default=None, foreign_key="billing_runs.id", ondelete="SET NULL")
    run_month: date
    status: str = Field(max_length=16)
    issue_date: date
    due_date: date  # the earliest line's: sorts and ages bills; late fees go by each line's own
    total_fen: int = Field(default=0, sa_type=sa.BigInteger)
    paid_fen: int = Field(default=0, sa_type=sa.BigInteger)
    credited_fen: int = Field(default=0, sa_type=sa.BigInteger)
    rounding_policy: str = Field(default=ROUNDING_POLICY, max_length=24)
    created_at: datetime = created_at_field()
    issued_at: datetime | None = tz_field()

    @property
    def open_fen(self) -> int:
        return self.total_fen - self.paid_fen - self.credited_fen


class BillLine(SQLModel, table=True):
    __tablename__ = "billing_bill_lines"
    __table_args__ = (
        enum_check("charge_type", ChargeType),
        sa.CheckConstraint(
            "source_kind IS NULL OR source_kind IN "
            "('schedule', 'reading', 'common_share', 'overdue_line', 'late_fee', 'adjustment')",
            name="source_kind_valid",
        ),
        sa.CheckConstraint("(source_kind IS NULL) = (source_id IS NULL)", name="source_complete"),
        sa.UniqueConstraint(
            "source_kind", "source_id", "source_part", name="uq_billing_bill_lines_source"
        ),
        sa.Index("ix_billing_bill_lines_bill_id", "bill_id"),
    )

    id: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, primary_key=True))
    bill_id: int = Field(
        sa_column=sa.Column(
            sa.BigInteger, sa.ForeignKey("billing_bills.id", ondelete="CASCADE"), nullable=False
        )
    )
    charge_type: str = Field(max_length=24)
    description: str = Field(default="", max_length=500)
    period_start: date | None = None
    period_end: date | None = None  # exclusive
    quantity: Decimal = Field(sa_type=QTY)
    unit_price_fen: Decimal | None = Field(default=None, sa_type=PRICE)
    amount_fen: int = Field(sa_type=sa.BigInteger)
    unit_id: int | None = Field(default=None, foreign_key="units.id", ondelete="RESTRICT")
    # The line's own due date: the schedule's for rent and property fee (a catch-up bill keeps
    # each period's), the bill's issue date + the park's utility days for every other line.
    # Late fees accrue per line from the day after it (parkops.billing.rules.run_plan).
    due_date: date
    source_kind: str | None = Field(default=None, max_length=16)
    source_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    source_part: int = Field(default=0, sa_type=sa.BigInteger)
    detail: dict | None = Field(default=None, sa_type=JSONB)


class CreditNote(SQLModel, table=True):
    """Money taken off an issued bill (never more than is open on it). Append-only."""

    __tablename__ = "billing_credit_notes"
    __table_args__ = (
        enum_check("kind", CreditNoteKind),
        sa.CheckConstraint("amount_fen > 0", name="amount_positive"),
        sa.CheckConstraint("length(btrim(reason)) > 0", name="reason_not_blank"),
        sa.CheckConstraint(
            "(kind = 'late_fee_waiver') = (bill_line_id IS NOT NULL)", name="waiver_names_line"
        ),
        sa.Index("ix_billing_credit_notes_bill_id", "bill_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    bill_id: int = Field(
        sa_column=sa.Column(
            sa.BigInteger, sa.ForeignKey("billing_bills.id", ondelete="RESTRICT"), nullable=False
        )
    )
    enterprise_id: int = Field(foreign_key="enterprises.id", ondelete="RESTRICT")
    kind: str = Field(max_length=16)
    amount_fen: int = Field(sa_type=sa.BigInteger)
    reason: str = Field(sa_type=sa.Text)
    bill_line_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.BigInteger,
            sa.ForeignKey("billing_bill_lines.id", ondelete="RESTRICT"),
            nullable=True,
        ),
    )
    created_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()


class Adjustment(SQLModel, table=True):
    """A correction to put on the contract's next bill (positive: charge, negative: credit)."""

    __tablename__ = "billing_adjustments"
    __table_args__ = (
        sa.CheckConstraint("amount_fen <> 0", name="amount_not_zero"),
        sa.CheckConstraint("length(btrim(reason)) > 0", name="reason_not_blank"),
        sa.Index("ix_billing_adjustments_contract_id", "contract_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="lease_contracts.id", ondelete="RESTRICT")
    amount_fen: int = Field(sa_type=sa.BigInteger)
    reason: str = Field(max_length=500)
    created_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()


class ScheduleCorrection(SQLModel, table=True):
    """What was done about a billed period whose schedule line was superseded afterwards (an
    amendment or a termination): the difference between what the period's bills charged and
    what the contract's current schedule says, as an adjustment on the next bill (more due) or
    a credit note on the bill that charged it plus, past what is open on it, a credit adjustment
    (less due). One per superseded line and part, so it is made once (``parkops.billing.
    corrections``). Append-only."""

    __tablename__ = "billing_schedule_corrections"
    __table_args__ = (
        sa.CheckConstraint("part IN (1, 2)", name="part_valid"),
        sa.CheckConstraint("amount_fen <> 0", name="amount_not_zero"),
        sa.CheckConstraint("amount_fen = due_fen - charged_fen", name="amount_is_difference"),
        sa.UniqueConstraint("superseded_line_id", "part"),
        sa.Index("ix_billing_schedule_corrections_contract_period", "contract_id", "period_start"),
    )

    id: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, primary_key=True))
    contract_id: int = Field(foreign_key="lease_contracts.id", ondelete="RESTRICT")
    period_start: date
    part: int = Field(sa_type=sa.SmallInteger)  # 1 rent, 2 property fee (as bill line parts)
    superseded_line_id: int = Field(
        sa_column=sa.Column(
            sa.BigInteger,
            sa.ForeignKey("lease_schedule_lines.id", ondelete="RESTRICT"),
            nullable=False,
        )
    )
    line_id: int | None = Field(  # the current line of the period; None: the period is gone
        default=None,
        sa_column=sa.Column(
            sa.BigInteger, sa.ForeignKey("lease_schedule_lines.id", ondelete="RESTRICT")
        ),
    )
    charged_fen: int = Field(sa_type=sa.BigInteger)
    due_fen: int = Field(sa_type=sa.BigInteger)
    amount_fen: int = Field(sa_type=sa.BigInteger)
    credit_note_id: int | None = Field(
        default=None, foreign_key="billing_credit_notes.id", ondelete="RESTRICT"
    )
    adjustment_id: int | None = Field(
        default=None, foreign_key="billing_adjustments.id", ondelete="RESTRICT"
    )
    created_at: datetime = created_at_field()


class Payment(SQLModel, table=True):
    __tablename__ = "billing_payments"
    __table_args__ = (
        enum_check("method", PaymentMethod),
        sa.CheckConstraint("amount_fen > 0", name="amount_positive"),
        sa.CheckConstraint("allocated_fen >= 0 AND refunded_fen >= 0", name="sums_not_negative"),
        sa.CheckConstraint("allocated_fen + refunded_fen <= amount_fen", name="not_over_allocated"),
        sa.UniqueConstraint("idempotency_key"),
        sa.UniqueConstraint("slip_id"),
        sa.Index("ix_billing_payments_enterprise_id", "enterprise_id"),
        sa.Index("ix_billing_payments_received_on_id", "received_on", "id"),
    )

    id: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, primary_key=True))
    enterprise_id: int = Field(foreign_key="enterprises.id", ondelete="RESTRICT")
    amount_fen: int = Field(sa_type=sa.BigInteger)
    method: str = Field(max_length=16)
    reference: str = Field(default="", max_length=100)
    received_on: date
    idempotency_key: str = Field(max_length=100)
    allocated_fen: int = Field(default=0, sa_type=sa.BigInteger)
    refunded_fen: int = Field(default=0, sa_type=sa.BigInteger)
    note: str = Field(default="", max_length=500)
    slip_id: int | None = Field(
        default=None, foreign_key="billing_payment_slips.id", ondelete="RESTRICT"
    )
    recorded_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()

    @property
    def unallocated_fen(self) -> int:
        return self.amount_fen - self.allocated_fen - self.refunded_fen


class Allocation(SQLModel, table=True):
    """``amount_fen`` of a payment applied to a bill. Append-only."""

    __tablename__ = "billing_allocations"
    __table_args__ = (
        enum_check("source", AllocationSource),
        sa.CheckConstraint("amount_fen > 0", name="amount_positive"),
        sa.Index("ix_billing_allocations_bill_id", "bill_id"),
        sa.Index("ix_billing_allocations_payment_id", "payment_id"),
    )

    id: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, primary_key=True))
    payment_id: int = Field(
        sa_column=sa.Column(
            sa.BigInteger, sa.ForeignKey("billing_payments.id", ondelete="RESTRICT"), nullable=False
        )
    )
    bill_id: int = Field(
        sa_column=sa.Column(
            sa.BigInteger, sa.ForeignKey("billing_bills.id", ondelete="RESTRICT"), nullable=False
        )
    )
    amount_fen: int = Field(sa_type=sa.BigInteger)
    effective_on: date  # when the money counts as received on this bill (late fees stop)
    source: str = Field(max_length=16)
    created_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()


class Refund(SQLModel, table=True):
    """Credit (an unallocated part of a payment) paid back to the enterprise. Append-only."""

    __tablename__ = "billing_refunds"
    __table_args__ = (
        enum_check("method", PaymentMethod),
        sa.CheckConstraint("amount_fen > 0", name="amount_positive"),
        sa.Index("ix_billing_refunds_payment_id", "payment_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    payment_id: int = Field(
        sa_column=sa.Column(
            sa.BigInteger, sa.ForeignKey("billing_payments.id", ondelete="RESTRICT"), nullable=False
        )
    )
    enterprise_id: int = Field(foreign_key="enterprises.id", ondelete="RESTRICT")
    amount_fen: int = Field(sa_type=sa.BigInteger)
    method: str = Field(max_length=16)
    reference: str = Field(default="", max_length=100)
    refunded_on: date
    reason: str = Field(default="", max_length=500)
    created_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()


class PaymentSlip(SQLModel, table=True):
    """A payment an enterprise user reports, with the bank slip, for finance to confirm."""

    __tablename__ = "billing_payment_slips"
    __table_args__ = (
        enum_check("status", SlipStatus),
        enum_check("method", PaymentMethod),
        sa.CheckConstraint("amount_fen > 0", name="amount_positive"),
        sa.CheckConstraint("size_bytes > 0", name="size_positive"),
        sa.Index("ix_billing_payment_slips_enterprise_id", "enterprise_id"),
        sa.Index("ix_billing_payment_slips_status", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int = Field(foreign_key="enterprises.id", ondelete="RESTRICT")
    reported_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    amount_fen: int = Field(sa_type=sa.BigInteger)
    method: str = Field(max_length=16)
    reference: str = Field(default="", max_length=100)
    paid_on: date
    note: str = Field(default="", max_length=500)
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=64)
    size_bytes: int
    sha256: str = Field(max_length=64)
    storage_path: str = Field(max_length=255)
    status: str = Field(max_length=16)
    reviewed_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    reviewed_at: datetime | None = tz_field()
    review_note: str = Field(default="", max_length=500)
    created_at: datetime = created_at_field()


class DepositAccount(SQLModel, table=True):
    """The deposit held for a contract: a liability owed to the enterprise (trigger-maintained)."""

    __tablename__ = "billing_deposit_accounts"
    __table_args__ = (sa.CheckConstraint("held_fen >= 0", name="held_not_negative"),)

    contract_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("lease_contracts.id", ondelete="RESTRICT"), primary_key=True
        )
    )
    enterprise_id: int = Field(foreign_key="enterprises.id", ondelete="RESTRICT")
    held_fen: int = Field(default=0, sa_type=sa.BigInteger)
    updated_at: datetime = created_at_field()


class DepositEntry(SQLModel, table=True):
    __tablename__ = "billing_deposit_entries"
    __table_args__ = (
        enum_check("kind", DepositEntryKind),
        sa.CheckConstraint("amount_fen > 0", name="amount_positive"),
        sa.CheckConstraint(
            "(kind = 'deducted_arrears') = (payment_id IS NOT NULL)", name="arrears_payment"
        ),
        sa.Index("ix_billing_deposit_entries_contract_id", "contract_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="lease_contracts.id", ondelete="RESTRICT")
    enterprise_id: int = Field(foreign_key="enterprises.id", ondelete="RESTRICT")
    kind: str = Field(max_length=24)
    amount_fen: int = Field(sa_type=sa.BigInteger)
    entry_date: date
    method: str | None = Field(default=None, max_length=16)
    reference: str = Field(default="", max_length=100)
    reason: str = Field(default="", max_length=500)
    payment_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.BigInteger, sa.ForeignKey("billing_payments.id", ondelete="RESTRICT"), nullable=True
        ),
    )
    created_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()


class Meter(SQLModel, table=True):
    __tablename__ = "billing_meters"
    __table_args__ = (
        enum_check("kind", MeterKind),
        enum_check("scope", MeterScope),
        sa.UniqueConstraint("park_id", "code"),
        sa.CheckConstraint("(scope = 'unit') = (unit_id IS NOT NULL)", name="unit_iff_unit_scope"),
        sa.CheckConstraint("multiplier > 0", name="multiplier_positive"),
        sa.CheckConstraint("initial_reading >= 0", name="initial_not_negative"),
        sa.Index("ix_billing_meters_unit_id", "unit_id"),
        sa.Index("ix_billing_meters_building_id", "building_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    park_id: int = Field(foreign_key="parks.id", ondelete="RESTRICT")
    building_id: int = Field(foreign_key="buildings.id", ondelete="RESTRICT")
    unit_id: int | None = Field(default=None, foreign_key="units.id", ondelete="RESTRICT")
    kind: str = Field(max_length=16)
    scope: str = Field(max_length=8)
    code: str = Field(max_length=40)
    multiplier: Decimal = Field(default=Decimal(1), sa_type=sa.Numeric(10, 2))
    initial_reading: Decimal = Field(default=Decimal(0), sa_type=METER)
    installed_on: date
    active: bool = True
    note: str = Field(default="", max_length=200)
    created_at: datetime = created_at_field()


class MeterReading(SQLModel, table=True):
    """The reading of a meter at the end of ``reading_month`` (consumption of that month)."""

    __tablename__ = "billing_meter_readings"
    __table_args__ = (
        sa.UniqueConstraint("meter_id", "reading_month"),
        sa.CheckConstraint("EXTRACT(DAY FROM reading_month) = 1", name="reading_month_first_day"),
        sa.CheckConstraint("value >= 0 AND previous_value >= 0", name="values_not_negative"),
        sa.CheckConstraint("consumption >= 0 AND quantity >= 0", name="consumption_not_negative"),
        sa.CheckConstraint(
            "replaced = (old_final_value IS NOT NULL AND new_start_value IS NOT NULL)",
            name="replacement_complete",
        ),
        sa.CheckConstraint(
            "replaced OR value >= previous_value", name="no_decrease_without_replacement"
        ),
        sa.Index("ix_billing_meter_readings_reading_month", "reading_month"),
    )

    id: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, primary_key=True))
    meter_id: int = Field(foreign_key="billing_meters.id", ondelete="RESTRICT")
    reading_month: date
    read_on: date
    value: Decimal = Field(sa_type=METER)
    previous_value: Decimal = Field(sa_type=METER)
    replaced: bool = False
    old_final_value: Decimal | None = Field(default=None, sa_type=METER)
    new_start_value: Decimal | None = Field(default=None, sa_type=METER)
    consumption: Decimal = Field(sa_type=METER)  # in meter units, before the multiplier
    quantity: Decimal = Field(sa_type=QTY)  # billed kWh / m³: consumption x multiplier
    flagged: bool = False
    flag_reason: str = Field(default="", max_length=300)
    confirmed_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    confirmed_at: datetime | None = tz_field()
    entered_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()


class Tariff(SQLModel, table=True):
    """Price per kWh or m³ in a park from ``valid_from`` until ``valid_to`` (exclusive, or open).

    ``tiers`` (optional): ``[{"up_to": "1000", "price_fen": "60.00"}, {"up_to": null, ...}]``,
    monthly quantity bands per meter line; without it ``unit_price_fen`` applies throughout.
    """

    __tablename__ = "billing_tariffs"
    __table_args__ = (
        enum_check("kind", MeterKind),
        sa.CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="validity_not_empty"),
        sa.CheckConstraint("unit_price_fen >= 0", name="price_not_negative"),
        sa.Index("ix_billing_tariffs_park_id_kind", "park_id", "kind"),
        # No two tariffs of one kind in force on the same day in a park.
        ExcludeConstraint(
            ("park_id", "="),
            ("kind", "="),
            (sa.text("daterange(valid_from, valid_to, '[)')"), "&&"),
            using="gist",
            name="ex_billing_tariffs_validity",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    park_id: int = Field(foreign_key="parks.id", ondelete="RESTRICT")
    kind: str = Field(max_length=16)
    valid_from: date
    valid_to: date | None = None
    unit_price_fen: Decimal = Field(sa_type=PRICE)
    tiers: list | None = Field(default=None, sa_type=JSONB)
    note: str = Field(default="", max_length=200)
    created_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()
