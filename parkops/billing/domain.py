"""The billing domain's contribution to the app: runs, bills, payments, utilities, reports."""

from parkops.billing import api, demo, pages, portal, service
from parkops.billing.cli import billing
from parkops.billing.dashboard import dashboard_card
from parkops.billing.http import FINANCE
from parkops.core.domain import DashboardCard, Domain
from parkops.leases.billing_practice import BILLING_PRACTICE

DOMAIN = Domain(
    name="billing",
    routes=[*pages.ROUTES, portal.PortalBillPages, api.BillingApi],
    dashboard_cards=[DashboardCard(FINANCE, "billing/_dashboard_card.html", dashboard_card)],
    cli=billing,
    demo=demo.load_demo,
    plugs=[(BILLING_PRACTICE, service)],
)
