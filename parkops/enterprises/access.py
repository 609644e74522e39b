"""Who may read and change the register: staff read it, park admins and leasing officers change
it; an enterprise user reads their own enterprise (API and portal)."""

from __future__ import annotations

from parkops.accounts.roles import STAFF, Role

EDITORS = frozenset({Role.park_admin, Role.leasing})
READERS = STAFF
ENTERPRISE_USER = frozenset({Role.enterprise_user})
API_READERS = STAFF | ENTERPRISE_USER
