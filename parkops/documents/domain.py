"""The documents domain's contribution to the app: downloading stored documents."""

from parkops.core.domain import Domain
from parkops.documents.controllers import ROUTES

DOMAIN = Domain(name="documents", routes=ROUTES)
