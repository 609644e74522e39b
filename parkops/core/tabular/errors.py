"""What goes wrong in a spreadsheet: a parser's `CellError`, and the `RowError` a preview shows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from parkops.core.i18n import Message, gettext


class CellError(ValueError):
    """Raised by a parser: an English message (with ``%(name)s`` placeholders) and its params."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


@dataclass(frozen=True)
class RowError:
    """``column`` is a field name, or None for the whole row or file; ``message`` is English with
    ``%(name)s`` placeholders filled from ``params``."""

    line: int
    column: str | None
    message: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        """The message in the current language, placeholders filled."""
        return format_message(self.message, self.params)


def format_message(message: str, params: Mapping[str, Any]) -> str:
    """``message`` translated, its placeholders filled (a parameter that is itself a message, a
    service message quoting the input, translated too). A message without params is shown as
    is, so a "%" in it (e.g. quoted input) is harmless."""
    return gettext(Message(message, **params) if params else message)
