"""No raw key in a money document (issue 10, defect 6).

Bills, notices, receipts, dunning letters, the billing pages and the reports (on screen, CSV and
XLSX) are read by people: a stored key such as ``half_up_fen``, ``quarterly`` or
``bank_transfer`` must never show, in either language. The scenario below makes every kind of
value appear (each charge type, bill status, payment method, allocation source, credit-note
kind, report status, payment cycle), renders everything, and looks for the keys in the text a
reader sees.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from parkops.billing import payments, pdf, service
from parkops.billing.models import (
    AllocationSource,
    Bill,
    BillLine,
    BillStatus,
    ChargeType,
    CreditNoteKind,
    DepositEntryKind,
    MeterKind,
    MeterScope,
    PaymentMethod,
    RunStatus,
    SlipStatus,
)
from parkops.billing.rules.allocation import AllocationPolicy
from parkops.core.money import ROUNDING_POLICY
from parkops.documents.render import render_pdf
from parkops.leases.rules.schedule import PaymentCycle
from parkops.leases.rules.workflow import ContractStatus
from tests.integration.billing.factories import (
    active_contract,
    bills_of,
    create_units,
    meter,
    pay,
    reading,
    run_month,
    tariff,
)
from tests.integration.leases.factories import actor
from tests.support import post_form

ENUMS = (
    AllocationPolicy,
    AllocationSource,
    BillStatus,
    ChargeType,
    ContractStatus,
    CreditNoteKind,
    DepositEntryKind,
    MeterKind,
    MeterScope,
    PaymentCycle,
    PaymentMethod,
    RunStatus,
    SlipStatus,
)
RAW_KEYS = sorted(
    {m.value for enum in ENUMS for m in enum} | {ROUNDING_POLICY, "credit_notes", "interrupted"}
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"


def raw_keys_in(text: str, *, chinese: bool) -> list[str]:
    """The keys found as whole words. In Chinese text no English key may appear at all; in
    English text a one-word key can be the English label ("Paid"), so only the keys that no
    person writes (with an underscore) are looked for."""
    keys = RAW_KEYS if chinese else [k for k in RAW_KEYS if "_" in k]
    return [k for k in keys if re.search(rf"(?<![A-Za-z0-9_]){re.escape(k)}(?![A-Za-z0-9_])", text)]


class _Visible(HTMLParser):
    """The text of a page a person sees (no markup, attributes, scripts or styles)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return "\n".join(parser.parts)


