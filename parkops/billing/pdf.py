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

from parkops.billing import payments, reports, service
from parkops.billing.models import Allocation, AllocationSource, Bill, BillLine, Payment
from parkops.billing.rules import late_fees, vocabulary
from parkops.billing.rules import run_plan as rp
from parkops.billing.run import shanghai_today
from parkops.core.actor import Actor
from parkops.core.errors import Conflict, NotFound
from parkops.core.i18n import N_
from parkops.core.rows import get_or_404
from parkops.documents.models import Document, DocumentKind, DocumentLanguage
from parkops.documents.render import SHARED_FILES, TEMPLATES, PdfTemplate

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
    due_date: date  # the line's own (a catch-up bill keeps each period's)
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
    rounding_rule: str  # the bill's rounding policy in words (Chinese)

    @property
    def open_fen(self) -> int:
        return self.total_fen - self.paid_fen - self.credited_fen

    @property
    def one_due_date(self) -> bool:
        """Every line is due on the bill's date (else the notice points to each line's)."""
        return all(ln.due_date == self.due_date for ln in self.lines)

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
class DunningLine:
    """One overdue charge: what is still unpaid of a bill line past its own due date."""

    bill_number: str
    charge: str  # 租金, 电费 ...
    period: str
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
    lines: tuple[DunningLine, ...]
    late_fee_rate_zh: str
    accrued_late_fee_fen: int

    @property
    def overdue_fen(self) -> int:
        return sum(ln.open_fen for ln in self.lines)

    @property
    def document_date(self) -> date:
        return self.letter_date

    def document_title(self, bilingual: bool) -> str:
        return f"催缴函 {self.number}"


BILLING_TEMPLATES = (
    PdfTemplate(
        name="billing_notice",
        version=3,
        kind=DocumentKind.bill,
        context_type=BillNoticeContext,
        files=("pdf/billing_notice.html", *SHARED),
        fingerprint="aacfc1e7d0999e3b",
    ),
    PdfTemplate(
        name="billing_receipt",
        version=3,
        kind=DocumentKind.receipt,
        context_type=ReceiptContext,
        files=("pdf/billing_receipt.html", *SHARED),
        fingerprint="9b0a824f4408fb4b",
    ),
    PdfTemplate(
        name="billing_dunning",
        version=3,
        kind=DocumentKind.dunning_letter,
        context_type=DunningLetterContext,
        files=("pdf/billing_dunning.html", *SHARED),
        fingerprint="bcdb661c1bed9231",
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


def _charge_zh(charge_type: str) -> str:
    return vocabulary.text(vocabulary.CHARGE_LABELS, charge_type, "zh")


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
        charge=_charge_zh(line.charge_type),
        period=cn_range(line.period_start, line.period_end),
        due_date=line.due_date,
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
        rounding_rule=vocabulary.text(vocabulary.ROUNDING_LABELS, bill.rounding_policy, "zh"),
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
        method=vocabulary.text(vocabulary.METHOD_LABELS, payment.method, "zh"),
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
    bills = {
        b.id: b
        for b in (
            await db.execute(
                sa.select(Bill)
                .where(
                    Bill.contract_id == contract_id,
                    Bill.status.in_(payments.OPEN),
                    Bill.due_date < today,  # the earliest line's: a first cut
                )
                .order_by(Bill.id)
                .execution_options(populate_existing=True)  # sums move by trigger
            )
        ).scalars()
    }
    overdue = await _overdue_lines(db, bills, today)
    if not overdue:
        raise Conflict(N_("This contract has no overdue bills: there is nothing to chase."))
    parties = (await bill_parties(db, contract["enterprise_id"], contract_id))["parties"]
    park_name, lessor = await _lessor(db, contract["park_id"])
    rate, _cap = (await late_fee_terms(db, [contract_id])).get(contract_id, (0, None))
    accrued = sum(
        r["amount_fen"]
        for r in await reports.accrued_late_fees(db, today, lang="zh")
        if r["contract_id"] == contract_id
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
        lines=tuple(overdue),
        late_fee_rate_zh=per_day_rate_zh(rate) if rate else "",
        accrued_late_fee_fen=accrued,
    )


async def _overdue_lines(
    db: AsyncSession, bills: dict[int, Bill], today: date
) -> list[DunningLine]:
    """What is unpaid of each line past its own due date, oldest due first; the bills' money
    attributed to their lines by ``settlement.settle`` (the rule late fees use)."""
    from parkops.billing.repository import settlement_inputs

    out = []
    for bill_id, (lines, credits, paid) in (await settlement_inputs(db, list(bills))).items():
        accounts = rp.settle_lines(lines, credits, paid)
        bill = bills[bill_id]
        for ln in lines:
            open_fen = accounts[ln.line_id].open_fen
            if open_fen > 0 and ln.due_date < today:
                out.append(
                    DunningLine(
                        service.bill_number(bill_id, bill.run_month),
                        _charge_zh(ln.charge_type),
                        cn_range(ln.period_start, ln.period_end),
                        ln.due_date,
                        (today - ln.due_date).days,
                        open_fen,
                    )
                )
    out.sort(key=lambda ln: (ln.due_date, ln.bill_number))
    return out


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
