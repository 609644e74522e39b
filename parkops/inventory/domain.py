"""The inventory domain's contribution to the app: spaces, units, occupancy."""

from parkops.core.domain import DashboardCard, Domain
from parkops.inventory import demo
from parkops.inventory.controllers import ROUTES, SPACE_READERS, dashboard_card

DOMAIN = Domain(
    name="inventory",
    routes=ROUTES,
    dashboard_cards=[
        DashboardCard(SPACE_READERS, "inventory/_dashboard_card.html", dashboard_card)
    ],
    demo=demo.load_demo,
)
