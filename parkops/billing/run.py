"""The billing run: creates a month's bills, set-based, idempotent and safe to run twice at once.

``start_run`` checks the request (a month no more than one month ahead, a tariff in force for
every utility reading to bill) and records the run: who, when, for which month. ``execute_run``
then does the work in its own transactions:

1. **Gather** everything to bill with a handful of set-based queries (``repository``) and decide
   the bills in pure code (``run_plan.plan_bills``).
2. **Write** the bills in batches of whole bills, one transaction per batch: one multi-row
   ``INSERT ... ON CONFLICT (contract_id, run_month) DO NOTHING RETURNING`` for the bills, one
   for their lines (``ON CONFLICT`` on the line's source), one ``UPDATE`` that issues them, the
   enterprises' credit applied, the run's counters moved on. A batch commits or vanishes whole,
   so a run killed half-way leaves only complete bills, and running the month again bills
   exactly what is missing.

**Two runs at once.** Both plan the same bills. Whichever inserts a contract's bill first wins;
the other's INSERT waits for that transaction and then does nothing for the contract (the unique
key), and it writes lines only for bills it inserted itself. Batches are written in contract
order, so the two never wait for each other in a cycle; a deadlock reported anyway is retried.
Each line's source is unique too, so not even runs of two different months can bill the same
schedule line, reading or late-fee period twice.

**Progress.** The run row's counters (contracts done of total, bills, lines, amount) move with
every committed batch; the CLI shows them as a progress bar and the run page polls them. A run
whose process died stays ``running`` with an old heartbeat and is shown as interrupted.

For tests only: with ``PARKOPS_BILLING_KILL_AFTER_BILLS=N`` in the environment, the process
SIGKILLs itself once it has written N bills, in the middle of a batch (after its INSERTs, before
its COMMIT), which is the worst moment for a crash; ``PARKOPS_BILLING_BATCH_PAUSE=seconds``
slows a run down between batches so that two runs surely overlap.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from parkops.billing import common_shares, corrections, repository
from parkops.billing.models import BillingRun, RunStatus
from parkops.billing.rules import run_plan as rp
from parkops.core import audit, i18n, jobs
from parkops.core.actor import Actor, actor_id, actor_label
from parkops.core.errors import ValidationFailed
from parkops.core.i18n import N_, Message
from parkops.core.money import ROUNDING_POLICY
from parkops.core.rows import get_or_404
from parkops.db.base import utcnow

log = logging.getLogger(__name__)

KILL_ENV = "PARKOPS_BILLING_KILL_AFTER_BILLS"
PAUSE_ENV = "PARKOPS_BILLING_BATCH_PAUSE"  # tests: seconds to wait after each batch
DEFAULT_BATCH = 1000
STALE_AFTER = timedelta(minutes=5)
DEADLOCK = "40P01"

Tx = Callable[[], AbstractAsyncContextManager[AsyncSession]]
"""Opens one transaction and yields its session; committing when the block ends."""


def committing(session_maker: Callable[[], AsyncSession]) -> Tx:
    """Batches in transactions of their own that really commit (CLI, app, benchmark)."""

    @asynccontextmanager
    async def tx():
        async with session_maker() as session, session.begin():
            yield session

    return tx


def savepoints(db: AsyncSession) -> Tx:
    """Batches as savepoints of one session (tests whose transaction is rolled back)."""

    @asynccontextmanager
    async def tx():
        async with db.begin_nested():
            yield db

    return tx


# Meter kinds inside a sentence ("electricity in Park A for 2026-12").
KIND_WORDS = {"electricity": N_("electricity"), "water": N_("water")}


def shanghai_today() -> date:
    from parkops.core.templating import SHANGHAI

    return datetime.now(SHANGHAI).date()


async def start_run(
    db: AsyncSession,
    actor: Actor,
    month: date | str,
    *,
    today: date | None = None,
    issue: bool = True,
) -> BillingRun:
    """Check and record a run of ``month`` (first day, or ``"2026-12"``); flushes."""
    today = today or shanghai_today()
    if isinstance(month, str):
        try:
            month = rp.parse_month(month)
        except ValueError as exc:
            raise ValidationFailed(
                N_("The billing run was not started."), field_errors={"month": exc.args[0]}
            ) from None
    month = rp.month_start(month)
    latest = rp.add_months(rp.month_start(today), 1)
    if month > latest:
        raise ValidationFailed(
            N_("The billing run was not started."),
            field_errors={
                "month": Message(
                    N_("A month can be billed at most one month ahead (up to %(month)s)."),
                    month=f"{latest:%Y-%m}",
                )
            },
        )
    missing = await repository.missing_tariffs(db, month)
    if missing:
        park_names = dict(
            (
                await db.execute(
                    sa.text("SELECT id, name FROM parks WHERE id = ANY(:ids)"),
                    {"ids": sorted({m[0] for m in missing})},
                )
            ).all()
        )
        listed = i18n.join(
            [
                Message(
                    N_("%(kind)s in %(park)s for %(month)s"),
                    kind=Message(KIND_WORDS.get(str(kind), str(kind))),
                    park=park_names.get(park, park),
                    month=f"{day:%Y-%m}",
                )
                for park, kind, day in missing[:5]
            ]
        )
        raise ValidationFailed(
            N_("The billing run was not started."),
            field_errors={
                "month": Message(
                    N_(
                        "No tariff is in force for: %(listed)s. Add the tariff under Billing >"
                        " Tariffs, then start the run again."
                    ),
                    listed=listed,
                )
            },
        )
    run = BillingRun(
        run_month=month,
        status=RunStatus.running,
        issue=issue,
        run_date=today,
        started_by=actor_id(actor),
        started_by_label=actor_label(actor),
    )
    db.add(run)
    await db.flush()
    audit.record(
        db,
        actor=actor,
        action="billing_run_started",
        entity="billing_run",
        entity_id=run.id,
        after={"run_month": month, "issue": issue, "run_date": today},
    )
    await db.flush()
    return run


RUN_TASK = "billing.run"
"""The background job that executes a started run (parkops.jobs.tasks)."""


async def queue_run(db: AsyncSession, run_id: int) -> None:
    """Have a worker execute the started run, once this transaction commits (the page polls
    its progress). A worker that dies half-way is replaced and the run resumes: it only adds
    the bills still missing."""
    await jobs.defer(db, RUN_TASK, run_id=run_id, lock=f"billing-run-{run_id}")


@dataclass
class RunResult:
    run_id: int
    bills: int
    lines: int
    total_fen: int
    contracts: int


async def _plan(db: AsyncSession, run: BillingRun) -> list[rp.PlannedBill]:
    month = run.run_month
    contracts = await repository.candidate_contracts(db, month)
    if not contracts:
        return []
    due_days = await repository.utility_due_days(db)
    common = await repository.common_readings(db, month)
    # Committed with the run's start of writing: a reading is divided once (common_shares).
    await common_shares.record(db, common_shares.first_divisions(common, contracts))
    return rp.plan_bills(
        month=month,
        run_date=run.run_date,
        contracts=contracts,
        schedule=await repository.schedule_items(db, month),
        unit_readings=await repository.unit_readings(db, month),
        common_readings=common,
        tariffs=await repository.tariffs(db),
        overdue=await repository.overdue_bills(db, rp.late_fee_cutoff(month, run.run_date)),
        adjustments=await repository.pending_adjustments(db),
        utility_due_days=lambda park: due_days.get(park, 10),
    )


async def _driver(db: AsyncSession):
    """The asyncpg connection under the session (same transaction) for the bulk statements."""
    conn = await db.connection()
    # SQLAlchemy's asyncpg adapter opens the database transaction lazily, on its first
    # statement: before that, statements sent on the driver connection would autocommit one by
    # one, and a crash would leave half a batch behind. One statement through SQLAlchemy first.
    await conn.exec_driver_sql("SELECT 1")
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    assert driver.is_in_transaction()
    return driver


_INSERT_BILLS = """
    INSERT INTO billing_bills (park_id, enterprise_id, contract_id, run_id, run_month, status,
                               issue_date, due_date, total_fen, paid_fen, credited_fen,
                               rounding_policy)
    SELECT x.park_id, x.enterprise_id, x.contract_id, $4, $5, 'draft', $6, x.due_date,
           x.total_fen, 0, 0, $7
      FROM unnest($1::int[], $2::int[], $3::int[], $8::date[], $9::bigint[])
           AS x(park_id, enterprise_id, contract_id, due_date, total_fen)
    ON CONFLICT (contract_id, run_month) DO NOTHING
    RETURNING id, contract_id
