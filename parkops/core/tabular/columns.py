"""The column spec of an import or export: one `Column` a field, with its labels and parser.

A header cell matches a column by its name, English label, Chinese label or one of ``aliases``,
compared after NFKC normalisation, case folding and removing spaces and ``*`` (so ``单元编号*``,
``Code`` and ``ＣＯＤＥ`` all match ``code``). ``required=True`` means the column must be present
and every row must have a value; optional empty cells become ``None``. ``unique=True`` flags
repeated values within the file.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from parkops.core.context import language_var
from parkops.core.tabular.errors import format_message
from parkops.core.tabular.parsers import Text


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
        return {header_key(h) for h in (self.name, self.label_en, self.label_zh, *self.aliases)}

    def export(self, value: Any, lang: str) -> Any:
        exporter = getattr(self.parse, "export", None)
        return exporter(value, lang) if exporter else value

    def hint_text(self) -> str:
        """What the parser accepts, in the current language (for the upload page)."""
        hint = getattr(self.parse, "hint", "")
        return format_message(hint, getattr(self.parse, "hint_params", {})) if hint else ""


def header_key(value: str) -> str:
    return re.sub(r"[\s*]+", "", unicodedata.normalize("NFKC", value).casefold())
