"""The home domain's contribution to the app: the dashboard page."""

from parkops.core.domain import Domain
from parkops.home.pages import dashboard

DOMAIN = Domain(name="home", routes=[dashboard])
