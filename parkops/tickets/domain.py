"""The tickets domain's contribution to the app: the rights-protection desk, its supervision
(the periodic sweep is a worker's job, parkops.jobs.tasks) and the officers' access to handling
records."""

from parkops.core.domain import DashboardCard, DocumentGrant, Domain
from parkops.documents.models import DocumentKind
from parkops.tickets import api, demo, pages, portal
from parkops.tickets.cli import tickets
from parkops.tickets.dashboard import dashboard_card
from parkops.tickets.http import TICKET_USERS
from parkops.tickets.repository import records_for_lead_department

DOMAIN = Domain(
    name="tickets",
    routes=[
        *pages.ROUTES,
        portal.PortalPages,
        api.TicketsApi,
        api.NotificationsApi,
        api.OversightApi,
    ],
    dashboard_cards=[DashboardCard(TICKET_USERS, "tickets/_dashboard_card.html", dashboard_card)],
    document_grants=[DocumentGrant(DocumentKind.ticket_record, records_for_lead_department)],
    cli=tickets,
    demo=demo.load_demo,
    demo_logins=demo.DEMO_LOGINS,
)
