"""What a read file became: its rows (`PreviewRow`) and the `ImportPreview` the preview page shows.

``PreviewRow.values`` maps every column name of the spec to its parsed value (None for empty cells
and absent optional columns); ``raw`` maps the columns present in the file to their cell text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from parkops.core.tabular.columns import Column
from parkops.core.tabular.errors import RowError


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
