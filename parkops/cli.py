"""The ``parkops`` command for operators: serve, database, users, demo data.

Whatever an operator can get wrong outside the code (settings, an unreachable database, no
database configured, an unwritable storage folder, a failed restore, a downgrade that would lose
data) ends the command with one line on stderr and exit status 1, not a traceback; see
:class:`OperatorErrors`.
"""

from __future__ import annotations

import asyncio
import getpass
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import click

from parkops.config import get_settings


def _database_url(*, create_embedded: bool = False) -> str:
    """The database of the settings. Only ``parkops serve`` may create the embedded one."""
    from parkops.db.engine import resolve_database_url

    return resolve_database_url(get_settings(), create_embedded=create_embedded)


def _run_in_transaction(fn: Callable[[Any], Awaitable[Any]]) -> Any:
    """Run ``fn(session)`` in one transaction of its own (CLI commands own their transaction)."""
    import parkops.models  # noqa: F401 - every table, so foreign keys across domains resolve
    from parkops.db.engine import create_engine, session_factory

    async def main() -> Any:
        engine = create_engine(_database_url(), pool_size=2)
        try:
            async with session_factory(engine)() as db, db.begin():
                return await fn(db)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def _fail(exc: Exception) -> None:
    from parkops.core.errors import AppError

    if isinstance(exc, AppError):
        details = "".join(f"\n  {k}: {v}" for k, v in exc.field_errors.items())
        raise click.ClickException(f"{exc.message}{details}") from None
    raise exc


def operator_error(exc: BaseException) -> str | None:
    """The one-line message for an error the operator can fix, None for a bug."""
    from pydantic import ValidationError

    from parkops.config import describe_settings_error
    from parkops.core.storage import StorageNotWritable
    from parkops.db.backup import ToolFailed
    from parkops.db.engine import (
        DatabaseUnavailable,
        NoDatabaseConfigured,
        is_database_unavailable,
    )

    if isinstance(exc, ValidationError) and exc.title == "Settings":
        return describe_settings_error(exc)
    if isinstance(exc, NoDatabaseConfigured | StorageNotWritable | ToolFailed):
        return str(exc)
    if is_database_unavailable(exc):
        cause = exc
        while cause is not None and not isinstance(cause, DatabaseUnavailable):
            cause = cause.__cause__ or cause.__context__
        if cause is None:  # the connection broke during the command
            return f"lost the connection to the database: {str(exc).splitlines()[0]}"
        return str(cause)
    return None


