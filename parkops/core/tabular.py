"""Spreadsheet import and export shared by every domain: CSV reading with a declarative column
spec, row-level errors for the preview page, and CSV/XLSX export with download responses.

This module is pure (no database); the upload -> preview -> commit flow that uses it lives in
`parkops.core.importing`.

Column spec
-----------
    from parkops.core.tabular import Column, N_, choice, date_value, decimal, integer, text

    UNIT_COLUMNS = [
        Column("code", "Code", "单元编号", required=True, unique=True, parse=text(max_length=40)),
        Column("floor_area", "Floor area (m²)", "建筑面积", required=True,
               parse=decimal(places=2, min_value=0)),
        Column("kind", "Kind", "类型", required=True,
               parse=choice({"office": ("Office", "办公"), "shop": ("Shop", "商铺")})),
        Column("floor_no", "Floor", "楼层", parse=integer(min_value=-5, max_value=200)),
        Column("available_from", "Available from", "可租日期", parse=date_value()),
    ]

A header cell matches a column by its name, English label, Chinese label or one of ``aliases``,
compared after NFKC normalisation, case folding and removing spaces and ``*`` (so ``单元编号*``,
``Code`` and ``ＣＯＤＥ`` all match ``code``). ``required=True`` means the column must be present
and every row must have a value; optional empty cells become ``None``. ``unique=True`` flags
repeated values within the file. Parsers get the stripped, non-empty cell text and raise
`CellError` (or ``ValueError``) with an English message; it becomes a `RowError`.

Parsers: ``text(max_length)``, ``integer(min_value, max_value)`` (accepts ``1,234`` and ``12.0``),
``decimal(places=2, min_value, max_value)`` (returns ``Decimal`` quantized to ``places``; more
decimals is an error, never silently rounded), ``choice({value: (label_en, label_zh)})`` (accepts
the value or either label, returns the key, so StrEnum keys come back as members),
``date_value()`` (``2024-03-01``, ``2024/3/1``, ``2024.3.1``, ``2024年3月1日``, an Excel time
part is ignored) and ``boolean()`` (是/否, yes/no, true/false, on/off, 1/0, Y/N). The values are
read by `parkops.core.parsing`, as in forms: whole numbers within ``bigint``, dates within the
business range (1990-01-01..2200-12-31).

Reading
-------
``read_csv(data, columns) -> ImportPreview`` never raises for bad content: undecodable bytes, size
over ``max_bytes``/``max_rows``, header problems and invalid CSV become ``preview.file_errors``;
cell problems become ``row.errors``. Accepted encodings: UTF-8 with or without BOM, then GB18030
(what Excel saves as "CSV" on Chinese Windows). UTF-16/32, NUL bytes and invalid sequences are
refused with "The file is not UTF-8 or GB18030 text; save it as CSV UTF-8 from Excel".

Line numbers are spreadsheet row numbers: the header record is line 1 (blank lines before it
count), every CSV record counts one (blank records included, and skipped), and a quoted cell
holding line breaks stays one row. That is the row number Excel/WPS shows when the user opens
the file to fix it; it equals the text-editor line number unless a cell contains a line break.

Data structures: ``RowError(line, column, message, params)`` (``column`` is a field name or None
for the whole row/file; ``message`` is English with ``%(name)s`` placeholders filled from
``params``; ``e.text()`` gives it translated and filled in, which is what the templates show),
``PreviewRow(line, values, raw, errors)`` (``values`` maps every column name of the spec to its
parsed value, None for empty cells and absent optional columns; ``raw`` maps the columns present
in the file to their cell text) and ``ImportPreview(rows, errors_count, ok_count, token,
file_errors, columns, filename)`` with ``can_commit``.

Export
------
``export_csv(columns, rows, lang=None) -> bytes`` (UTF-8 with BOM, CRLF, header in the current
language; text cells starting with = + - @ get a leading ``'`` against formula injection, which
``text()`` removes again on import) and ``export_xlsx(columns, rows, lang=None) -> bytes`` (bold
frozen header, column widths, real numbers and dates). ``rows`` are mappings, SQLAlchemy rows or
objects with attributes named like the columns. Each parser also formats its values for export
(choices as the label, booleans as 是/否), so an export re-imports to the same values.
``csv_response(...)``, ``xlsx_response(...)`` and ``download_response(content, filename,
media_type)`` build a Litestar ``Response`` with ``Content-Disposition`` carrying an ASCII
fallback and the RFC 5987 ``filename*`` for Chinese names.

Wiring a domain
---------------
An import is an ``ImportSpec`` (columns, a batch ``check`` and a ``write``) and its pages come
from ``import_pages``, both in `parkops.core.importing`; see ``parkops/inventory/imports.py``.
Export: ``return xlsx_response(UNIT_COLUMNS, rows, "单元.xlsx")``.

The pages are ``templates/imports/upload.html`` and ``templates/imports/preview.html``.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from urllib.parse import quote

from parkops.core import parsing
from parkops.core.context import language_var
from parkops.core.i18n import N_, Message, gettext

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
CSV_MEDIA_TYPE = "text/csv"  # Litestar adds "; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ENCODING_MESSAGE = N_("The file is not UTF-8 or GB18030 text; save it as CSV UTF-8 from Excel")


# --- errors -------------------------------------------------------------------------------------


class CellError(ValueError):
    """Raised by a parser: an English message (with ``%(name)s`` placeholders) and its params."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


