"""The enterprise CSV columns: cell parsing and export formatting (no database)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from parkops.core.tabular import CellError, export_csv, read_csv
from parkops.enterprises.imports import COLUMNS, ShopsCell, UsccCell, export_row
from parkops.enterprises.rules.uscc import make_uscc

USCC = make_uscc("91360483MA35ABCD1")


def test_shops_cell_round_trip():
    cell = ShopsCell()
    parsed = cell("天猫：暖阳旗舰店|https://a.tmall.com；抖音:暖阳官方旗舰店")
    assert parsed == [
        {"platform": "天猫", "shop_name": "暖阳旗舰店", "url": "https://a.tmall.com"},
        {"platform": "抖音", "shop_name": "暖阳官方旗舰店", "url": None},
    ]
    stored = [
        {"platform": "tmall", "shop_name": "暖阳旗舰店", "url": "https://a.tmall.com"},
        {"platform": "douyin", "shop_name": "暖阳官方旗舰店", "url": None},
    ]
    assert cell.export(stored, "zh") == "天猫:暖阳旗舰店|https://a.tmall.com; 抖音:暖阳官方旗舰店"
    assert (
        cell.export(stored, "en") == "Tmall:暖阳旗舰店|https://a.tmall.com; Douyin:暖阳官方旗舰店"
    )
    assert len(cell(cell.export(stored, "en"))) == 2


@pytest.mark.parametrize("text", ["暖阳旗舰店", "淘宝网:x", "天猫:"])
def test_shops_cell_refuses_bad_text(text):
    with pytest.raises(CellError):
        ShopsCell()(text)


def test_uscc_cell_quotes_input_as_a_parameter():
    with pytest.raises(CellError) as raised:
        UsccCell()(USCC[:17] + "%")
    assert raised.value.message == "%(problem)s"
    assert "%" in raised.value.params["problem"]
    assert UsccCell()(USCC.lower()) == USCC


def test_export_reads_back_to_the_same_values():
    row = export_row(
        {
            "name": "庐山市暖阳羽绒服饰有限公司",
            "name_en": None,
            "uscc": USCC,
            "legal_representative": "王伟",
            "contact_person": "李娜",
            "contact_mobile": "13800138000",
            "industry": "childrens_clothing",
            "status": "former_tenant",
            "registered_capital_fen": 100_000_050,
            "employee_count": 8,
            "shops": [{"platform": "jd", "shop_name": "京东店", "url": None}],
        }
    )
    for lang in ("zh", "en"):
        preview = read_csv(export_csv(COLUMNS, [row], lang), COLUMNS)
        assert preview.file_errors == [] and preview.rows[0].errors == []
        values = preview.rows[0].values
        assert values["industry"] == "childrens_clothing" and values["status"] == "former_tenant"
        assert values["registered_capital"] == Decimal("1000000.50")
        assert values["shops"] == [{"platform": "京东" if lang == "zh" else "JD.com",
                                    "shop_name": "京东店", "url": None}]  # fmt: skip