"""

_INSERT_LINES = """
    INSERT INTO billing_bill_lines (bill_id, charge_type, description, period_start, period_end,
                                    quantity, unit_price_fen, amount_fen, unit_id, source_kind,
                                    source_id, source_part, detail, due_date)
    SELECT x.bill_id, x.charge_type, x.description, x.period_start, x.period_end, x.quantity,
           x.unit_price_fen, x.amount_fen, x.unit_id, x.source_kind, x.source_id, x.source_part,
           x.detail::jsonb, x.due_date
      FROM unnest($1::bigint[], $2::text[], $3::text[], $4::date[], $5::date[], $6::numeric[],
                  $7::numeric[], $8::bigint[], $9::int[], $10::text[], $11::bigint[],
                  $12::bigint[], $13::text[], $14::date[])
           AS x(bill_id, charge_type, description, period_start, period_end, quantity,
                unit_price_fen, amount_fen, unit_id, source_kind, source_id, source_part, detail,
                due_date)
    ON CONFLICT (source_kind, source_id, source_part) DO NOTHING
    RETURNING bill_id, amount_fen, due_date
"""

_ISSUE = """
    UPDATE billing_bills b
       SET total_fen = x.total_fen,
           due_date = x.due_date,
           status = CASE WHEN $3 THEN billing_bill_status(x.total_fen, 0, 0) ELSE 'draft' END,
           issued_at = CASE WHEN $3 THEN now() END
      FROM unnest($1::bigint[], $2::bigint[], $4::date[]) AS x(id, total_fen, due_date)
     WHERE b.id = x.id
