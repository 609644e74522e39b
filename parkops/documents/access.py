"""Who may see which stored document, as a SQL condition (never load-then-check).

The base rule: staff roles see every document; an enterprise user sees the documents whose
``enterprise_id`` is their enterprise; everybody else (government officers) sees none. A domain
grants more for its own kind of document by declaring a ``DocumentGrant`` in its ``domain.py``
(tickets does, for the handling records of a department's tickets)::

    def _ticket_records_for_departments(user):
        if user.department_id is None:
            return None
        return Document.entity_id.in_(
            sa.select(Ticket.id).where(Ticket.lead_department_id == user.department_id)
        )

    DOMAIN = Domain(..., document_grants=[
        DocumentGrant(DocumentKind.ticket_record, _ticket_records_for_departments)])

The app collects the grants into ``app.state.document_access`` (kind -> rules), which the
documents pages and API pass on as ``access``. A rule receives the ``CurrentUser`` and returns a
SQL condition on ``Document`` columns (or ``None`` for "nothing more for this user"); it is
ANDed with ``Document.kind == kind`` and ORed with the base rule. Rules only widen access: a
caller that passes no rules gets the base rule, and a user who cannot see a document gets a 404.
"""

from __future__ import annotations

from types import MappingProxyType

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from parkops.accounts.identity import CurrentUser
from parkops.accounts.roles import Role
from parkops.core.domain import AccessRules
from parkops.documents.models import Document

NO_GRANTS: AccessRules = MappingProxyType({})
# The table, for queries: its columns are SQL expressions to the type checker too.
DOCUMENTS: sa.Table = Document.__table__  # type: ignore[attr-defined]


def visible_to(user: CurrentUser, access: AccessRules = NO_GRANTS) -> ColumnElement[bool]:
    """The condition selecting exactly the documents ``user`` may see."""
    if user.is_staff:
        return sa.true()
    conditions: list[ColumnElement[bool]] = []
    if Role.enterprise_user in user.roles and user.enterprise_id is not None:
        conditions.append(DOCUMENTS.c.enterprise_id == user.enterprise_id)
    for kind, rules in access.items():
        for rule in rules:
            granted = rule(user)
            if granted is not None:
                conditions.append(sa.and_(DOCUMENTS.c.kind == kind, granted))
    return sa.or_(*conditions) if conditions else sa.false()
