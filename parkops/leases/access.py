"""Who may use the leases pages and API: the role sets their routes are guarded with."""

from parkops.accounts.roles import STAFF, Role

LEASING = frozenset({Role.leasing, Role.park_admin})
ADMIN = frozenset({Role.park_admin})
ENTERPRISE_USER = frozenset({Role.enterprise_user})
READERS = STAFF | ENTERPRISE_USER
