"""Every route handler of the app, domain by domain."""

from parkops.accounts.api import AccountsApi
from parkops.accounts.controllers import AccountController, AdminUsersController, LoginController
from parkops.core.audit_controllers import AuditApi, AuditPages
from parkops.core.health import healthz, readyz
from parkops.core.home import dashboard
from parkops.enterprises.controllers import ROUTES as ENTERPRISE_ROUTES
from parkops.inventory.controllers import ROUTES as INVENTORY_ROUTES

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
]
