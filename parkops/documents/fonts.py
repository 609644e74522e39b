"""The fonts PDFs are set in: Noto CJK faces, cut down once per process to the common characters.

Debian's fonts-noto-cjk ships each face inside a 20-27 MB collection (.ttc) of 65,000 glyphs.
WeasyPrint copies the whole collection out of HarfBuzz and subsets it with glyph ids kept, for
every face of every document: about 45 ms per face and a 200 KB font program in each PDF. So the
first render in a process builds, with HarfBuzz's subsetter (a fraction of a second), a "base
subset" of each face holding the characters contracts use: ASCII and Latin-1, general and CJK
punctuation, fullwidth forms, the unit symbols, and the 6,763 hanzi of GB 2312. Documents use
those through ``@font-face`` (family names ``ParkOps Serif`` / ``ParkOps Sans``) with the full
Noto family named after them, so a character outside the base subset (a rare character in a
person's or company's name) still prints, from the full font.

When anything is missing (fonts-noto-cjk, libharfbuzz-subset0, fontconfig) the documents simply
name the Noto families alone: slower, same text.
"""

from __future__ import annotations

import atexit
import ctypes.util
import functools
import logging
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from litestar import Litestar

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Face:
    key: str  # used in CSS and file names
    family: str  # the installed Noto family
    weight: str  # "normal" | "bold"
    subset_family: str  # the @font-face family of the base subset


FACES = (
    Face("serif", "Noto Serif CJK SC", "normal", "ParkOps Serif"),
    Face("sans_bold", "Noto Sans CJK SC", "bold", "ParkOps Sans"),
)

_EXTRA_RANGES = (
    (0x20, 0x7E),  # ASCII
    (0xA0, 0x17F),  # Latin-1, Latin Extended-A
    (0x2000, 0x206F),  # general punctuation
    (0x2070, 0x20CF),  # super/subscripts, currency (¥ ￥ €)
    (0x2100, 0x21FF),  # letterlike, number forms, arrows (№ ℃ Ⅰ →)
    (0x2200, 0x22FF),  # mathematical operators
    (0x2460, 0x24FF),  # enclosed alphanumerics (①)
    (0x2500, 0x25FF),  # box drawing, geometric shapes (□ ■ ○)
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3200, 0x33FF),  # enclosed CJK (㈠), CJK compatibility (㎡)
    (0xFF00, 0xFFEF),  # fullwidth forms
)


