"""What a user record must satisfy before it is written: the fields people type, and which roles
go together and what they must be linked to."""

from __future__ import annotations

import re

from parkops.accounts.roles import Role, validate_role_combination
from parkops.accounts.rules import passwords
from parkops.core.i18n import N_, Message

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{3,64}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def field_errors(username: str, display_name: str, email: str | None, password: str) -> dict:
    """Errors of the typed fields of a new user (already stripped), by field."""
    errors: dict[str, str] = {}
    if not USERNAME_RE.match(username):
        errors["username"] = N_("3 to 64 characters: letters, digits and . _ @ -")
    if not display_name:
        errors["display_name"] = N_("Enter the person's name")
    if email and not EMAIL_RE.match(email):
        errors["email"] = N_("Not an email address")
    problem = passwords.password_problem(password or "", username)
    if problem:
        errors["password"] = problem
    return errors


def username_taken(username: str) -> Message:
    return Message(N_("The username '%(username)s' is already taken"), username=username)


def parse_roles(raw: list[str] | None) -> tuple[set[Role], str | None]:
    """The roles named, and what is wrong with them (an unknown role, a combination refused)."""
    try:
        roles = {Role(r) for r in (raw or [])}
    except ValueError:
        return set(), N_("Unknown role")
    return roles, validate_role_combination(roles)


def link_errors(roles: set[Role], enterprise_id: int | None, department_id: int | None) -> dict:
    """An enterprise user needs an enterprise, a government officer a department."""
    errors: dict[str, str] = {}
    if Role.enterprise_user in roles and not enterprise_id:
        errors["enterprise_id"] = N_("An enterprise user must belong to an enterprise")
    if Role.gov_officer in roles and not department_id:
        errors["department_id"] = N_("A government officer must belong to a department")
    return errors
