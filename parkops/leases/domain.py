"""The leases domain's contribution to the app: contracts, reservations, the roll-over."""

from parkops.core.domain import DashboardCard, Domain
from parkops.inventory.occupancy import OCCUPANCY
from parkops.leases import demo, service
from parkops.leases.cli import leases
from parkops.leases.controllers import LEASING, ROUTES, dashboard_card
from parkops.leases.vocabulary import event_label

DOMAIN = Domain(
    name="leases",
    routes=ROUTES,
    dashboard_cards=[DashboardCard(LEASING, "leases/_dashboard_card.html", dashboard_card)],
    template_filters={"contract_event": event_label},
    cli=leases,
    demo=demo.load_demo,
    plugs=[(OCCUPANCY, service)],
)
