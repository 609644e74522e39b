"""File names of stored documents and the Content-Disposition header (RFC 6266 / 5987)."""

from __future__ import annotations

from urllib.parse import unquote

from parkops.documents.rules.filenames import clean_filename, content_disposition


def test_clean_filename_strips_paths_controls_and_quotes():
    assert clean_filename("../../etc/passwd") == "etc_passwd.pdf"
    assert clean_filename('a"b\r\nc.pdf') == "a_b_c.pdf"
    assert clean_filename("   ") == "document.pdf"
    assert clean_filename("合同.PDF") == "合同.PDF"


def test_clean_filename_limits_length_and_keeps_the_extension():
    name = clean_filename("租" * 500)
    assert len(name) == 200 and name.endswith(".pdf")


def test_ascii_name_is_a_plain_quoted_filename():
    assert content_disposition("bill-2026-03.pdf") == 'attachment; filename="bill-2026-03.pdf"'
    assert content_disposition("x.pdf", inline=True) == 'inline; filename="x.pdf"'


def test_chinese_name_uses_rfc5987_with_an_ascii_fallback():
    header = content_disposition("厂房租赁合同-HXYR-ZL-2026-0318.pdf")
    kind, plain, extended = (part.strip() for part in header.split(";"))
    assert kind == "attachment"
    assert plain == 'filename="-HXYR-ZL-2026-0318.pdf"'
    assert extended.startswith("filename*=UTF-8''")
    encoded = extended.removeprefix("filename*=UTF-8''")
    assert all(ord(c) < 128 for c in header)  # headers are latin-1 on the wire
    assert unquote(encoded, encoding="utf-8") == "厂房租赁合同-HXYR-ZL-2026-0318.pdf"
    assert "%E5%8E%82" in encoded  # 厂


def test_quotes_and_semicolons_cannot_break_out_of_the_header():
    header = content_disposition('evil"; filename="x.exe;.pdf')
    assert header.count('"') == 2
    quoted = header.split('"')[1]
    assert ";" not in quoted and "\\" not in quoted
    assert header.split("; ")[2].startswith("filename*=UTF-8''evil_%3B%20filename%3D")
