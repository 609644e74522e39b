"""Lenient conversion of submitted values (form fields, query strings, CSV cells)."""

from __future__ import annotations

from typing import Any


def optional_int(value: Any) -> int | None:
    """``"12"``/``" 12 "``/``12`` -> 12; empty, missing, booleans and non-numbers -> None."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None
