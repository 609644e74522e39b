"""``parkops users``: create users and set passwords."""

from __future__ import annotations

import getpass
import sys

import click

from parkops.core.commands import fail, run_in_transaction


@click.group()
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
        user = run_in_transaction(create)
    except Exception as exc:
        fail(exc)
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
        run_in_transaction(lambda db: service.set_password(db, "cli", username, secret))
    except Exception as exc:
        fail(exc)
    click.echo(f"password of {username} changed; their sessions were signed out")
