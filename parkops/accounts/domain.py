"""The accounts domain's contribution to the app: sign-in, accounts, users, the audit log."""

from parkops.accounts.api import AccountsApi, AuditApi
from parkops.accounts.audit_words import action_label, entity_label
from parkops.accounts.cli import users
from parkops.accounts.demo import DEMO_LOGINS, load_demo
from parkops.accounts.pages import (
    AccountController,
    AdminUsersController,
    AuditPages,
    LoginController,
    dashboard_card,
)
from parkops.accounts.roles import ADMIN, role_label
from parkops.core.domain import DashboardCard, Domain

DOMAIN = Domain(
    name="accounts",
    routes=[
        LoginController,
        AccountController,
        AdminUsersController,
        AuditPages,
        AccountsApi,
        AuditApi,
    ],
    dashboard_cards=[DashboardCard(ADMIN, "accounts/_dashboard_card.html", dashboard_card)],
    template_filters={
        "role_label": role_label,
        "audit_action": action_label,
        "audit_entity": entity_label,
    },
    cli=users,
    demo=load_demo,
    demo_logins=DEMO_LOGINS,
)
