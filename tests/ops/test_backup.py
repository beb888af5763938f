"""Backup and restore between databases, verified on the way in. # SPEC SEC-2, GEN-5, SEC-1"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from sqlalchemy import MetaData, select, text
from sqlalchemy.orm import sessionmaker

from claimdesk.audit.service import record, verify_chain
from claimdesk.auth.principal import Principal
from claimdesk.crypto.keyring import blind_index
from claimdesk.db import make_engine, unit_of_work
from claimdesk.jobs.outbox import send_message
from claimdesk.jobs.queue import enqueue
from claimdesk.migrate import upgrade
from claimdesk.models.org import OrgUnit
from claimdesk.models.person import Person
from claimdesk.models.user import User
from claimdesk.ops.backup import (
    BackupCorrupt,
    RestoreTargetNotEmpty,
    backup,
    read_manifest,
    restore,
)
from tests.builders import make_org_unit, make_user

ADMIN = Principal.build(user_id=None, username="admin", roles=["administrator"], ip="10.9.9.9")
ID_NUMBER = "11010519491231002X"


def _populate(url: str) -> None:
    engine = make_engine(url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with unit_of_work(factory) as session:
        # The child is created first and re-parented later, so it has the smaller id.
        branch = make_org_unit(session, code="BJ01", name="北京分公司", kind="branch")
        hq = make_org_unit(session, code="HQ", name="总公司")
        branch.parent_id = hq.id
        make_user(session, username="alice", roles=["claims_handler"], org_unit=branch)
        person = Person(
            name="张三",
            id_type="resident_id",
            id_number=ID_NUMBER,
            id_number_hash=blind_index(ID_NUMBER, "id_number"),
            id_number_last4="002X",
            phone="13800138000",
            birth_date=dt.date(1949, 12, 31),
            org_unit_id=branch.id,
        )
        session.add(person)
        session.flush()
        record(
            session,
            actor=ADMIN,
            action="person.created",
            entity_type="person",
            entity_id=person.id,
            details={"amount": Decimal("12.50")},
        )
        enqueue(session, kind="test.noop", payload={"x": 1}, dedupe_key="noop-1")
        send_message(session, channel="sms", recipient="13800138000", template="t", body="您好")
    for n in range(3):
        with unit_of_work(factory) as session:
            record(
                session,
                actor=ADMIN,
                action="claim.updated",
                entity_type="claim",
                entity_id=n,
                reason="受理",
            )
    engine.dispose()


def _snapshot(url: str) -> dict[str, list[tuple]]:
    """Every table's rows as plain tuples (ciphertext stays ciphertext)."""
    engine = make_engine(url)
    metadata = MetaData()
    metadata.reflect(bind=engine)
    rows = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            if table.name == "alembic_version":
                continue
            order = list(table.primary_key.columns) or list(table.columns)
            rows[table.name] = [
                tuple(_plain(v) for v in row)
                for row in conn.execute(select(table).order_by(*order))
            ]
    engine.dispose()
    return rows


def _plain(value):
    if isinstance(value, dt.datetime):
        value = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)
    if isinstance(value, Decimal):
        return str(value.normalize())
    return value


@pytest.fixture
def second_db_url(template_db_url, tmp_path):
    """Another fresh database beside fresh_db_url (same backend)."""
    from tests.conftest import _clone, _drop_clone

    url, handle = _clone(template_db_url, tmp_path)
    yield url
    _drop_clone(handle)


def test_round_trip_restores_everything_and_verifies(
    fresh_db_url, second_db_url, tmp_path
):  # SPEC SEC-2
    _populate(fresh_db_url)
    path = tmp_path / "claimdesk.backup.gz"
    result = backup(fresh_db_url, path)
    assert result.row_counts["people"] == 1 and result.row_counts["audit_entries"] == 4
    assert result.audit_last_seq == 4
    manifest = read_manifest(path)
    assert manifest["keys_included"] is False
    assert manifest["schema_revision"] == result.schema_revision

    # The restore target has a schema but no data.
    restored = restore(path, second_db_url)
    assert restored.audit_entries == 4
    assert restored.tables == len(manifest["row_counts"])
    assert _snapshot(second_db_url) == _snapshot(fresh_db_url)

    engine = make_engine(second_db_url)
    factory = sessionmaker(bind=engine)
    with factory() as session:
        # Same keys → the encrypted identity number reads back (SEC-1), found by its index.
        person = session.scalars(
            select(Person).where(Person.id_number_hash == blind_index(ID_NUMBER, "id_number"))
        ).one()
        assert person.id_number == ID_NUMBER and person.phone == "13800138000"
        assert verify_chain(session).ok
        units = {u.code: u for u in session.scalars(select(OrgUnit))}
        assert units["BJ01"].parent_id == units["HQ"].id
    # Sequences follow the restored ids: new rows get fresh ids and the chain goes on.
    with unit_of_work(factory) as session:
        make_user(session, username="bob")
        record(session, actor=ADMIN, action="user.created", entity_type="user", entity_id="bob")
    with factory() as session:
        assert len(session.scalars(select(User)).all()) == 2
        assert verify_chain(session).entries_checked == 5
    engine.dispose()


