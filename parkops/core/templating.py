"""The Jinja2 environment: autoescaping, gettext, and the filters pages and PDFs share."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig
from markupsafe import Markup, escape

from parkops.core import i18n
from parkops.core.money import fen_to_chinese_capitals, format_fen

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_dt(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Timestamps are stored in UTC and shown in Asia/Shanghai."""
    if value is None:
        return ""
    return value.astimezone(SHANGHAI).strftime(fmt)


def fmt_date(value: date | None) -> str:
    return value.isoformat() if value else ""


def page_url(request, page: int) -> str:
    """The current URL with another page number, keeping the filters."""
    params = dict(request.query_params)
    params["page"] = str(page)
    return f"{request.url.path}?{urlencode(params)}"


def _gettext(message: object, **variables: object) -> Markup:
    # A str (possibly an i18n.Message carrying its template and values) goes in as is.
    text = escape(i18n.gettext(message if isinstance(message, str) else str(message)))
    return text % variables if variables else text


def _ngettext(singular: str, plural: str, n: int, **variables: object) -> Markup:
    text = escape(i18n.ngettext(singular, plural, n))
    return text % {"num": n, **variables}


def plain_number(value: Decimal | int | None) -> str:
    """A Decimal without trailing zeros and never in exponent form (30, not 3E+1)."""
    if value is None:
        return ""
    return format(Decimal(value).normalize(), "f")


def make_environment(
    templates_dir: Path, filters: Mapping[str, Callable[..., Any]] | None = None
) -> Environment:
    """The environment of pages and PDFs; ``filters`` adds the domains' own filters (the app
    passes those its domains declare, e.g. accounts' ``role_label``)."""
    env = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=select_autoescape(["html", "xml", "svg"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    # Jinja's own newstyle callables mark the translation as safe HTML and always %-format it,
    # so a message quoting user input (a service error such as "'<b>' is not a code") would be
    # rendered unescaped and a bare "%" would crash. Ours escape and only format with arguments.
    env.globals.update(_=_gettext, gettext=_gettext, ngettext=_ngettext)
    env.filters.update(num=plain_number, money=format_fen, dt=local_dt, date=fmt_date)
    env.filters["capitals"] = fen_to_chinese_capitals  # 人民币壹万元整, for contracts and receipts
    env.filters.update(filters or {})
    env.globals.update(page_url=page_url)
    return env


def page_templates(
    templates_dir: Path, filters: Mapping[str, Callable[..., Any]] | None = None
) -> TemplateConfig:
    """The app's template configuration: pages render in the environment PDFs use."""
    return TemplateConfig(
        engine=JinjaTemplateEngine.from_environment(make_environment(templates_dir, filters))
    )
