"""An upload whose database step fails after the file was stored leaves no file in the
store (SEC-1, GEN-6: a refused request changes nothing): the sealed file is removed when
the transaction rolls back; an upload that commits keeps it under the key its row names.
# SPEC CLM-A2 SEC-1 GEN-6"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.claims.intake import acceptance
from claimdesk.errors import Conflict
from claimdesk.models.claim import MaterialFile
from tests.claims.helpers import FrozenClock, World, build_world, claim_in_state, local, upload_file
from tests.storage.helpers import RecordingStorage, recording_storage  # noqa: F401


@pytest.fixture
def world(
    world_db: None, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> World:
    FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    return build_world(db, client)


def _rows(db: Session, cid: int) -> list[str]:
    db.expire_all()
    return list(db.scalars(select(MaterialFile.storage_path).where(MaterialFile.claim_id == cid)))


def test_a_failure_after_storing_removes_the_stored_file(
    world: World,
    db: Session,
    recording_storage: RecordingStorage,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # SPEC GEN-6, SEC-1: the file is sealed and stored, its row flushed, then the request
    # fails (a conflict forced at the audit step): 409, no row, and no file in the store
    cid = claim_in_state(db, world, "reported")
    recorded = acceptance.record

    def failing(session: Session, **kwargs: Any) -> None:
        if kwargs.get("action") == "claim.file_uploaded":
            raise Conflict(field="file")
        recorded(session, **kwargs)

    monkeypatch.setattr(acceptance, "record", failing)
    refused = upload_file(world, cid, "handler", purpose="material", code="claim_form")
    assert refused.status_code == 409, refused.text
    assert len(recording_storage.written) == 1  # it was stored before the failure
    assert recording_storage.kept() == []
    assert _rows(db, cid) == []

    monkeypatch.setattr(acceptance, "record", recorded)
    taken = upload_file(world, cid, "handler", purpose="material", code="claim_form")
    assert taken.status_code == 201, taken.text
    assert recording_storage.kept() == _rows(db, cid) == [recording_storage.written[-1]]


def test_a_refused_file_stores_nothing(
    world: World,
    db: Session,
    recording_storage: RecordingStorage,  # noqa: F811
) -> None:
    # SPEC GEN-6: a refusal before storing (closed claim) writes neither file nor row
    cid = claim_in_state(db, world, "closed")
    refused = upload_file(world, cid, "customer", purpose="material", code="claim_form")
    assert refused.status_code == 409, refused.text
    assert recording_storage.written == []
    assert db.scalar(select(func.count()).where(MaterialFile.claim_id == cid)) == 0
