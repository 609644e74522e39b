"""The documents domain's contribution to the app: downloading stored documents."""

from parkops.core.domain import Domain
from parkops.documents.controllers import ROUTES
from parkops.documents.fonts import warn_missing_libraries

DOMAIN = Domain(name="documents", routes=ROUTES, on_startup=[warn_missing_libraries])
