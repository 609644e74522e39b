"""The ``parkops`` command for operators: serve, database, users, demo data.

Whatever an operator can get wrong outside the code (settings, an unreachable database, no
database configured, an unwritable storage folder, a failed restore, a downgrade that would lose
data) ends the command with one line on stderr and exit status 1, not a traceback; see
:class:`OperatorErrors`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from parkops.config import Settings, get_settings
from parkops.core.commands import database_url as _database_url
from parkops.core.commands import run_in_transaction as _run_in_transaction


class _WithDomainGroups(click.Group):
    """Adds the domains' command groups (``Domain.cli``, from ``parkops.app.DOMAINS``) to the
    commands below, when one is asked for or the list is shown: importing the domains imports
    the whole app (seconds), which ``serve`` and ``db`` do not need."""

    def _domain_groups(self) -> dict[str, click.Command]:
        from parkops.app import DOMAINS  # with every table, so cross-domain foreign keys resolve

        return {d.cli.name or d.name: d.cli for d in DOMAINS if d.cli is not None}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._domain_groups()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, cmd_name) or self._domain_groups().get(cmd_name)


def operator_error(exc: BaseException) -> str | None:
    """The one-line message for an error the operator can fix, None for a bug."""
    from pydantic import ValidationError

    from parkops.config import describe_settings_error
    from parkops.core.backups import BackupError
    from parkops.core.storage import StorageNotWritable
    from parkops.db.backup import ToolFailed
    from parkops.db.engine import (
        DatabaseUnavailable,
        NoDatabaseConfigured,
        is_database_unavailable,
    )

    if isinstance(exc, ValidationError) and exc.title == "Settings":
        return describe_settings_error(exc)
    if isinstance(exc, NoDatabaseConfigured | StorageNotWritable | ToolFailed | BackupError):
        return str(exc)
    if is_database_unavailable(exc):
        cause: BaseException | None = exc
        while cause is not None and not isinstance(cause, DatabaseUnavailable):
            cause = cause.__cause__ or cause.__context__
        if cause is None:  # the connection broke during the command
            return f"lost the connection to the database: {str(exc).splitlines()[0]}"
        return str(cause)
    return None


class OperatorErrors(_WithDomainGroups):
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


def forwarded_options(environ: Mapping[str, str]) -> dict[str, Any]:
    """uvicorn's proxy settings: trust ``X-Forwarded-For``/``-Proto`` only from the addresses
    in ``FORWARDED_ALLOW_IPS``, and from nobody when it is unset or empty.

    The client address is what sign-in throttling counts per IP: a client the app trusts as a
    proxy can claim any address, so the list names the proxy and nothing else (the app then
    listens only where the proxy reaches it), and without a proxy nobody is trusted.
    """
    trusted = environ.get("FORWARDED_ALLOW_IPS", "").strip()
    if not trusted:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": trusted}


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
    embedded = not settings.database_url
    url = _database_url(create_embedded=True)  # starts it here, in the parent process
    if embedded and "PARKOPS_WORKER_IN_APP" not in os.environ:
        # One command for a newcomer: the background jobs run inside the app process.
        os.environ["PARKOPS_WORKER_IN_APP"] = "true"
        get_settings.cache_clear()
    if migrate:
        from parkops.db import migrate as m

        m.upgrade(settings, url)
    if demo:
        from parkops.core import blobs

        blobs.configure(settings)  # the demo's payment slip goes where the app reads it
        _load_demo()
    host = host or settings.host
    port = port or settings.port
    click.echo(f"ParkOps is serving on http://{host}:{port}  (Ctrl-C stops it)")
    if demo:
        from parkops.app import DOMAINS
        from parkops.demo import demo_logins

        click.echo("Demo logins (username / password / roles):")
        for username, password, roles in demo_logins(DOMAINS):
            click.echo(f"  {username:10} {password}  {roles}")
    uvicorn.run(
        "parkops.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers or settings.workers,
        **forwarded_options(os.environ),
        log_config=None,
        access_log=False,
    )


# --- worker ---------------------------------------------------------------------------------


@main.command()
@click.option("--concurrency", type=int, default=None, help="Jobs at once (default 2).")
def worker(concurrency: int | None) -> None:
    """Run the background jobs: billing runs, emails, the ticket sweep, the daily roll-over.

    Run one or more on any machines; they share the queue in the database. Stops on
    SIGINT/SIGTERM after the jobs it is running finish.
    """
    import asyncio

    from parkops.core.storage import check_writable
    from parkops.jobs.worker import run_worker

    settings = get_settings()
    if concurrency:
        settings = settings.model_copy(update={"worker_concurrency": concurrency})
    check_writable(settings.storage_dir)
    url = _database_url()
    click.echo(f"ParkOps worker running {settings.worker_concurrency} jobs at once")
    asyncio.run(run_worker(settings, url))


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


# --- backup (database and files) -------------------------------------------------------------


@main.group("backup")
def backup_group() -> None:
    """Backups of the database together with the stored files (or the bucket's manifest)."""


def _storage_settings() -> Settings:
    from parkops.core import blobs

    settings = get_settings()
    blobs.configure(settings)
    return settings


@backup_group.command("create")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_create(file: Path) -> None:
    """Write the database and the stored files to FILE (a tar archive); with S3 storage, the
    database and a manifest of the bucket's objects."""
    from parkops.core import backups
    from parkops.db import migrate as m

    settings = _storage_settings()
    done = backups.create(settings, _database_url(), file, m.head_revision(settings))
    click.echo(
        f"backup written to {file} ({file.stat().st_size} bytes): the database and "
        f"{done.files} files ({done.bytes} bytes)"
    )


@backup_group.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def backup_restore(file: Path, yes: bool) -> None:
    """Replace the database with the one in FILE and put its files back (or, with S3, check
    that the bucket holds every object the backup lists)."""
    from parkops.core import backups

    settings = _storage_settings()
    url = _database_url()
    backups.read_manifest(file)  # refuse a file that is no backup before asking
    if not yes:
        click.confirm("This replaces every table in the database. Continue?", abort=True)
    done = backups.restore(settings, url, file)
    click.echo(f"database restored from {file}; {done.files} files")
    if done.missing:
        listed = ", ".join(done.missing[:10])
        raise click.ClickException(
            f"{len(done.missing)} files of the backup are missing from the storage: {listed}"
        )


# --- demo -----------------------------------------------------------------------------------


@main.group()
def demo() -> None:
    """Demo data."""


def _load_demo() -> dict:
    from parkops.app import DOMAINS
    from parkops.demo import load_demo

    return _run_in_transaction(lambda db: load_demo(db, DOMAINS))


@demo.command("load")
def demo_load() -> None:
    """Load the demo park (deterministic; loading twice changes nothing)."""
    counts = _load_demo()
    click.echo("demo data loaded: " + ", ".join(f"{k} +{v}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
