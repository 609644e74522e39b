"""Spreadsheet import and export shared by every domain, without a database: a declarative column
spec, CSV reading into a preview with row-level errors, and CSV/XLSX export with download
responses. The upload -> preview -> commit flow that uses it is `parkops.core.importing`.

    from parkops.core.tabular import Column, choice, date_value, decimal, integer, text

    UNIT_COLUMNS = [
        Column("code", "Code", "单元编号", required=True, unique=True, parse=text(max_length=40)),
        Column("floor_area", "Floor area (m²)", "建筑面积", required=True,
               parse=decimal(places=2, min_value=0)),
        Column("kind", "Kind", "类型", required=True,
               parse=choice({"office": ("Office", "办公"), "shop": ("Shop", "商铺")})),
        Column("floor_no", "Floor", "楼层", parse=integer(min_value=-5, max_value=200)),
        Column("available_from", "Available from", "可租日期", parse=date_value()),
    ]

The parts, each documented in its module:

- ``columns``: `Column` and how a header cell matches one;
- ``parsers``: the cell parsers (``text``, ``integer``, ``decimal``, ``choice``, ``date_value``,
  ``boolean``), which also format values for export; a parser raises `CellError`;
- ``reading``: ``read_csv(data, columns) -> ImportPreview``, encodings, limits, line numbers;
- ``preview``: `PreviewRow` and `ImportPreview`, with `RowError` (``errors``) for what is wrong;
- ``writing``: ``export_csv`` and ``export_xlsx``;
- ``downloads``: ``csv_response``, ``xlsx_response``, ``download_response`` and
  ``content_disposition``.

Everything is imported from here (``from parkops.core.tabular import ...``). An import is an
``ImportSpec`` with its pages from ``import_pages`` (`parkops.core.importing`, see
``parkops/inventory/imports.py``); an export is ``return xlsx_response(UNIT_COLUMNS, rows,
"单元.xlsx")``. The pages are ``templates/imports/upload.html`` and ``preview.html``.
"""

from parkops.core.i18n import N_
from parkops.core.tabular.columns import Column
from parkops.core.tabular.downloads import (
    CSV_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    content_disposition,
    csv_response,
    download_response,
    xlsx_response,
)
from parkops.core.tabular.errors import CellError, RowError
from parkops.core.tabular.parsers import (
    Boolean,
    Choice,
    DateParser,
    DecimalParser,
    Integer,
    Parser,
    Text,
    boolean,
    choice,
    date_value,
    decimal,
    integer,
    text,
)
from parkops.core.tabular.preview import ImportPreview, PreviewRow
from parkops.core.tabular.reading import (
    ENCODING_MESSAGE,
    MAX_BYTES,
    MAX_ROWS,
    FileRejected,
    decode,
    read_csv,
)
from parkops.core.tabular.writing import export_csv, export_xlsx

__all__ = [
    "CSV_MEDIA_TYPE",
    "ENCODING_MESSAGE",
    "MAX_BYTES",
    "MAX_ROWS",
    "N_",
    "XLSX_MEDIA_TYPE",
    "Boolean",
    "CellError",
    "Choice",
    "Column",
    "DateParser",
    "DecimalParser",
    "FileRejected",
    "ImportPreview",
    "Integer",
    "Parser",
    "PreviewRow",
    "RowError",
    "Text",
    "boolean",
    "choice",
    "content_disposition",
    "csv_response",
    "date_value",
    "decimal",
    "decode",
    "download_response",
    "export_csv",
    "export_xlsx",
    "integer",
    "read_csv",
    "text",
    "xlsx_response",
]