@dataclass(frozen=True)
class RowError:
    line: int
    column: str | None
    message: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        """The message in the current language, placeholders filled."""
        from parkops.core.i18n import gettext

        return _format(gettext(self.message), self.params)


def _format(message: str, params: Mapping[str, Any]) -> str:
    # A message without params is shown as is, so a "%" in it (e.g. quoted input) is harmless.
    if not params:
        return message
    try:
        # A parameter may be an i18n.Message (a service message quoting the input): translate it.
        return message % {k: gettext(v) if isinstance(v, Message) else v for k, v in params.items()}
    except (KeyError, ValueError, TypeError):
        return message


# --- parsers ------------------------------------------------------------------------------------


def _nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


class Parser:
    """Base parser: turns stripped non-empty cell text into a value; formats values for export."""

    hint: str = ""
    hint_params: Mapping[str, Any] = {}

    def __call__(self, raw: str) -> Any:  # pragma: no cover - overridden
        return raw

    def export(self, value: Any, lang: str) -> Any:
        """A value for a spreadsheet cell (XLSX keeps numbers and dates as such)."""
        return value


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class Text(Parser):
    def __init__(self, max_length: int | None = None) -> None:
        self.max_length = max_length
        self.hint = N_("Text, at most %(n)s characters") if max_length else N_("Text")
        self.hint_params = {"n": max_length} if max_length else {}

    def __call__(self, raw: str) -> str:
        # Undo the apostrophe export_csv puts before formula-like text.
        if len(raw) > 1 and raw[0] == "'" and raw[1] in _FORMULA_START:
            raw = raw[1:]
        if self.max_length is not None and len(raw) > self.max_length:
            raise CellError(
                N_("At most %(max)s characters (this has %(len)s)"),
                max=self.max_length,
                len=len(raw),
            )
        return raw


def _cell_error(exc: parsing.Invalid) -> CellError:
    """What a `parkops.core.parsing` parser refused, as a cell error."""
    return CellError(parsing.PLAIN_MESSAGES[exc.code], **exc.params)


class Integer(Parser):
    hint = N_("Whole number")

    def __init__(self, min_value: int | None = None, max_value: int | None = None) -> None:
        self.min_value = min_value
        self.max_value = max_value

    def __call__(self, raw: str) -> int:
        try:
            return parsing.to_int(raw, minimum=self.min_value, maximum=self.max_value)
        except parsing.Invalid as exc:
            raise _cell_error(exc) from None


class DecimalParser(Parser):
    def __init__(
        self,
        places: int = 2,
        min_value: Decimal | int | None = None,
        max_value: Decimal | int | None = None,
    ) -> None:
        self.places = places
        self.quantum = Decimal(1).scaleb(-places)
        self.min_value = min_value
        self.max_value = max_value
        self.hint = N_("Number, at most %(places)s decimals")
        self.hint_params = {"places": places}

    def __call__(self, raw: str) -> Decimal:
        try:
            number = parsing.to_decimal(
                raw, places=self.places, minimum=self.min_value, maximum=self.max_value
            )
        except parsing.Invalid as exc:
            raise _cell_error(exc) from None
        return number.quantize(self.quantum)

    def export(self, value: Any, lang: str) -> Any:
        return Decimal(value).quantize(self.quantum) if value is not None else None


