"""Download responses: a file with a ``Content-Disposition`` that carries an ASCII fallback and
the RFC 5987 ``filename*`` for Chinese names; ``csv_response``/``xlsx_response`` export and send.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from litestar import Response

from parkops.core.tabular.columns import Column
from parkops.core.tabular.writing import export_csv, export_xlsx

CSV_MEDIA_TYPE = "text/csv"  # Litestar adds "; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def download_response(content: bytes, filename: str, media_type: str) -> Response:
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
) -> Response:
    return download_response(export_csv(columns, rows, lang), filename, CSV_MEDIA_TYPE)


def xlsx_response(
    columns: Sequence[Column], rows: Iterable[Any], filename: str, lang: str | None = None
) -> Response:
    return download_response(export_xlsx(columns, rows, lang), filename, XLSX_MEDIA_TYPE)
