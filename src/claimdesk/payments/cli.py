"""``claimdesk payments vouchers``: the paid transfers without a valid electronic voucher
(CLM-P3) — confirmed before the voucher rule (be2a954) with an empty or malformed bank
reference — for finance to chase with the bank. Read-only, in pages of payments, on
the schema before and after the payments migrations (named columns, not ORM rows), in
the shape of ``claimdesk checks dedupe-hits``: a line per finding, then the totals;
exit 1 when there is anything to chase, so a scheduled run can alert."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import typer

from claimdesk.db import get_sessionmaker
from claimdesk.formatting import local_stamp
from claimdesk.payments import service
from claimdesk.timeutil import local_zone

app = typer.Typer(no_args_is_help=True)

WHY = {"empty": "no bank reference", "malformed": "reference is not a voucher"}
COLUMNS = (
    "payment_id",
    "claim_number",
    "amount",
    "means",
    "paid_at",
    "batch_id",
    "reference",
    "why",
)


def _all(batch_size: int) -> list[service.Unvouchered]:
    factory = get_sessionmaker()
    found: list[service.Unvouchered] = []
    last: int | None = 0
    while last is not None:
        with factory() as session:
            page, last = service.unvouchered(session, after=last, limit=batch_size)
        found += page
    return found


@app.command("vouchers")
def vouchers(
    csv_path: Path | None = typer.Option(
        None, "--csv", help="Also write the list as CSV (UTF-8) to this file."
    ),
    batch_size: int = typer.Option(500, min=1, help="Payments read per query."),
) -> None:
    """List the paid bank and third-party transfers whose kept reference is empty or not
    a voucher (3-100 letters, digits or - _ . /). Changes nothing."""
    found = _all(batch_size)
    for row in found:
        typer.echo(
            f"  claim {row.claim_number}: payment #{row.payment_id} ¥{row.amount:,.2f} "
            f"{row.means} paid {local_stamp(row.paid_at)} batch "
            f"{'#' + str(row.batch_id) if row.batch_id else '-'} — {WHY[row.why]}"
            + (f" ({row.reference!r})" if row.reference else "")
        )
    total = sum((row.amount for row in found), Decimal("0.00"))
    typer.echo(f"paid transfers without a valid voucher: {len(found)} (¥{total:,.2f})")
    if csv_path is not None:
        with csv_path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(COLUMNS)
            for row in found:
                writer.writerow(
                    (
                        row.payment_id,
                        row.claim_number,
                        f"{row.amount:.2f}",
                        row.means,
                        # local time with its offset (GEN-2), read back exactly
                        row.paid_at.astimezone(local_zone()).isoformat() if row.paid_at else "",
                        row.batch_id or "",
                        row.reference or "",
                        row.why,
                    )
                )
        typer.echo(f"written to {csv_path}")
    if found:
        raise typer.Exit(1)