def _key(value: str) -> str:
    return re.sub(r"\s+", "", _nfkc(value).casefold())


class Choice(Parser):
    """One of a fixed set: the stored value or its English or Chinese label."""

    def __init__(self, options: Mapping[Any, tuple[str, str] | str]) -> None:
        self.labels: dict[Any, tuple[str, str]] = {}
        self.lookup: dict[str, Any] = {}
        for value, labels in options.items():
            en, zh = (labels, labels) if isinstance(labels, str) else labels
            self.labels[value] = (en, zh)
            for alias in (str(value), en, zh):
                self.lookup.setdefault(_key(alias), value)
        self.hint = N_("One of: %(choices)s")
        self.hint_params = {"choices": _LazyChoices(self)}

    def choices_text(self, lang: str | None = None) -> str:
        lang = lang or language_var.get()
        return ", ".join(zh if lang == "zh" else en for en, zh in self.labels.values())

    def __call__(self, raw: str) -> Any:
        try:
            return self.lookup[_key(raw)]
        except KeyError:
            raise CellError(
                N_("Unknown value %(value)s; use one of: %(choices)s"),
                value=raw,
                choices=_LazyChoices(self),
            ) from None

    def export(self, value: Any, lang: str) -> Any:
        if value is None:
            return None
        if value not in self.labels and isinstance(value, str):
            value = self.lookup.get(_key(value), value)
        en, zh = self.labels.get(value, (str(value), str(value)))
        return zh if lang == "zh" else en


class _LazyChoices:
    """Formats the choices in the language current when the message is shown."""

    def __init__(self, parser: Choice) -> None:
        self.parser = parser

    def __str__(self) -> str:
        return self.parser.choices_text()


class DateParser(Parser):
    hint = N_("Date, e.g. 2025-03-01")

    def __call__(self, raw: str) -> date:
        try:
            return parsing.to_date(raw)
        except parsing.Invalid as exc:
            raise _cell_error(exc) from None


class Boolean(Parser):
    hint = N_("Yes or no")

    def __call__(self, raw: str) -> bool:
        try:
            return parsing.to_bool(raw)
        except parsing.Invalid as exc:
            raise _cell_error(exc) from None

    def export(self, value: Any, lang: str) -> Any:
        if value is None:
            return None
        if lang == "zh":
            return "是" if value else "否"
        return "yes" if value else "no"


def text(max_length: int | None = None) -> Text:
    return Text(max_length)


def integer(min_value: int | None = None, max_value: int | None = None) -> Integer:
    return Integer(min_value, max_value)


def decimal(
    places: int = 2,
    min_value: Decimal | int | None = None,
    max_value: Decimal | int | None = None,
) -> DecimalParser:
    return DecimalParser(places, min_value, max_value)


def choice(options: Mapping[Any, tuple[str, str] | str]) -> Choice:
    return Choice(options)


def date_value() -> DateParser:
    return DateParser()


def boolean() -> Boolean:
    return Boolean()


# --- column spec --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    label_en: str
    label_zh: str
    required: bool = False
    parse: Callable[[str], Any] = field(default_factory=Text)
    aliases: tuple[str, ...] = ()
    unique: bool = False

    def label(self, lang: str | None = None) -> str:
        return self.label_zh if (lang or language_var.get()) == "zh" else self.label_en

    def header_keys(self) -> set[str]:
        return {_header_key(h) for h in (self.name, self.label_en, self.label_zh, *self.aliases)}

    def export(self, value: Any, lang: str) -> Any:
        exporter = getattr(self.parse, "export", None)
        return exporter(value, lang) if exporter else value

    def hint_text(self) -> str:
        """What the parser accepts, in the current language (for the upload page)."""
        from parkops.core.i18n import gettext

        hint = getattr(self.parse, "hint", "")
        return _format(gettext(hint), getattr(self.parse, "hint_params", {})) if hint else ""


def _header_key(value: str) -> str:
    return re.sub(r"[\s*]+", "", unicodedata.normalize("NFKC", value).casefold())