def test_restore_into_unmigrated_database_migrates_it(fresh_db_url, tmp_path):  # SPEC SEC-2
    _populate(fresh_db_url)
    path = tmp_path / "b.gz"
    backup(fresh_db_url, path)
    target = f"sqlite:///{tmp_path / 'blank.db'}"  # a brand-new empty file
    restored = restore(path, target)
    assert restored.audit_entries == 4
    assert _snapshot(target) == _snapshot(fresh_db_url)


def test_restore_into_non_empty_database_refused(
    fresh_db_url, second_db_url, tmp_path
):  # SPEC SEC-2
    _populate(fresh_db_url)
    _populate(second_db_url)
    path = tmp_path / "b.gz"
    backup(fresh_db_url, path)
    before = _snapshot(second_db_url)
    with pytest.raises(RestoreTargetNotEmpty):
        restore(path, second_db_url)
    assert _snapshot(second_db_url) == before


def _rewrite(path, transform):
    with gzip.open(path, "rb") as src:
        lines = src.readlines()
    with gzip.open(path, "wb") as out:
        out.writelines(transform(lines))


@pytest.mark.parametrize("damage", ["truncated_gzip", "edited_row", "dropped_manifest", "not_gzip"])
def test_corrupted_backup_refused(fresh_db_url, second_db_url, tmp_path, damage):  # SPEC SEC-2
    _populate(fresh_db_url)
    path = tmp_path / "b.gz"
    backup(fresh_db_url, path)
    if damage == "truncated_gzip":
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif damage == "edited_row":
        _rewrite(
            path, lambda lines: [ln.replace(b"claim.updated", b"claim.deleted") for ln in lines]
        )
    elif damage == "dropped_manifest":
        _rewrite(path, lambda lines: lines[:-1])
    else:
        path.write_text("hello")
    before = _snapshot(second_db_url)
    with pytest.raises(BackupCorrupt):
        restore(path, second_db_url)
    assert _snapshot(second_db_url) == before


def _cli(args, url):
    env = {
        **os.environ,
        "CLAIMDESK_DATABASE_URL": url,
        "CLAIMDESK_KEYS": os.environ["CLAIMDESK_KEYS"],
    }
    return subprocess.run(
        [sys.executable, "-m", "claimdesk.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_cli_backup_and_restore(fresh_db_url, second_db_url, tmp_path):  # SPEC SEC-2
    _populate(fresh_db_url)
    path = tmp_path / "cli.gz"
    done = _cli(["backup", str(path)], fresh_db_url)
    assert done.returncode == 0, done.stderr
    assert "audit chain head #4" in done.stdout and "NOT in the backup" in done.stdout
    done = _cli(["restore", str(path)], second_db_url)
    assert done.returncode == 0, done.stderr
    tables = len(read_manifest(path)["row_counts"])
    assert (
        f"restore verified: audit chain intact (4 entries), row counts match ({tables} tables)"
        in done.stdout
    )
    done = _cli(["restore", str(path)], second_db_url)  # now it is not empty
    assert done.returncode == 1 and "restore refused" in done.stderr


def test_restore_refuses_backup_whose_chain_is_broken(
    fresh_db_url, second_db_url, tmp_path, backend
):  # SPEC SEC-2, GEN-5
    _populate(fresh_db_url)
    engine = make_engine(fresh_db_url)
    with engine.begin() as conn:  # a superuser's edit, made before the backup was taken
        if backend == "postgresql":
            conn.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_no_change"))
        else:
            conn.execute(text("DROP TRIGGER audit_entries_no_update"))
        conn.execute(text("UPDATE audit_entries SET reason = 'forged' WHERE seq = 2"))
    engine.dispose()
    path = tmp_path / "b.gz"
    backup(fresh_db_url, path)
    from claimdesk.ops.backup import RestoreVerificationFailed

    with pytest.raises(RestoreVerificationFailed, match="#2"):
        restore(path, second_db_url)
    engine = make_engine(second_db_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_entries")).scalar_one() == 0
        assert conn.execute(text("SELECT count(*) FROM users")).scalar_one() == 0
    engine.dispose()


@pytest.mark.postgres_only
def test_sqlite_to_postgresql_and_back(fresh_db_url, tmp_path):  # SPEC SEC-2
    lite = f"sqlite:///{tmp_path / 'source.db'}"
    upgrade(lite)
    _populate(lite)
    path = tmp_path / "lite.gz"
    backup(lite, path)
    restore(path, fresh_db_url)  # SQLite → PostgreSQL
    assert _snapshot(fresh_db_url) == _snapshot(lite)
    back = tmp_path / "pg.gz"
    backup(fresh_db_url, back)
    target = f"sqlite:///{tmp_path / 'again.db'}"
    restore(back, target)  # PostgreSQL → SQLite
    assert _snapshot(target) == _snapshot(lite)
    with gzip.open(back) as dump:
        manifest = json.loads(dump.readlines()[-1])
    assert manifest["audit_chain_head"]["last_seq"] == 4
