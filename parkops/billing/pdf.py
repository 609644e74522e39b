"""Billing documents as PDFs through the document service: the payment notice of a bill
(缴费通知单), the receipt of a payment (收据) and the dunning letter of a contract (催缴函).

Each has a context dataclass (everything the template prints, amounts in fen) built here from the
billing rows, a template under ``templates/pdf/`` registered with the document renderer, and a
function that renders and stores it (``documents.service.store_document``). Bills and payments
never change once recorded, so their notice and receipt are made once and served again; a
dunning letter states the arrears on its date and is made anew each time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts.identity import Actor
from parkops.billing import late_fees, payments, reports, service
from parkops.billing.models import Allocation, AllocationSource, Bill, BillLine, Payment
from parkops.billing.run import shanghai_today
from parkops.core.errors import Conflict, NotFound
from parkops.core.i18n import N_
from parkops.core.rows import get_or_404
from parkops.documents.models import Document, DocumentKind, DocumentLanguage
from parkops.documents.render import SHARED_FILES, TEMPLATES, PdfTemplate

CHARGE_ZH = {
    "rent": "租金",
    "property_fee": "物业管理费",
    "electricity": "电费",
    "water": "水费",
    "common_electricity": "公摊电费",
    "common_water": "公摊水费",
    "late_fee": "滞纳金",
    "adjustment": "调整",
}
METHOD_ZH = {
    "bank_transfer": "银行转账",
    "cash": "现金",
    "wechat_pay": "微信支付",
    "alipay": "支付宝",
    "deposit": "押金抵扣",
}
SHARED = (*SHARED_FILES, "pdf/_billing.css")


@dataclass(frozen=True)
class Lessor:
    name: str
    address: str = ""
    phone: str = ""
    bank_name: str = ""
    bank_account: str = ""


@dataclass(frozen=True)
class NoticeLine:
    charge: str  # 租金, 电费 ...
    period: str  # 2026年1月1日至2026年3月31日
    detail: str
    quantity: str
    unit_price: str
    amount_fen: int


@dataclass(frozen=True)
class BillNoticeContext:
    number: str
    issue_date: date
    due_date: date
    month: str  # 2026年12月
    park_name: str
    lessor: Lessor
    enterprise_name: str
    uscc: str
    contract_number: str
    units: str
    lines: tuple[NoticeLine, ...]
    total_fen: int
    paid_fen: int
    credited_fen: int
    earlier_open_fen: int  # other bills of the enterprise still open on the issue date
    rounding_policy: str

    @property
    def open_fen(self) -> int:
        return self.total_fen - self.paid_fen - self.credited_fen

    @property
    def document_date(self) -> date:
        return self.issue_date

    def document_title(self, bilingual: bool) -> str:
        return f"缴费通知单 {self.number}"


@dataclass(frozen=True)
class ReceiptLine:
    bill_number: str
    amount_fen: int


@dataclass(frozen=True)
class ReceiptContext:
    number: str
    received_on: date
    issued_on: date
    park_name: str
    lessor: Lessor
    enterprise_name: str
    uscc: str
    amount_fen: int
    method: str
    reference: str
    applied: tuple[ReceiptLine, ...]
    credit_fen: int  # what the payment left as credit when it was recorded

    @property
    def document_date(self) -> date:
        return self.issued_on

    def document_title(self, bilingual: bool) -> str:
        return f"收据 {self.number}"


@dataclass(frozen=True)
class DunningBill:
    bill_number: str
    month: str
    due_date: date
    days_overdue: int
    open_fen: int


@dataclass(frozen=True)
class DunningLetterContext:
    number: str
    letter_date: date
    pay_by: date
    park_name: str
    lessor: Lessor
    enterprise_name: str
    contract_number: str
    units: str
    bills: tuple[DunningBill, ...]
    late_fee_rate_zh: str
    accrued_late_fee_fen: int

    @property
    def overdue_fen(self) -> int:
        return sum(b.open_fen for b in self.bills)

    @property
    def document_date(self) -> date:
        return self.letter_date

    def document_title(self, bilingual: bool) -> str:
        return f"催缴函 {self.number}"


BILLING_TEMPLATES = (
    PdfTemplate(
        name="billing_notice",
        version=2,
        kind=DocumentKind.bill,
        context_type=BillNoticeContext,
        files=("pdf/billing_notice.html", *SHARED),
        fingerprint="c6a8849ae441f077",
    ),
    PdfTemplate(
        name="billing_receipt",
        version=2,
        kind=DocumentKind.receipt,
        context_type=ReceiptContext,
        files=("pdf/billing_receipt.html", *SHARED),
        fingerprint="cdba4d49abe31550",
    ),
    PdfTemplate(
        name="billing_dunning",
        version=2,
        kind=DocumentKind.dunning_letter,
        context_type=DunningLetterContext,
        files=("pdf/billing_dunning.html", *SHARED),
        fingerprint="a83e06fb45ac2561",
    ),
)
"""Recorded fingerprints: tests/unit/documents/test_template_versions.py fails when a file
changes without a version bump (then record the new fingerprint it prints)."""


def register_templates() -> None:
    """Make the billing templates known to the document renderer (idempotent)."""
    for spec in BILLING_TEMPLATES:
        TEMPLATES.setdefault(spec.name, spec)


register_templates()


def cn_date(d: date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def cn_range(start: date | None, end: date | None) -> str:
    if start is None or end is None:
        return ""
    return f"{cn_date(start)}至{cn_date(end - timedelta(days=1))}"


async def _lessor(db: AsyncSession, park_id: int) -> tuple[str, Lessor]:
    row = (
        (
            await db.execute(
                sa.text(
                    """
                SELECT p.name AS park_name, p.address, s.lessor_name, s.lessor_address,
                       s.lessor_phone, s.lessor_bank_name, s.lessor_bank_account
                  FROM parks p LEFT JOIN lease_park_settings s ON s.park_id = p.id
                 WHERE p.id = :id
                """
                ),
                {"id": park_id},
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        return "", Lessor(name="")
    return row["park_name"], Lessor(
        name=row["lessor_name"] or row["park_name"],
        address=row["lessor_address"] or row["address"] or "",
        phone=row["lessor_phone"] or "",
        bank_name=row["lessor_bank_name"] or "",
        bank_account=row["lessor_bank_account"] or "",
    )


def _line(line: BillLine) -> NoticeLine:
    detail = line.description or ""
    if line.charge_type in ("rent", "property_fee"):
        detail = ""
    elif line.charge_type == "late_fee":  # the notice is Chinese; the stored basis English
        detail = late_fees.describe(line.detail, "zh") or detail
    quantity = "" if line.quantity is None else f"{line.quantity.normalize():f}"
    price = ""
    if line.unit_price_fen is not None and line.charge_type not in (
        "rent",
        "property_fee",
        "adjustment",
    ):
        price = f"{(line.unit_price_fen / 100).normalize():f}"
    if line.charge_type in ("rent", "property_fee", "adjustment"):
        quantity = ""
    if line.charge_type == "late_fee":
        quantity = f"{int(line.quantity)}天"
    return NoticeLine(
        charge=CHARGE_ZH.get(line.charge_type, line.charge_type),
        period=cn_range(line.period_start, line.period_end),
        detail=detail,
        quantity=quantity,
        unit_price=price,
        amount_fen=line.amount_fen,
    )


async def notice_context(db: AsyncSession, bill_id: int) -> BillNoticeContext:
    view = await service.bill_view(db, None, bill_id)
    bill: Bill = view["bill"]
    if bill.status == "draft":
        raise Conflict(N_("A draft has no payment notice; issue it first."))
    parties = view["parties"]
    park_name, lessor = await _lessor(db, bill.park_id)
    earlier = await db.scalar(
        sa.select(
            sa.func.coalesce(sa.func.sum(Bill.total_fen - Bill.paid_fen - Bill.credited_fen), 0)
        ).where(
            Bill.enterprise_id == bill.enterprise_id,
            Bill.id != bill.id,
            Bill.status.in_(payments.OPEN),
            Bill.due_date < bill.due_date,
        )
    )
    return BillNoticeContext(
        number=view["number"],
        issue_date=bill.issue_date,
        due_date=bill.due_date,
        month=f"{bill.run_month.year}年{bill.run_month.month}月",
        park_name=park_name,
        lessor=lessor,
        enterprise_name=parties.get("enterprise_name", ""),
        uscc=parties.get("uscc", ""),
        contract_number=parties.get("contract_number", ""),
        units=parties.get("unit_codes") or "",
        lines=tuple(_line(ln) for ln in view["lines"]),
        total_fen=bill.total_fen,
        paid_fen=bill.paid_fen,
        credited_fen=bill.credited_fen,
        earlier_open_fen=int(earlier or 0),
        rounding_policy=bill.rounding_policy,
    )


def receipt_number(payment_id: int, received_on: date) -> str:
    return f"SJ-{received_on:%Y%m}-{payment_id:06d}"


async def receipt_context(db: AsyncSession, payment_id: int) -> ReceiptContext:
    payment = await get_or_404(
        db, Payment, payment_id, N_("No such payment"), populate_existing=True
    )
    enterprise = (
        (
            await db.execute(
                sa.text("SELECT name, uscc FROM enterprises WHERE id = :id"),
                {"id": payment.enterprise_id},
            )
        )
        .mappings()
        .one()
    )
    applied = (
        await db.execute(
            sa.select(Allocation.bill_id, Allocation.amount_fen, Bill.run_month, Bill.park_id)
            .join(Bill, Bill.id == Allocation.bill_id)
            .where(
                Allocation.payment_id == payment_id, Allocation.source != AllocationSource.credit
            )
            .order_by(Allocation.id)
        )
    ).all()
    park_id = (
        applied[0].park_id
        if applied
        else await db.scalar(
            sa.text(
                "SELECT park_id FROM lease_contracts WHERE enterprise_id = :e ORDER BY id LIMIT 1"
            ),
            {"e": payment.enterprise_id},
        )
    )
    park_name, lessor = await _lessor(db, park_id) if park_id else ("", Lessor(name=""))
    applied_fen = sum(a.amount_fen for a in applied)
    return ReceiptContext(
        number=receipt_number(payment.id, payment.received_on),  # type: ignore[arg-type]
        received_on=payment.received_on,
        issued_on=payment.created_at.date() if payment.created_at else payment.received_on,
        park_name=park_name,
        lessor=lessor,
        enterprise_name=enterprise["name"],
        uscc=enterprise["uscc"],
        amount_fen=payment.amount_fen,
        method=METHOD_ZH.get(payment.method, payment.method),
        reference=payment.reference,
        applied=tuple(
            ReceiptLine(service.bill_number(a.bill_id, a.run_month), a.amount_fen) for a in applied
        ),
        credit_fen=payment.amount_fen - applied_fen,
    )


async def dunning_context(
    db: AsyncSession, contract_id: int, today: date | None = None
) -> DunningLetterContext:
    from parkops.billing.repository import bill_parties, late_fee_terms
    from parkops.documents.contexts import per_day_rate_zh

    today = today or shanghai_today()
    contract = (
        (
            await db.execute(
                sa.text("SELECT id, enterprise_id, park_id FROM lease_contracts WHERE id = :id"),
                {"id": contract_id},
            )
        )
        .mappings()
        .first()
    )
    if contract is None:
        raise NotFound(N_("No such contract"))
    rows = (
        (
            await db.execute(
                sa.select(Bill)
                .where(
                    Bill.contract_id == contract_id,
                    Bill.status.in_(payments.OPEN),
                    Bill.due_date < today,
                )
                .order_by(Bill.due_date, Bill.id)
                .execution_options(populate_existing=True)  # sums move by trigger
            )
        )
        .scalars()
        .all()
    )
    if not rows:
        raise Conflict(N_("This contract has no overdue bills: there is nothing to chase."))
    parties = (await bill_parties(db, contract["enterprise_id"], contract_id))["parties"]
    park_name, lessor = await _lessor(db, contract["park_id"])
    rate, _cap = (await late_fee_terms(db, [contract_id])).get(contract_id, (0, None))
    accrued = sum(
        r["amount_fen"]
        for r in await reports.accrued_late_fees(db, today)
        if r["bill_id"] in {b.id for b in rows}
    )
    return DunningLetterContext(
        number=f"CJ-{today:%Y%m%d}-{contract_id:05d}",
        letter_date=today,
        pay_by=today + timedelta(days=7),
        park_name=park_name,
        lessor=lessor,
        enterprise_name=parties.get("enterprise_name", ""),
        contract_number=parties.get("contract_number", ""),
        units=parties.get("unit_codes") or "",
        bills=tuple(
            DunningBill(
                service.bill_number(b.id, b.run_month),  # type: ignore[arg-type]
                f"{b.run_month.year}年{b.run_month.month}月",
                b.due_date,
                (today - b.due_date).days,
                b.open_fen,
            )
            for b in rows
        ),
        late_fee_rate_zh=per_day_rate_zh(rate) if rate else "",
        accrued_late_fee_fen=accrued,
    )


async def _stored(db: AsyncSession, entity: str, entity_id: int, kind: str) -> Document | None:
    return await db.scalar(
        sa.select(Document)
        .where(Document.entity == entity, Document.entity_id == entity_id, Document.kind == kind)
        .order_by(Document.id.desc())
        .limit(1)
    )


async def _generate(
    db, actor, template, context, *, entity, entity_id, enterprise_id, filename, documents_dir
):
    from parkops.documents import service as documents

    return await documents.generate_document(
        db,
        actor,
        template=template,
        context=context,
        language=DocumentLanguage.zh,
        entity=entity,
        entity_id=entity_id,
        enterprise_id=enterprise_id,
        filename=filename,
        documents_dir=documents_dir,
    )


async def bill_document(
    db: AsyncSession, actor: Actor, bill_id: int, documents_dir: Path | None = None
) -> Document:
    """The payment notice of a bill (made on first request, then served as stored)."""
    found = await _stored(db, "billing_bill", bill_id, DocumentKind.bill)
    if found:
        return found
    context = await notice_context(db, bill_id)
    bill = await db.get(Bill, bill_id)
    return await _generate(
        db,
        actor,
        "billing_notice",
        context,
        entity="billing_bill",
        entity_id=bill_id,
        enterprise_id=bill.enterprise_id,  # type: ignore[union-attr]
        filename=f"缴费通知单-{context.number}.pdf",
        documents_dir=documents_dir,
    )


async def receipt_document(
    db: AsyncSession, actor: Actor, payment_id: int, documents_dir: Path | None = None
) -> Document:
    found = await _stored(db, "billing_payment", payment_id, DocumentKind.receipt)
    if found:
        return found
    context = await receipt_context(db, payment_id)
    payment = await db.get(Payment, payment_id)
    return await _generate(
        db,
        actor,
        "billing_receipt",
        context,
        entity="billing_payment",
        entity_id=payment_id,
        enterprise_id=payment.enterprise_id,  # type: ignore[union-attr]
        filename=f"收据-{context.number}.pdf",
        documents_dir=documents_dir,
    )


async def dunning_document(
    db: AsyncSession,
    actor: Actor,
    contract_id: int,
    documents_dir: Path | None = None,
    today: date | None = None,
) -> Document:
    context = await dunning_context(db, contract_id, today)
    enterprise_id = await db.scalar(
        sa.text("SELECT enterprise_id FROM lease_contracts WHERE id = :id"), {"id": contract_id}
    )
    return await _generate(
        db,
        actor,
        "billing_dunning",
        context,
        entity="billing_dunning",
        entity_id=contract_id,
        enterprise_id=enterprise_id,
        filename=f"催缴函-{context.number}.pdf",
        documents_dir=documents_dir,
    )
