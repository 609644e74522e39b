"""The fast way into WeasyPrint (parkops.documents.xhtml) gives the PDF the slow way gives.

Every registered template is rendered both ways: through ``render_pdf`` (expat, the stylesheet
parsed once, ParkOps' print user-agent sheet) and through plain ``weasyprint.HTML(string=...)``
with WeasyPrint's own user-agent sheet. The PDFs must be byte for byte the same. When a
WeasyPrint upgrade or a template change breaks that, compare the two PDFs' ``pdftotext -layout``
output and add what ua.css lacks.
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from parkops.billing.pdf import (
    BillNoticeContext,
    DunningLetterContext,
    DunningLine,
    Lessor,
    NoticeLine,
    ReceiptContext,
    ReceiptLine,
)
from parkops.documents import xhtml
from parkops.documents.render import TEMPLATES, render_html, render_pdf
from parkops.documents.samples import sample_lease_contract
from parkops.tickets import record
from tests.unit.tickets.test_ticket_record_context import at, view

LESSOR = Lessor(name="红星园区运营有限公司", address="江西省南昌市", phone="0791-1234567")
DAY = dt.date(2026, 3, 20)


def billing_samples():
    notice = BillNoticeContext(
        number="ZD-2026-03-0001", issue_date=DAY, due_date=DAY, month="2026年3月",
        park_name="红星园区", lessor=LESSOR, enterprise_name="红星羽绒服饰有限公司",
        uscc="91360100MA35XXXX0X", contract_number="HX-2026-0001", units="A1-101",
        lines=(NoticeLine("租金", "2026年3月1日至2026年3月31日", DAY, "", "", "", 1_234_500),
               NoticeLine("电费", "2026年2月", DAY, "峰 120 kWh", "120", "0.85", 10_200)),
        total_fen=1_244_700, paid_fen=0, credited_fen=0, earlier_open_fen=500_00,
        rounding_rule="每项金额只舍入一次，四舍五入至分",
    )  # fmt: skip
    receipt = ReceiptContext(
        number="SJ-2026-0001", received_on=DAY, issued_on=DAY, park_name="红星园区",
        lessor=LESSOR, enterprise_name="红星羽绒服饰有限公司", uscc="91360100MA35XXXX0X",
        amount_fen=1_244_700, method="银行转账", reference="HX<&>\"1\"",
        applied=(ReceiptLine("ZD-2026-03-0001", 1_244_700),), credit_fen=0,
    )  # fmt: skip
    dunning = DunningLetterContext(
        number="CJ-2026-0001", letter_date=DAY, pay_by=DAY, park_name="红星园区", lessor=LESSOR,
        enterprise_name="红星羽绒服饰有限公司", contract_number="HX-2026-0001", units="A1-101",
        lines=(DunningLine("ZD-2026-01-0001", "租金", "2026年1月1日至2026年3月31日", DAY, 48,
                           1_234_500),),
        late_fee_rate_zh="万分之五", accrued_late_fee_fen=29_628,
    )  # fmt: skip
    return {"billing_notice": notice, "billing_receipt": receipt, "billing_dunning": dunning}


def samples():
    yield "lease_contract", sample_lease_contract(units=10)
    yield from billing_samples().items()
    yield "ticket_record", record.build_context(view(), generated_by="坐席", now=at(20))


CASES = [(name, ctx, lang) for name, ctx in samples() for lang in ("zh", "zh_en")]
IDS = [f"{name}-{lang}" for name, _, lang in CASES]


def test_every_registered_template_has_a_case_here():
    assert {name for name, _, _ in CASES} == set(TEMPLATES)


@pytest.mark.parametrize(("name", "ctx", "language"), CASES, ids=IDS)
def test_templates_are_xhtml_made_of_elements_the_print_sheet_covers(name, ctx, language):
    root = xhtml.parse_xhtml(render_html(name, ctx, language=language))
    used = {element.tag for element in root.iter()}
    missing = used - xhtml.PRINT_ELEMENTS
    assert not missing, f"add their defaults to ua.css and them to PRINT_ELEMENTS: {missing}"


@pytest.mark.parametrize(("name", "ctx", "language"), CASES, ids=IDS)
def test_the_fast_path_makes_the_same_pdf_as_weasyprint_alone(name, ctx, language, caplog):
    from weasyprint import HTML

    from parkops.documents.render import _shared_font_config, _templates_dir, flate_streams

    with caplog.at_level(logging.WARNING):
        fast = render_pdf(name, ctx, language=language).pdf
    # Neither a fall-back to WeasyPrint's parser nor CSS that WeasyPrint ignores.
    assert not caplog.records, caplog.text
    html = render_html(name, ctx, language=language)
    slow = HTML(string=html, base_url=f"{_templates_dir(None) / 'pdf'}/").write_pdf(
        font_config=_shared_font_config(), finisher=flate_streams
    )
    assert fast == slow


def test_characters_xml_forbids_are_dropped_not_fatal(caplog):
    ctx = sample_lease_contract(units=1)
    ctx = ctx.__class__(**{**ctx.__dict__, "purpose": "羽绒服\x0c仓储\x0b及电商\x01"})
    with caplog.at_level(logging.WARNING, logger="parkops.documents.xhtml"):
        result = render_pdf("lease_contract", ctx)
    assert not caplog.records
    assert result.pdf.startswith(b"%PDF") and "羽绒服\x0c仓储" in render_html("lease_contract", ctx)


def test_malformed_html_still_renders_through_weasyprints_parser(caplog, tmp_path):
    from weasyprint import HTML

    from parkops.documents.render import _shared_font_config

    ua = tmp_path / "ua.css"
    ua.write_text("p { display: block }")
    with caplog.at_level(logging.WARNING, logger="parkops.documents.xhtml"):
        source, sheets = xhtml.prepare(
            "<p>未闭合<p>第二段", base_url=f"{tmp_path}/", ua_path=ua, font_config=None,
            name="broken",
        )  # fmt: skip
    assert type(source) is HTML and sheets == []
    assert "broken is not well-formed XHTML" in caplog.text
    assert source.render(font_config=_shared_font_config()).pages


def test_a_stylesheet_is_parsed_once_per_distinct_text():
    ctx = sample_lease_contract(units=2)
    render_pdf("lease_contract", ctx, language="zh")  # this process's sheet for zh
    before = xhtml._stylesheet.cache_info()
    render_pdf("lease_contract", ctx, language="zh")
    after = xhtml._stylesheet.cache_info()
    assert after.hits == before.hits + 1 and after.misses == before.misses
