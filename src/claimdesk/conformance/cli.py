"""``claimdesk conformance run FOLDER`` and ``claimdesk adjudicate FILE``."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    conformance = typer.Typer(help="Conformance vectors (SPEC ADJ-*, GEN-4).", no_args_is_help=True)
    app.add_typer(conformance, name="conformance")