# --- preview structures -------------------------------------------------------------------------


@dataclass
class PreviewRow:
    line: int
    values: dict[str, Any]
    raw: dict[str, str]
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error_columns(self) -> set[str | None]:
        return {e.column for e in self.errors}


@dataclass
class ImportPreview:
    rows: list[PreviewRow]
    errors_count: int = 0
    ok_count: int = 0
    token: str | None = None
    file_errors: list[RowError] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)
    filename: str = ""
    plans: list[Any] = field(default_factory=list)
    """What the import's check made of the rows, for its writer (``parkops.core.importing``)."""

    @property
    def can_commit(self) -> bool:
        return not self.errors_count and self.ok_count > 0

    @property
    def error_rows_count(self) -> int:
        return sum(1 for r in self.rows if r.errors)

    @property
    def all_errors(self) -> list[RowError]:
        return [*self.file_errors, *(e for r in self.rows for e in r.errors)]

    def add_errors(self, errors: Iterable[RowError]) -> None:
        """Attach errors (e.g. from a domain validator) to their rows and recount."""
        by_line = {r.line: r for r in self.rows}
        for error in errors:
            row = by_line.get(error.line)
            if row is None:
                self.file_errors.append(error)
            else:
                row.errors.append(error)
        self.recount()

    def recount(self) -> None:
        self.errors_count = len(self.file_errors) + sum(len(r.errors) for r in self.rows)
        self.ok_count = sum(1 for r in self.rows if not r.errors)

    def clean_rows(self) -> list[PreviewRow]:
        return [r for r in self.rows if not r.errors]


# --- reading ------------------------------------------------------------------------------------


class FileRejected(Exception):
    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.error = RowError(0, None, message, params)


def decode(data: bytes) -> str:
    """UTF-8 (BOM optional) or GB18030 text, else `FileRejected` with the encoding message."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        raise FileRejected(N_(ENCODING_MESSAGE))  # UTF-16/32 or binary
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRejected(N_(ENCODING_MESSAGE))


def read_csv(
    data: bytes,
    columns: Sequence[Column],
    *,
    filename: str = "",
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
    ignore_unknown_columns: bool = False,
) -> ImportPreview:
    """Decode, map the header, parse every cell. Problems are in the result, never raised."""
    preview = ImportPreview(rows=[], filename=filename)
    try:
        if len(data) > max_bytes:
            raise FileRejected(
                N_("The file is larger than %(mb)s MB; split it into smaller files"),
                mb=round(max_bytes / 1024 / 1024, 1),
            )
        _read(decode(data), columns, preview, max_rows, ignore_unknown_columns)
    except FileRejected as exc:
        preview.rows = []
        preview.file_errors.append(exc.error)
    except csv.Error as exc:
        preview.rows = []
        preview.file_errors.append(
            RowError(
                getattr(exc, "line", 0),
                None,
                N_("The file is not valid CSV near line %(line)s: %(detail)s"),
                {"line": getattr(exc, "line", 0), "detail": str(exc)},
            )
        )
    preview.recount()
    return preview


class _CsvError(csv.Error):
    def __init__(self, detail: str, line: int) -> None:
        super().__init__(detail)
        self.line = line


def _records(text: str) -> Iterable[tuple[int, list[str]]]:
    """(spreadsheet row number, cells) for every CSV record, blank ones included."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _CsvError(str(exc), line + 1) from None
        line += 1
        yield line, record


