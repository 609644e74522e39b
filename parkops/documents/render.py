"""PDF rendering: a Jinja template under ``templates/pdf/`` -> HTML -> WeasyPrint -> PDF bytes.

The Jinja environment comes from ``parkops.core.templating.make_environment``, the factory the
web pages use, so PDFs and pages share filters (``money``, ``capitals``, ``date``...). One
environment is built per templates folder and kept (Jinja caches compiled templates in it).

Rendering is a pure function of (template, context, language): the context dataclasses
(``parkops.documents.contexts``) carry everything, including the date that goes into the PDF
metadata, so the same inputs always give the same text. WeasyPrint writes no file identifier and
no clock time unless told to, so in practice the bytes are identical too; callers must not rely on
that (fonts or WeasyPrint upgrades change them) and the tests only compare ``pdftotext`` output.

Rendering an 8-page contract takes about a quarter of a second of CPU
(``bench/contract_pdf.py``), nearly all of it in WeasyPrint's layout and drawing: request
handlers and jobs use ``render_pdf_async``, which runs it on a worker thread so the event loop
keeps serving. What was done to make it faster, each measured: two font faces only and cut-down
copies of them (``parkops.documents.fonts``, print.css), one shared WeasyPrint font
configuration per process, fixed-layout tables, no inline-blocks, the garbage collector held off
during a render (``_young_garbage_only``), the HTML handed over parsed, with its stylesheet
parsed once and a user-agent sheet cut down to print (``xhtml``), and streams compressed at a
cheaper zlib level (``flate_streams``). Subsetting fonts needs ``libharfbuzz-subset0``; the app
warns at start-up when it is missing (``fonts.warn_missing_libraries``).
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import gc
import hashlib
import threading
import zlib
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

import anyio.to_thread
from jinja2 import Environment

from parkops.config import get_settings
from parkops.core.templating import SHANGHAI, make_environment
from parkops.documents import xhtml
from parkops.documents.contexts import LeaseContractContext
from parkops.documents.fonts import pdf_fonts
from parkops.documents.models import DocumentKind, DocumentLanguage


class PdfContext(Protocol):
    """What every context (``parkops.documents.contexts`` and the domains' own) gives the PDF
    metadata."""

    @property
    def document_date(self) -> date: ...

    def document_title(self, bilingual: bool) -> str: ...


@dataclass(frozen=True)
class PdfTemplate:
    """A PDF template and the revision of its wording and layout.

    Bump ``version`` whenever the template (or the shared print stylesheet) changes what a
    document says or how it looks: stored documents record the version they were made with.
    A template that records the ``fingerprint`` of its files (``template_fingerprint``) is held
    to that: ``tests/unit/documents/test_template_versions.py`` fails when one of its files
    changes and tells the new fingerprint to record with the bumped version.

    Other domains register their templates in ``TEMPLATES`` (``TEMPLATES.setdefault(name, spec)``).
    """

    name: str
    version: int
    kind: DocumentKind
    context_type: type[PdfContext]
    files: tuple[str, ...]  # the template and what it includes, relative to templates/
    fingerprint: str | None = None  # template_fingerprint() of the files at this version

    @property
    def path(self) -> str:
        return f"pdf/{self.name}.html"


# Every template is rendered with these (ua.css: parkops.documents.xhtml).
SHARED_FILES = ("pdf/_base.html", "pdf/_macros.html", "pdf/print.css", "pdf/ua.css")

TEMPLATES: dict[str, PdfTemplate] = {
    t.name: t
    for t in (
        PdfTemplate(
            name="lease_contract",
            version=3,
            kind=DocumentKind.lease_contract,
            context_type=LeaseContractContext,
            files=("pdf/lease_contract.html", *SHARED_FILES),
            fingerprint="2166dc3110314371",
        ),
    )
}


@dataclass(frozen=True)
class RenderedPdf:
    """What ``render_pdf`` produced, with what ``store_document`` needs to record about it."""

    pdf: bytes
    template: str
    template_version: int
    language: DocumentLanguage
    page_count: int


def template_fingerprint(spec: PdfTemplate, templates_dir: Path | None = None) -> str:
    """A short digest of the template's files (line endings normalised)."""
    root = _templates_dir(templates_dir)
    digest = hashlib.sha256()
    for name in sorted(spec.files):
        digest.update(name.encode() + b"\0")
        digest.update((root / name).read_bytes().replace(b"\r\n", b"\n"))
    return digest.hexdigest()[:16]


def get_template(name: str) -> PdfTemplate:
    try:
        return TEMPLATES[name]
    except KeyError:
        raise ValueError(f"unknown PDF template {name!r}") from None


def cn_date(value: date | None) -> str:
    """``2026-03-01`` -> ``2026年3月1日``, as contracts write dates."""
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


_MONTHS_EN = (
    "January February March April May June July August September October November December"
).split()


def en_date(value: date | None) -> str:
    return f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year}" if value else ""


def decimal_text(value: Decimal | None, places: int = 2) -> str:
    """Areas and rates with thousands separators and a fixed number of decimals."""
    if value is None:
        return ""
    return f"{Decimal(value):,.{places}f}"


@functools.lru_cache(maxsize=4)
def pdf_environment(templates_dir: Path) -> Environment:
    """The app's environment (same factory, same filters) plus a few print-only filters."""
    env = make_environment(templates_dir)
    env.filters.update(cn_date=cn_date, en_date=en_date, decimal=decimal_text)
    return env


