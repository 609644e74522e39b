"""File names of documents: cleaning what callers pass, and the Content-Disposition header.

Chinese names (厂房租赁合同-HXYR-ZL-2026-0318.pdf) go in the RFC 5987 ``filename*`` parameter,
percent-encoded UTF-8, which every current browser reads (RFC 6266); old clients that only know
``filename`` get an ASCII rendering with the other characters replaced by ``_``.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

MAX_FILENAME = 200
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def clean_filename(name: str, default: str = "document.pdf", extension: str = ".pdf") -> str:
    """A file name safe on every file system and in a header: no paths, controls or quotes."""
    name = unicodedata.normalize("NFC", name or "")
    name = _UNSAFE.sub("_", name).strip(" ._")
    if not name:
        name = default
    if not name.lower().endswith(extension):
        name += extension
    if len(name) > MAX_FILENAME:
        name = name[: MAX_FILENAME - len(extension)].rstrip(" ._") + extension
    return name


def ascii_fallback(name: str) -> str:
    text = "".join(c if 32 <= ord(c) < 127 and c not in '"\\%;' else "_" for c in name)
    text = re.sub(r"_+", "_", text).strip("_") or "document"
    return text


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """``attachment; filename="..."; filename*=UTF-8''...`` for any file name."""
    kind = "inline" if inline else "attachment"
    name = clean_filename(filename)
    fallback = ascii_fallback(name)
    if fallback == name:
        return f'{kind}; filename="{name}"'
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
