"""The lease contract PDF: what it says in both language modes, page numbers, determinism.

The PDFs are read back with poppler's ``pdftotext`` (Debian poppler-utils), as a person
copying text out of the file would. Page 1 of the bilingual contract is also written as a PNG to
``test-results/documents/`` (pdftoppm) for people to look at.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
from dataclasses import replace

import pytest

from parkops.config import PROJECT_ROOT
from parkops.core.money import fen_to_chinese_capitals, format_fen
from parkops.documents.models import DocumentLanguage
from parkops.documents.render import TEMPLATES, render_html, render_pdf, render_pdf_async
from parkops.documents.samples import LESSEE, LESSOR, sample_lease_contract

pytestmark = pytest.mark.skipif(
    not shutil.which("pdftotext") or not shutil.which("pdftoppm"),
    reason="poppler-utils is not installed (deploy/debian-packages.sh test)",
)
RESULTS = PROJECT_ROOT / "test-results" / "documents"


def pdftotext(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def squeeze(text: str) -> str:
    """Chinese text with the line breaks and spaces pdftotext puts in removed."""
    return "".join(text.split())


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def contract():
    return sample_lease_contract(units=10, years=3)


@pytest.fixture(scope="module")
def zh(contract):
    return render_pdf("lease_contract", contract, language=DocumentLanguage.zh)


@pytest.fixture(scope="module")
def bilingual(contract):
    return render_pdf("lease_contract", contract, language=DocumentLanguage.zh_en)


@pytest.mark.parametrize("mode", ["zh", "bilingual"])
def test_contract_states_parties_amounts_and_page_numbers(request, contract, mode):
    result = request.getfixturevalue(mode)
    text = pdftotext(result.pdf)
    flat = squeeze(text)
    assert result.pdf.startswith(b"%PDF-")
    for party in (LESSOR, LESSEE):
        assert party.name in flat
        assert party.uscc in flat
    assert "出租方（甲方）" in flat and "承租方（乙方）" in flat
    deposit_words = fen_to_chinese_capitals(contract.deposit_fen)
    assert deposit_words.startswith("人民币") and deposit_words.endswith("元整")
    assert f"租赁保证金人民币{format_fen(contract.deposit_fen)}元（大写：{deposit_words}）" in flat
    for unit in contract.units:
        assert unit.code in flat
    assert format_fen(contract.schedule_total_fen) in flat
    assert "2026-03-01至2026-05-31" in flat and "2028-12-01至2029-02-28" in flat
    assert "提交出租方所在地人民法院诉讼解决" in flat
    assert "（盖章）" in flat and "（签字）" in flat
    n = result.page_count
    assert n >= 4
    for page in range(1, n + 1):
        assert f"第{page}页共{n}页" in flat
    assert f"第{n + 1}页" not in flat


def test_english_clauses_only_in_bilingual_mode(zh, bilingual):
    english = "Party A leases to Party B the following workshop units"
    assert english in words(pdftotext(bilingual.pdf))
    assert english not in words(pdftotext(zh.pdf))
    assert "Page 1 of" in pdftotext(bilingual.pdf)
    assert not re.search(r"[A-Za-z]{4,} [a-z]{3,} [a-z]{3,}", pdftotext(zh.pdf)), (
        "an English sentence in the Chinese-only contract"
    )
    assert bilingual.page_count > zh.page_count


def test_same_input_renders_the_same_text(contract, bilingual):
    again = render_pdf("lease_contract", contract, language="zh_en")
    assert pdftotext(again.pdf) == pdftotext(bilingual.pdf)
    assert again.template_version == TEMPLATES["lease_contract"].version


def test_metadata_comes_from_the_inputs_not_the_clock(bilingual):
    info = subprocess.run(
        ["pdfinfo", "-isodates", "-"], input=bilingual.pdf, capture_output=True, check=True
    ).stdout.decode()
    assert re.search(r"CreationDate:\s+2026-02-16T00:00:00\+08", info), info
    assert "厂房租赁合同 HXYR-ZL-2026-0318" in info


def test_changed_input_changes_the_text(contract, zh):
    other = replace(contract, contract_number="HXYR-ZL-2026-9999")
    text = squeeze(pdftotext(render_pdf("lease_contract", other, language="zh").pdf))
    assert "HXYR-ZL-2026-9999" in text and "HXYR-ZL-2026-0318" not in text


def test_fonts_are_the_two_noto_faces_only(bilingual):
    fonts = subprocess.run(
        ["pdffonts", "-"], input=bilingual.pdf, capture_output=True, check=True
    ).stdout.decode()
    names = [line.split()[0] for line in fonts.splitlines()[2:]]
    assert len(names) == 2, fonts
    assert all(re.search(r"\+(ParkOps|Noto)-(Serif|Sans)", n) for n in names), fonts


def test_page_one_as_png_for_people_to_look_at(bilingual, tmp_path):
    RESULTS.mkdir(parents=True, exist_ok=True)
    pdf = RESULTS / "lease_contract_zh_en.pdf"
    pdf.write_bytes(bilingual.pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", pdf, RESULTS / "lease_contract"],
        check=True,
    )
    png = next(RESULTS.glob("lease_contract-*1.png"))
    assert png.stat().st_size > 20_000  # a page of text, not a blank page


def test_wrong_context_type_is_refused():
    with pytest.raises(TypeError):
        render_html("lease_contract", {"contract_number": "x"})
    with pytest.raises(ValueError):
        render_html("no_such_template", sample_lease_contract())


def test_html_escapes_what_people_typed():
    evil = replace(sample_lease_contract(), purpose="<script>alert(1)</script>")
    html = render_html("lease_contract", evil, language="zh")
    assert "<script>" not in html and "&lt;script&gt;" in html


async def test_async_render_leaves_the_event_loop_free(contract):
    ticks = 0
    done = False

    async def ticker():
        nonlocal ticks
        while not done:
            await asyncio.sleep(0.005)
            ticks += 1

    task = asyncio.create_task(ticker())
    result = await render_pdf_async("lease_contract", contract, language="zh")
    done = True
    await task
    assert result.page_count >= 4
    assert ticks >= 10, "the event loop was blocked while the PDF was rendered"


def test_streams_are_flate_compressed_at_the_cheaper_level(contract, bilingual):
    """flate_streams compresses what pydyf would (same streams, same text, same pixels) at
    zlib level 6: slightly bigger than pydyf's level 9, never uncompressed."""
    from weasyprint import HTML

    from parkops.documents.render import _shared_font_config, _templates_dir

    html = render_html("lease_contract", contract, language="zh_en")
    level9 = HTML(string=html, base_url=f"{_templates_dir(None) / 'pdf'}/").write_pdf(
        font_config=_shared_font_config()
    )
    flate = re.compile(rb"/Filter\s*/FlateDecode")
    assert len(flate.findall(bilingual.pdf)) == len(flate.findall(level9)) > 10
    assert len(level9) < len(bilingual.pdf) < len(level9) * 1.02
    assert pdftotext(bilingual.pdf) == pdftotext(level9)

    def page_one(pdf: bytes) -> bytes:
        return subprocess.run(
            ["pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-gray", "-", "-"],
            input=pdf, capture_output=True, check=True,
        ).stdout  # fmt: skip

    assert page_one(bilingual.pdf) == page_one(level9)