def pdf_text(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def xlsx_text(data: bytes) -> str:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    return "\n".join(
        " ".join("" if v is None else str(v) for v in row)
        for row in sheet.iter_rows(values_only=True)
    )


async def _scenario(db):
    """Two contracts (quarterly and half-yearly) with every kind of line, money and report."""
    leasing, admin = await actor(db, "leasing"), await actor(db, "park_admin")
    units = await create_units(db, 2)
    quarterly = await active_contract(db, leasing=leasing, admin=admin, units=[units[0]])
    half = await active_contract(
        db, leasing=leasing, admin=admin, units=[units[1]], cycle="half_yearly"
    )
    await tariff(db, quarterly.park_id, "electricity", "0.80")
    await tariff(db, quarterly.park_id, "water", "4.10")
    await reading(db, (await meter(db, unit=units[0])).id, "2026-01", "1000")
    await reading(db, (await meter(db, unit=units[0], kind="water")).id, "2026-01", "20")
    common = await meter(db, building_id=units[0].building_id)
    await reading(db, common.id, "2026-01", "300")
    common_water = await meter(db, building_id=units[0].building_id, kind="water")
    await reading(db, common_water.id, "2026-01", "30")
    await run_month(db, "2026-01", date(2026, 1, 2))
    payment = await pay(db, quarterly.enterprise_id, 5_000_000, date(2026, 1, 10))
    await service.add_adjustment(db, "test", quarterly.id, {"amount": "100", "reason": "门禁卡"})
    await run_month(db, "2026-02", date(2026, 2, 2))
    first_half = (await bills_of(db, half.id))[0]
    await service.credit_bill(db, "test", first_half.id, {"amount": "10", "reason": "面积更正"})
    feb = (await bills_of(db, quarterly.id))[-1]
    fee_line = await db.scalar(
        sa.select(BillLine).where(BillLine.bill_id == feb.id, BillLine.charge_type == "late_fee")
    )
    await service.waive_late_fee(db, "test", fee_line.id, {"amount": "1", "reason": "首次逾期"})
    return quarterly, half, payment


async def test_no_raw_key_in_billing_documents_pages_or_reports(client, db, login):
    quarterly, half, payment = await _scenario(db)
    bills = [b for c in (quarterly, half) for b in await bills_of(db, c.id)]
    found: dict[str, list[str]] = {}

    def check(where: str, text: str, *, chinese: bool) -> None:
        keys = raw_keys_in(text, chinese=chinese)
        if keys:
            found[where] = keys

    # PDFs (Chinese)
    if shutil.which("pdftotext"):
        for bill in bills:
            notice = render_pdf("billing_notice", await pdf.notice_context(db, bill.id)).pdf
            check(f"notice {bill.id}", pdf_text(notice), chinese=True)
        receipt = render_pdf("billing_receipt", await pdf.receipt_context(db, payment.id)).pdf
        check("receipt", pdf_text(receipt), chinese=True)
        dunning = render_pdf(
            "billing_dunning", await pdf.dunning_context(db, quarterly.id, date(2026, 3, 1))
        ).pdf
        check("dunning letter", pdf_text(dunning), chinese=True)

    # An enterprise user reports a payment with a slip; finance rejects it.
    enterprise_user = await login("enterprise_user", enterprise_id=quarterly.enterprise_id)
    reported = await post_form(
        client,
        "/portal/bills/report-payment",
        {"amount": "10", "method": "wechat_pay", "paid_on": "2026-01-03"},
        files={"slip": ("回单.png", PNG, "image/png")},
    )
    assert reported.status_code == 303
    slip_id = await db.scalar(sa.text("SELECT max(id) FROM billing_payment_slips"))
    await payments.reject_slip(db, "test", slip_id, "金额不符")

    for lang in ("zh", "en"):
        chinese = lang == "zh"
        await login(user=enterprise_user)
        client.cookies.set("parkops_lang", lang)
        for url in ["/portal/bills", *[f"/portal/bills/{b.id}" for b in bills[:2]]]:
            page = await client.get(url)
            assert page.status_code == 200, url
            check(f"{lang} {url}", visible(page.text), chinese=chinese)

        await login("finance")
        client.cookies.set("parkops_lang", lang)
        urls = [
            "/billing",
            "/billing/bills",
            "/billing/payments",
            f"/billing/payments/{payment.id}",
            "/billing/slips",
            f"/billing/enterprises/{quarterly.enterprise_id}",
            f"/billing/deposits/{quarterly.id}",
            "/billing/meters",
            "/billing/tariffs",
            "/billing/settings",
            *[f"/billing/bills/{b.id}" for b in bills],
        ]
        for name in ("aging", "collection", "rent-roll", "revenue", "arrears", "late-fees"):
            urls.append(f"/billing/reports/{name}?as_of=2026-03-01&days=10")
        for url in urls:
            page = await client.get(url)
            assert page.status_code == 200, url
            check(f"{lang} {url}", visible(page.text), chinese=chinese)
        for name in ("aging", "collection", "rent-roll", "revenue", "arrears", "late-fees"):
            csv = await client.get(f"/billing/reports/{name}.csv?as_of=2026-03-01&days=10")
            check(f"{lang} {name}.csv", csv.content.decode("utf-8-sig"), chinese=chinese)
            xlsx = await client.get(f"/billing/reports/{name}.xlsx?as_of=2026-03-01&days=10")
            check(f"{lang} {name}.xlsx", xlsx_text(xlsx.content), chinese=chinese)

    assert found == {}, "\n".join(f"{k}: {v}" for k, v in sorted(found.items()))
    # The scenario really produced the values whose keys are looked for.
    kinds = set((await db.execute(sa.select(BillLine.charge_type).distinct())).scalars())
    assert kinds == {c.value for c in ChargeType}
    statuses = set((await db.execute(sa.select(Bill.status).distinct())).scalars())
    assert {"issued", "partially_paid"} <= statuses


async def test_the_notice_states_the_rounding_rule_in_words(db):
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils is not installed")
    contract = await active_contract(db)
    await run_month(db, "2026-01", date(2026, 1, 2))
    [bill] = await bills_of(db, contract.id)
    text = pdf_text(render_pdf("billing_notice", await pdf.notice_context(db, bill.id)).pdf)
    flat = "".join(text.split())
    assert "half_up_fen" not in flat
    assert "四舍五入" in flat
