"""API shapes of the billing domain (``/api/v1/billing``). Amounts are integer fen."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from parkops.billing.service import bill_number


class BillOut(BaseModel):
    id: int
    number: str
    enterprise_id: int
    enterprise_name: str | None = None
    contract_id: int
    contract_number: str | None = None
    run_month: date
    status: str
    overdue: bool
    issue_date: date
    due_date: date
    total_fen: int
    paid_fen: int
    credited_fen: int
    open_fen: int


class BillPage(BaseModel):
    items: list[BillOut]
    total: int
    page: int
    page_size: int
    pages: int


class BillLineOut(BaseModel):
    id: int
    charge_type: str
    description: str
    period_start: date | None
    period_end: date | None
    quantity: Decimal
    unit_price_fen: Decimal | None
    amount_fen: int
    due_date: date
    source_kind: str | None
    source_id: int | None


class AllocationOut(BaseModel):
    payment_id: int | None = None
    bill_id: int | None = None
    amount_fen: int
    effective_on: date
    source: str


class CreditNoteOut(BaseModel):
    id: int
    kind: str
    amount_fen: int
    reason: str
    bill_line_id: int | None
    created_at: datetime


class BillDetail(BillOut):
    rounding_policy: str
    lines: list[BillLineOut]
    allocations: list[AllocationOut]
    credit_notes: list[CreditNoteOut]


def bill_detail(view: dict) -> BillDetail:
    bill = view["bill"]
    parties = view.get("parties", {})
    return BillDetail(
        id=bill.id,
        number=bill_number(bill.id, bill.run_month),
        enterprise_id=bill.enterprise_id,
        enterprise_name=parties.get("enterprise_name"),
        contract_id=bill.contract_id,
        contract_number=parties.get("contract_number"),
        run_month=bill.run_month,
        status=bill.status,
        overdue=view["overdue"],
        issue_date=bill.issue_date,
        due_date=bill.due_date,
        total_fen=bill.total_fen,
        paid_fen=bill.paid_fen,
        credited_fen=bill.credited_fen,
        open_fen=bill.open_fen,
        rounding_policy=bill.rounding_policy,
        lines=[BillLineOut.model_validate(ln, from_attributes=True) for ln in view["lines"]],
        allocations=[AllocationOut(**a) for a in view["allocations"]],
        credit_notes=[
            CreditNoteOut.model_validate(n, from_attributes=True) for n in view["credit_notes"]
        ],
    )


class PaymentIn(BaseModel):
    enterprise_id: int
    amount_fen: int = Field(description="Amount in fen (> 0)")
    method: str = Field(description="bank_transfer, cash, wechat_pay or alipay")
    received_on: date
    reference: str = ""
    note: str = ""
    idempotency_key: str = Field(
        description="Unique per payment: resending the same key records nothing new"
    )
    allocations: dict[int, int] | None = Field(
        default=None, description="Bill id -> fen; omitted: oldest due first (or the park's rule)"
    )


class PaymentOut(BaseModel):
    id: int
    enterprise_id: int
    amount_fen: int
    allocated_fen: int
    refunded_fen: int
    credit_fen: int
    method: str
    reference: str
    received_on: date
    idempotency_key: str
    allocations: list[AllocationOut]


def payment_out(payment, allocations: list[dict]) -> PaymentOut:
    return PaymentOut(
        id=payment.id,
        enterprise_id=payment.enterprise_id,
        amount_fen=payment.amount_fen,
        allocated_fen=payment.allocated_fen,
        refunded_fen=payment.refunded_fen,
        credit_fen=payment.unallocated_fen,
        method=payment.method,
        reference=payment.reference,
        received_on=payment.received_on,
        idempotency_key=payment.idempotency_key,
        allocations=[
            AllocationOut(
                bill_id=a["bill_id"],
                amount_fen=a["amount_fen"],
                effective_on=a["effective_on"],
                source=a["source"],
            )
            for a in allocations
        ],
    )


class RunIn(BaseModel):
    month: str = Field(description="The month to bill, e.g. 2026-12")
    draft: bool = False
