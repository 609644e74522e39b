"""Who may see which stored document, as a SQL condition (never load-then-check).

The base rule: staff roles see every document; an enterprise user sees the documents whose
``enterprise_id`` is their enterprise; everybody else (government officers) sees none. A domain
grants more for its own kind of document by registering a rule, typically at import time of its
controllers module::

    from parkops.documents.access import register_access

    def _ticket_records_for_departments(user):
        if user.department_id is None:
            return None
        return Document.entity_id.in_(
            sa.select(Ticket.id).where(Ticket.lead_department_id == user.department_id)
        )

    register_access(DocumentKind.ticket_record, _ticket_records_for_departments)

A rule receives the ``CurrentUser`` and returns a SQL condition on ``Document`` columns (or
``None`` for "nothing more for this user"); it is ANDed with ``Document.kind == kind`` and ORed
with the base rule. Rules only widen access: a user who cannot see a document gets a 404.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from parkops.accounts.identity import CurrentUser
from parkops.accounts.roles import Role
from parkops.documents.models import Document, DocumentKind

AccessRule = Callable[[CurrentUser], ColumnElement[bool] | None]

_RULES: dict[str, list[AccessRule]] = {}


def register_access(kind: DocumentKind | str, rule: AccessRule) -> None:
    """Let ``rule`` grant access to documents of ``kind`` (idempotent per rule)."""
    kind = DocumentKind(kind).value
    rules = _RULES.setdefault(kind, [])
    if rule not in rules:
        rules.append(rule)


def unregister_access(kind: DocumentKind | str, rule: AccessRule) -> None:
    """Undo ``register_access`` (for tests)."""
    rules = _RULES.get(DocumentKind(kind).value, [])
    if rule in rules:
        rules.remove(rule)


def visible_to(user: CurrentUser) -> ColumnElement[bool]:
    """The condition selecting exactly the documents ``user`` may see."""
    if user.is_staff:
        return sa.true()
    conditions: list[ColumnElement[bool]] = []
    if Role.enterprise_user in user.roles and user.enterprise_id is not None:
        conditions.append(Document.enterprise_id == user.enterprise_id)
    for kind, rules in _RULES.items():
        for rule in rules:
            granted = rule(user)
            if granted is not None:
                conditions.append(sa.and_(Document.kind == kind, granted))
    return sa.or_(*conditions) if conditions else sa.false()
