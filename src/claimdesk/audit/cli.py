"""``claimdesk audit verify``: prove the trail intact or name the first broken entry;
``claimdesk audit seal``: chain and sign what the writers committed (GEN-5)."""

from __future__ import annotations

import typer

from claimdesk.audit.sealer import seal as seal_entries
from claimdesk.audit.service import verify_chain
from claimdesk.config import get_settings
from claimdesk.db import get_sessionmaker

app = typer.Typer(no_args_is_help=True)


@app.command("verify")
def verify() -> None:
    """Check every sealed entry, link and checkpoint signature; exit 1 naming the first
    broken entry, 2 when entries wait for the sealer longer than the configured age."""
    with get_sessionmaker()() as session:
        result = verify_chain(session)
    if not result.ok:
        typer.echo(f"audit chain BROKEN at entry #{result.first_broken_seq}: {result.reason}")
        raise typer.Exit(code=1)
    typer.echo(
        f"audit chain intact: {result.entries_checked} entries "
        f"({result.sealed} sealed, {result.unsealed} not yet sealed)"
    )
    if result.stale_unsealed:
        age = get_settings().audit_seal_max_age_seconds
        typer.echo(
            f"UNSEALED: {result.stale_unsealed} entries older than {age} s, from "
            f"#{result.oldest_stale_seq} (is the sealer running? `claimdesk audit seal`)"
        )
        raise typer.Exit(code=2)


@app.command("seal")
def seal() -> None:
    """Chain the committed entries in seq order and sign a checkpoint per batch (the
    worker does this every 30 s; safe to run beside it: one sealer at a time)."""
    total = checkpoints = 0
    while True:
        with get_sessionmaker()() as session, session.begin():
            result = seal_entries(session, max_batches=1)
        if result.busy:
            typer.echo("another sealer is running")
            raise typer.Exit(code=1)
        total += result.sealed
        checkpoints += result.checkpoints
        if not result.checkpoints:
            break
    typer.echo(
        f"sealed {total} entries in {checkpoints} checkpoints; last sealed #{result.last_sealed_seq}"
    )
