"""Reading a CSV file against a column spec into an `ImportPreview`.

``read_csv(data, columns) -> ImportPreview`` never raises for bad content: undecodable bytes, size
over ``max_bytes``/``max_rows``, header problems and invalid CSV become ``preview.file_errors``;
cell problems become ``row.errors``. Accepted encodings: UTF-8 with or without BOM, then GB18030
(what Excel saves as "CSV" on Chinese Windows). UTF-16/32, NUL bytes and invalid sequences are
refused with "The file is not UTF-8 or GB18030 text; save it as CSV UTF-8 from Excel".

Line numbers are spreadsheet row numbers: the header record is line 1 (blank lines before it
count), every CSV record counts one (blank records included, and skipped), and a quoted cell
holding line breaks stays one row. That is the row number Excel/WPS shows when the user opens
the file to fix it; it equals the text-editor line number unless a cell contains a line break.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from parkops.core.i18n import N_
from parkops.core.tabular.columns import Column, header_key
from parkops.core.tabular.errors import CellError, RowError
from parkops.core.tabular.preview import ImportPreview, PreviewRow

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
# No import has a tenth of this; a wider file is a mistake (or an attack: one error per column
# made a page of megabytes), refused with one message before any cell is looked at.
MAX_COLUMNS = 200
ENCODING_MESSAGE = N_("The file is not UTF-8 or GB18030 text; save it as CSV UTF-8 from Excel")


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
        if len(record) > MAX_COLUMNS:
            raise FileRejected(
                N_("Line %(line)s has %(count)s columns; at most %(max)s are read"),
                line=line,
                count=len(record),
                max=MAX_COLUMNS,
            )
        yield line, record


def _read(
    text: str,
    columns: Sequence[Column],
    preview: ImportPreview,
    max_rows: int,
    ignore_unknown: bool,
) -> None:
    records = iter(_records(text))
    for line, record in records:
        if any(cell.strip() for cell in record):
            header = _Header.read(record, line, columns, ignore_unknown)
            break
    else:
        raise FileRejected(N_("The file is empty"))
    preview.columns = [c for c in columns if c.name in header.seen]
    if header.errors:
        preview.file_errors.extend(header.errors)
        return
    rows = _RowReader(header, columns)
    for line, record in records:
        if not any(cell.strip() for cell in record):
            continue
        if len(preview.rows) >= max_rows:
            raise FileRejected(
                N_("The file has more than %(max)s rows; split it into smaller files"),
                max=max_rows,
            )
        preview.rows.append(rows.read(line, record))
    if not preview.rows:
        raise FileRejected(N_("The file has a header but no data rows"))


@dataclass
class _Header:
    """Which column each position of the header record holds (None: not one of the spec)."""

    positions: list[Column | None] = field(default_factory=list)
    seen: dict[str, str] = field(default_factory=dict)  # column name -> header text as written
    errors: list[RowError] = field(default_factory=list)

    @classmethod
    def read(
        cls, record: list[str], line: int, columns: Sequence[Column], ignore_unknown: bool
    ) -> _Header:
        by_key: dict[str, Column] = {}
        for column in columns:
            for key in column.header_keys():
                by_key.setdefault(key, column)
        header = cls()
        for cell in record:
            header.positions.append(header._place(cell.strip(), line, by_key, ignore_unknown))
        for column in columns:
            if column.required and column.name not in header.seen:
                header.errors.append(
                    RowError(
                        line,
                        column.name,
                        N_("Missing required column %(label_zh)s (%(label_en)s)"),
                        {"label_zh": column.label_zh, "label_en": column.label_en},
                    )
                )
        return header

    def _place(
        self, title: str, line: int, by_key: dict[str, Column], ignore_unknown: bool
    ) -> Column | None:
        if not title:
            return None
        column = by_key.get(header_key(title))
        if column is None:
            if not ignore_unknown:
                self.errors.append(
                    RowError(line, None, N_("Unknown column %(header)s"), {"header": title})
                )
            return None
        if column.name in self.seen:
            self.errors.append(
                RowError(
                    line,
                    column.name,
                    N_("Columns %(first)s and %(second)s both mean %(label)s"),
                    {"first": self.seen[column.name], "second": title, "label": column.label_en},
                )
            )
            return None
        self.seen[column.name] = title
        return column


class _RowReader:
    """Parses the data records under a header, remembering values of ``unique`` columns."""

    def __init__(self, header: _Header, columns: Sequence[Column]) -> None:
        self.positions = header.positions
        self.present = [c for c in columns if c.name in header.seen]
        self.absent = {c.name: None for c in columns if c.name not in header.seen}
        self.unique_seen: dict[str, dict[Any, int]] = {c.name: {} for c in self.present if c.unique}

    def read(self, line: int, record: list[str]) -> PreviewRow:
        raw: dict[str, str] = {}
        values: dict[str, Any] = {}
        errors: list[RowError] = []
        positions, width = self.positions, len(self.positions)
        for index, cell in enumerate(record):
            column = positions[index] if index < width else None
            if column is not None:
                raw[column.name] = cell.strip()
            elif cell.strip():
                errors.append(
                    RowError(
                        line,
                        None,
                        N_("Value %(value)s is in a column without a known header"),
                        {"value": cell.strip()},
                    )
                )
        for column in self.present:
            raw.setdefault(column.name, "")
            values[column.name] = self._value(line, column, raw[column.name], errors)
        values.update(self.absent)
        return PreviewRow(line, values, raw, errors)

    def _value(self, line: int, column: Column, cell: str, errors: list[RowError]) -> Any:
        """The parsed value (the cell text itself when it does not parse, None when empty)."""
        if not cell:
            if column.required:
                errors.append(RowError(line, column.name, N_("A value is required")))
            return None
        try:
            value = column.parse(cell)
        except CellError as exc:
            errors.append(RowError(line, column.name, exc.message, exc.params))
            return cell
        except ValueError:
            errors.append(
                RowError(line, column.name, N_("Not a valid value: %(value)s"), {"value": cell})
            )
            return cell
        if column.unique:
            first = self.unique_seen[column.name].setdefault(value, line)
            if first != line:
                errors.append(
                    RowError(
                        line,
                        column.name,
                        N_("%(value)s repeats line %(first)s"),
                        {"value": cell, "first": first},
                    )
                )
        return value
