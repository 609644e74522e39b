"""Translations: gettext catalogues (Babel ``.po`` files) for Chinese (default) and English.

Source strings are English. The ``.po`` files in ``parkops/locale`` are compiled in memory at
start-up, so there is no build step and no binary ``.mo`` file in the repository.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
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


def N_(message: str) -> str:
    """Mark a message for extraction without translating it: services keep English, and the
    page, flash or API error that shows it translates it with :func:`gettext`."""
    return message


class Message(str):
    """An English message with ``%(name)s`` placeholders, already filled in.

    As a ``str`` it is the English text (logs, tests and the CLI see no difference); ``gettext``
    translates the template and fills in the values, so a message that quotes a value can still
    match its catalogue entry. Values that are Messages themselves are translated too.
    """

    template: str
    params: dict[str, object]

    def __new__(cls, template: str, **params: object) -> Message:
        obj = super().__new__(cls, _fill(template, params))
        obj.template = template
        obj.params = params
        return obj

    def __reduce__(self):  # pickling/copying keeps the template and values
        return (_rebuild, (self.template, self.params))


def join(messages: Sequence[str], sep: str = "; ") -> Message:
    """Messages joined with ``sep`` (English: ``sep.join(messages)``), each one translated where
    the whole is shown."""
    template = sep.join(f"%(m{i})s" for i in range(len(messages)))
    values = {f"m{i}": m if isinstance(m, Message) else Message(m) for i, m in enumerate(messages)}
    return Message(template, **values)


def _rebuild(template: str, params: dict[str, object]) -> Message:
    return Message(template, **params)


def _fill(template: str, params: dict[str, object]) -> str:
    if not params:
        return template
    try:
        return template % {k: str(v) if isinstance(v, Message) else v for k, v in params.items()}
    except (KeyError, ValueError, TypeError):
        return template


def gettext(message: str) -> str:
    catalogue = translations(language_var.get())
    if isinstance(message, Message) and message.params:
        try:
            values = {k: _translated_value(v) for k, v in message.params.items()}
            return catalogue.gettext(message.template) % values
        except (KeyError, ValueError, TypeError):  # a broken translation: show the English
            return str(message)
    return catalogue.gettext(getattr(message, "template", message))


def _translated_value(value: object) -> object:
    return gettext(value) if isinstance(value, Message) else value


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(language_var.get()).ngettext(singular, plural, n)


_ = gettext


def pick_language(cookie_value: str | None, default: str) -> str:
    return cookie_value if cookie_value in LANGUAGES else default
