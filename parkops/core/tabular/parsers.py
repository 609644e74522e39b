"""Cell parsers: each turns the stripped, non-empty text of a cell into a value (or raises
`CellError` with an English message) and formats values back for export, so that an export
re-imports to the same values.

``text(max_length)``, ``integer(min_value, max_value)`` (accepts ``1,234`` and ``12.0``),
``decimal(places=2, min_value, max_value)`` (returns ``Decimal`` quantized to ``places``; more
decimals is an error, never silently rounded), ``choice({value: (label_en, label_zh)})`` (accepts
the value or either label, returns the key, so StrEnum keys come back as members; exports the
label), ``date_value()`` (``2024-03-01``, ``2024/3/1``, ``2024.3.1``, ``2024年3月1日``, an Excel
time part is ignored) and ``boolean()`` (是/否, yes/no, true/false, on/off, 1/0, Y/N; exports
是/否). The values are read by `parkops.core.parsing`, as in forms: whole numbers within
``bigint``, dates within the business range (1990-01-01..2200-12-31).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from parkops.core import parsing
from parkops.core.context import language_var
from parkops.core.i18n import N_
from parkops.core.tabular.errors import CellError


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


# Text starting with these is a formula to Excel; export puts an apostrophe before it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class Text(Parser):
    def __init__(self, max_length: int | None = None) -> None:
        self.max_length = max_length
        self.hint = N_("Text, at most %(n)s characters") if max_length else N_("Text")
        self.hint_params = {"n": max_length} if max_length else {}

    def __call__(self, raw: str) -> str:
        # Undo the apostrophe export_csv puts before formula-like text.
        if len(raw) > 1 and raw[0] == "'" and raw[1] in FORMULA_START:
            raw = raw[1:]
        if self.max_length is not None and len(raw) > self.max_length:
            raise CellError(
                N_("At most %(max)s characters (this has %(len)s)"),
                max=self.max_length,
                len=len(raw),
            )
        return raw


class _AsCellError:
    """``with _as_cell_error:`` what a `parkops.core.parsing` parser refuses becomes a cell
    error. A plain class, one instance: it runs for every cell of a 50,000-row file, where a
    generator-based context manager cost a tenth of the whole read."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        if isinstance(exc, parsing.Invalid):
            raise CellError(parsing.PLAIN_MESSAGES[exc.code], **exc.params) from None


_as_cell_error = _AsCellError()


class Integer(Parser):
    hint = N_("Whole number")

    def __init__(self, min_value: int | None = None, max_value: int | None = None) -> None:
        self.min_value = min_value
        self.max_value = max_value

    def __call__(self, raw: str) -> int:
        with _as_cell_error:
            return parsing.to_int(raw, minimum=self.min_value, maximum=self.max_value)


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
        with _as_cell_error:
            number = parsing.to_decimal(
                raw, places=self.places, minimum=self.min_value, maximum=self.max_value
            )
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


class _Converted(Parser):
    """A parser that is one of `parkops.core.parsing`'s, with no options."""

    convert: Callable[[str], Any]

    def __call__(self, raw: str) -> Any:
        with _as_cell_error:
            return type(self).convert(raw)


class DateParser(_Converted):
    hint = N_("Date, e.g. 2025-03-01")
    convert = staticmethod(parsing.to_date)


class Boolean(_Converted):
    hint = N_("Yes or no")
    convert = staticmethod(parsing.to_bool)

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
