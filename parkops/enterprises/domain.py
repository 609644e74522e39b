"""The enterprises domain's contribution to the app: tenants, their users, the portal."""

from parkops.core.domain import DashboardCard, Domain
from parkops.enterprises import api, demo, pages, portal
from parkops.enterprises.access import READERS

DOMAIN = Domain(
    name="enterprises",
    routes=[*pages.ROUTES, *portal.ROUTES, *api.ROUTES],
    dashboard_cards=[
        DashboardCard(READERS, "enterprises/_dashboard_card.html", pages.dashboard_card)
    ],
    demo=demo.load_demo,
    demo_logins=demo.DEMO_LOGINS,
)
