"""``parkops tickets``: the supervision sweep, for cron or a timer."""

from __future__ import annotations

import asyncio

import click

from parkops.config import get_settings
from parkops.core.commands import with_session_maker


@click.group()
def tickets() -> None:
    """Rights-protection desk: supervision of overdue tickets."""


@tickets.command("sweep")
def tickets_sweep() -> None:
    """Mark overdue tickets, chase each passed deadline once, escalate long-overdue ones.

    Safe to run from cron at any interval and next to the app's own periodic sweep: a sweep
    that finds another one running does nothing, and nothing is ever chased twice.
    """
    from parkops.tickets.services import supervision

    async def run(session_maker):
        return await supervision.sweep_once(session_maker, get_settings(), actor="cli")

    result = asyncio.run(with_session_maker(run, pool_size=1))
    if result.skipped:
        click.echo("another sweep is running; nothing done")
        return
    summary = result.summary()
    click.echo(
        "sweep done: "
        + ", ".join(f"{k} {v}" for k, v in summary.items())
        + f", emails {result.mails_sent}"
    )
