"""Billing PDFs through the document service, read back with pdftotext."""

from __future__ import annotations

import subprocess
from datetime import date

import pytest

from parkops.billing import pdf
from parkops.core.errors import Conflict
from parkops.documents import service as documents
from tests.integration.billing.factories import active_contract, bills_of, pay, run_month


def _text(path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True
    ).stdout.decode()


async def test_notice_receipt_and_dunning_letter(db, tmp_path):
    c = await active_contract(db)
    await run_month(db, "2026-01", date(2026, 1, 2))
    await run_month(db, "2026-04", date(2026, 4, 1))
    q1, q2 = await bills_of(db, c.id)

    notice = await pdf.bill_document(db, "test", q1.id, tmp_path)
    assert notice.kind == "bill" and notice.enterprise_id == c.enterprise_id
    text = _text(documents.file_path(notice, tmp_path))
    assert "缴费通知单" in text and f"ZD-202601-{q1.id:06d}" in text
    assert "126,000.00" in text and "人民币壹拾贰万陆仟元整" in text
    assert "租金" in text and "物业管理费" in text
    assert (await pdf.bill_document(db, "test", q1.id, tmp_path)).id == notice.id  # made once

    payment = await pay(db, c.enterprise_id, 13_000_000, date(2026, 4, 2))
    receipt = await pdf.receipt_document(db, "test", payment.id, tmp_path)
    text = _text(documents.file_path(receipt, tmp_path))
    assert "收" in text and "据" in text and "人民币壹拾叁万元整" in text
    assert "银行转账" in text and f"ZD-202601-{q1.id:06d}" in text

    letter = await pdf.dunning_document(db, "test", c.id, tmp_path, today=date(2026, 6, 1))
    text = _text(documents.file_path(letter, tmp_path))
    assert "催缴函" in text and f"ZD-202604-{q2.id:06d}" in text, text
    q2 = (await bills_of(db, c.id))[1]
    assert f"{q2.open_fen / 100:,.2f}" in text, text
    assert "万分之五" in text


async def test_no_dunning_letter_without_arrears(db, tmp_path):
    c = await active_contract(db)
    with pytest.raises(Conflict):
        await pdf.dunning_document(db, "test", c.id, tmp_path, today=date(2026, 6, 1))