def _read(
    text: str,
    columns: Sequence[Column],
    preview: ImportPreview,
    max_rows: int,
    ignore_unknown: bool,
) -> None:
    records = iter(_records(text))
    header: list[str] | None = None
    header_line = 0
    for line, record in records:
        if any(cell.strip() for cell in record):
            header, header_line = record, line
            break
    if header is None:
        raise FileRejected(N_("The file is empty"))

    by_key: dict[str, Column] = {}
    column: Column | None
    for column in columns:
        for key in column.header_keys():
            by_key.setdefault(key, column)
    positions: list[Column | None] = []
    seen: dict[str, str] = {}
    errors: list[RowError] = []
    for cell in header:
        title = cell.strip()
        if not title:
            positions.append(None)
            continue
        column = by_key.get(_header_key(title))
        if column is None:
            positions.append(None)
            if not ignore_unknown:
                errors.append(
                    RowError(header_line, None, N_("Unknown column %(header)s"), {"header": title})
                )
            continue
        if column.name in seen:
            errors.append(
                RowError(
                    header_line,
                    column.name,
                    N_("Columns %(first)s and %(second)s both mean %(label)s"),
                    {"first": seen[column.name], "second": title, "label": column.label_en},
                )
            )
            positions.append(None)
            continue
        seen[column.name] = title
        positions.append(column)
    for column in columns:
        if column.required and column.name not in seen:
            errors.append(
                RowError(
                    header_line,
                    column.name,
                    N_("Missing required column %(label_zh)s (%(label_en)s)"),
                    {"label_zh": column.label_zh, "label_en": column.label_en},
                )
            )
    preview.columns = [c for c in columns if c.name in seen]
    if errors:
        preview.file_errors.extend(errors)
        return

    present = preview.columns
    absent = {c.name: None for c in columns if c.name not in seen}
    unique_seen: dict[str, dict[Any, int]] = {c.name: {} for c in present if c.unique}
    rows = preview.rows
    width = len(positions)
    for line, record in records:
        if not any(cell.strip() for cell in record):
            continue
        if len(rows) >= max_rows:
            raise FileRejected(
                N_("The file has more than %(max)s rows; split it into smaller files"),
                max=max_rows,
            )
        raw: dict[str, str] = {}
        values: dict[str, Any] = {}
        row_errors: list[RowError] = []
        for index, cell in enumerate(record):
            column = positions[index] if index < width else None
            if column is None:
                if cell.strip():
                    row_errors.append(
                        RowError(
                            line,
                            None,
                            N_("Value %(value)s is in a column without a known header"),
                            {"value": cell.strip()},
                        )
                    )
                continue
            raw[column.name] = cell.strip()
        for column in present:
            cell = raw.get(column.name, "")
            if not cell:
                raw[column.name] = ""
                values[column.name] = None
                if column.required:
                    row_errors.append(RowError(line, column.name, N_("A value is required")))
                continue
            try:
                value = column.parse(cell)
            except CellError as exc:
                row_errors.append(RowError(line, column.name, exc.message, exc.params))
                values[column.name] = cell
                continue
            except ValueError:
                row_errors.append(
                    RowError(line, column.name, N_("Not a valid value: %(value)s"), {"value": cell})
                )
                values[column.name] = cell
                continue
            values[column.name] = value
            if column.unique:
                first = unique_seen[column.name].setdefault(value, line)
                if first != line:
                    row_errors.append(
                        RowError(
                            line,
                            column.name,
                            N_("%(value)s repeats line %(first)s"),
                            {"value": cell, "first": first},
                        )
                    )
        values.update(absent)
        rows.append(PreviewRow(line, values, raw, row_errors))
    if not rows:
        raise FileRejected(N_("The file has a header but no data rows"))


# --- export -------------------------------------------------------------------------------------


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
        return "'" + value if value.startswith(_FORMULA_START) else value
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


# --- downloads ----------------------------------------------------------------------------------


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """``attachment; filename="<ascii>"; filename*=UTF-8''<percent-encoded>`` (RFC 6266/5987)."""
    stem, dot, ext = filename.rpartition(".")
    if not dot:
        stem, ext = filename, ""
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    ascii_stem = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_stem).strip("._") or "download"
    ascii_ext = re.sub(r"[^A-Za-z0-9]+", "", ext)
    fallback = f"{ascii_stem}.{ascii_ext}" if ascii_ext else ascii_stem
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def download_response(content: bytes, filename: str, media_type: str):
    from litestar import Response

    return Response(
        content=content,
        media_type=media_type,
        headers={
            "content-disposition": content_disposition(filename),
            "cache-control": "no-store",
        },
    )


def csv_response(
    columns: Sequence[Column], rows: Iterable[Any], filename: str, lang: str | None = None
):
    return download_response(export_csv(columns, rows, lang), filename, CSV_MEDIA_TYPE)


def xlsx_response(
    columns: Sequence[Column], rows: Iterable[Any], filename: str, lang: str | None = None
):
    return download_response(export_xlsx(columns, rows, lang), filename, XLSX_MEDIA_TYPE)