class OperatorErrors(click.Group):
    """Turns :func:`operator_error`s of any subcommand into ``Error: <one line>``, exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            message = operator_error(exc)
            if message is None:
                raise
            raise click.ClickException(message) from None


@click.group(cls=OperatorErrors, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """ParkOps: industrial park operations (spaces, leases, billing, service desk).

    Configuration comes from PARKOPS_* environment variables (see README). Without
    PARKOPS_DATABASE_URL every command uses the embedded PostgreSQL under the storage folder,
    which only `parkops serve` creates.
    """
    # Warnings (an embedded database outside development, say) reach stderr plainly.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")


# --- serve ----------------------------------------------------------------------------------


@main.command()
@click.option("--host", default=None, help="Bind address (default PARKOPS_HOST, 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default PARKOPS_PORT, 8000).")
@click.option(
    "--workers", type=int, default=None, help="Worker processes (default PARKOPS_WORKERS)."
)
@click.option("--migrate/--no-migrate", default=False, help="Apply migrations before serving.")
@click.option("--demo/--no-demo", default=False, help="Load demo data once before serving.")
def serve(
    host: str | None, port: int | None, workers: int | None, migrate: bool, demo: bool
) -> None:
    """Serve the web application and API with uvicorn."""
    import uvicorn

    from parkops.core.storage import check_writable

    settings = get_settings()
    check_writable(settings.storage_dir)
    url = _database_url(create_embedded=True)  # starts it here, in the parent process
    if migrate:
        from parkops.db import migrate as m

        m.upgrade(settings, url)
    if demo:
        _load_demo()
    host = host or settings.host
    port = port or settings.port
    click.echo(f"ParkOps is serving on http://{host}:{port}  (Ctrl-C stops it)")
    if demo:
        from parkops.demo import demo_logins

        click.echo("Demo logins (username / password / roles):")
        for username, password, roles in demo_logins():
            click.echo(f"  {username:10} {password}  {roles}")
    uvicorn.run(
        "parkops.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers or settings.workers,
        proxy_headers=True,
        forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        log_config=None,
        access_log=False,
    )


# --- db -------------------------------------------------------------------------------------


@main.group()
def db() -> None:
    """Migrations, backups and restores."""


@db.command()
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    from parkops.db import migrate as m

    m.upgrade(get_settings(), _database_url(), revision)
    click.echo(f"database upgraded to {revision}")


# ignore_unknown_options: "-1" (one step down) is an argument, not an unknown option.
@db.command(context_settings={"ignore_unknown_options": True})
@click.argument("revision")
@click.option(
    "--i-understand-data-loss",
    "allow_data_loss",
    is_flag=True,
    help="Drop tables and columns that hold rows (refused without this flag).",
)
def downgrade(revision: str, allow_data_loss: bool) -> None:
    """Revert migrations down to REVISION (e.g. -1 or base).

    Refused, changing nothing, when it would drop tables or columns that hold rows, unless
    --i-understand-data-loss is given.
    """
    from parkops.db import migrate as m

    if revision.startswith("--"):
        raise click.UsageError(f"No such option: {revision}")
    try:
        dropped = m.downgrade(
            get_settings(), _database_url(), revision, allow_data_loss=allow_data_loss
        )
    except m.DataLossRefused as exc:
        raise click.ClickException(
            f"refused: {exc}. Back up first (parkops db backup FILE), then add "
            "--i-understand-data-loss to drop it."
        ) from None
    if dropped:
        click.echo(f"dropped with their data: {dropped.describe()}")
    click.echo(f"database downgraded to {revision}")


@db.command()
def current() -> None:
    """Show the database's migration revision and the code's head."""
    from alembic import command

    from parkops.db import migrate as m

    settings = get_settings()
    command.current(m.alembic_config(settings, _database_url()))
    click.echo(f"head: {m.head_revision(settings)}")


@db.command()
@click.option("-m", "--message", required=True, help="What the migration does.")
@click.option("--autogenerate/--empty", default=True, help="Compare models with the database.")
def revision(message: str, autogenerate: bool) -> None:
    """Create a migration file (autogenerated: read it and fix it by hand)."""
    from alembic import command

    from parkops.db import migrate as m

    command.revision(
        m.alembic_config(get_settings(), _database_url()),
        message=message,
        autogenerate=autogenerate,
    )


@db.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup(file: Path) -> None:
    """Write a backup of the database to FILE (pg_dump custom format)."""
    from parkops.db import backup as b

    b.backup(_database_url(), file)
    click.echo(f"backup written to {file} ({file.stat().st_size} bytes)")


@db.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore(file: Path, yes: bool) -> None:
    """Replace the database's contents with the backup in FILE (in one transaction).

    Works on PostgreSQL 15 to 18 whichever server the backup came from: settings the target
    server does not know are left out of the restore script.
    """
    from parkops.db import backup as b

    url = _database_url()
    if not yes:
        click.confirm("This replaces every table in the database. Continue?", abort=True)
    b.restore(url, file)
    click.echo(f"database restored from {file}")


# --- users ----------------------------------------------------------------------------------


@main.group()
def users() -> None:
    """User accounts."""


def _ask_password(password: str | None) -> str:
    if password:
        return password
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat: "):
        raise click.ClickException("The passwords differ")
    return first


@users.command("create")
@click.argument("username")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice(
        ["park_admin", "leasing", "finance", "service_desk", "gov_officer", "enterprise_user"]
    ),
    help="Repeat for several staff roles.",
)
@click.option("--name", "display_name", help="Full name (default: the username).")
@click.option("--email")
@click.option("--enterprise-id", type=int, help="For enterprise_user.")
@click.option("--department-id", type=int, help="For gov_officer.")
@click.option(
    "--password",
    envvar="PARKOPS_NEW_PASSWORD",
    help="Default: prompt (or read one line from stdin).",
)
def users_create(
    username: str,
    roles: tuple[str, ...],
    display_name: str | None,
    email: str | None,
    enterprise_id: int | None,
    department_id: int | None,
    password: str | None,
) -> None:
    """Create a user with one or more roles."""
    from parkops.accounts import service

    secret = _ask_password(password)

    async def create(db):
        return await service.create_user(
            db,
            "cli",
            username=username,
            display_name=display_name or username,
            password=secret,
            roles=list(roles),
            email=email,
            enterprise_id=enterprise_id,
            department_id=department_id,
        )

    try:
        user = _run_in_transaction(create)
    except Exception as exc:
        _fail(exc)
    click.echo(f"user {user.username} created (id {user.id})")


@users.command("set-password")
@click.argument("username")
@click.option(
    "--password",
    envvar="PARKOPS_NEW_PASSWORD",
    help="Default: prompt (or read one line from stdin).",
)
def users_set_password(username: str, password: str | None) -> None:
    """Set a user's password (signs out all their sessions)."""
    from parkops.accounts import service

    secret = _ask_password(password)
    try:
        _run_in_transaction(lambda db: service.set_password(db, "cli", username, secret))
    except Exception as exc:
        _fail(exc)
    click.echo(f"password of {username} changed; their sessions were signed out")


