"""Who is making the request: the authenticated user as the rest of the app sees it."""

from __future__ import annotations

from dataclasses import dataclass, field

from parkops.accounts.roles import STAFF_ROLES, Role


@dataclass(frozen=True, slots=True)
class CurrentUser:
    id: int
    username: str
    display_name: str
    roles: frozenset[Role]
    enterprise_id: int | None = None
    department_id: int | None = None
    session_id: int | None = None
    token_id: int | None = None
    language: str | None = None
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def via_token(self) -> bool:
        return self.token_id is not None

    def has(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & STAFF_ROLES)
