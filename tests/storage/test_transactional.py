"""A file stored for a transaction lives exactly as long as its row (SEC-1, GEN-6: a
refused request leaves nothing behind): removed from the store when the transaction, or
the savepoint it was written in, rolls back; kept when the transaction commits."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from claimdesk.storage import transactional
from tests.storage.helpers import RecordingStorage


@pytest.fixture
def store(tmp_path: Path) -> RecordingStorage:
    return RecordingStorage(tmp_path / "store")


def _begun(session_factory: sessionmaker[Session]) -> Session:
    session = session_factory()
    session.execute(text("SELECT 1"))
    return session


def test_a_rollback_removes_the_file_a_commit_keeps_it(
    session_factory: sessionmaker[Session], store: RecordingStorage
) -> None:
    # SPEC SEC-1, GEN-6
    session = _begun(session_factory)
    transactional.put(session, store, "BA1/a", b"sealed")
    assert store.exists("BA1/a") and transactional.pending_keys(session) == ["BA1/a"]
    session.rollback()
    assert store.kept() == [] and transactional.pending_keys(session) == []
    transactional.put(session, store, "BA1/b", b"sealed")
    session.commit()
    assert store.kept() == ["BA1/b"]
    # A later rollback of the same session does not touch what an earlier commit kept.
    session.execute(text("SELECT 1"))
    session.rollback()
    session.close()
    assert store.kept() == ["BA1/b"]


def test_a_session_closed_without_commit_removes_its_files(
    session_factory: sessionmaker[Session], store: RecordingStorage
) -> None:
    # SPEC GEN-6: a request that ends without committing (an error on the way out)
    session = _begun(session_factory)
    transactional.put(session, store, "BA1/c", b"sealed")
    session.close()
    assert store.kept() == []


def test_a_savepoint_rolled_back_removes_only_its_own_files(
    session_factory: sessionmaker[Session], store: RecordingStorage
) -> None:
    # SPEC GEN-6: files of the savepoint (and of savepoints inside it) go; the outer
    # transaction's stay, and are kept by its commit
    session = _begun(session_factory)
    transactional.put(session, store, "outer", b"1")
    savepoint = session.begin_nested()
    transactional.put(session, store, "inner", b"2")
    deeper = session.begin_nested()
    transactional.put(session, store, "deeper", b"3")
    deeper.commit()  # released into the savepoint, still undone with it
    savepoint.rollback()
    assert store.kept() == ["outer"]
    released = session.begin_nested()
    transactional.put(session, store, "released", b"4")
    released.commit()
    assert transactional.pending_keys(session) == ["outer", "released"]  # not committed yet
    session.commit()
    session.close()
    assert store.kept() == ["outer", "released"]


class _Undeletable(RecordingStorage):
    def delete(self, key: str) -> None:
        raise OSError("store unreachable")


def test_a_failed_removal_is_logged_and_the_rollback_goes_on(
    session_factory: sessionmaker[Session], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # SPEC GEN-6: the rollback's own cause is not hidden by the compensation's failure
    store = _Undeletable(tmp_path / "store")
    session = _begun(session_factory)
    transactional.put(session, store, "BA1/d", b"sealed")
    with caplog.at_level(logging.ERROR, logger="claimdesk.storage"):
        session.rollback()
    assert "BA1/d" in caplog.text
    assert transactional.pending_keys(session) == []
    session.close()
