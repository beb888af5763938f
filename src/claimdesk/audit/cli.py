"""``claimdesk audit verify``: prove the trail intact or name the first broken entry."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)


@app.command("verify")
def verify() -> None:
    """Check every entry's hash and link; exit 1 naming the first broken entry."""
    from claimdesk.audit.service import verify_chain
    from claimdesk.db import get_sessionmaker

    with get_sessionmaker()() as session:
        result = verify_chain(session)
    if result.ok:
        typer.echo(f"audit chain intact: {result.entries_checked} entries")
        return
    typer.echo(f"audit chain BROKEN at entry #{result.first_broken_seq}: {result.reason}")
    raise typer.Exit(code=1)
