"""What a document must carry to be stored, and where its file goes."""

from __future__ import annotations

from typing import Any

from parkops.core.i18n import N_
from parkops.documents.models import DocumentKind, DocumentLanguage


def storage_path_for(sha256: str) -> str:
    """Where a file with this digest lives, relative to the documents folder."""
    return f"{sha256[:2]}/{sha256}.pdf"


def field_errors(
    kind: str,
    entity: str,
    entity_id: Any,
    pdf_bytes: bytes,
    template: str,
    template_version: Any,
    language: str,
) -> dict[str, str]:
    """What is wrong with a document a domain asks to store, by field (empty when nothing)."""
    errors: dict[str, str] = {}
    if kind not in {k.value for k in DocumentKind}:
        errors["kind"] = N_("Unknown document kind")
    if not entity or len(entity) > 64:
        errors["entity"] = N_("Name the entity the document belongs to")
    if not isinstance(entity_id, int) or isinstance(entity_id, bool):
        errors["entity_id"] = N_("The entity id must be a number")
    if not isinstance(pdf_bytes, bytes | bytearray) or not pdf_bytes.startswith(b"%PDF-"):
        errors["pdf_bytes"] = N_("Not a PDF file")
    if not template or len(template) > 64:
        errors["template"] = N_("Name the template the document was made with")
    if not isinstance(template_version, int) or template_version < 1:
        errors["template_version"] = N_("The template version must be a positive number")
    if language not in {v.value for v in DocumentLanguage}:
        errors["language"] = N_("Unknown language mode")
    return errors
