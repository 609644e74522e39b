"""The home domain's contribution to the app: the dashboard page, and on it the enterprise user's
money card first (before the other domains' cards)."""

from parkops.core.domain import Domain
from parkops.home.pages import dashboard
from parkops.home.tenant import MONEY_CARD

DOMAIN = Domain(name="home", routes=[dashboard], dashboard_cards=[MONEY_CARD])
