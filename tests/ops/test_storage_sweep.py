"""``claimdesk storage sweep`` (SPEC SEC-1, GEN-6): files in the store that no row names —
left by a process killed between storing an upload and committing — are listed once
they are older than the margin, and with ``--delete`` removed after an audit entry naming
each key; files a row names, and young files whose request may still commit, stay.
Every file's time is set from the app's clock, so the test holds at any date."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from claimdesk.cli import app
from claimdesk.models.audit import AuditEntry
from claimdesk.models.base import utcnow
from claimdesk.models.claim import MaterialFile
from claimdesk.ops.storage_sweep import find_orphans
from claimdesk.storage import LocalDiskStorage, set_storage
from tests.builders import demo_version, issue_policy, make_claim, make_person, resident_id

NAMED = "BA20260901000001/named"
OLD_ORPHAN = "BA20260901000001/orphan"
OLD_TEMPORARY = "BA20260901000002/.half.1a2b3c4d.tmp"
YOUNG_ORPHAN = "BA20260901000002/young"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalDiskStorage]:
    storage = LocalDiskStorage(tmp_path / "store")
    set_storage(storage)
    yield storage
    set_storage(None)


def _write(store: LocalDiskStorage, key: str, *, hours_ago: float) -> None:
    path = store.root / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"CDF1 sealed bytes")
    # From the app's clock, not the kernel's: under faketime the two differ.
    stamp = (utcnow() - dt.timedelta(hours=hours_ago)).timestamp()
    os.utime(path, (stamp, stamp))


def _seed(db: Session, store: LocalDiskStorage) -> None:
    person = make_person(db, id_number=resident_id(seq="614"))
    policy = issue_policy(db, version_id=demo_version(db).id, policyholder_id=person.id)
    claim = make_claim(db, number="BA20260901000001", policy=policy, state="accepted")
    db.add(
        MaterialFile(
            claim_id=claim.id,
            purpose="material",
            filename="invoice.pdf",
            content_type="application/pdf",
            size=17,
            sha256="0" * 64,
            storage_path=NAMED,
            uploaded_at=utcnow() - dt.timedelta(days=30),
            auth_method="password",
        )
    )
    db.flush()
    _write(store, NAMED, hours_ago=24 * 30)
    _write(store, OLD_ORPHAN, hours_ago=25)
    _write(store, OLD_TEMPORARY, hours_ago=72)
    _write(store, YOUNG_ORPHAN, hours_ago=2)


def test_only_old_files_no_row_names_are_orphans(db: Session, store: LocalDiskStorage) -> None:
    # SPEC SEC-1 GEN-6
    _seed(db, store)
    found = find_orphans(db, storage=store, older_than=dt.timedelta(hours=24), now=utcnow())
    assert [blob.key for blob in found] == [OLD_ORPHAN, OLD_TEMPORARY]
    assert all(blob.size == 17 for blob in found)
    wider = find_orphans(db, storage=store, older_than=dt.timedelta(hours=1), now=utcnow())
    assert [blob.key for blob in wider] == [OLD_ORPHAN, OLD_TEMPORARY, YOUNG_ORPHAN]


def test_sweep_lists_then_removes_with_an_audit_entry(
    engine_of_cli: Engine, store: LocalDiskStorage
) -> None:
    # SPEC SEC-1 GEN-6 GEN-5 (the removal is audited before any file goes)
    with Session(engine_of_cli) as db:
        _seed(db, store)
        db.commit()
    runner = CliRunner()
    listed = runner.invoke(app, ["storage", "sweep"])
    assert listed.exit_code == 1, listed.output
    assert OLD_ORPHAN in listed.output and OLD_TEMPORARY in listed.output
    assert YOUNG_ORPHAN not in listed.output and NAMED not in listed.output
    assert "files no row names: 2 (34 bytes)" in listed.output
    assert store.exists(OLD_ORPHAN)  # listing changes nothing

    removed = runner.invoke(app, ["storage", "sweep", "--delete"])
    assert removed.exit_code == 0, removed.output
    assert "removed 2" in removed.output
    assert not store.exists(OLD_ORPHAN) and not (store.root / OLD_TEMPORARY).exists()
    assert store.exists(NAMED) and store.exists(YOUNG_ORPHAN)
    with Session(engine_of_cli) as db:
        entries = db.scalars(
            select(AuditEntry).where(AuditEntry.action == "storage.orphans_removed")
        ).all()
    assert len(entries) == 1
    details = json.loads(entries[0].details)
    assert details["keys"] == [OLD_ORPHAN, OLD_TEMPORARY] and details["count"] == 2
    assert entries[0].actor == "storage-sweep"

    again = runner.invoke(app, ["storage", "sweep", "--delete"])
    assert again.exit_code == 0 and "files no row names: 0" in again.output


def test_sweep_refuses_a_margin_under_an_hour(
    engine_of_cli: Engine, store: LocalDiskStorage
) -> None:
    # SPEC GEN-6: a file younger than an hour may belong to a request still running
    result = CliRunner().invoke(app, ["storage", "sweep", "--older-than-hours", "0.5"])
    assert result.exit_code == 2 and "older-than-hours" in result.output
