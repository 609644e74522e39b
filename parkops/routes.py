"""Every route handler of the app, domain by domain."""

from parkops.accounts.api import AccountsApi
from parkops.accounts.controllers import AccountController, AdminUsersController, LoginController
from parkops.billing.controllers import ROUTES as BILLING_ROUTES
from parkops.core.audit_controllers import AuditApi, AuditPages
from parkops.core.health import healthz, readyz
from parkops.core.home import dashboard
from parkops.documents.controllers import ROUTES as DOCUMENT_ROUTES
from parkops.enterprises.controllers import ROUTES as ENTERPRISE_ROUTES
from parkops.inventory.controllers import ROUTES as INVENTORY_ROUTES
from parkops.leases.controllers import ROUTES as LEASE_ROUTES
from parkops.tickets.controllers import ROUTES as TICKET_ROUTES
from parkops.tickets.oversight_controllers import ROUTES as TICKET_OVERSIGHT_ROUTES

ROUTE_HANDLERS = [
    healthz,
    readyz,
    dashboard,
    LoginController,
    AccountController,
    AdminUsersController,
    AuditPages,
    AccountsApi,
    AuditApi,
    *INVENTORY_ROUTES,
    *ENTERPRISE_ROUTES,
    *DOCUMENT_ROUTES,
    *TICKET_ROUTES,
    *TICKET_OVERSIGHT_ROUTES,
    *LEASE_ROUTES,
    *BILLING_ROUTES,
]
