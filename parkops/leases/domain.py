"""The leases domain's contribution to the app: contracts, reservations, the roll-over."""

from parkops.core.domain import DashboardCard, Domain
from parkops.inventory.occupancy import OCCUPANCY
from parkops.leases import api, demo, pages, portal
from parkops.leases.access import LEASING
from parkops.leases.cli import leases
from parkops.leases.services import occupancy
from parkops.leases.vocabulary import event_label

DOMAIN = Domain(
    name="leases",
    routes=[*pages.ROUTES, *portal.ROUTES, api.LeasesApi],
    dashboard_cards=[DashboardCard(LEASING, "leases/_dashboard_card.html", pages.dashboard_card)],
    template_filters={"contract_event": event_label},
    cli=leases,
    demo=demo.load_demo,
    plugs=[(OCCUPANCY, occupancy)],
)
