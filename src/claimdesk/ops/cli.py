"""serve, worker, demo, db upgrade, backup, restore."""

from __future__ import annotations

import typer
import uvicorn

from claimdesk.config import get_settings
from claimdesk.db import unit_of_work
from claimdesk.jobs.cli import worker
from claimdesk.migrate import MigrationRefused, upgrade
from claimdesk.ops.backup import backup_command, restore_command
from claimdesk.ops.demo import format_logins, load_demo
from claimdesk.ops.storage_sweep import sweep_command

db_app = typer.Typer(help="Database schema.")


@db_app.command("upgrade")
def db_upgrade(revision: str = "heads") -> None:
    """Apply the migrations (the only source of the schema)."""
    url = get_settings().database_url
    try:
        upgrade(url, revision)
    except MigrationRefused as refused:
        typer.echo(f"upgrade refused, nothing changed: {refused}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"database at {url.split('@')[-1]} upgraded to {revision}")


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = typer.Option(0, help="API processes; 0 = CLAIMDESK_WEB_WORKERS (default 1)"),
    reload: bool = False,
) -> None:
    """Serve the API and the pages."""
    workers = workers or get_settings().web_workers

    proxy_headers, forwarded_allow_ips = proxy_options()
    uvicorn.run(
        "claimdesk.asgi:app",
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        log_level="info",
        proxy_headers=proxy_headers,
        forwarded_allow_ips=forwarded_allow_ips,
    )


def proxy_options() -> tuple[bool, str | None]:
    """Forwarded headers are believed only from CLAIMDESK_TRUSTED_PROXIES (SEC-9). With
    none (serving directly) uvicorn ignores them, instead of its default of trusting
    127.0.0.1, where anything on the host could set them. A bad entry stops start-up."""
    trusted = get_settings().trusted_proxy_networks
    if not trusted:
        return False, None
    return True, ",".join(str(network) for network in trusted)


def demo(
    host: str = "127.0.0.1",
    port: int = 8000,
    serve_after: bool = typer.Option(
        False, "--serve/--no-serve", help="Start the server after loading (make run serves)"
    ),
    history: int = typer.Option(
        3000, "--history", min=0, max=200_000, help="Claims of past-year history to add (0: none)"
    ),
) -> None:
    """Load demo data (idempotent) and print the demo logins; --serve also serves."""
    upgrade(get_settings().database_url, "heads")
    with unit_of_work() as session:
        result = load_demo(session, history_claims=history)
    if result.history is not None:
        states = ", ".join(f"{k} {v}" for k, v in sorted(result.history.states.items()))
        typer.echo(
            f"history: {result.history.claims} claims, {result.history.complaints} complaints, "
            f"{result.history.surveys} ratings in {result.history.seconds} s ({states})"
        )
    typer.echo(
        f"created: {len(result.created_units)} org units, {len(result.created_users)} users, "
        f"calendar years {result.calendar_years or 'none new'}"
    )
    for note in result.notes:
        typer.echo(f"note: {note}")
    for line in format_logins(result.logins):
        typer.echo(line)
    typer.echo(f"Serving on http://{host}:{port}")
    if serve_after:
        serve(host=host, port=port, workers=0)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.command("serve")(serve)

    storage_app = typer.Typer(no_args_is_help=True)
    storage_app.command("sweep")(sweep_command)
    app.add_typer(storage_app, name="storage", help="File store: files no row names.")
    app.command("worker")(worker)
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)
    app.command("demo")(demo)