"""


async def _write_batch(
    db: AsyncSession, run: BillingRun, batch: Sequence[rp.PlannedBill], written_before: int
) -> tuple[int, int, int, list[int]]:
    """Insert the batch's bills and lines and issue them; (bills, lines, fen, enterprise ids)."""
    conn = await _driver(db)
    inserted = await conn.fetch(
        _INSERT_BILLS,
        [b.park_id for b in batch],
        [b.enterprise_id for b in batch],
        [b.contract_id for b in batch],
        run.id,
        run.run_month,
        run.run_date,
        ROUNDING_POLICY,
        [b.due_date for b in batch],
        [b.total_fen for b in batch],
    )
    if not inserted:
        return 0, 0, 0, []
    bill_of = {r["contract_id"]: r["id"] for r in inserted}
    columns: list[list] = [[] for _ in range(14)]
    for bill in batch:
        bill_id = bill_of.get(bill.contract_id)
        if bill_id is None:
            continue  # another run got there first
        for ln in bill.lines:
            for i, value in enumerate(
                (
                    bill_id,
                    ln.charge_type,
                    ln.description,
                    ln.period_start,
                    ln.period_end,
                    ln.quantity,
                    ln.unit_price_fen,
                    ln.amount_fen,
                    ln.unit_id,
                    ln.source_kind,
                    ln.source_id,
                    ln.source_part,
                    ln.detail_json(),
                    ln.due_date,
                )
            ):
                columns[i].append(value)
    written = await conn.fetch(_INSERT_LINES, *columns)
    totals: dict[int, int] = dict.fromkeys(bill_of.values(), 0)
    counts: dict[int, int] = dict.fromkeys(bill_of.values(), 0)
    # The bill is due when its earliest line written is (lines billed meanwhile by another run
    # are not on it).
    due: dict[int, date] = {}
    for row in written:
        totals[row["bill_id"]] += row["amount_fen"]
        counts[row["bill_id"]] += 1
        due[row["bill_id"]] = min(due.get(row["bill_id"], row["due_date"]), row["due_date"])
    empty = [bill_id for bill_id, n in counts.items() if n == 0]
    if empty:
        # Every line was billed meanwhile by a run of another month: no bill for nothing.
        await conn.execute("DELETE FROM billing_bills WHERE id = ANY($1::bigint[])", empty)
    kept = [bill_id for bill_id, n in counts.items() if n > 0]
    await conn.execute(_ISSUE, kept, [totals[i] for i in kept], run.issue, [due[i] for i in kept])
    _maybe_die(written_before + len(kept))
    enterprises = sorted({b.enterprise_id for b in batch if b.contract_id in bill_of})
    return len(kept), len(written), sum(totals[i] for i in kept), enterprises


def _maybe_die(bills_written: int) -> None:
    limit = os.environ.get(KILL_ENV)
    if limit and bills_written >= int(limit):
        log.warning("%s=%s reached: killing this process (test hook)", KILL_ENV, limit)
        os.kill(os.getpid(), signal.SIGKILL)


def chunks(items: Sequence, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]


