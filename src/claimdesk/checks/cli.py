"""``claimdesk checks dedupe-hits``: merge the check findings recorded more than once
before findings were keyed (checks.dedupe; CLM-F3, CLM-T4). A command rather than a
migration: the finding key is worked out from each hit's evidence, which only the
application's keyring decrypts. One transaction per claim, the claim's row taken as a
checks run takes it, so the workers may keep running. Run it before upgrading to 0044
(it works on the schema before and after: checks.dedupe)."""

from __future__ import annotations

from collections.abc import Iterator

import typer
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from claimdesk.checks import dedupe, repository
from claimdesk.db import get_sessionmaker

app = typer.Typer(no_args_is_help=True)


def _claims(factory: sessionmaker[Session], batch_size: int) -> Iterator[int]:
    last = 0
    while True:
        with factory() as session:
            batch = repository.claims_with_hits(session, after=last, limit=batch_size)
        if not batch:
            return
        yield from batch
        last = batch[-1]


@app.command("dedupe-hits")
def dedupe_hits(
    dry_run: bool = typer.Option(False, "--dry-run", help="Say what would change; change nothing."),
    batch_size: int = typer.Option(500, min=1, help="Claims read per query."),
) -> None:
    """Key every check hit by its finding and merge a finding's duplicate rows into the
    first found (its hold and decision kept, audited). Rerunnable."""
    factory = get_sessionmaker()
    actor = dedupe.system_actor()
    with factory() as session:
        total = repository.count_claims_with_hits(session)
    repairs: list[dedupe.ClaimRepair] = []
    failed: list[int] = []
    with typer.progressbar(length=total, label="claims with check hits") as bar:
        for claim_id in _claims(factory, batch_size):
            try:
                with factory() as session:  # closed without a commit: rolled back
                    repair = dedupe.repair_claim(
                        session, claim_id=claim_id, actor=actor, dry_run=dry_run
                    )
                    if repair.changed and not dry_run:
                        session.commit()
                repairs.append(repair)
            except IntegrityError:
                failed.append(claim_id)
            bar.update(1)
    _report(repairs, failed, dry_run=dry_run)
    if failed:
        raise typer.Exit(1)


def _report(repairs: list[dedupe.ClaimRepair], failed: list[int], *, dry_run: bool) -> None:
    merges = [m for r in repairs for m in r.merges]
    verb = "would be" if dry_run else "were"
    typer.echo(f"claims looked at: {len(repairs) + len(failed)}")
    typer.echo(
        f"findings recorded more than once: {len(merges)} "
        f"({sum(len(m.removed_ids) for m in merges)} rows {verb} removed, "
        f"on {len({m.claim_id for m in merges})} claims)"
    )
    typer.echo(f"hits keyed without a merge: {sum(r.keyed for r in repairs)}")
    for m in merges:
        if m.open_flag_ids:
            flags = ", ".join(f"#{i}" for i in m.open_flag_ids)
            typer.echo(
                f"  claim {m.claim_number}: {m.check} — flag {flags} of a removed duplicate "
                "is still open and holds the claim until an investigator decides it"
            )
        if m.decisions_differ:
            typer.echo(
                f"  claim {m.claim_number}: {m.check} — the duplicates were decided "
                f"differently; the first hold's decision is kept (hit #{m.kept_id}), "
                "the others are in the audit entry"
            )
    for claim_id in failed:
        typer.echo(f"  claim id {claim_id}: not repaired (a key conflict); run again", err=True)
