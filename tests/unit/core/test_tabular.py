"""CSV reading (encodings, headers, parsers, line numbers, limits) and CSV/XLSX export."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from enum import StrEnum

import pytest
from openpyxl import load_workbook

from parkops.core.context import language_var
from parkops.core.tabular import (
    ENCODING_MESSAGE,
    CellError,
    Column,
    RowError,
    boolean,
    choice,
    content_disposition,
    date_value,
    decimal,
    export_csv,
    export_xlsx,
    integer,
    read_csv,
    text,
)


class Kind(StrEnum):
    office = "office"
    shop = "shop"


KIND = choice({Kind.office: ("Office", "办公"), Kind.shop: ("Shop", "商铺")})
COLUMNS = [
    Column("code", "Code", "单元编号", required=True, unique=True, parse=text(max_length=10)),
    Column("name", "Name", "名称"),
    Column("area", "Floor area (m²)", "建筑面积", required=True, parse=decimal(min_value=0)),
    Column("kind", "Kind", "类型", required=True, parse=KIND),
    Column("floor", "Floor", "楼层", parse=integer(min_value=-5, max_value=200)),
    Column("since", "Available from", "可租日期", parse=date_value(), aliases=("起租日",)),
    Column("vacant", "Vacant", "空置", parse=boolean()),
]


def csv_bytes(text_value: str, encoding: str = "utf-8") -> bytes:
    return text_value.encode(encoding)


def read(text_value: str, encoding: str = "utf-8", **kw):
    return read_csv(csv_bytes(text_value, encoding), COLUMNS, **kw)


GOOD_ZH = (
    "单元编号,名称,建筑面积,类型,楼层,可租日期,空置\n"
    "A101,一号楼101室,120.5,办公,1,2025/3/1,是\n"
    "B202,商铺二,88,shop,2,2025-04-01,否\n"
)


# --- encodings ---------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_accepted_encodings_read_the_same_chinese_text(encoding):
    preview = read(GOOD_ZH, encoding)
    assert preview.file_errors == []
    assert preview.ok_count == 2 and preview.errors_count == 0 and preview.can_commit
    first = preview.rows[0].values
    assert first == {
        "code": "A101",
        "name": "一号楼101室",
        "area": Decimal("120.50"),
        "kind": Kind.office,
        "floor": 1,
        "since": date(2025, 3, 1),
        "vacant": True,
    }
    assert preview.rows[1].values["kind"] is Kind.shop


def test_gb18030_is_really_not_utf8():
    data = GOOD_ZH.encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


@pytest.mark.parametrize(
    "data",
    [
        GOOD_ZH.encode("utf-16"),  # with BOM, as Excel's "Unicode text"
        GOOD_ZH.encode("utf-16-le"),  # without BOM: NUL bytes
        b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)),  # an .xlsx (zip) uploaded as is
        "单元编号,名称\n".encode() + b"A1,\xff\xfe\x80\n",  # invalid in UTF-8 and GB18030
    ],
    ids=["utf16-bom", "utf16-no-bom", "binary", "invalid-bytes"],
)
def test_other_encodings_and_binary_are_refused_with_a_clear_message(data):
    preview = read_csv(data, COLUMNS)
    assert [e.message for e in preview.file_errors] == [ENCODING_MESSAGE]
    assert preview.rows == [] and not preview.can_commit and preview.errors_count == 1
    token = language_var.set("en")
    try:
        assert preview.file_errors[0].text() == ENCODING_MESSAGE
    finally:
        language_var.reset(token)


# --- headers -----------------------------------------------------------------------------------


def test_headers_match_names_english_and_chinese_labels_and_aliases_in_any_order():
    data = (
        # names, labels and an alias; spaces, "*" and full-width letters
        " AREA ,Kind,code*,ＦＬＯＯＲ,起租日,名称,vacant\n12,商铺,X1,3,2025.1.2,n1,yes\n"
    )
    preview = read(data)
    assert preview.file_errors == [] and preview.ok_count == 1
    assert preview.rows[0].values["since"] == date(2025, 1, 2)
    assert preview.rows[0].values["floor"] == 3
    assert [c.name for c in preview.columns] == ["code", "name", "area", "kind", "floor", "since",
                                                 "vacant"]  # fmt: skip


def test_optional_columns_may_be_absent():
    preview = read("code,area,kind\nA1,1,office\n")
    assert preview.ok_count == 1
    assert preview.rows[0].values == {
        "code": "A1",
        "area": Decimal("1.00"),
        "kind": Kind.office,
        **dict.fromkeys(["name", "floor", "since", "vacant"]),
    }
    assert list(preview.rows[0].raw) == ["code", "area", "kind"]


def test_missing_required_columns_are_named():
    preview = read("单元编号,名称\nA1,x\n")
    messages = [(e.column, e.message, dict(e.params)) for e in preview.file_errors]
    assert [m[0] for m in messages] == ["area", "kind"]
    assert messages[0][2] == {"label_zh": "建筑面积", "label_en": "Floor area (m²)"}
    assert preview.rows == [] and not preview.can_commit


def test_unknown_and_duplicate_columns_are_reported():
    preview = read("code,area,kind,颜色,单元编号\nA1,1,office,red,A1\n")
    texts = [(e.line, e.message, dict(e.params)) for e in preview.file_errors]
    assert (1, "Unknown column %(header)s", {"header": "颜色"}) in texts
    assert any(p.get("second") == "单元编号" for _, _, p in texts)
    assert not preview.can_commit


def test_unknown_columns_can_be_ignored_but_their_values_are_not_silently_dropped():
    preview = read(
        "code,area,kind,备注\nA1,1,office,\nA2,2,shop,note\n", ignore_unknown_columns=True
    )
    assert preview.file_errors == []
    assert preview.rows[0].ok
    assert not preview.rows[1].ok and "without a known header" in preview.rows[1].errors[0].message


def test_extra_cells_beyond_the_header_are_errors_and_short_rows_are_padded():
    preview = read("code,area,kind,name\nA1,1,office\nA2,2,shop,n,surprise\n")
    assert preview.rows[0].ok and preview.rows[0].values["name"] is None
    assert preview.rows[1].errors[0].params == {"value": "surprise"}


def test_empty_file_and_header_only_file():
    assert read("").file_errors[0].message == "The file is empty"
    assert read("\n ,, \n").file_errors[0].message == "The file is empty"
    assert read("code,area,kind\n\n").file_errors[0].message.startswith("The file has a header")


# --- parsers -----------------------------------------------------------------------------------


def test_whitespace_is_stripped_and_empty_optional_cells_are_none():
    preview = read("code,area,kind,name,floor\n  A1 , 1.5 , 办公 ,  ,\n")
    row = preview.rows[0]
    assert row.ok and row.values["code"] == "A1" and row.values["name"] is None
    assert row.values["floor"] is None and row.raw["code"] == "A1"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1,234.5", Decimal("1234.50")), ("0", Decimal("0.00")), ("１２.３", Decimal("12.30")),
     ("-0.00", Decimal("0.00"))],
)  # fmt: skip
def test_decimal_parser_accepts(raw, expected):
    assert decimal(min_value=0)(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [("abc", "Not a number"), ("1.234", "At most %(places)s decimals"), ("NaN", "Not a number"),
     ("-1", "Must be at least"), ("Infinity", "Not a number")],
)  # fmt: skip
def test_decimal_parser_refuses(raw, message):
    with pytest.raises(CellError) as exc:
        decimal(min_value=0)(raw)
    assert exc.value.message.startswith(message)


def test_integer_parser():
    parse = integer(min_value=-5, max_value=200)
    assert parse("12") == 12 and integer()("1,000") == 1000
    assert parse("12.0") == 12 and parse("-5") == -5
    for bad, message in [("1.5", "Not a whole"), ("x", "Not a whole"), ("201", "Must be at most")]:
        with pytest.raises(CellError) as exc:
            parse(bad)
        assert exc.value.message.startswith(message)


def test_choice_parser_takes_value_or_either_label_and_lists_choices_in_the_language():
    assert KIND("office") is Kind.office and KIND("OFFICE") is Kind.office
    assert KIND("办公") is Kind.office and KIND("Shop") is Kind.shop
    with pytest.raises(CellError) as exc:
        KIND("仓库")
    token = language_var.set("zh")
    try:
        assert str(exc.value.params["choices"]) == "办公, 商铺"
    finally:
        language_var.reset(token)
    token = language_var.set("en")
    try:
        assert str(exc.value.params["choices"]) == "Office, Shop"
    finally:
        language_var.reset(token)


@pytest.mark.parametrize(
    "raw",
    ["2025-03-01", "2025/3/1", "2025.03.01", "2025年3月1日", "2025/3/1 0:00", "２０２５-３-１"],
)
def test_date_parser_accepts_excel_and_chinese_forms(raw):
    assert date_value()(raw) == date(2025, 3, 1)


@pytest.mark.parametrize("raw", ["2025-02-30", "01/03/2025", "next monday", "2025-3"])
def test_date_parser_refuses(raw):
    with pytest.raises(CellError):
        date_value()(raw)


def test_text_max_length_and_boolean():
    with pytest.raises(CellError) as exc:
        text(max_length=3)("abcd")
    assert exc.value.params == {"max": 3, "len": 4}
    assert boolean()("是") is True and boolean()("N") is False
    with pytest.raises(CellError):
        boolean()("maybe")


def test_parse_errors_become_row_errors_with_line_and_column():
    data = (
        "code,area,kind,floor,since\n"
        "A1,1,office,1,2025-01-01\n"
        "A2,-3,warehouse,x,2025-13-01\n"
        ",1,shop,,\n"
    )
    preview = read(data)
    assert preview.rows[0].ok
    bad = preview.rows[1]
    assert [(e.line, e.column) for e in bad.errors] == [
        (3, "area"),
        (3, "kind"),
        (3, "floor"),
        (3, "since"),
    ]
    assert bad.raw["kind"] == "warehouse" and bad.values["kind"] == "warehouse"
    assert [(e.line, e.column, e.message) for e in preview.rows[2].errors] == [
        (4, "code", "A value is required")
    ]
    assert preview.ok_count == 1 and preview.errors_count == 5 and preview.error_rows_count == 2
    assert not preview.can_commit


def test_unique_columns_flag_repeats_with_the_first_line():
    preview = read("code,area,kind\nA1,1,office\nA2,1,office\nA1,2,shop\n")
    assert preview.rows[2].errors[0].params == {"value": "A1", "first": 2}
    assert preview.rows[0].ok and preview.rows[1].ok


# --- line numbers ------------------------------------------------------------------------------


def test_line_numbers_are_spreadsheet_rows_counting_blank_lines_and_multiline_cells_once():
    data = (
        "\n"  # 1: blank line before the header
        "code,name,area,kind\n"  # 2: header
        "A1,plain,1,office\n"  # 3
        "\n"  # 4: blank (skipped, still counted)
        ",,,\n"  # 5: only separators (skipped, still counted)
        'A2,"two\nlines",1,office\n'  # 6: one row although the cell spans two text lines
        "A3,after,x,office\n"  # 7
    )
    preview = read(data)
    assert [r.line for r in preview.rows] == [3, 6, 7]
    assert preview.rows[1].values["name"] == "two\nlines"
    assert preview.rows[2].errors[0].line == 7


def test_crlf_and_cr_only_line_endings():
    for sep in ("\r\n", "\r"):
        preview = read(sep.join(["code,area,kind", "A1,1,office", "", "A2,2,shop"]) + sep)
        assert [r.line for r in preview.rows] == [2, 4], sep


def test_broken_quoting_is_a_file_error_with_its_line():
    preview = read('code,area,kind\nA1,1,office\nA2,"1"x,office\n')
    assert preview.file_errors[0].line == 3 and "not valid CSV" in preview.file_errors[0].message
    assert preview.rows == []


# --- limits and volume -------------------------------------------------------------------------


def test_size_limit_and_row_limit():
    big = ("code,area,kind\n" + "A1,1,office\n" * 10).encode()
    too_big = read_csv(big, COLUMNS, max_bytes=50)
    assert too_big.file_errors[0].message.startswith("The file is larger than")
    too_many = read_csv(big, COLUMNS, max_rows=9)
    assert too_many.file_errors[0].params == {"max": 9} and too_many.rows == []
    exactly = read_csv(("code,area,kind\n" + "A1,1,office\n" * 9).encode(), COLUMNS, max_rows=9)
    assert exactly.file_errors == [] and len(exactly.rows) == 9


def test_ten_thousand_rows():
    lines = ["单元编号,名称,建筑面积,类型,楼层,可租日期"]
    lines += [f"U{i:05d},单元{i},{i % 500}.25,办公,{i % 30},2025-01-01" for i in range(10_000)]
    lines.append("U00001,dup,1,办公,1,2025-01-01")  # one repeat at the end
    preview = read("\n".join(lines) + "\n", "gb18030")
    assert len(preview.rows) == 10_001 and preview.ok_count == 10_000
    assert preview.rows[-1].line == 10_002 and preview.rows[-1].errors[0].params["first"] == 3


# --- export ------------------------------------------------------------------------------------

EXPORT_ROWS = [
    {"code": "A1", "name": "一号楼,101室", "area": Decimal("120.5"), "kind": Kind.office,
     "floor": 1, "since": date(2025, 3, 1), "vacant": True},
    {"code": "B2", "name": '带"引号"\n和换行', "area": Decimal("0"), "kind": "shop",
     "floor": None, "since": None, "vacant": False},
    {"code": "C3", "name": "=HYPERLINK(\"http://x\")", "area": Decimal("1.25"), "kind": Kind.shop,
     "floor": -2, "since": date(2024, 12, 31), "vacant": None},
]  # fmt: skip


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_csv_export_reimports_to_the_same_values(lang):
    data = export_csv(COLUMNS, EXPORT_ROWS, lang=lang)
    assert data.startswith(b"\xef\xbb\xbf")
    header = data[3:].split(b"\r\n", 1)[0].decode()
    assert header.startswith("单元编号,名称" if lang == "zh" else "Code,Name")
    assert ",\"'=HYPERLINK" in data.decode("utf-8-sig")  # formula neutralised for Excel
    preview = read_csv(data, COLUMNS)
    assert preview.file_errors == [] and preview.ok_count == 3
    expected = [
        {**row, "area": Decimal(row["area"]).quantize(Decimal("0.01")), "kind": Kind(row["kind"])}
        for row in EXPORT_ROWS
    ]
    assert [r.values for r in preview.rows] == expected


def test_csv_export_takes_objects_and_formats_choices_in_the_language():
    class Unit:
        def __init__(self, code, kind):
            self.code, self.kind = code, kind

    columns = [COLUMNS[0], COLUMNS[3]]
    data = export_csv(columns, [Unit("A1", Kind.office)], lang="zh").decode("utf-8-sig")
    assert data == "单元编号,类型\r\nA1,办公\r\n"
    data = export_csv(columns, [Unit("A1", Kind.office)], lang="en").decode("utf-8-sig")
    assert data == "Code,Kind\r\nA1,Office\r\n"


def test_xlsx_export_is_readable_with_typed_cells_bold_header_and_widths():
    data = export_xlsx(COLUMNS, EXPORT_ROWS, lang="zh")
    sheet = load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("单元编号", "名称", "建筑面积", "类型", "楼层", "可租日期", "空置")
    assert rows[1][0] == "A1" and rows[1][1] == "一号楼,101室" and rows[1][2] == 120.5
    assert rows[1][3] == "办公" and rows[1][4] == 1 and rows[1][5].date() == date(2025, 3, 1)
    assert rows[1][6] == "是" and rows[2][4] is None
    assert rows[3][1] == '=HYPERLINK("http://x")' and sheet["B4"].data_type == "s"
    assert sheet["A1"].font.bold and not sheet["A2"].font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width
    assert sheet["C2"].number_format == "0.00"


def test_content_disposition_has_ascii_fallback_and_rfc5987_name():
    value = content_disposition("单元 2025.csv")
    assert value.startswith('attachment; filename="2025.csv"; ')
    assert "filename*=UTF-8''%E5%8D%95%E5%85%83%202025.csv" in value
    assert value.isascii()
    assert content_disposition("units.xlsx") == (
        "attachment; filename=\"units.xlsx\"; filename*=UTF-8''units.xlsx"
    )
    assert 'filename="download.csv"' in content_disposition("单元.csv")
    assert content_disposition('a"b;c.csv').startswith('attachment; filename="a_b_c.csv"; ')


def test_messages_with_percent_signs_never_break_the_page():
    assert RowError(2, None, "50% off").text() == "50% off"
    assert RowError(2, None, "Bad %(value)s", {"value": "100%"}).text() == "Bad 100%"
    assert RowError(2, None, "Bad %(missing)s", {"value": "x"}).text() == "Bad %(missing)s"
    preview = read("code,area,kind\nA1,5%,office\n")
    assert preview.rows[0].errors[0].text().endswith("5%")


def test_column_hints_for_the_upload_page():
    token = language_var.set("en")
    try:
        assert COLUMNS[0].hint_text() == "Text, at most 10 characters"
        assert COLUMNS[3].hint_text() == "One of: Office, Shop"
        assert COLUMNS[2].hint_text() == "Number, at most 2 decimals"
    finally:
        language_var.reset(token)


def test_a_file_with_thousands_of_columns_is_refused_with_one_message():
    """0.9 MB of 100,000 columns once made 100,000 header errors (a 6.4 MB page, issue 12)."""
    wide_header = ",".join(f"c{i}" for i in range(100_000)) + "\n"
    preview = read(wide_header + "A101,x,1,office\n")
    assert len(preview.file_errors) == 1 and not preview.rows
    assert "columns" in str(preview.file_errors[0].message)
    wide_row = "单元编号,名称,建筑面积,类型\n" + "A101,x,1,office" + ",9" * 100_000 + "\n"
    preview = read(wide_row)
    assert len(preview.file_errors) == 1 and not preview.rows