async def execute_run(
    tx: Tx,
    run_id: int,
    *,
    batch_size: int = DEFAULT_BATCH,
    progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Plan and write the bills of a started run; marks it completed (or failed and re-raises).

    ``progress(done, total)`` is called after each committed batch, in contracts.
    """
    from parkops.billing import payments

    try:
        async with tx() as db:
            run = await get_or_404(db, BillingRun, run_id, N_("No such billing run"))
            if run.status != RunStatus.running:
                raise ValidationFailed(
                    Message(
                        N_("Billing run %(id)s is %(status)s, not running."),
                        id=run_id,
                        status=run.status,
                    )
                )
            # Periods billed before an amendment or termination changed them, first: their
            # adjustments go on this run's bills.
            await corrections.apply(db, "billing-run")
            planned = await _plan(db, run)
            await db.execute(
                sa.update(BillingRun)
                .where(BillingRun.id == run_id)
                .values(contracts_total=len(planned), heartbeat_at=utcnow())
            )
            db.expunge(run)  # a plain record of the run from here on
        if progress:
            progress(0, len(planned))
        bills = lines = total = done = 0
        for batch in chunks(planned, max(1, batch_size)):
            for attempt in range(3):
                try:
                    async with tx() as db:
                        n_bills, n_lines, fen, enterprises = await _write_batch(
                            db, run, batch, bills
                        )
                        if enterprises and run.issue:
                            await payments.apply_credit(
                                db, "billing-run", enterprises, run.run_date
                            )
                        await db.execute(
                            sa.update(BillingRun)
                            .where(BillingRun.id == run_id)
                            .values(
                                contracts_done=BillingRun.contracts_done + len(batch),
                                bills_created=BillingRun.bills_created + n_bills,
                                lines_created=BillingRun.lines_created + n_lines,
                                total_fen=BillingRun.total_fen + fen,
                                heartbeat_at=utcnow(),
                            )
                        )
                    break
                except DBAPIError as exc:
                    if getattr(exc.orig, "sqlstate", None) != DEADLOCK or attempt == 2:
                        raise
                    log.warning("billing run %s: deadlock, retrying a batch", run_id)
            bills, lines, total, done = (
                bills + n_bills,
                lines + n_lines,
                total + fen,
                done + len(batch),
            )
            if progress:
                progress(done, len(planned))
            if os.environ.get(PAUSE_ENV):
                await asyncio.sleep(float(os.environ[PAUSE_ENV]))
        async with tx() as db:
            await db.execute(
                sa.update(BillingRun)
                .where(BillingRun.id == run_id)
                .values(status=RunStatus.completed, finished_at=utcnow(), heartbeat_at=utcnow())
            )
            audit.record(
                db,
                actor=run.started_by_label,
                action="billing_run_completed",
                entity="billing_run",
                entity_id=run_id,
                after={
                    "run_month": run.run_month,
                    "bills": bills,
                    "lines": lines,
                    "total_fen": total,
                    "contracts_planned": len(planned),
                },
            )
        return RunResult(run_id, bills, lines, total, len(planned))
    except BaseException as exc:
        message = exc.message if hasattr(exc, "message") else str(exc) or type(exc).__name__
        try:
            async with tx() as db:
                await db.execute(
                    sa.update(BillingRun)
                    .where(BillingRun.id == run_id, BillingRun.status == RunStatus.running)
                    .values(status=RunStatus.failed, finished_at=utcnow(), error=message[:2000])
                )
        except Exception:
            log.exception("billing run %s: could not record the failure", run_id)
        raise


async def run_month(
    tx: Tx,
    actor: Actor,
    month: date | str,
    *,
    today: date | None = None,
    issue: bool = True,
    batch_size: int = DEFAULT_BATCH,
    progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """``start_run`` (committed) then ``execute_run``: what the CLI and the demo use."""
    async with tx() as db:
        run = await start_run(db, actor, month, today=today, issue=issue)
        run_id = run.id
    return await execute_run(tx, run_id, batch_size=batch_size, progress=progress)  # type: ignore[arg-type]


# --- reading runs -----------------------------------------------------------------------------


def run_state(run: BillingRun | dict, now: datetime | None = None) -> str:
    """``running``, ``interrupted`` (running, but no sign of life for a while), ``completed``,
    ``failed``."""
    status = run["status"] if isinstance(run, dict) else run.status
    heartbeat = run["heartbeat_at"] if isinstance(run, dict) else run.heartbeat_at
    if status == RunStatus.running and heartbeat < (now or utcnow()) - STALE_AFTER:
        return "interrupted"
    return status


def status_payload(run: BillingRun) -> dict:
    total = run.contracts_total or 0
    done = min(run.contracts_done or 0, total)
    state = run_state(run)
    return {
        "id": run.id,
        "month": run.run_month.strftime("%Y-%m"),
        "state": state,
        "finished": state != "running",
        "contracts_total": total,
        "contracts_done": done,
        "percent": 100 if state == "completed" else (round(100 * done / total) if total else 0),
        "bills_created": run.bills_created,
        "lines_created": run.lines_created,
        "total_fen": run.total_fen,
        "error": run.error,
    }


async def get_run(db: AsyncSession, run_id: int) -> BillingRun:
    return await get_or_404(
        db, BillingRun, run_id, N_("No such billing run"), populate_existing=True
    )


async def list_runs(db: AsyncSession, limit: int = 24) -> list[dict]:
    rows = await db.execute(
        sa.select(BillingRun.__table__).order_by(BillingRun.id.desc()).limit(limit)
    )
    out = []
    for r in rows.mappings():
        row = dict(r)
        row["state"] = run_state(row)
        out.append(row)
    return out
