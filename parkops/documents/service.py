"""Stored documents: writing a rendered PDF once, finding it again for the people allowed to.

Files live under ``settings.documents_dir`` named by their sha256 (``ab/abcd….pdf``) and are
written atomically (temporary file in the same folder, fsync, rename), so a reader never sees a
half-written file and the row's sha256 always describes the file. The row is added to the
caller's transaction; if that transaction rolls back, the file stays behind unreferenced, which
is harmless (same content, same name) and left for a cleanup job rather than risking deleting a
file another transaction refers to.

Callers pass ``documents_dir`` from the settings of the app they run in
(``request.app.state.settings.documents_dir``); it defaults to ``get_settings()``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.accounts.identity import CurrentUser
from parkops.config import get_settings
from parkops.core import audit, blobs
from parkops.core.actor import Actor, actor_id
from parkops.core.domain import AccessRules
from parkops.core.errors import NotFound, ValidationFailed
from parkops.core.i18n import N_
from parkops.core.pagination import Page, paginate
from parkops.documents.access import DOCUMENTS, NO_GRANTS, visible_to
from parkops.documents.models import Document, DocumentKind, DocumentLanguage
from parkops.documents.render import get_template, render_pdf_async
from parkops.documents.rules import stored
from parkops.documents.rules.filenames import clean_filename

AUDITED_FIELDS = (
    "kind",
    "entity",
    "entity_id",
    "enterprise_id",
    "template",
    "template_version",
    "language",
    "filename",
    "sha256",
    "size_bytes",
)


def _documents_dir(documents_dir: Path | None) -> Path:
    return Path(documents_dir) if documents_dir else get_settings().documents_dir


def file_path(document: Document, documents_dir: Path | None = None) -> Path:
    return _documents_dir(documents_dir) / document.storage_path


KEY_PREFIX = "documents/"
"""Documents' keys in the storage (parkops.core.blobs): the folder below the storage folder."""


async def file_response(
    document: Document, documents_dir: Path | None, *, disposition: str, missing: Any
) -> Any:
    """The document's file as a download (a local file, or from the S3 bucket)."""
    return await blobs.download(
        KEY_PREFIX + document.storage_path,
        file_path(document, documents_dir),
        media_type="application/pdf",
        disposition=disposition,
        missing=missing,
    )


async def store_document(
    db: AsyncSession,
    actor: Actor | None,
    kind: DocumentKind | str,
    entity: str,
    entity_id: int,
    enterprise_id: int | None,
    pdf_bytes: bytes,
    template: str,
    template_version: int,
    language: DocumentLanguage | str,
    *,
    filename: str | None = None,
    documents_dir: Path | None = None,
) -> Document:
    """Write the file (named by its sha256) and add its row and an audit entry; flushes."""
    kind, language = str(kind), str(language)
    errors = stored.field_errors(
        kind, entity, entity_id, pdf_bytes, template, template_version, language
    )
    if errors:
        raise ValidationFailed(N_("The document cannot be stored"), field_errors=errors)
    data = bytes(pdf_bytes)
    sha256 = hashlib.sha256(data).hexdigest()
    relative = stored.storage_path_for(sha256)
    await blobs.save(f"{KEY_PREFIX}{relative}", _documents_dir(documents_dir) / relative, data)
    document = Document(
        kind=kind,
        entity=entity,
        entity_id=entity_id,
        enterprise_id=enterprise_id,
        template=template,
        template_version=template_version,
        language=language,
        filename=clean_filename(filename or f"{kind}-{entity}-{entity_id}.pdf"),
        sha256=sha256,
        size_bytes=len(data),
        storage_path=relative,
        created_by=actor_id(actor),
    )
    db.add(document)
    await db.flush()
    audit.record(
        db,
        actor=actor,
        action="document_created",
        entity="document",
        entity_id=document.id,
        after=audit.snapshot(document, *AUDITED_FIELDS),
    )
    await db.flush()
    return document


async def generate_document(
    db: AsyncSession,
    actor: Actor | None,
    *,
    template: str,
    context: Any,
    language: DocumentLanguage | str,
    entity: str,
    entity_id: int,
    enterprise_id: int | None,
    filename: str | None = None,
    documents_dir: Path | None = None,
) -> Document:
    """Render ``template`` with ``context`` (on a worker thread) and store the PDF."""
    spec = get_template(template)
    rendered = await render_pdf_async(template, context, language=language)
    return await store_document(
        db,
        actor,
        spec.kind,
        entity,
        entity_id,
        enterprise_id,
        rendered.pdf,
        rendered.template,
        rendered.template_version,
        rendered.language,
        filename=filename,
        documents_dir=documents_dir,
    )


async def get_document(
    db: AsyncSession, user: CurrentUser, document_id: int, access: AccessRules = NO_GRANTS
) -> Document:
    """The document if ``user`` may see it (with the domains' grants in ``access``); otherwise
    the same 404 as for a missing one."""
    document = await db.scalar(
        sa.select(Document).where(DOCUMENTS.c.id == document_id, visible_to(user, access))
    )
    if document is None:
        raise NotFound(N_("No such document"))
    return document


async def list_documents(
    db: AsyncSession,
    user: CurrentUser,
    *,
    entity: str | None = None,
    entity_id: int | None = None,
    kind: str | None = None,
    page: int = 1,
    page_size: int = 20,
    access: AccessRules = NO_GRANTS,
) -> Page:
    """Documents ``user`` may see, newest first, as rows (for lists on other domains' pages)."""
    c = DOCUMENTS.c
    stmt = (
        sa.select(DOCUMENTS)
        .where(visible_to(user, access))
        .order_by(c.created_at.desc(), c.id.desc())
    )
    if entity:
        stmt = stmt.where(c.entity == entity)
    if entity_id is not None:
        stmt = stmt.where(c.entity_id == entity_id)
    if kind:
        stmt = stmt.where(c.kind == kind)
    return await paginate(db, stmt, page=page, page_size=page_size)
