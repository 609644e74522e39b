"""API shapes of the documents domain."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class DocumentOut(BaseModel):
    id: int
    kind: str
    entity: str
    entity_id: int
    enterprise_id: int | None
    template: str
    template_version: int
    language: str
    filename: str
    sha256: str
    size_bytes: int
    created_by: int | None
    created_at: datetime
    file_url: str


class DocumentPage(BaseModel):
    items: list[DocumentOut]
    total: int
    page: int
    page_size: int
    pages: int