# --- demo -----------------------------------------------------------------------------------


@main.group()
def demo() -> None:
    """Demo data."""


def _load_demo() -> dict:
    from parkops.demo import load_demo

    return _run_in_transaction(lambda db: load_demo(db))


@demo.command("load")
def demo_load() -> None:
    """Load the demo park (deterministic; loading twice changes nothing)."""
    counts = _load_demo()
    click.echo("demo data loaded: " + ", ".join(f"{k} +{v}" for k, v in counts.items()))


# --- leases ---------------------------------------------------------------------------------


@main.group()
def leases() -> None:
    """Leasing: the daily roll-over of contracts, holds and unit statuses."""


@leases.command("expire-holds")
def leases_expire_holds() -> None:
    """Release reservations whose 'held until' day has passed (their units follow)."""
    from parkops.leases import service

    try:
        units = _run_in_transaction(lambda db: service.expire_holds(db, "cli"))
    except Exception as exc:
        _fail(exc)
    click.echo(f"expired holds released {units} unit(s)")


@leases.command("refresh-status")
def leases_refresh_status() -> None:
    """Daily roll-over: expire ended contracts and holds, bring unit statuses up to date."""
    from parkops.leases import service

    try:
        result = _run_in_transaction(lambda db: service.refresh_status(db, "cli"))
    except Exception as exc:
        _fail(exc)
    click.echo(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in result.items()))


# --- billing (parkops/billing/cli.py) -------------------------------------------------------
from parkops.billing.cli import billing  # noqa: E402

main.add_command(billing)


# --- tickets --------------------------------------------------------------------------------


@main.group()
def tickets() -> None:
    """Rights-protection desk: supervision of overdue tickets."""


@tickets.command("sweep")
def tickets_sweep() -> None:
    """Mark overdue tickets, chase each passed deadline once, escalate long-overdue ones.

    Safe to run from cron at any interval and next to the app's own periodic sweep: a sweep
    that finds another one running does nothing, and nothing is ever chased twice.
    """
    import parkops.models  # noqa: F401 - every table
    from parkops.db.engine import create_engine, session_factory
    from parkops.tickets import supervision

    async def run():
        engine = create_engine(_database_url(), pool_size=1)
        try:
            return await supervision.sweep_once(
                session_factory(engine), get_settings(), actor="cli"
            )
        finally:
            await engine.dispose()

    result = asyncio.run(run())
    if result.skipped:
        click.echo("another sweep is running; nothing done")
        return
    summary = result.summary()
    click.echo(
        "sweep done: "
        + ", ".join(f"{k} {v}" for k, v in summary.items())
        + f", emails {result.mails_sent}"
    )


if __name__ == "__main__":
    main()
