"""The audit trail is chained, append-only and verifiable. # SPEC GEN-5, SEC-3, SEC-5"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import sessionmaker

from claimdesk.audit.chain import GENESIS_HASH, link_hash
from claimdesk.audit.service import record, verify_chain
from claimdesk.db import make_engine, unit_of_work
from claimdesk.models.audit import AuditChainHead, AuditEntry, AuditSeal
from tests.audit.helpers import ACTOR, append, disable_append_only, seal_all
from tests.waits import run_in_threads


@pytest.fixture
def real(fresh_db_url):
    engine = make_engine(fresh_db_url)
    yield engine, sessionmaker(bind=engine, expire_on_commit=False)
    engine.dispose()


def _entries(factory):
    with factory() as session:
        return session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()


def _verify(factory):
    with factory() as session:
        return verify_chain(session)


def test_entries_are_chained_across_commits(real):  # SPEC GEN-5
    _, factory = real
    append(factory, 5, per_commit=2)  # commits of 2, 2 and 1 entries
    entries = _entries(factory)
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    # Written without a link to the previous entry: no row every writer must lock.
    assert all(e.prev_hash is None for e in entries)
    first = entries[0]
    assert (first.actor, first.ip, first.reason) == ("tester", "10.0.0.1", "test")
    unsealed = _verify(factory)
    assert unsealed.ok and (unsealed.sealed, unsealed.unsealed) == (0, 5)
    assert seal_all(factory) == 5
    with factory() as session:
        seals = session.scalars(select(AuditSeal).order_by(AuditSeal.seq)).all()
        head = session.get(AuditChainHead, 1)
        assert head is not None and head.last_seq == 5 and head.last_hash == seals[-1].chain_hash
    link = GENESIS_HASH
    for entry, seal in zip(entries, seals, strict=True):
        link = link_hash(link, entry.seq, entry.hash)
        assert (seal.seq, seal.chain_hash) == (entry.seq, link)
    result = _verify(factory)
    assert result.ok and result.entries_checked == 5 and result.first_broken_seq is None
    assert (result.sealed, result.unsealed) == (5, 0)


def test_empty_chain_verifies(real):  # SPEC GEN-5
    _, factory = real
    result = _verify(factory)
    assert result.ok and result.entries_checked == 0


def test_rolled_back_transaction_leaves_no_entry(real):  # SPEC GEN-5
    _, factory = real
    append(factory, 1)
    with pytest.raises(RuntimeError), unit_of_work(factory) as session:
        record(session, actor=ACTOR, action="claim.approved", entity_type="claim", entity_id="9")
        raise RuntimeError("the business change failed")
    # The session that rolled back must not carry the entry into a later commit either.
    with unit_of_work(factory) as session:
        record(session, actor=ACTOR, action="claim.viewed", entity_type="claim", entity_id="9")
    actions = [e.action for e in _entries(factory)]
    assert actions == ["claim.updated", "claim.viewed"]
    assert _verify(factory).ok


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entries SET details = '{\"n\": 99}' WHERE seq = 1",
        "DELETE FROM audit_entries WHERE seq = 1",
    ],
)
def test_append_only_trigger_refuses_changes(real, statement):  # SPEC GEN-5
    engine, factory = real
    append(factory, 2)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement))
    assert len(_entries(factory)) == 2
    assert _verify(factory).ok


def _tamper(engine, *statements):
    # Tampering with a sealed trail: what the seal must reveal.
    seal_all(sessionmaker(bind=engine))
    disable_append_only(engine)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def test_tamper_changed_details_named(real):  # SPEC GEN-5, SEC-3
    engine, factory = real
    append(factory, 6, per_commit=3)
    _tamper(engine, "UPDATE audit_entries SET details = '{\"n\": 300}' WHERE seq = 3")
    result = _verify(factory)
    assert not result.ok
    assert result.first_broken_seq == 3
    assert "altered" in (result.reason or "")
    assert result.entries_checked == 2


def test_tamper_deleted_entry_named(real):  # SPEC GEN-5
    engine, factory = real
    append(factory, 6, per_commit=3)
    _tamper(engine, "DELETE FROM audit_entries WHERE seq = 4")
    result = _verify(factory)
    assert (result.ok, result.first_broken_seq) == (False, 4)
    assert "missing" in (result.reason or "")


def test_tamper_deleted_last_entry_named(real):  # SPEC GEN-5
    engine, factory = real
    append(factory, 4)
    _tamper(engine, "DELETE FROM audit_entries WHERE seq = 4")
    result = _verify(factory)
    assert (result.ok, result.first_broken_seq) == (False, 4)
    assert "missing" in (result.reason or "")


def test_tamper_reordered_entries_named(real):  # SPEC GEN-5
    engine, factory = real
    append(factory, 6)
    _tamper(
        engine,
        "UPDATE audit_entries SET seq = -1 WHERE seq = 2",
        "UPDATE audit_entries SET seq = 2 WHERE seq = 3",
        "UPDATE audit_entries SET seq = 3 WHERE seq = -1",
    )
    result = _verify(factory)
    assert (result.ok, result.first_broken_seq) == (False, 2)


def test_tamper_rewritten_hash_caught_at_next_link(real):  # SPEC GEN-5
    engine, factory = real
    append(factory, 5)
    # A forger who edits entry 2 and fixes its own hash still breaks entry 3's link.
    # Flip the first hex digit (to one it is not: a hash may already start with 'f').
    _tamper(
        engine,
        "UPDATE audit_entries SET hash = "
        "CASE WHEN substr(hash, 1, 1) = 'f' THEN '0' ELSE 'f' END || substr(hash, 2) "
        "WHERE seq = 2",
    )
    result = _verify(factory)
    assert not result.ok and result.first_broken_seq == 2  # the stored hash no longer matches


def _cli_verify(url):
    env = {
        **os.environ,
        "CLAIMDESK_DATABASE_URL": url,
        "CLAIMDESK_KEYS": os.environ["CLAIMDESK_KEYS"],
    }
    return subprocess.run(
        [sys.executable, "-m", "claimdesk.cli", "audit", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_verify_intact_then_broken(real, fresh_db_url):  # SPEC GEN-5, SEC-3
    engine, factory = real
    append(factory, 7, per_commit=2)
    done = _cli_verify(fresh_db_url)
    assert done.returncode == 0, done.stderr
    assert "audit chain intact: 7 entries (0 sealed, 7 not yet sealed)" in done.stdout
    _tamper(engine, "UPDATE audit_entries SET actor = 'someone-else' WHERE seq = 5")
    done = _cli_verify(fresh_db_url)
    assert done.returncode == 1
    assert "audit chain BROKEN at entry #5:" in done.stdout


@pytest.mark.postgres_only
def test_concurrent_appenders_keep_chain_gap_free(real):  # SPEC GEN-5
    _, factory = real
    errors: list[BaseException] = []

    def worker():
        try:
            append(factory, 60, per_commit=3)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    run_in_threads([worker] * 8)
    assert not errors
    with factory() as session:
        seqs = session.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)).all()
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 480
    assert list(seqs) == list(range(1, 481))  # nothing rolled back: no gap either
    assert seal_all(factory) == 480
    result = _verify(factory)
    assert result.ok and result.entries_checked == 480 and result.sealed == 480
