"""``claimdesk users create|list``: accounts from the command line (audited as 'cli')."""

from __future__ import annotations

from typing import Annotated

import typer

from claimdesk.auth import service
from claimdesk.auth.principal import Principal
from claimdesk.db import unit_of_work
from claimdesk.errors import ClaimdeskError
from claimdesk.org.service import get_unit_by_code, list_units

app = typer.Typer(no_args_is_help=True)


@app.command("create")
def create(
    username: Annotated[str, typer.Argument(help="3–32 lowercase letters, digits, . _ -")],
    role: Annotated[
        list[str], typer.Option("--role", help="Role (repeatable), e.g. administrator")
    ],
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            help="≥ 10 characters with letters and digits",
        ),
    ],
    org: Annotated[str | None, typer.Option("--org", help="Org unit code, e.g. HQ")] = None,
    person_id: Annotated[int | None, typer.Option(help="Person a customer account sees")] = None,
    display_name: Annotated[str | None, typer.Option(help="Name shown in the interface")] = None,
) -> None:
    """Create a user account."""
    try:
        with unit_of_work() as session:
            org_id = get_unit_by_code(session, code=org).id if org else None
            user = service.create_user(
                session,
                actor=Principal.system("cli"),
                username=username,
                password=password,
                roles=role,
                org_unit_id=org_id,
                person_id=person_id,
                display_name=display_name,
            )
            typer.echo(
                f"created user {user.username} (id {user.id}) with roles "
                f"{', '.join(service.role_names(user=user))}"
            )
    except ClaimdeskError as error:
        typer.echo(f"error: {error.message('en')} / {error.message('zh-CN')}", err=True)
        raise typer.Exit(code=1) from None


@app.command("list")
def list_(
    role: Annotated[str | None, typer.Option(help="Only users with this role")] = None,
) -> None:
    """List user accounts: id, username, roles, org unit, active."""
    try:
        with unit_of_work() as session:
            codes = {u.id: u.code for u in list_units(session)}
            users = service.list_users(session, role=role)
            typer.echo(f"{'id':>4}  {'username':<24} {'org':<8} {'active':<6} roles")
            for user in users:
                org = codes.get(user.org_unit_id, "-") if user.org_unit_id else "-"
                typer.echo(
                    f"{user.id:>4}  {user.username:<24} {org:<8} "
                    f"{'yes' if user.is_active else 'no':<6} {', '.join(service.role_names(user=user))}"
                )
    except ClaimdeskError as error:
        typer.echo(f"error: {error.message('en')}", err=True)
        raise typer.Exit(code=1) from None
