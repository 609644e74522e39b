"""Translations: gettext catalogues (Babel ``.po`` files) for Chinese (default) and English.

Source strings are English. The ``.po`` files in ``parkops/locale`` are compiled in memory at
start-up, so there is no build step and no binary ``.mo`` file in the repository.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from parkops.core.context import language_var

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
LANGUAGES = {"zh": "中文", "en": "English"}


@lru_cache
def translations(lang: str) -> NullTranslations:
    po_path = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return NullTranslations()
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(fp=buf)


def gettext(message: str) -> str:
    return translations(language_var.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(language_var.get()).ngettext(singular, plural, n)


_ = gettext


def pick_language(cookie_value: str | None, default: str) -> str:
    return cookie_value if cookie_value in LANGUAGES else default
