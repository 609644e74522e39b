"""The base font subsets: what they hold, and that characters outside them still print."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace

import pytest

from parkops.documents import fonts
from parkops.documents.render import render_pdf
from parkops.documents.samples import LESSEE, sample_lease_contract


def test_base_codepoints_cover_contract_text():
    points = set(fonts.base_codepoints())
    for (
        char
    ) in "厂房租赁合同人民币壹贰叁肆伍陆柒捌玖拾佰仟万亿元整角分（）：；、。“”《》㎡¥￥①AZaz09":
        assert ord(char) in points, char
    assert len(points) > 8000
    assert ord("堃") not in points  # GBK, not GB 2312: comes from the full font


def test_the_installed_faces_are_found():
    if fonts.find_face("Noto Serif CJK SC", "normal") is None:
        pytest.skip("fonts-noto-cjk is not installed")
    path, index = fonts.find_face("Noto Sans CJK SC", "bold")
    assert path.name.startswith("NotoSansCJK") and "Bold" in path.name and index >= 0
    assert fonts.find_face("No Such Family 42", "normal") is None


def test_process_fonts_name_the_subsets_before_the_full_faces():
    pdf_fonts = fonts.pdf_fonts()
    assert pdf_fonts.serif.endswith('"Noto Serif CJK SC"')
    assert pdf_fonts.sans_bold.endswith('"Noto Sans CJK SC"')
    for family, _weight, uri in pdf_fonts.font_faces:
        assert family in pdf_fonts.serif + pdf_fonts.sans_bold
        assert uri.startswith("file://")


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")
def test_a_rare_character_prints_from_the_full_font():
    lessee = replace(LESSEE, legal_representative="王堃")
    contract = replace(sample_lease_contract(units=1, years=1), lessee=lessee)
    pdf = render_pdf("lease_contract", contract, language="zh").pdf
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert "王堃" in text
    listed = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True)
    names = listed.stdout.decode()
    if fonts.pdf_fonts().font_faces:
        assert "Noto-Serif-CJK-SC" in names  # the fallback face, for 堃 alone
