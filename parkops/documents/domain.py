"""The documents domain's contribution to the app: downloading stored documents, and the warning
at start-up when PDFs would be slow."""

from parkops.core.domain import Domain
from parkops.documents.api import DocumentsApi
from parkops.documents.fonts import warn_missing_libraries
from parkops.documents.pages import DocumentPages

DOMAIN = Domain(
    name="documents",
    routes=[DocumentPages, DocumentsApi],
    on_startup=[warn_missing_libraries],
)
