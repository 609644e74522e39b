"""The inventory domain's contribution to the app: spaces, units, occupancy."""

from parkops.core.domain import DashboardCard, Domain
from parkops.inventory import api, demo, pages
from parkops.inventory.access import SPACE_READERS

DOMAIN = Domain(
    name="inventory",
    routes=[*pages.ROUTES, *api.ROUTES],
    dashboard_cards=[
        DashboardCard(SPACE_READERS, "inventory/_dashboard_card.html", pages.dashboard_card)
    ],
    demo=demo.load_demo,
)
