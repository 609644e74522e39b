"""``parkops leases``: the daily roll-over of contracts, holds and unit statuses."""

from __future__ import annotations

import click

from parkops.core.commands import fail, run_in_transaction


@click.group()
def leases() -> None:
    """Leasing: the daily roll-over of contracts, holds and unit statuses."""


@leases.command("expire-holds")
def leases_expire_holds() -> None:
    """Release reservations whose 'held until' day has passed (their units follow)."""
    from parkops.leases.services import reservations

    try:
        units = run_in_transaction(lambda db: reservations.expire_holds(db, "cli"))
    except Exception as exc:
        fail(exc)
    click.echo(f"expired holds released {units} unit(s)")


@leases.command("refresh-status")
def leases_refresh_status() -> None:
    """Daily roll-over: expire ended contracts and holds, bring unit statuses up to date."""
    from parkops.leases.services import rollover

    try:
        result = run_in_transaction(lambda db: rollover.refresh_status(db, "cli"))
    except Exception as exc:
        fail(exc)
    click.echo(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in result.items()))
