"""``claimdesk storage sweep``: files in the store that no row names (SEC-1, GEN-6).

A request that stores an upload and then fails removes the file again when its
transaction rolls back (storage.transactional). A process killed between the write and
the commit cannot: its file stays in the store with no row to name it, sealed with a
data key that died with the transaction, so nobody can ever read it. The sweep lists
such files once they are older than a margin (default a day; no request holds a file
uncommitted for more than seconds), and with ``--delete`` removes them: first an audit
entry naming every key, committed, then the files — a failure after the commit leaves
files the next sweep finds again, never a removal nobody recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from itertools import islice

import typer
from sqlalchemy.orm import Session

from claimdesk.audit.service import record
from claimdesk.auth.principal import Principal
from claimdesk.claims.repository import stored_keys_in_use
from claimdesk.db import get_sessionmaker
from claimdesk.models.base import utcnow
from claimdesk.storage import BlobStorage, StoredBlob, get_storage

SWEEP_ACTOR = Principal.system("storage-sweep")
CHUNK = 500  # keys per look-up query


def _chunks(blobs: Iterable[StoredBlob], size: int) -> Iterator[list[StoredBlob]]:
    iterator = iter(blobs)
    while chunk := list(islice(iterator, size)):
        yield chunk


def find_orphans(
    session: Session, *, storage: BlobStorage, older_than: dt.timedelta, now: dt.datetime
) -> list[StoredBlob]:
    """The stored files, last written before ``now - older_than``, that no material
    file row names, in key order."""
    cutoff = now - older_than
    old = (blob for blob in storage.listing() if blob.modified_at < cutoff)
    orphans: list[StoredBlob] = []
    for chunk in _chunks(old, CHUNK):
        used = stored_keys_in_use(session, keys=[blob.key for blob in chunk])
        orphans += [blob for blob in chunk if blob.key not in used]
    return sorted(orphans, key=lambda blob: blob.key)


def record_removal(
    session: Session, *, orphans: list[StoredBlob], older_than: dt.timedelta
) -> None:
    record(
        session,
        actor=SWEEP_ACTOR,
        action="storage.orphans_removed",
        entity_type="file_store",
        details={
            "count": len(orphans),
            "bytes": sum(blob.size for blob in orphans),
            "older_than_hours": older_than.total_seconds() / 3600,
            "keys": [blob.key for blob in orphans],
        },
    )


def sweep_command(
    older_than_hours: float = typer.Option(
        24.0, min=1.0, help="Only files last written at least this many hours ago."
    ),
    delete: bool = typer.Option(False, "--delete", help="Remove them (audited); else list."),
) -> None:
    """List (or with --delete remove) stored files that no material file row names: what
    a process killed between storing an upload and committing leaves behind. Exits 1
    when it lists any, so a scheduled run can alert."""
    storage = get_storage()
    older_than = dt.timedelta(hours=older_than_hours)
    with get_sessionmaker()() as session:
        orphans = find_orphans(session, storage=storage, older_than=older_than, now=utcnow())
        for blob in orphans:
            written = blob.modified_at.strftime("%Y-%m-%d %H:%M UTC")
            typer.echo(f"  {blob.key}  {blob.size:,} bytes  written {written}")
        total = sum(blob.size for blob in orphans)
        typer.echo(f"files no row names: {len(orphans)} ({total:,} bytes)")
        if not orphans:
            return
        if not delete:
            raise typer.Exit(1)
        record_removal(session, orphans=orphans, older_than=older_than)
        session.commit()
    for blob in orphans:
        storage.delete(blob.key)
    typer.echo(f"removed {len(orphans)}")
