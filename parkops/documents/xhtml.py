"""Hand WeasyPrint our documents already parsed, with their stylesheet parsed once per process.

``weasyprint.HTML(string=...)`` does three things on every document that cost a fifth of an
8-page contract's render, each measured with ``bench/contract_pdf.py``:

- it parses the HTML with tinyhtml5, a pure-Python HTML5 parser: ~15 ms for a contract. Our
  PDF templates are well-formed XHTML (void elements closed, ``<!DOCTYPE html>``, no named
  entities), and everything people typed is escaped by Jinja, so expat (C) parses them in
  about a millisecond;
- it parses the ``<style>`` sheet again: ~5 ms. The sheet is the same text for every document
  of a template and language, so it is parsed once and the ``CSS`` object reused;
- it matches every element against its HTML user-agent stylesheet, written for any web page
  (forms, lists, bidirectional text, presentational attributes): ~30 ms. ``templates/pdf/ua.css``
  holds WeasyPrint's own defaults for the elements our templates use (``PRINT_ELEMENTS``) and
  replaces it.

Text and layout come out the same as through ``HTML(string=...)``; the tests compare the two.
A document that expat refuses (a template edited into malformed XHTML) still renders, through
WeasyPrint's own parser, and a warning names the template; the tests render every template
through the strict path so that does not ship.
"""

from __future__ import annotations

import functools
import logging
import re
import xml.etree.ElementTree as ET
from pathlib import Path

log = logging.getLogger(__name__)

# The elements ua.css gives defaults for; a template using another needs its defaults there.
PRINT_ELEMENTS = frozenset(
    "html head meta title style body div p span br b strong h1 h2 h3 "
    "table colgroup col thead tbody tfoot tr td th".split()
)

# Characters XML 1.0 forbids but a person may paste (form feeds, vertical tabs, stray
# surrogates): dropped, as they print nothing anyway.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def parse_xhtml(html: str) -> ET.Element:
    """Parse a rendered PDF template; ``ET.ParseError`` if it is not well-formed XHTML.

    Not untrusted XML: the markup, doctype included, is our templates'; what people typed
    arrives escaped by Jinja, so it cannot declare entities or add elements."""
    return ET.fromstring(_NOT_XML.sub("", html))  # noqa: S314


@functools.lru_cache(maxsize=1)
def _ua_stylesheet(ua_path: Path):
    from weasyprint import CSS

    return CSS(filename=str(ua_path))


@functools.lru_cache(maxsize=32)
def _stylesheet(text: str, base_url: str, font_config):
    """One parsed ``CSS`` per distinct sheet text. Parsing it registers its ``@font-face``
    fonts with ``font_config``: the renderer's one per-process configuration."""
    from weasyprint import CSS

    return CSS(string=text, base_url=base_url, font_config=font_config)


def forget_stylesheets() -> None:
    _stylesheet.cache_clear()


def prepare(html: str, *, base_url: str, ua_path: Path, font_config, name: str):
    """``(document, stylesheets)`` to pass to ``document.render(stylesheets=...)``.

    The ``<style>`` elements move out of the tree into the stylesheets, so WeasyPrint applies
    them as the user stylesheets (the only difference: they rank below ``style`` attributes
    and above the user-agent sheet either way, as author sheets do).
    """
    from weasyprint import HTML

    try:
        root = parse_xhtml(html)
    except ET.ParseError as exc:
        log.warning("PDF template %s is not well-formed XHTML (%s): slow path", name, exc)
        return HTML(string=html, base_url=base_url), []
    sheets = []
    head = root.find("head")
    if head is not None:
        for style in head.findall("style"):
            sheets.append(_stylesheet(style.text or "", base_url, font_config))
            head.remove(style)
    return _parsed_html_class()(root, base_url, _ua_stylesheet(ua_path)), sheets


@functools.cache
def _parsed_html_class():
    """Built on first use: WeasyPrint (and Pango) load with the first PDF, not with the app."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    class ParsedHTML(HTML):
        """A WeasyPrint ``HTML`` made from a parsed tree: ``HTML.__init__`` only accepts
        sources it parses itself, so this sets the attributes it would have set (WeasyPrint
        70; ``tests/unit/documents/test_xhtml.py`` compares the output with ``HTML``'s)."""

        def __init__(self, root: ET.Element, base_url: str, ua_stylesheet) -> None:
            import cssselect2

            self.base_url = base_url
            self.url_fetcher = URLFetcher()
            self.media_type = "print"
            self.wrapper_element = cssselect2.ElementWrapper.from_html_root(
                root, content_language=None
            )
            self.etree_element = self.wrapper_element.etree_element
            self._ua_stylesheet = ua_stylesheet

        def _ua_stylesheets(self, forms: bool = False):
            return [self._ua_stylesheet]

    return ParsedHTML
