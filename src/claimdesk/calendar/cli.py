"""``claimdesk calendar …``: seed and inspect the stored holiday calendar (GEN-3)."""

from __future__ import annotations

from typing import Annotated

import typer

from claimdesk.auth.principal import Principal
from claimdesk.calendar.service import get_year, seed_from_package, sync_from_package, today
from claimdesk.db import unit_of_work
from claimdesk.errors import ClaimdeskError

app = typer.Typer(no_args_is_help=True)


@app.command("seed", context_settings={"allow_extra_args": True})
def seed(
    ctx: typer.Context,
    years: Annotated[list[int], typer.Option("--years", help="Years to load: --years 2025 2026")],
    replace: Annotated[bool, typer.Option(help="Overwrite years already stored")] = False,
    provisional: Annotated[
        bool,
        typer.Option(
            help="Accept a year the State Council has not published yet: statutory holidays "
            "only, no adjusted working weekends; replace it once the arrangement is out"
        ),
    ] = False,
) -> None:
    """Load years from the holidays package. Years already stored are kept unless --replace.
    A year the package has no published arrangement for is refused, never guessed."""
    # Click options take one value each; accept ``--years 2025 2026 2027`` by reading
    # the extra arguments that follow.
    try:
        years = [*years, *(int(extra) for extra in ctx.args)]
    except ValueError as error:
        typer.echo(f"error: years must be integers: {' '.join(ctx.args)}", err=True)
        raise typer.Exit(code=2) from error

    try:
        with unit_of_work() as session:
            written = seed_from_package(
                session,
                years=years,
                actor=Principal.system("cli"),
                replace=replace,
                provisional=provisional,
            )
    except ClaimdeskError as error:
        typer.echo(f"error: {error.message('en')} / {error.message('zh-CN')}", err=True)
        raise typer.Exit(code=2) from error
    kept = sorted(set(years) - set(written))
    seeded_text = ", ".join(map(str, written)) or "-"
    kept_text = ", ".join(map(str, kept)) or "-"
    typer.echo(f"seeded: {seeded_text}; already stored, kept: {kept_text}")


@app.command("sync")
def sync() -> None:
    """Load last, this and next year from the holidays package when it publishes them and
    the database has none or only a provisional one (the worker does this daily)."""
    with unit_of_work() as session:
        written = sync_from_package(session, on=today())
    typer.echo(f"loaded: {', '.join(map(str, written)) or '-'}")


@app.command("show")
def show(year: Annotated[int, typer.Argument(help="Year")]) -> None:
    """Print a stored year's holidays and adjusted workdays."""
    try:
        with unit_of_work() as session:
            view = get_year(session, year=year)
            typer.echo(f"{year} (source: {view.year.source})")
            for day in view.days:
                typer.echo(f"{day.day.isoformat()} {day.kind:8} {day.name}")
    except ClaimdeskError as error:
        typer.echo(f"error: {error.message('en')}", err=True)
        raise typer.Exit(code=2) from error
