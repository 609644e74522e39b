"""Storing documents: the file is written once, named by its sha256, and audited."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from parkops.core.audit import AuditEntry
from parkops.core.errors import ValidationFailed
from parkops.documents import service
from parkops.documents.models import Document
from parkops.documents.render import TEMPLATES
from parkops.documents.samples import sample_lease_contract
from tests.integration.enterprises.factories import create_enterprise
from tests.support import create_user

PDF = b"%PDF-1.7\n% a tiny stand-in for a rendered file\n%%EOF\n"


async def _count(db, model) -> int:
    return await db.scalar(sa.select(sa.func.count()).select_from(model))


async def test_store_document_writes_the_file_and_audits(db, test_settings):
    user = await create_user(db, "leasing")
    enterprise = await create_enterprise(db)
    document = await service.store_document(
        db,
        user,
        "lease_contract",
        "lease_contract",
        42,
        enterprise.id,
        PDF,
        "lease_contract",
        1,
        "zh_en",
        filename="厂房租赁合同-42.pdf",
        documents_dir=test_settings.documents_dir,
    )
    digest = hashlib.sha256(PDF).hexdigest()
    path = test_settings.documents_dir / digest[:2] / f"{digest}.pdf"
    assert document.id and document.sha256 == digest and document.size_bytes == len(PDF)
    assert document.storage_path == f"{digest[:2]}/{digest}.pdf"
    assert path.read_bytes() == PDF
    assert hashlib.sha256(service.file_path(document, test_settings.documents_dir).read_bytes())
    assert document.created_by == user.id and document.filename == "厂房租赁合同-42.pdf"
    assert not list(path.parent.glob(".tmp-*")), "temporary file left behind"
    entry = await db.scalar(
        sa.select(AuditEntry).where(
            AuditEntry.action == "document_created", AuditEntry.entity_id == str(document.id)
        )
    )
    assert entry is not None and entry.actor_id == user.id
    assert entry.after["sha256"] == digest and entry.after["entity_id"] == 42


async def test_same_content_twice_shares_one_file(db, test_settings):
    user = await create_user(db, "finance")
    args = ("bill", "bill", 7, None, PDF + b"x", "bill", 1, "zh")
    first = await service.store_document(db, user, *args, documents_dir=test_settings.documents_dir)
    second = await service.store_document(
        db, user, *args, documents_dir=test_settings.documents_dir
    )
    assert first.id != second.id and first.storage_path == second.storage_path
    assert service.file_path(second, test_settings.documents_dir).read_bytes() == PDF + b"x"


@pytest.mark.parametrize(
    ("field", "args"),
    [
        ("kind", ("contract", "lease_contract", 1, None, PDF, "lease_contract", 1, "zh")),
        ("pdf_bytes", ("bill", "bill", 1, None, b"<html>", "bill", 1, "zh")),
        ("language", ("bill", "bill", 1, None, PDF, "bill", 1, "fr")),
        ("template_version", ("bill", "bill", 1, None, PDF, "bill", 0, "zh")),
        ("entity", ("bill", "", 1, None, PDF, "bill", 1, "zh")),
    ],
)
async def test_bad_input_stores_nothing(db, test_settings, tmp_path, field, args):
    user = await create_user(db, "finance")
    before = (await _count(db, Document), await _count(db, AuditEntry))
    with pytest.raises(ValidationFailed) as caught:
        await service.store_document(db, user, *args, documents_dir=tmp_path)
    assert field in caught.value.field_errors
    assert (await _count(db, Document), await _count(db, AuditEntry)) == before
    assert not any(tmp_path.iterdir())


async def test_generate_document_renders_on_a_thread_and_stores(db, test_settings):
    user = await create_user(db, "leasing")
    document = await service.generate_document(
        db,
        user,
        template="lease_contract",
        context=sample_lease_contract(units=2, years=1),
        language="zh",
        entity="lease_contract",
        entity_id=3,
        enterprise_id=None,
        filename="厂房租赁合同.pdf",
        documents_dir=test_settings.documents_dir,
    )
    data = service.file_path(document, test_settings.documents_dir).read_bytes()
    assert data.startswith(b"%PDF-") and hashlib.sha256(data).hexdigest() == document.sha256
    assert (document.kind, document.template, document.template_version) == (
        "lease_contract",
        "lease_contract",
        TEMPLATES["lease_contract"].version,
    )
