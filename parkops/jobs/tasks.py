"""What each background job does, as plain functions of a :class:`Runtime` (the settings and
the session maker of the process running them), and the periodic schedule.

The functions are what the worker runs; tests call them directly as well. Each one is safe to
run again after a worker died half-way: a billing run only adds the bills still missing, the
sweep and the roll-over are idempotent, and an email job ends with the message handed over.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from parkops.billing.run import RUN_TASK
from parkops.config import Settings
from parkops.core import mail

log = logging.getLogger(__name__)

TICKETS_SWEEP = "tickets.sweep"
LEASES_ROLL_OVER = "leases.refresh_status"


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    session_maker: Callable[[], AsyncSession]


async def billing_run(rt: Runtime, run_id: int) -> None:
    """Write the bills of a run started from the billing page or API."""
    from parkops.billing import run

    result = await run.execute_run(run.committing(rt.session_maker), run_id)
    log.info("billing run %s: %s bills, %s lines", run_id, result.bills, result.lines)


async def deliver_mail(rt: Runtime, to: str, subject: str, body: str) -> None:
    """Hand one message to the mail server (raises, so the job is retried, when it fails)."""
    await mail.send_mail(rt.settings, to=to, subject=subject, body=body)


async def tickets_sweep(rt: Runtime) -> None:
    """The supervision sweep; its digests are queued as email jobs in the sweep's transaction."""
    from parkops.tickets.services import supervision

    async with rt.session_maker() as db, db.begin():
        result = await supervision.run_sweep(db, rt.settings, actor="supervision")
        for message in result.mails:
            await mail.send_mail(
                rt.settings, to=message.to, subject=message.subject, body=message.body, db=db
            )
    if not result.skipped and (result.chased or result.escalated or result.marked):
        log.info("ticket sweep: %s", result.summary())


async def leases_roll_over(rt: Runtime) -> None:
    """The daily roll-over: expired contracts and holds, unit statuses."""
    from parkops.leases import service

    async with rt.session_maker() as db, db.begin():
        result = await service.refresh_status(db, "system")
    log.info("lease roll-over: %s", result)


Handler = Callable[..., Awaitable[None]]

HANDLERS: dict[str, Handler] = {
    RUN_TASK: billing_run,
    mail.DELIVER_TASK: deliver_mail,
    TICKETS_SWEEP: tickets_sweep,
    LEASES_ROLL_OVER: leases_roll_over,
}

# Cron schedules, in UTC: every 10 minutes, and 00:10 in Asia/Shanghai (16:10 UTC).
PERIODIC: dict[str, str] = {
    TICKETS_SWEEP: "*/10 * * * *",
    LEASES_ROLL_OVER: "10 16 * * *",
}

# Attempts and backoff (seconds: 4, 16, 64, ... about 6 hours in all) for emails: a mail server
# that is down for a while must not lose them. Other jobs are retried only when their worker
# died (see parkops.jobs.worker); their own errors are recorded and not repeated blindly.
RETRIES: dict[str, dict[str, Any]] = {
    mail.DELIVER_TASK: {"max_attempts": 8, "exponential_wait": 4},
}
