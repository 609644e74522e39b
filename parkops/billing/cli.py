"""``parkops billing``: billing runs, late fees, report exports.

Declared by ``parkops/billing/domain.py``, added to ``parkops`` by ``parkops.cli``; the services
are imported inside the commands.
"""

from __future__ import annotations

import asyncio
import getpass
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from parkops.core.commands import fail, with_session_maker


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"[:120]
    except (KeyError, OSError):
        return "cli"


def _parse_day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date like 2026-12-03") from None


@click.group()
def billing() -> None:
    """Billing runs, late fees and finance reports."""


@billing.command("run")
@click.option("--month", required=True, help="The month to bill, e.g. 2026-12.")
@click.option(
    "--date",
    "run_date",
    default=None,
    help="Business date of the run (default: today in Asia/Shanghai); late fees are charged "
    "up to the month's first day or this date, whichever is earlier.",
)
@click.option("--draft", is_flag=True, help="Leave the bills as drafts instead of issuing them.")
@click.option("--batch-size", type=int, default=1000, show_default=True, help="Bills per commit.")
def run_command(month: str, run_date: str | None, draft: bool, batch_size: int) -> None:
    """Create the bills of MONTH (idempotent: a second run creates only what is missing)."""
    from parkops.billing import run as billing_run
    from parkops.core.money import format_fen

    today = _parse_day(run_date)
    bar: Any = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(
                length=max(total, 1), label="Billing contracts", file=sys.stderr
            )
            bar.__enter__()
        bar.update(done - bar.pos)

    async def go(maker):
        tx = billing_run.committing(maker)
        async with tx() as db:
            run = await billing_run.start_run(db, _actor(), month, today=today, issue=not draft)
            run_id = run.id
        try:
            return await billing_run.execute_run(
                tx, run_id, batch_size=batch_size, progress=progress
            )
        finally:
            if bar is not None:
                bar.__exit__(None, None, None)

    try:
        result = asyncio.run(with_session_maker(go))
    except Exception as exc:
        fail(exc)
    click.echo(
        f"billing run {result.run_id} for {month}: {result.bills} bills, {result.lines} lines, "
        f"{format_fen(result.total_fen)} yuan ({result.contracts} contracts had something to bill)"
    )


@billing.command("late-fees")
@click.option("--as-of", "as_of", default=None, help="Charge up to this date (default: today).")
@click.option("--csv", "as_csv", is_flag=True, help="CSV instead of a table.")
def late_fees_command(as_of: str | None, as_csv: bool) -> None:
    """Late fees accrued on overdue bill lines and not charged yet (what the next run will add).

    Nothing is written: late fees are charged by the billing run, one line per overdue bill line
    for the days since its last charge, each from the day after that line's own due date.
    """
    from parkops.billing import reports
    from parkops.billing.rules import vocabulary

    day = _parse_day(as_of)

    async def go(maker):
        async with maker() as db:
            return await reports.accrued_late_fees(db, day, lang="en")

    rows = asyncio.run(with_session_maker(go))
    if as_csv:
        from parkops.core.tabular import export_csv

        sys.stdout.buffer.write(
            export_csv(reports.LATE_FEE_COLUMNS, reports.with_yuan(rows), lang="en")
        )
        return
    from parkops.core.money import format_fen

    if not rows:
        click.echo("No late fees accrued.")
        return
    for r in rows:
        charge = vocabulary.text(vocabulary.CHARGE_LABELS, r["charge_type"], "en")
        click.echo(
            f"bill {r['bill_id']:>8}  {r['enterprise_name'][:30]:30}  {charge[:24]:24}  "
            f"due {r['line_due_date']}  {r['days']:>4} days  {format_fen(r['amount_fen']):>14}  "
            f"{r['basis']}"
        )
    bills = len({r["bill_id"] for r in rows})
    click.echo(
        f"total {format_fen(sum(r['amount_fen'] for r in rows))} yuan on {len(rows)} lines of "
        f"{bills} bill{'s' if bills != 1 else ''}"
    )


@billing.command("report")
@click.argument(
    "name", type=click.Choice(["aging", "collection", "rent-roll", "revenue", "arrears"])
)
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--as-of", "as_of", default=None, help="Report date (default: today).")
@click.option("--days", type=int, default=90, help="arrears: contracts overdue more than N days.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", help="Header language.")
def report_command(
    name: str, fmt: str, output: Path | None, as_of: str | None, days: int, lang: str
) -> None:
    """Export a finance report as CSV or XLSX (to a file, or CSV to stdout)."""
    from parkops.billing import reports
    from parkops.core.tabular import export_csv, export_xlsx

    day = _parse_day(as_of)

    async def go(maker):
        async with maker() as db:
            return await reports.report(db, name, as_of=day, days=days)

    columns, rows = asyncio.run(with_session_maker(go))
    content = (export_xlsx if fmt == "xlsx" else export_csv)(columns, rows, lang=lang)
    if output is None:
        if fmt == "xlsx":
            raise click.UsageError("XLSX needs --output FILE")
        sys.stdout.buffer.write(content)
        return
    output.write_bytes(content)
    click.echo(f"{name}: {len(rows)} rows written to {output}")
