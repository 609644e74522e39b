"""What an uploaded file really is, judged by its content, and where attachments are stored.

The browser's content type and the file name are the uploader's claims; the bytes decide. A file
is accepted when its content is one of the allowed kinds *and* its name's extension belongs to
that kind, so an ``.exe`` renamed ``.pdf`` is refused, and so is a PNG called ``report.pdf``
(the recipient would open it with the wrong program).

Office documents: ``.docx``/``.xlsx``/``.pptx`` are ZIP archives; the archive must contain
``[Content_Types].xml`` (every OOXML package does; a ZIP of anything else does not). Legacy
``.doc``/``.xls``/``.ppt`` are OLE2 compound files (signature ``D0 CF 11 E0 A1 B1 1A E1``).
"""

from __future__ import annotations

import io
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePath

import filetype

from parkops.core.i18n import N_, Message

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
OLE2_SIGNATURE = bytes.fromhex("d0cf11e0a1b11ae1")

# content kind -> (content type served, extensions a file of that kind may carry, label)
KINDS: dict[str, tuple[str, frozenset[str], str]] = {
    "pdf": ("application/pdf", frozenset({"pdf"}), N_("PDF document")),
    "jpg": ("image/jpeg", frozenset({"jpg", "jpeg"}), N_("JPEG image")),
    "png": ("image/png", frozenset({"png"}), N_("PNG image")),
    "gif": ("image/gif", frozenset({"gif"}), N_("GIF image")),
    "webp": ("image/webp", frozenset({"webp"}), N_("WebP image")),
    "ooxml": (
        "application/octet-stream",
        frozenset({"docx", "xlsx", "pptx"}),
        N_("Office document"),
    ),
    "ole2": ("application/octet-stream", frozenset({"doc", "xls", "ppt"}), N_("Office document")),
}
OOXML_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
OLE2_TYPES = {
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
}
ALLOWED_EXTENSIONS = sorted(ext for _t, exts, _l in KINDS.values() for ext in exts)
ACCEPT_ATTRIBUTE = ",".join(f".{ext}" for ext in ALLOWED_EXTENSIONS)


class AttachmentRejected(ValueError):
    """The file is refused; the message is fit to show the uploader (English, translated by
    the caller)."""


@dataclass(frozen=True, slots=True)
class CheckedFile:
    name: str
    content_type: str
    size: int


def clean_name(name: str | None) -> str:
    """The file's base name without any path, control characters or excessive length."""
    base = PurePath((name or "").replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"/\\|?*').strip(" .")
    if len(base) > 200:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: 200 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else base[:200]
    return base or "file"


def _extension(name: str) -> str:
    _stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot else ""


def _content_kind(data: bytes) -> tuple[str | None, str | None]:
    """(allowed kind or None, what the content is for messages)."""
    if data.startswith(OLE2_SIGNATURE):
        return "ole2", None
    guess = filetype.guess(data)
    if guess is None:
        return None, None
    ext = guess.extension
    if ext in ("zip", "docx", "xlsx", "pptx"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "[Content_Types].xml" in archive.namelist():
                    return "ooxml", None
        except zipfile.BadZipFile:
            return None, Message(N_("a damaged ZIP archive"))
        return None, Message(N_("a ZIP archive"))
    if ext in KINDS:
        return ext, None
    if ext in ("exe", "elf", "dll") or guess.mime in (
        "application/x-msdownload",
        "application/x-executable",
    ):
        return None, Message(N_("a program (executable file)"))
    return None, Message(N_("a %(mime)s file"), mime=guess.mime)


def check(name: str | None, data: bytes) -> CheckedFile:
    """Accept or refuse one upload. Raises :class:`AttachmentRejected` with the reason."""
    clean = clean_name(name)
    size = len(data)
    if size == 0:
        raise AttachmentRejected(Message(N_("The file '%(name)s' is empty."), name=clean))
    if size > MAX_BYTES:
        raise AttachmentRejected(
            Message(
                N_("The file '%(name)s' is %(size)s MB; files may be at most 10 MB."),
                name=clean,
                size=f"{size / 1024 / 1024:.1f}",
            )
        )
    ext = _extension(clean)
    kind, what = _content_kind(data)
    if kind is None:
        claimed = Message(N_("a .%(ext)s file"), ext=ext) if ext else Message(N_("a file"))
        if what:
            raise AttachmentRejected(
                Message(
                    N_(
                        "The file '%(name)s' is refused: it is named as %(claimed)s but its "
                        "content is %(actual)s. Allowed are PDF, images (JPEG, PNG, GIF, WebP) "
                        "and Office documents."
                    ),
                    name=clean,
                    claimed=claimed,
                    actual=what,
                )
            )
        raise AttachmentRejected(
            Message(
                N_(
                    "The file '%(name)s' is refused: its content is of a type that cannot be "
                    "recognised. Allowed are PDF, images (JPEG, PNG, GIF, WebP) and Office "
                    "documents."
                ),
                name=clean,
            )
        )
    content_type, extensions, label = KINDS[kind]
    if ext not in extensions:
        raise AttachmentRejected(
            Message(
                N_(
                    "The file '%(name)s' is refused: its content is a %(kind)s, which does not "
                    "match its name. Rename it to .%(ext)s and upload it again."
                ),
                name=clean,
                kind=Message(label),
                ext=sorted(extensions)[0],
            )
        )
    if kind == "ooxml":
        content_type = OOXML_TYPES[ext]
    elif kind == "ole2":
        content_type = OLE2_TYPES[ext]
    return CheckedFile(name=clean, content_type=content_type, size=size)


def new_stored_name() -> str:
    """A random file name: nothing about the upload reaches the file system."""
    return secrets.token_hex(16)


KEY_PREFIX = "attachments/"
"""Attachments' keys in the storage (parkops.core.blobs): the folder below the storage folder."""


def storage_dir(storage_root: Path) -> Path:
    path = storage_root / "attachments"
    path.mkdir(parents=True, exist_ok=True)
    return path


def stored_path(storage_root: Path, stored_name: str) -> Path:
    if not stored_name.isalnum():
        raise ValueError("not a stored attachment name")
    return storage_root / "attachments" / stored_name