def _templates_dir(templates_dir: Path | None) -> Path:
    return Path(templates_dir or get_settings().templates_dir).resolve()


def harfbuzz_subset_available() -> bool:
    """Whether WeasyPrint found libharfbuzz-subset (fast font subsetting) in this process."""
    from weasyprint.text.ffi import harfbuzz_subset

    return bool(harfbuzz_subset)


def render_html(
    template: str,
    context: Any,
    *,
    language: DocumentLanguage | str = DocumentLanguage.zh,
    templates_dir: Path | None = None,
) -> str:
    """The HTML a PDF is made from (also handy to look at a template in a browser)."""
    spec = get_template(template)
    if not isinstance(context, spec.context_type):
        raise TypeError(
            f"template {template!r} needs a {spec.context_type.__name__}, "
            f"not {type(context).__name__}"
        )
    language = DocumentLanguage(language)
    bilingual = language is DocumentLanguage.zh_en
    doc_date: date = context.document_date
    created = datetime.combine(doc_date, time(), SHANGHAI)
    env = pdf_environment(_templates_dir(templates_dir))
    return env.get_template(spec.path).render(
        doc=context,
        language=language.value,
        bilingual=bilingual,
        pdf_title=context.document_title(bilingual),
        pdf_created=created.isoformat(),
        template_name=spec.name,
        template_version=spec.version,
        fonts=pdf_fonts(),
    )


_render_lock = threading.Lock()
_font_config = None


def _shared_font_config():
    """One WeasyPrint FontConfiguration per process: it caches font matching and the
    ``@font-face`` fonts (the base subsets are loaded once, not once per document)."""
    global _font_config
    if _font_config is None:
        from weasyprint.text.fonts import FontConfiguration

        _font_config = FontConfiguration()
        atexit.register(_release_font_config)
    return _font_config


def _release_font_config() -> None:
    """Let the configuration go while the interpreter is whole: its ``__del__`` removes a
    temporary folder, and fails if it runs only when modules are being torn down."""
    global _font_config
    xhtml.forget_stylesheets()  # they are keyed by the configuration
    _font_config = None


def render_pdf(
    template: str,
    context: Any,
    *,
    language: DocumentLanguage | str = DocumentLanguage.zh,
    templates_dir: Path | None = None,
) -> RenderedPdf:
    """Render a PDF synchronously (CPU-bound: from async code use ``render_pdf_async``).

    One render at a time per process: the shared font configuration (Pango/fontconfig objects)
    is not meant to be used from two threads at once, and the work holds the GIL most of the
    time anyway, so running two in parallel would not finish sooner.
    """
    spec = get_template(template)
    language = DocumentLanguage(language)
    html = render_html(template, context, language=language, templates_dir=templates_dir)
    pdf_dir = _templates_dir(templates_dir) / "pdf"
    with _render_lock, _young_garbage_only():
        font_config = _shared_font_config()
        source, stylesheets = xhtml.prepare(
            html,
            base_url=f"{pdf_dir}/",
            ua_path=pdf_dir / "ua.css",
            font_config=font_config,
            name=spec.name,
        )
        document = source.render(font_config=font_config, stylesheets=stylesheets)
        pdf = document.write_pdf(finisher=flate_streams)
        page_count = len(document.pages)
        del document
    return RenderedPdf(
        pdf=pdf,
        template=spec.name,
        template_version=spec.version,
        language=language,
        page_count=page_count,
    )


def flate_streams(document, pdf) -> None:
    """A WeasyPrint ``finisher``: compress the PDF's streams at zlib level 6 instead of the 9
    pydyf uses.

    Level 9 spends ~25 ms of a contract's render on the font programs and page contents;
    level 6 takes ~10 ms and makes the file 0.6% larger (bench/contract_pdf.py). Streams whose
    parts are all bytes (fonts, pages, images) are compressed here and marked as such; pydyf
    compresses the others, and its object stream, itself.
    """
    import pydyf

    for obj in pdf.objects:
        if (
            isinstance(obj, pydyf.Stream)
            and obj.compress
            and all(isinstance(part, bytes) for part in obj.stream)
        ):
            obj.stream = [zlib.compress(b"\n".join(obj.stream), 6)]
            obj.compress = False
            obj.extra["Filter"] = "/FlateDecode"


@contextlib.contextmanager
def _young_garbage_only():
    """Hold the cyclic garbage collector off while WeasyPrint works, then collect only the
    youngest generation.

    A render builds ~40,000 objects in reference cycles (styles, boxes) that live for the whole
    render. With the collector on they are promoted to the oldest generation during the render
    and freed by a full collection that walks every object of the process: 60-150 ms every other
    render here, measured. Collected as young garbage right after the render, the same objects
    cost a fraction of that. Other threads barely run meanwhile (WeasyPrint holds the GIL), and
    a collector that was already disabled is left disabled.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            gc.collect(0)


async def render_pdf_async(
    template: str,
    context: Any,
    *,
    language: DocumentLanguage | str = DocumentLanguage.zh,
    templates_dir: Path | None = None,
) -> RenderedPdf:
    """``render_pdf`` on a worker thread, so the event loop is not blocked meanwhile."""
    return await anyio.to_thread.run_sync(
        functools.partial(
            render_pdf, template, context, language=language, templates_dir=templates_dir
        )
    )
