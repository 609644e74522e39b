"""The enterprises domain's contribution to the app: tenants, their users, the portal."""

from parkops.core.domain import DashboardCard, Domain
from parkops.enterprises import demo
from parkops.enterprises.controllers import READERS, ROUTES, dashboard_card

DOMAIN = Domain(
    name="enterprises",
    routes=ROUTES,
    dashboard_cards=[DashboardCard(READERS, "enterprises/_dashboard_card.html", dashboard_card)],
    demo=demo.load_demo,
    demo_logins=demo.DEMO_LOGINS,
)
