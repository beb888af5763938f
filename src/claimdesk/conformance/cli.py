"""``claimdesk conformance run FOLDER`` and ``claimdesk adjudicate FILE``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from claimdesk.conformance.adjudicate import main
from claimdesk.conformance.runner import run_folder


def register(app: typer.Typer) -> None:
    conformance = typer.Typer(help="Conformance vectors (SPEC ADJ-*, GEN-4).", no_args_is_help=True)

    @conformance.command("run")
    def run(folder: Annotated[Path, typer.Argument(help="Folder of *.json vectors")]) -> None:
        """Run every vector in FOLDER; one PASS/FAIL line each, then 'N passed, N failed'."""
        failed = run_folder(folder, echo=typer.echo)
        raise typer.Exit(code=1 if failed else 0)

    app.add_typer(conformance, name="conformance")

    @app.command("adjudicate")
    def adjudicate(
        file: Annotated[
            Path,
            typer.Argument(help="Claims as JSON, or CSV/Parquet (one row per expense line)"),
        ],
        product: Annotated[
            Path | None, typer.Option(help="Product/coverage definition (JSON file)")
        ] = None,
        output: Annotated[
            Path | None, typer.Option("--output", "-o", help="Write results here")
        ] = None,
        trace: Annotated[bool, typer.Option(help="Include every calculation step")] = False,
        version: Annotated[
            int | None,
            typer.Option(
                help="With an exported product file: the version to price against "
                "(default: the latest published)"
            ),
        ] = None,
        engine: Annotated[
            str,
            typer.Option(
                help="auto: CSV/Parquet medical lines on the columnar engine, the rest on "
                "the Decimal engine; columnar: refuse what it cannot take; decimal: the "
                "streamed Decimal engine throughout (same figures either way)"
            ),
        ] = "auto",
    ) -> None:
        """Price claims (JSON, CSV or Parquet) against a product version; print or write
        the results (.csv, .json or .parquet)."""
        raise typer.Exit(
            code=main(
                file=file,
                product=product,
                output=output,
                trace=trace,
                version=version,
                engine=engine,
            )
        )
