"""The sealed audit trail: writers lock nothing shared, the sealer chains committed
entries in seq order and signs checkpoints, verify proves them (GEN-5, issue 14 item 1).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from claimdesk.audit.chain import GENESIS_HASH, checkpoint_signature, entry_hash, link_hash
from claimdesk.audit.sealer import seal
from claimdesk.audit.service import record, reserve_seqs, verify_chain, write_pending
from claimdesk.db import make_engine, unit_of_work
from claimdesk.jobs.queue import handler_for, periodic_tasks
from claimdesk.jobs.worker import load_task_modules
from claimdesk.models.audit import AuditChainHead, AuditCheckpoint, AuditEntry, AuditSeal
from claimdesk.models.claim import Claim
from tests.audit.helpers import (
    ACTOR,
    append,
    disable_append_only,
    disable_seal_append_only,
    seal_all,
)


@pytest.fixture
def real(fresh_db_url):
    engine = make_engine(fresh_db_url)
    yield engine, sessionmaker(bind=engine, expire_on_commit=False)
    engine.dispose()


def _verify(factory, **kwargs):
    with factory() as session:
        return verify_chain(session, **kwargs)


def _seqs(factory, model):
    with factory() as session:
        return list(session.scalars(select(model.seq).order_by(model.seq)))


def _append_in_process(url: str, count: int) -> None:
    engine = make_engine(url)
    append(sessionmaker(bind=engine, expire_on_commit=False), count)
    engine.dispose()


@pytest.mark.postgres_only
def test_four_processes_write_while_the_sealer_runs(real, fresh_db_url):  # SPEC GEN-5
    _, factory = real
    context = multiprocessing.get_context("spawn")
    writers = [
        # Daemons: one left stuck is ended when the test process exits, not waited for.
        context.Process(target=_append_in_process, args=(fresh_db_url, 60), daemon=True)
        for _ in range(4)
    ]
    for writer in writers:
        writer.start()
    sealed = 0
    deadline = time.monotonic() + 300  # writers stuck on a lock fail the test, not hang it
    while any(writer.is_alive() for writer in writers) and time.monotonic() < deadline:
        # Sealing while entries commit out of order: only a settled prefix is sealed.
        with unit_of_work(factory) as session:
            sealed += seal(session, settle_wait=0.5).sealed
        time.sleep(0.05)
    for writer in writers:
        writer.join(60)  # on the process's sentinel (select): it times out under faketime
        assert writer.exitcode == 0
    sealed += seal_all(factory)
    assert sealed == 240
    assert _seqs(factory, AuditSeal) == _seqs(factory, AuditEntry)  # every entry, in order
    result = _verify(factory)
    assert result.ok, result.reason
    assert (result.sealed, result.unsealed, result.entries_checked) == (240, 0, 240)


@pytest.mark.postgres_only
def test_writers_commit_while_the_sealer_holds_its_head(real):  # SPEC GEN-5
    _, factory = real
    append(factory, 2)
    sealer = factory()
    try:
        assert seal(sealer).sealed == 2  # the head row stays locked until sealer commits
        with factory() as writer:
            writer.execute(text("SET LOCAL lock_timeout = '500ms'"))
            record(writer, actor=ACTOR, action="claim.viewed", entity_type="claim", entity_id=1)
            writer.commit()  # the old chain head made this wait for the lock
        with factory() as other:
            assert seal(other).busy  # one sealer at a time
        sealer.commit()
    finally:
        sealer.close()
    assert seal_all(factory) == 1
    assert _verify(factory).ok


@pytest.mark.postgres_only
def test_lower_seq_in_flight_is_not_skipped_and_rollback_gap_is_passed(real):  # SPEC GEN-5
    _, factory = real
    slow = factory()
    try:
        record(slow, actor=ACTOR, action="claim.viewed", entity_type="claim", entity_id="slow")
        assert write_pending(slow) == 1  # seq 1 taken, transaction still open
        append(factory, 1)  # seq 2 commits first
        with unit_of_work(factory) as session:
            result = seal(session, settle_wait=0.2)
        assert result.sealed == 0  # 1 may still commit: 2 must wait behind it
        slow.commit()
    finally:
        slow.close()
    assert seal_all(factory) == 2
    # A transaction that took seq 3 and rolled back leaves a hole for good.
    with pytest.raises(RuntimeError), unit_of_work(factory) as session:
        record(session, actor=ACTOR, action="claim.viewed", entity_type="claim", entity_id="x")
        write_pending(session)
        raise RuntimeError("rolled back")
    append(factory, 1)  # seq 4
    assert seal_all(factory) == 1
    assert _seqs(factory, AuditSeal) == [1, 2, 4]
    result = _verify(factory)
    assert result.ok and result.sealed == 3


def test_forged_checkpoint_without_the_key_detected(real):  # SPEC GEN-5
    engine, factory = real
    append(factory, 4)
    seal_all(factory)
    # A forger with write access rewrites entry 2, its hash, every later link and the
    # checkpoint, and signs it with a key of their own: only the signature gives it away.
    disable_append_only(engine)
    disable_seal_append_only(engine)
    with factory() as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
        forged = entries[1]
        forged.details = '{"n": 999}'
        forged.hash = entry_hash(
            seq=forged.seq,
            occurred_at=forged.occurred_at,
            actor_id=forged.actor_id,
            actor=forged.actor,
            action=forged.action,
            entity_type=forged.entity_type,
            entity_id=forged.entity_id,
            ip=forged.ip,
            reason=forged.reason,
            details=forged.details,
            prev_hash=forged.prev_hash,
        )
        link = GENESIS_HASH
        for entry in entries:
            link = link_hash(link, entry.seq, entry.hash)
            session.get(AuditSeal, entry.seq).chain_hash = link  # type: ignore[union-attr]
        checkpoint = session.get(AuditCheckpoint, 1)
        checkpoint.chain_hash = link
        checkpoint.signature = checkpoint_signature(
            b"not-the-key" * 3, checkpoint_id=1, first_seq=1, last_seq=4, entries=4, chain=link
        )
        session.get(AuditChainHead, 1).last_hash = link
        session.commit()
    result = _verify(factory)
    assert not result.ok
    assert result.first_broken_seq == 1 and "signature invalid" in (result.reason or "")


def test_removed_entry_and_its_seal_named_at_the_next_link(real):  # SPEC GEN-5
    engine, factory = real
    append(factory, 5)
    seal_all(factory)
    disable_append_only(engine)
    disable_seal_append_only(engine)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entries WHERE seq = 3"))
        conn.execute(text("DELETE FROM audit_seals WHERE seq = 3"))
    result = _verify(factory)
    assert (result.ok, result.first_broken_seq) == (False, 4)
    assert "chain link" in (result.reason or "")


def test_entry_inserted_into_the_sealed_range_named(real):  # SPEC GEN-5
    _, factory = real
    append(factory, 3)
    seal_all(factory)
    # A copy of entry 2 slipped in under a number below the head: not part of the chain.
    with factory() as session:
        row = session.get(AuditEntry, 2)
        assert row is not None
        values = {c.name: getattr(row, c.name) for c in AuditEntry.__table__.columns}
    with factory() as session:
        session.execute(AuditEntry.__table__.insert().values({**values, "seq": 0}))
        session.commit()
    result = _verify(factory)
    assert (result.ok, result.first_broken_seq) == (False, 0)
    assert "not in the sealed chain" in (result.reason or "")


def test_unsealed_entries_older_than_the_limit_reported(real):  # SPEC GEN-5
    _, factory = real
    append(factory, 3)
    fresh = _verify(factory, max_age=dt.timedelta(seconds=300))
    assert fresh.ok and (fresh.unsealed, fresh.stale_unsealed) == (3, 0)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    stale = _verify(factory, max_age=dt.timedelta(seconds=300), now=later)
    assert stale.ok and stale.stale_unsealed == 3 and stale.oldest_stale_seq == 1
    seal_all(factory)
    assert _verify(factory, now=later).stale_unsealed == 0


def test_unsealed_age_is_measured_on_the_database_clock(real, monkeypatch):  # SPEC GEN-5
    # recorded_at is the database's CURRENT_TIMESTAMP: an application server whose clock
    # runs a day ahead (or a test under faketime, which fakes only this process) must not
    # call fresh entries stale. Before: the cutoff came from the process's clock.
    _, factory = real
    append(factory, 3)
    ahead = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)

    class Ahead(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return ahead if tz is not None else ahead.replace(tzinfo=None)

    monkeypatch.setattr(dt, "datetime", Ahead)
    fresh = _verify(factory, max_age=dt.timedelta(seconds=300))
    assert fresh.ok and (fresh.unsealed, fresh.stale_unsealed) == (3, 0)


def test_cli_seal_then_verify(real, fresh_db_url):  # SPEC GEN-5
    _, factory = real
    append(factory, 3)
    env = {**os.environ, "CLAIMDESK_DATABASE_URL": fresh_db_url}
    cli = [sys.executable, "-m", "claimdesk.cli", "audit"]
    stale = subprocess.run(
        [*cli, "verify"],
        env={**env, "CLAIMDESK_AUDIT_SEAL_MAX_AGE_SECONDS": "-60"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert stale.returncode == 2 and "UNSEALED: 3 entries" in stale.stdout, stale.stdout
    done = subprocess.run([*cli, "seal"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "sealed 3 entries in 1 checkpoints; last sealed #3" in done.stdout
    done = subprocess.run([*cli, "verify"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0
    assert "audit chain intact: 3 entries (3 sealed, 0 not yet sealed)" in done.stdout


def test_worker_seals_periodically(real):  # SPEC GEN-5
    _, factory = real
    load_task_modules()
    assert "audit.seal" in {p.kind for p in periodic_tasks()}
    append(factory, 2)
    handler = handler_for("audit.seal")
    assert handler is not None
    with unit_of_work(factory) as session:
        handler(session, {}, now=dt.datetime(2026, 10, 2, tzinfo=dt.UTC))
    with factory() as session:
        checkpoint = session.get(AuditCheckpoint, 1)
        assert checkpoint is not None and (checkpoint.first_seq, checkpoint.last_seq) == (1, 2)
        assert checkpoint.key_id  # the keyring key that signed it
    assert _verify(factory).sealed == 2


@pytest.mark.postgres_only
def test_kill_9_during_a_burst_of_reports_leaves_a_provable_trail(real, fresh_db_url):
    # SPEC GEN-5, CLM-R3
    from bench.claims import _setup

    _, factory = real
    policy = _setup(fresh_db_url)
    seal_all(factory)
    burst = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from bench.scale import report_burst; "
            "report_burst(sys.argv[1], sys.argv[2], 100000)",
            fresh_db_url,
            policy,
        ],
        env=os.environ.copy(),
    )
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            with factory() as session:
                if session.scalar(select(func.count()).select_from(Claim)) >= 15:
                    break
            time.sleep(0.1)
        os.kill(burst.pid, signal.SIGKILL)  # mid-transaction, most likely
    finally:
        burst.wait(30)
    assert burst.returncode == -signal.SIGKILL
    seal_all(factory)
    result = _verify(factory)
    assert result.ok and result.unsealed == 0, result.reason
    with factory() as session:
        claims = {str(i): n for i, n in session.execute(select(Claim.id, Claim.number))}
        reported = set(
            session.scalars(select(AuditEntry.entity_id).where(AuditEntry.action == "claim.report"))
        )
    assert len(claims) >= 15
    # No half-written report: every claim has its audit entry and every entry its claim.
    assert reported == set(claims)
    assert len(set(claims.values())) == len(claims)  # numbers unique
    assert all(n.startswith("BA20261002") for n in claims.values())


def test_writing_an_entry_leaves_the_sealer_head_alone(db: Session) -> None:
    # SPEC GEN-5: writers never touch the sealer's head row.
    before = db.execute(select(AuditChainHead.last_seq, AuditChainHead.last_hash)).one()
    record(db, actor=ACTOR, action="claim.viewed", entity_type="claim", entity_id=1)
    db.commit()
    after = db.execute(select(AuditChainHead.last_seq, AuditChainHead.last_hash)).one()
    assert before == after


def test_entries_chained_before_migration_0020_are_sealed_and_verified(fresh_db_url):
    # SPEC GEN-5: a trail written under the old chain head survives the migration: the
    # entries' hashes still cover their old prev_hash, and the sealer seals them.
    from alembic import command

    from claimdesk.migrate import alembic_config, upgrade

    command.downgrade(alembic_config(fresh_db_url), "0013_security_incidents")
    engine = make_engine(fresh_db_url)
    prev, at = GENESIS_HASH, dt.datetime(2026, 10, 2, 2, 0, tzinfo=dt.UTC)
    with engine.begin() as conn:
        for seq in (1, 2, 3):
            fields = {
                "seq": seq,
                "occurred_at": at,
                "actor_id": None,
                "actor": "tester",
                "action": "claim.viewed",
                "entity_type": "claim",
                "entity_id": str(seq),
                "ip": None,
                "reason": None,
                "details": "{}",
            }
            digest = entry_hash(prev_hash=prev, **fields)
            stored_at = at.replace(tzinfo=None) if engine.dialect.name == "sqlite" else at
            conn.execute(
                text(
                    "INSERT INTO audit_entries (seq, occurred_at, actor_id, actor, action, "
                    "entity_type, entity_id, ip, reason, details, prev_hash, hash) VALUES "
                    "(:seq, :occurred_at, :actor_id, :actor, :action, :entity_type, "
                    ":entity_id, :ip, :reason, :details, :prev_hash, :hash)"
                ),
                {**fields, "occurred_at": stored_at, "prev_hash": prev, "hash": digest},
            )
            prev = digest
        conn.execute(text("UPDATE audit_chain_head SET last_seq = 3, last_hash = :h"), {"h": prev})
    engine.dispose()
    upgrade(fresh_db_url)
    engine = make_engine(fresh_db_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    append(factory, 2)  # new entries continue after the old ones
    assert _seqs(factory, AuditEntry) == [1, 2, 3, 4, 5]
    assert seal_all(factory) == 5
    result = _verify(factory)
    engine.dispose()
    assert result.ok and result.sealed == 5, result.reason
    # And back: the downgrade chains the new entries as the old head did.
    command.downgrade(alembic_config(fresh_db_url), "0013_security_incidents")
    engine = make_engine(fresh_db_url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT seq, actor_id, actor, action, entity_type, entity_id, ip, reason, "
                "details, prev_hash, hash FROM audit_entries ORDER BY seq"
            )
        ).all()
        head = conn.execute(text("SELECT last_seq, last_hash FROM audit_chain_head")).one()
    engine.dispose()
    link = GENESIS_HASH
    for row in rows:
        assert row.prev_hash == link
        link = row.hash
    assert tuple(head) == (5, link)


@pytest.mark.postgres_only
def test_seqs_reserved_early_are_used_in_order_and_a_leftover_is_a_gap(real):  # SPEC GEN-5
    # Issue 14: a new claim's statement takes its entries' seqs (reserve_seqs); the
    # entries take them in order at commit, more are drawn past them, one left over is
    # a gap the sealer passes once its transaction ended, and a rolled-back
    # transaction's reserve is never used by the session's next transaction.
    _, factory = real
    draw = text("SELECT nextval('audit_entries_seq_seq') FROM generate_series(1, :n)")
    with unit_of_work(factory) as session:
        reserved = sorted(session.execute(draw, {"n": 2}).scalars())
        append(factory, 1)  # another writer draws past the reserve and commits first
        reserve_seqs(session, seqs=reserved)
        for n in range(3):
            record(session, actor=ACTOR, action="claim.viewed", entity_type="claim", entity_id=n)
    with factory() as session:
        ours = session.execute(
            select(AuditEntry.entity_id, AuditEntry.seq).where(AuditEntry.action == "claim.viewed")
        ).all()
    written = _seqs(factory, AuditEntry)
    other = (set(written) - {seq for _, seq in ours}).pop()
    assert sorted(ours, key=lambda row: row[1]) == [
        ("0", reserved[0]),
        ("1", reserved[1]),
        ("2", other + 1),
    ]
    session = factory()
    try:
        reserve_seqs(session, seqs=sorted(session.execute(draw, {"n": 3}).scalars()))
        session.rollback()
        record(session, actor=ACTOR, action="claim.viewed", entity_type="claim", entity_id="x")
        session.commit()
    finally:
        session.close()
    last = _seqs(factory, AuditEntry)[-1]
    assert last == max(written) + 4  # 3 reserved and left, then a fresh one
    with unit_of_work(factory) as session:
        left = session.execute(draw, {"n": 2}).scalars().all()
        reserve_seqs(session, seqs=sorted(left))
        record(session, actor=ACTOR, action="claim.viewed", entity_type="claim", entity_id="y")
    assert seal_all(factory) == 6
    result = _verify(factory)
    assert result.ok and result.sealed == 6
