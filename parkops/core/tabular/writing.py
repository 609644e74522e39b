"""Writing a spreadsheet: CSV and XLSX export of rows against a column spec.

``export_csv(columns, rows, lang=None) -> bytes`` (UTF-8 with BOM, CRLF, header in the current
language; text cells starting with = + - @ get a leading ``'`` against formula injection, which
``text()`` removes again on import) and ``export_xlsx(columns, rows, lang=None) -> bytes`` (bold
frozen header, column widths, real numbers and dates). ``rows`` are mappings, SQLAlchemy rows or
objects with attributes named like the columns. Each parser formats its values for export
(choices as the label, booleans as 是/否), so an export re-imports to the same values.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from parkops.core.context import language_var
from parkops.core.tabular.columns import Column
from parkops.core.tabular.parsers import FORMULA_START, DateParser, DecimalParser


def _getter(row: Any) -> Callable[[str], Any]:
    mapping = getattr(row, "_mapping", row)
    if isinstance(mapping, Mapping):
        return lambda name: mapping.get(name)
    return lambda name: getattr(row, name, None)


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, str):
        # Excel would run "=..." as a formula (CSV injection); text() strips the apostrophe.
        return "'" + value if value.startswith(FORMULA_START) else value
    return str(value)


def export_csv(columns: Sequence[Column], rows: Iterable[Any], lang: str | None = None) -> bytes:
    """UTF-8 with BOM and CRLF, as Excel in China expects; header labels in ``lang``."""
    lang = lang or language_var.get()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.label(lang) for c in columns])
    for row in rows:
        get = _getter(row)
        writer.writerow([_csv_cell(c.export(get(c.name), lang)) for c in columns])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def _display_width(value: Any) -> int:
    text_value = str(value) if value is not None else ""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text_value)


def export_xlsx(
    columns: Sequence[Column],
    rows: Iterable[Any],
    lang: str | None = None,
    sheet_title: str = "Sheet1",
) -> bytes:
    """A workbook with a bold, frozen header row and widths fitted to the content."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    lang = lang or language_var.get()
    table = []
    for row in rows:
        get = _getter(row)
        table.append([c.export(get(c.name), lang) for c in columns])

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31] or "Sheet1")
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        widest = max(
            [
                _display_width(column.label(lang)),
                *(_display_width(r[index - 1]) for r in table[:500]),
            ]
        )
        sheet.column_dimensions[get_column_letter(index)].width = min(max(widest + 2, 8), 60)
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.label(lang))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    formats = [_xlsx_format(c) for c in columns]
    for values in table:
        cells = []
        for value, number_format in zip(values, formats, strict=True):
            cell = WriteOnlyCell(sheet, value=_xlsx_value(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            elif number_format and cell.value is not None:
                cell.number_format = number_format
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_format(column: Column) -> str | None:
    parser = column.parse
    if isinstance(parser, DecimalParser):
        return "0." + "0" * parser.places if parser.places else "0"
    if isinstance(parser, DateParser):
        return "yyyy-mm-dd"
    return None


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # Excel has no time zones
    return value
