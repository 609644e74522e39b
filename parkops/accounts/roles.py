"""The roles of ParkOps and the role sets routes are guarded with."""

from __future__ import annotations

from enum import StrEnum

from parkops.core.i18n import N_, gettext


class Role(StrEnum):
    park_admin = "park_admin"
    leasing = "leasing"
    finance = "finance"
    service_desk = "service_desk"
    gov_officer = "gov_officer"
    enterprise_user = "enterprise_user"


STAFF_ROLES = frozenset({Role.park_admin, Role.leasing, Role.finance, Role.service_desk})
ALL_ROLES = frozenset(Role)

# Role sets used in route declarations (``opt={"roles": ...}``).
ADMIN = frozenset({Role.park_admin})
STAFF = STAFF_ROLES
ANY_USER = ALL_ROLES

ROLE_LABELS = {
    Role.park_admin: N_("Park administrator"),
    Role.leasing: N_("Leasing officer"),
    Role.finance: N_("Finance officer"),
    Role.service_desk: N_("Service-desk officer"),
    Role.gov_officer: N_("Government officer"),
    Role.enterprise_user: N_("Enterprise user"),
}


def role_label(role: str) -> str:
    """A role's name in the reader's language (the ``role_label`` template filter)."""
    try:
        return gettext(ROLE_LABELS[Role(role)])
    except ValueError:
        return role


def validate_role_combination(roles: set[Role]) -> str | None:
    """A user may hold several staff roles, but the two outside roles stand alone.

    An enterprise user or a government officer who also held a staff role would see other
    enterprises' rows through the staff role, defeating the scoping rules.
    """
    if not roles:
        return N_("Choose at least one role")
    outside = roles & {Role.gov_officer, Role.enterprise_user}
    if outside and len(roles) > 1:
        return N_("Enterprise users and government officers cannot hold other roles")
    return None
