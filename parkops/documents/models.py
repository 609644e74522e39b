"""Tables of the documents domain: one row per generated document (PDF) and its stored file."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from parkops.db.base import created_at_field, enum_check


class DocumentKind(StrEnum):
    lease_contract = "lease_contract"
    bill = "bill"
    receipt = "receipt"
    dunning_letter = "dunning_letter"
    ticket_record = "ticket_record"


class DocumentLanguage(StrEnum):
    """Language mode a document was generated in."""

    zh = "zh"  # Chinese only
    zh_en = "zh_en"  # Chinese, with the English text beneath each clause


class Document(SQLModel, table=True):
    """A generated file, frozen once written.

    The file lives under ``settings.documents_dir`` at ``storage_path`` and is named by its
    sha256, so a row can always be checked against its file. ``template_version`` records which
    revision of the template produced it (the templates change; issued documents do not).
    ``enterprise_id`` scopes it: an enterprise user sees the documents of their enterprise.
    """

    __tablename__ = "documents"
    __table_args__ = (
        enum_check("kind", DocumentKind),
        enum_check("language", DocumentLanguage),
        sa.CheckConstraint("size_bytes > 0", name="size_positive"),
        sa.CheckConstraint("template_version > 0", name="template_version_positive"),
        sa.CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name="sha256_hex"),
        sa.Index("ix_documents_entity", "entity", "entity_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_column=sa.Column(sa.String(32), nullable=False))
    entity: str = Field(max_length=64)
    entity_id: int = Field(sa_type=sa.BigInteger)
    enterprise_id: int | None = Field(
        default=None, index=True, foreign_key="enterprises.id", ondelete="RESTRICT"
    )
    template: str = Field(max_length=64)
    template_version: int
    language: str = Field(sa_column=sa.Column(sa.String(8), nullable=False))
    filename: str = Field(max_length=200)
    sha256: str = Field(max_length=64, index=True)
    size_bytes: int = Field(sa_type=sa.BigInteger)
    storage_path: str = Field(max_length=255)
    created_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()
