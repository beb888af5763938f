"""A file stored for a database transaction lives exactly as long as its row.

An upload is sealed and put in the store *before* its row is flushed (the row carries the
file's wrapped data key and its storage key), and the store is no database: its ``put``
cannot be rolled back with the transaction. When the transaction then fails — a later
check refuses the request (a page's survey, payment or evidence form stores its file
before its handler runs), a conflict, a constraint — the file would stay in the store
with no row naming it, unreadable (its data key is gone with the row) and never deleted.

:func:`put` is the compensating step: the key is remembered on the session with the
transaction it was written in, and removed from the store again when that transaction
rolls back — the request's transaction (``undo_refused``, the edge's rollback, a session
closed without commit), or the savepoint it was written in (``begin_nested``: only the
files of that savepoint and the savepoints inside it). A commit of the request's
transaction keeps them all: the rows that name them are in the database now.

Chosen over writing to a staging key and promoting it after commit: a promotion after
commit is a second write that can fail with the rows already committed (a row naming a
key that does not exist, which ``read_upload`` answers with ``stored_file_unavailable``),
while a compensating delete that fails leaves only an orphan, the lesser harm; it is
logged (``claimdesk.storage``) with its key. A process that dies between the ``put`` and
the end of its transaction leaves its file too; no sweep removes those yet.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from claimdesk.storage.backends import BlobStorage

log = logging.getLogger("claimdesk.storage")

_PENDING = "claimdesk.storage.pending"

# (the transaction it was written in — None before the session began one —, store, key)
_Entry = tuple[SessionTransaction | None, BlobStorage, str]


def put(session: Session, storage: BlobStorage, key: str, data: bytes) -> None:
    """``storage.put(key, data)``, undone if the session's transaction — or the savepoint
    it is written in — rolls back instead of committing."""
    storage.put(key, data)
    written_in = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_PENDING, []).append((written_in, storage, key))


def pending_keys(session: Session) -> list[str]:
    """The keys stored in this transaction and not yet committed (tests, diagnostics)."""
    entries: list[_Entry] = session.info.get(_PENDING, [])
    return [key for _, _, key in entries]


def _remove(entries: list[_Entry]) -> None:
    for _, storage, key in entries:
        try:
            storage.delete(key)
        except Exception:  # a failed compensation must not hide the rollback's cause
            log.exception("stored file %s left in the store after its rollback", key)


def _inside(transaction: SessionTransaction | None, ended: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "after_commit")
def _kept(session: Session) -> None:
    # Fired for a savepoint's release too: only the request's own commit keeps them.
    if session.get_nested_transaction() is None:
        session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_soft_rollback")
def _savepoint_undone(session: Session, previous_transaction: SessionTransaction) -> None:
    if not previous_transaction.nested:
        return  # the request's transaction: _transaction_ended removes everything
    entries: list[_Entry] = session.info.get(_PENDING, [])
    undone = [e for e in entries if _inside(e[0], previous_transaction)]
    if undone:
        session.info[_PENDING] = [e for e in entries if not _inside(e[0], previous_transaction)]
        _remove(undone)


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session: Session, transaction: Any) -> None:
    # The request's transaction ended without its commit (a commit took them off first):
    # rolled back, or the session closed with it open.
    if transaction.parent is None:
        _remove(session.info.pop(_PENDING, []))
