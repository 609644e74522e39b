"""API shapes of the leases domain.

Input models only check types; the rules (dates in order, rent-free period inside the term,
non-negative amounts, escalation at most 100%, units free for the term) live in the service,
which answers 422 naming each field, or 409 naming the unit and the contract in the way.
Amounts are fen; rates and areas decimal strings or numbers; dates ``YYYY-MM-DD``.

Every range is given and shown by its **last day, inclusive**, as a contract states it
("自2027年1月1日起至2029年12月31日止": ``start_date`` 2027-01-01, ``last_day`` 2029-12-31, three
years): ``last_day``, ``terminated_last_day``, ``wanted_until``, ``held_until``,
``period_last_day``. (Until issue 10 the API took an exclusive ``end_date``; a request that still
sends ``end_date`` is refused rather than read one day off.)
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field, field_validator

LAST_DAY = "Last day of the term, inclusive: 2027-01-01 to 2029-12-31 is three years"
ACCEPT_PARTIAL_MONTH = (
    "Confirms a term that is not a whole number of months; without it such a term is refused "
    "(422 on last_day, saying which last day would make whole months)"
)


class _EndDateRenamed(BaseModel):
    """Refuses the exclusive ``end_date`` of old clients: read as a last day it would add a day
    (and a day's rent) to the term without anybody noticing."""

    end_date: Any = Field(
        default=None,
        exclude=True,
        description="Refused (it was exclusive): send the inclusive last day instead",
        json_schema_extra={"deprecated": True},
    )

    @field_validator("end_date")
    @classmethod
    def _no_end_date(cls, value: Any) -> Any:
        if value is not None:
            raise ValueError(
                "end_date (exclusive) is no longer accepted: send the inclusive last day "
                "(last_day, or wanted_until for a hold)"
            )
        return value


class StepIn(BaseModel):
    effective_from: date
    rate: Decimal


class TermsIn(_EndDateRenamed):
    """Terms of a contract (every field optional in an amendment: the current value stays)."""

    rent_basis: str | None = Field(
        default=None, json_schema_extra={"enum": ["per_m2_month", "per_m2_day", "fixed_monthly"]}
    )
    rent_rate: Decimal | None = Field(default=None, description="元 per m²·month / m²·day / month")
    area_basis: str | None = Field(default=None, json_schema_extra={"enum": ["gross", "leasable"]})
    property_fee_rate: Decimal | None = Field(default=None, description="元/m²·月")
    property_fee_area_basis: str | None = None
    rent_start: date | None = Field(default=None, description="起租日: rent-free before it")
    rent_free_months: int | None = Field(default=None, description="Instead of rent_start")
    property_fee_during_rent_free: bool | None = None
    cycle: str | None = Field(
        default=None, json_schema_extra={"enum": ["monthly", "quarterly", "half_yearly", "yearly"]}
    )
    due_kind: str | None = Field(
        default=None, json_schema_extra={"enum": ["day_of_month", "days_before"]}
    )
    due_value: int | None = None
    proration: str | None = Field(
        default=None, json_schema_extra={"enum": ["by_days", "started_month_whole"]}
    )
    escalation_kind: str | None = Field(
        default=None, json_schema_extra={"enum": ["none", "percent", "steps"]}
    )
    escalation_percent: Decimal | None = None
    escalation_from_year: int | None = None
    escalation_max_increases: int | None = None
    escalation_anchor: str | None = Field(
        default=None, json_schema_extra={"enum": ["start", "rent_start"]}
    )
    escalation_steps: list[StepIn] | str | None = None
    deposit_kind: str | None = Field(
        default=None, json_schema_extra={"enum": ["none", "months", "fixed"]}
    )
    deposit_months: int | None = None
    deposit_include_property_fee: bool | None = None
    deposit_amount: Decimal | None = Field(default=None, description="Fixed deposit in yuan")
    late_fee_daily_rate: Decimal | None = Field(default=None, description="Default 0.0005")
    late_fee_cap_percent: Decimal | None = Field(
        default=None, description="Cap as % of the overdue amount"
    )
    vat_included: bool | None = None
    vat_rate: Decimal | None = Field(default=None, description="e.g. 0.09")
    signed_on: date | None = None

    def raw(self) -> dict[str, Any]:
        return {k: v for k, v in self.model_dump(exclude_unset=True).items() if v is not None}


class ContractIn(TermsIn):
    enterprise_id: int
    unit_ids: list[int]
    start_date: date
    last_day: date = Field(description=LAST_DAY)
    accept_partial_month: bool = Field(default=False, description=ACCEPT_PARTIAL_MONTH)
    purpose: str = ""
    purpose_en: str = ""
    special_terms: str = ""
    language: str = Field(default="zh", json_schema_extra={"enum": ["zh", "zh_en"]})
    submit: bool = Field(default=False, description="Submit for approval at once")


class ContractUpdate(TermsIn):
    """A draft's fields; the ones not sent keep their values."""

    enterprise_id: int | None = None
    unit_ids: list[int] | None = None
    start_date: date | None = None
    last_day: date | None = Field(default=None, description=LAST_DAY)
    accept_partial_month: bool | None = Field(
        default=None,
        description=ACCEPT_PARTIAL_MONTH + "; not needed when the term does not change",
    )
    purpose: str | None = None
    purpose_en: str | None = None
    special_terms: str | None = None
    language: str | None = None


class TransitionIn(BaseModel):
    action: str = Field(json_schema_extra={"enum": ["submit", "approve", "reject", "cancel"]})
    note: str | None = None


class AmendmentIn(TermsIn):
    effective_from: date
    note: str = ""


class RenewalIn(_EndDateRenamed):
    last_day: date | None = Field(
        default=None,
        description="Last day of the renewal, inclusive (it starts the day after the renewed "
        "contract's last day). Default: a term as long as the renewed one",
    )
    accept_partial_month: bool = Field(default=False, description=ACCEPT_PARTIAL_MONTH)
    increase_percent: Decimal | None = None


class TerminationIn(_EndDateRenamed):
    last_day: date = Field(
        description="Last day of use, inclusive: the contract ends after this day (before its "
        "own last day)"
    )
    reason: str


class DocumentIn(BaseModel):
    language: str | None = Field(default=None, json_schema_extra={"enum": ["zh", "zh_en"]})


class ReservationIn(_EndDateRenamed):
    enterprise_id: int
    unit_ids: list[int]
    held_until: date = Field(description="Last day of the hold, inclusive: it lapses after it")
    start_date: date | None = Field(default=None, description="Wanted from. Default: today")
    wanted_until: date | None = Field(
        default=None,
        description="Last day the enterprise wants the units, inclusive; none: open-ended",
    )
    note: str = ""


class ParkSettingsIn(BaseModel):
    contract_prefix: str
    lessor_name: str | None = None
    lessor_name_en: str | None = None
    lessor_uscc: str | None = None
    lessor_address: str | None = None
    lessor_address_en: str | None = None
    lessor_legal_representative: str | None = None
    lessor_contact: str | None = None
    lessor_phone: str | None = None
    lessor_bank_name: str | None = None
    lessor_bank_account: str | None = None
    signing_place: str | None = None
    signing_place_en: str | None = None
    park_name_en: str | None = None


# --- output -------------------------------------------------------------------------------------


class UnitOut(BaseModel):
    id: int
    code: str
    gross_area: Decimal
    leasable_area: Decimal
    building_code: str | None = None
    floor_number: int | None = None


class TermsOut(BaseModel):
    version: int
    effective_from: date
    rent_basis: str
    rent_rate: Decimal
    area_basis: str
    property_fee_rate: Decimal
    property_fee_area_basis: str | None
    rent_start: date | None
    property_fee_during_rent_free: bool
    cycle: str
    due_kind: str
    due_value: int
    proration: str
    escalation: dict | None
    deposit_kind: str
    deposit_months: int | None
    deposit_include_property_fee: bool
    deposit_fixed_fen: int | None
    late_fee_daily_rate: Decimal
    late_fee_cap_percent: Decimal | None
    vat_included: bool
    vat_rate: Decimal
    note: str


class ScheduleLineOut(BaseModel):
    seq: int
    period_start: date
    period_last_day: date = Field(description="Last day of the period, inclusive")
    due_date: date
    rent_fen: int
    property_fee_fen: int
    total_fen: int
    terms_version: int
    breakdown: list[str]


class ContractSummary(BaseModel):
    id: int
    number: str | None
    status: str
    park_id: int
    enterprise_id: int
    enterprise_name: str
    start_date: date
    last_day: date = Field(description=LAST_DAY)
    terminated_last_day: date | None = Field(
        description="Last day of use of a contract terminated early, inclusive"
    )
    effective_last_day: date = Field(
        description="The day the contract really ends on: terminated_last_day or last_day"
    )
    predecessor_id: int | None
    unit_codes: str | None
    gross_area: Decimal | None


class ContractPage(BaseModel):
    items: list[ContractSummary]
    total: int
    page: int
    page_size: int
    pages: int


class TerminationOut(BaseModel):
    last_day: date = Field(description="Last day of use, inclusive")
    reason: str
    deposit_held_fen: int
    charges_due_fen: int
    balance_fen: int
    statement: dict
    created_at: datetime


class ContractOut(BaseModel):
    id: int
    number: str | None
    status: str
    park_id: int
    park_name: str | None
    enterprise_id: int
    enterprise_name: str | None
    start_date: date
    last_day: date = Field(description=LAST_DAY)
    terminated_last_day: date | None = Field(
        description="Last day of use of a contract terminated early, inclusive"
    )
    term_months: int = Field(description="Whole months from start_date to last_day")
    term_extra_days: int = Field(description="Days after the whole months (0: whole months)")
    signed_on: date | None
    purpose: str
    purpose_en: str
    special_terms: str
    language: str
    predecessor_id: int | None
    successor_id: int | None
    approved_at: datetime | None
    created_at: datetime
    units: list[UnitOut]
    gross_area: Decimal
    leasable_area: Decimal
    terms: TermsOut
    terms_versions: int
    deposit_fen: int
    deposit_due_date: date | None = Field(
        description="Due with the first payment of the schedule (as the contract text says)"
    )
    monthly_rent_fen: int
    schedule_frozen: bool
    schedule_total_fen: int
    allowed_actions: list[str]
    termination: TerminationOut | None = None


class EventOut(BaseModel):
    at: datetime
    actor_label: str
    action: str
    from_status: str | None
    to_status: str | None
    note: str | None
    data: dict | None


class ReservationOut(BaseModel):
    id: int
    enterprise_id: int
    enterprise_name: str
    start_date: date
    wanted_until: date | None = Field(description="Inclusive; none: open-ended")
    held_until: date = Field(description="Last day of the hold, inclusive")
    status: str
    note: str
    contract_id: int | None
    created_at: datetime
    unit_codes: str | None


class ReservationPage(BaseModel):
    items: list[ReservationOut]
    total: int
    page: int
    page_size: int
    pages: int


class ExpiringCounts(BaseModel):
    within_30: int
    within_60: int
    within_90: int


class ContractDocumentOut(BaseModel):
    id: int
    filename: str
    language: str
    template_version: int
    sha256: str
    size_bytes: int
    created_at: datetime
    file_url: str


class RefreshOut(BaseModel):
    contracts_expired: int
    hold_units_released: int
    units_changed: int
