"""Uploaded files are judged by their content, not their name or claimed type."""

from __future__ import annotations

import io
import zipfile

import pytest

from parkops.tickets.attachments import (
    MAX_BYTES,
    AttachmentRejected,
    check,
    clean_name,
    stored_path,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
OLE2 = bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 504
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 64


def zipped(*names: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("evidence.pdf", PDF, "application/pdf"),
        ("photo.PNG", PNG, "image/png"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("old.doc", OLE2, "application/msword"),
        ("old.xls", OLE2, "application/vnd.ms-excel"),
        (
            "contract.docx",
            zipped("[Content_Types].xml", "word/document.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "bills.xlsx",
            zipped("[Content_Types].xml", "xl/workbook.xml"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ],
)
def test_allowed_files(name, data, content_type):
    checked = check(name, data)
    assert checked.content_type == content_type and checked.size == len(data)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("invoice.pdf", EXE, "named as a .pdf file but its content is a program"),
        ("invoice.pdf", ELF, "its content is a program"),
        ("setup.exe", EXE, "its content is a program"),
        ("scan.pdf", PNG, "its content is a PNG image, which does not match its name"),
        ("report.docx", zipped("payload.js"), "its content is a ZIP archive"),
        ("report.docx", b"PK\x03\x04garbage", "damaged ZIP archive"),
        ("notes.txt", b"just some text", "cannot be recognised"),
        ("empty.pdf", b"", "is empty"),
        ("big.pdf", PDF + b"0" * (MAX_BYTES + 1 - len(PDF)), "at most 10 MB"),
        ("sheet.docx", OLE2, "does not match its name"),
    ],
)
def test_refused_files_say_why(name, data, message):
    with pytest.raises(AttachmentRejected, match=message):
        check(name, data)


def test_exactly_the_limit_is_allowed():
    assert check("big.pdf", PDF + b"0" * (MAX_BYTES - len(PDF))).size == MAX_BYTES


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\wang\\合同.pdf", "合同.pdf"),
        ('a<b>"c".pdf', "abc.pdf"),
        ("", "file"),
        (None, "file"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ],
)
def test_names_are_cleaned(raw, clean):
    assert clean_name(raw) == clean


def test_stored_paths_cannot_escape_the_folder(tmp_path):
    assert stored_path(tmp_path, "ab12").parent == tmp_path / "attachments"
    with pytest.raises(ValueError):
        stored_path(tmp_path, "../secret")
