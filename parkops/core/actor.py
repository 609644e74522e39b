"""Who does what a service records: the ``Actor`` every service that writes takes.

An actor is the signed-in user, or the name of a job acting on its own (``"cli"``, ``"demo"``,
``"system"``), which the audit log shows as the actor. The user is ``accounts.identity.
CurrentUser``; ``core`` imports no domain, so it names here only what recording needs of a user
(``User``), and ``CurrentUser`` is one. A service that needs more of the user (its roles, its
enterprise) to decide something takes ``CurrentUser`` instead; one that only records who acted
takes ``Actor`` and reads it through ``actor_id``/``actor_label``, never ``getattr``.
"""

from __future__ import annotations

from typing import Protocol, TypeAlias


class User(Protocol):
    """What is recorded of a signed-in user who acts."""

    @property
    def id(self) -> int: ...

    @property
    def username(self) -> str: ...


Actor: TypeAlias = User | str


def actor_id(actor: Actor | None) -> int | None:
    """The user's id (a foreign key to ``users``), or None for a job."""
    return None if actor is None or isinstance(actor, str) else actor.id


def actor_label(actor: Actor | None) -> str:
    """What the audit log shows: the username, or the job's name (``"system"`` when none)."""
    if actor is None or isinstance(actor, str):
        return actor or "system"
    return actor.username or "system"
