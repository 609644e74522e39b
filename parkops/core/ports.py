"""Ports: what a domain needs from a domain that builds on it, and so cannot import.

Inventory must ask the leases domain whether a contract or hold takes a unit before a status is
set by hand, yet leases imports inventory (units are what it lets); the contract text quotes the
billing settings of its park, yet billing imports leases (contracts are what it bills). The lower
domain declares what it needs as a ``Port`` with a Protocol; the higher domain names what
fills it in its ``Domain(plugs=...)``; ``parkops.app`` plugs every port when the list of domains
is built, so any process that has the domains (the app, the command, the tests) has them all.
A port asked for before it is plugged raises, naming itself: a rule is never silently missing.
"""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class PortNotPlugged(RuntimeError):
    pass


class Port(Generic[T]):
    def __init__(self, name: str) -> None:
        self.name = name
        self._impl: T | None = None

    def plug(self, impl: T) -> None:
        self._impl = impl

    def __call__(self) -> T:
        if self._impl is None:
            raise PortNotPlugged(
                f"port {self.name!r} is not plugged: build the domains through parkops.app"
            )
        return self._impl

    def __repr__(self) -> str:
        return f"Port({self.name!r})"