def base_codepoints() -> list[int]:
    """Every code point the base subsets keep, sorted."""
    points = {cp for lo, hi in _EXTRA_RANGES for cp in range(lo, hi + 1)}
    for hi in range(0xA1, 0xF8):  # GB 2312: symbols (A1-A9) and hanzi (B0-F7)
        for lo in range(0xA1, 0xFF):
            try:
                points.add(ord(bytes((hi, lo)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return sorted(points)


_CDEF = """
typedef struct _FcPattern FcPattern;
typedef struct _FcConfig FcConfig;
typedef int FcBool;
typedef unsigned char FcChar8;
typedef enum { FcResultMatch, FcResultNoMatch, FcResultTypeMismatch, FcResultNoId,
               FcResultOutOfMemory } FcResult;
typedef enum { FcMatchPattern, FcMatchFont, FcMatchScan } FcMatchKind;
FcPattern *FcNameParse(const FcChar8 *name);
FcBool FcConfigSubstitute(FcConfig *config, FcPattern *p, FcMatchKind kind);
void FcDefaultSubstitute(FcPattern *pattern);
FcPattern *FcFontMatch(FcConfig *config, FcPattern *p, FcResult *result);
FcResult FcPatternGetString(const FcPattern *p, const char *object, int n, FcChar8 **s);
FcResult FcPatternGetInteger(const FcPattern *p, const char *object, int n, int *i);
void FcPatternDestroy(FcPattern *p);

typedef struct hb_blob_t hb_blob_t;
typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t;
typedef struct hb_subset_input_t hb_subset_input_t;
typedef uint32_t hb_codepoint_t;
hb_blob_t *hb_blob_create_from_file_or_fail(const char *file_name);
void hb_blob_destroy(hb_blob_t *blob);
const char *hb_blob_get_data(hb_blob_t *blob, unsigned int *length);
hb_face_t *hb_face_create(hb_blob_t *blob, unsigned int index);
void hb_face_destroy(hb_face_t *face);
hb_blob_t *hb_face_reference_blob(hb_face_t *face);
hb_subset_input_t *hb_subset_input_create_or_fail(void);
void hb_subset_input_destroy(hb_subset_input_t *input);
hb_set_t *hb_subset_input_unicode_set(hb_subset_input_t *input);
void hb_set_add_range(hb_set_t *set, hb_codepoint_t first, hb_codepoint_t last);
void hb_subset_input_set_flags(hb_subset_input_t *input, unsigned value);
hb_face_t *hb_subset_or_fail(hb_face_t *source, const hb_subset_input_t *input);
"""
_HB_SUBSET_FLAGS_NO_HINTING = 0x1


@functools.lru_cache(maxsize=1)
def _libraries():
    import cffi

    ffi = cffi.FFI()
    ffi.cdef(_CDEF)
    fontconfig = ffi.dlopen("libfontconfig.so.1")
    harfbuzz = ffi.dlopen("libharfbuzz.so.0")
    harfbuzz_subset = ffi.dlopen("libharfbuzz-subset.so.0")
    return ffi, fontconfig, harfbuzz, harfbuzz_subset


def find_face(family: str, weight: str) -> tuple[Path, int] | None:
    """(file, index in the collection) of an installed face, or None when it is not installed."""
    ffi, fc, _hb, _hbs = _libraries()
    fc_weight = {"normal": "regular", "bold": "bold"}[weight]
    pattern = fc.FcNameParse(f"{family}:weight={fc_weight}".encode())
    if pattern == ffi.NULL:
        return None
    try:
        fc.FcConfigSubstitute(ffi.NULL, pattern, fc.FcMatchPattern)
        fc.FcDefaultSubstitute(pattern)
        result = ffi.new("FcResult *")
        match = fc.FcFontMatch(ffi.NULL, pattern, result)
        if match == ffi.NULL:
            return None
        try:
            text = ffi.new("FcChar8 **")
            number = ffi.new("int *")
            if fc.FcPatternGetString(match, b"file", 0, text) != fc.FcResultMatch:
                return None
            path = Path(ffi.string(text[0]).decode())
            index = number[0] if fc.FcPatternGetInteger(match, b"index", 0, number) == 0 else 0
            families = []
            n = 0
            while fc.FcPatternGetString(match, b"family", n, text) == fc.FcResultMatch:
                families.append(ffi.string(text[0]).decode())
                n += 1
            # fontconfig always answers something; only the family asked for will do.
            return (path, index) if family in families else None
        finally:
            fc.FcPatternDestroy(match)
    finally:
        fc.FcPatternDestroy(pattern)


def subset_face(path: Path, index: int, codepoints: list[int]) -> bytes:
    """The face at ``path``/``index`` cut down to ``codepoints`` (and what GSUB reaches)."""
    ffi, _fc, hb, hbs = _libraries()
    blob = hb.hb_blob_create_from_file_or_fail(str(path).encode())
    if blob == ffi.NULL:
        raise OSError(f"cannot read font {path}")
    face = hb.hb_face_create(blob, index)
    subset_input = hbs.hb_subset_input_create_or_fail()
    result = ffi.NULL
    try:
        unicodes = hbs.hb_subset_input_unicode_set(subset_input)
        start = prev = codepoints[0]
        for cp in [*codepoints[1:], None]:
            if cp is not None and cp == prev + 1:
                prev = cp
                continue
            hb.hb_set_add_range(unicodes, start, prev)
            if cp is not None:
                start = prev = cp
        hbs.hb_subset_input_set_flags(subset_input, _HB_SUBSET_FLAGS_NO_HINTING)
        result = hbs.hb_subset_or_fail(face, subset_input)
        if result == ffi.NULL:
            raise OSError(f"HarfBuzz could not subset {path}")
        out = hb.hb_face_reference_blob(result)
        try:
            length = ffi.new("unsigned int *")
            data = hb.hb_blob_get_data(out, length)
            return bytes(ffi.buffer(data, length[0]))
        finally:
            hb.hb_blob_destroy(out)
    finally:
        if result != ffi.NULL:
            hb.hb_face_destroy(result)
        hbs.hb_subset_input_destroy(subset_input)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)


@dataclass(frozen=True)
class PdfFonts:
    """What the print stylesheet needs: the font-family lists and the @font-face rules."""

    serif: str  # CSS font-family value for regular text
    sans_bold: str  # CSS font-family value for bold text
    font_faces: tuple[tuple[str, str, str], ...]  # (family, weight, file URI)


async def warn_missing_libraries(app: Litestar) -> None:
    """Start-up hook: a missing subsetter makes every PDF much slower, not wrong, so say so."""
    if not ctypes.util.find_library("harfbuzz-subset"):
        log.warning(
            "libharfbuzz-subset0 is not installed: PDF font subsetting falls back to fontTools "
            "and is about 30x slower (apt-get install libharfbuzz-subset0)"
        )


_lock = threading.Lock()
_fonts: PdfFonts | None = None


def _build() -> PdfFonts:
    families = {face.key: f'"{face.family}"' for face in FACES}
    font_faces = []
    if not ctypes.util.find_library("harfbuzz-subset"):
        # warn_missing_libraries has already said so at start-up.
        log.info("libharfbuzz-subset is missing: PDFs use the full Noto fonts")
        return PdfFonts(serif=families["serif"], sans_bold=families["sans_bold"], font_faces=())
    try:
        folder = Path(tempfile.mkdtemp(prefix="parkops-fonts-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        codepoints = base_codepoints()
        for face in FACES:
            found = find_face(face.family, face.weight)
            if found is None:
                log.warning(
                    "font %s (%s) is not installed (fonts-noto-cjk)", face.family, face.weight
                )
                continue
            target = folder / f"{face.key}.otf"
            target.write_bytes(subset_face(*found, codepoints))
            families[face.key] = f'"{face.subset_family}", "{face.family}"'
            font_faces.append((face.subset_family, face.weight, target.as_uri()))
    except (OSError, AttributeError) as exc:
        # AttributeError: a library without the function (HarfBuzz < 2.8.2): use the full fonts.
        log.warning("PDF base font subsets unavailable, using the full Noto fonts: %s", exc)
        families = {face.key: f'"{face.family}"' for face in FACES}
        font_faces = []
    return PdfFonts(
        serif=families["serif"], sans_bold=families["sans_bold"], font_faces=tuple(font_faces)
    )


def pdf_fonts() -> PdfFonts:
    """The fonts of this process, built on first use."""
    global _fonts
    if _fonts is None:
        with _lock:
            if _fonts is None:
                _fonts = _build()
    return _fonts
