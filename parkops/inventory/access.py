"""Who may read and change spaces: park admins and leasing officers change them, finance
officers read them, everybody else gets 403 (the route-guard test checks every route against
every role)."""

from __future__ import annotations

from parkops.accounts.roles import Role

SPACE_EDITORS = frozenset({Role.park_admin, Role.leasing})
SPACE_READERS = SPACE_EDITORS | {Role.finance}
EDIT = {"roles": SPACE_EDITORS}
READ = {"roles": SPACE_READERS}
