"""Idempotency-Key on creating POSTs of the API, on both databases (SPEC CLM-P5, GEN-6):
a retry gets the first answer and creates nothing; another request under the same key
is refused naming the header; the work and the key commit together; keys expire."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.idempotency import service as idempotency
from claimdesk.models.claim import Claim
from claimdesk.models.idempotency import IdempotencyKey
from tests.claims.helpers import FrozenClock, World, build_world, local

API = "/api/v1/claims"


@pytest.fixture
def w(world_db: None, db: Session, client: TestClient) -> World:
    return build_world(db, client)


def report(w: World, **changes: Any) -> dict[str, Any]:
    return {
        "channel": "hotline",
        "policy_number": w.policies["MED-MILLION"].number,  # type: ignore[attr-defined]
        "claimant_name": "李四",
        "contact_phone": "13912345678",
        "loss_date": "2026-09-28",
        "loss_place": "北京市朝阳区",
        "loss_cause": "illness",
        "loss_overview": "住院",
        "estimated_amount": "5000.00",
        "received_at": "2026-09-30T09:30:00+08:00",
        **changes,
    }


def _claims(db: Session) -> int:
    db.expire_all()
    return int(db.scalar(select(func.count()).select_from(Claim)) or 0)


def _post(w: World, body: dict[str, Any], key: str | None, who: str = "handler") -> Any:
    headers = dict(w.h[who])
    if key is not None:
        headers["Idempotency-Key"] = key
    return w.client.post(API, json=body, headers=headers)


def test_a_retried_report_gets_the_first_answer_and_creates_one_claim(
    w: World, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-P5 GEN-6
    FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    body = report(w)
    first = _post(w, body, "report-7f3a9c")
    assert first.status_code == 201, first.text
    again = _post(w, body, "report-7f3a9c")
    assert again.status_code == 201 and again.content == first.content
    assert again.headers.get("idempotent-replayed") == "true"
    assert _claims(db) == 1
    # Without the header, or with another key, a new report is a new claim.
    assert _post(w, body, "report-other-1").status_code == 201
    assert _post(w, body, None).status_code == 201
    assert _claims(db) == 3
    row = db.scalars(select(IdempotencyKey).where(IdempotencyKey.key == "report-7f3a9c")).one()
    assert (row.method, row.path, row.response_status) == ("POST", API, 201)
    assert row.principal == f"user:{w.users['handler']}"


def test_the_same_key_for_another_request_is_refused_naming_the_header(
    w: World, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC GEN-6 CLM-P5
    FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    assert _post(w, report(w), "report-key-1").status_code == 201
    r = _post(w, report(w, estimated_amount="6000.00"), "report-key-1")
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "idempotency_key_mismatch" and error["field"] == "Idempotency-Key"
    zh = w.client.post(
        API,
        json=report(w, estimated_amount="6000.00"),
        headers={**w.h["handler"], "Idempotency-Key": "report-key-1", "Accept-Language": "zh-CN"},
    )
    assert "Idempotency-Key" in zh.json()["error"]["message"]
    r = _post(w, report(w), "bad key with spaces")
    assert r.status_code == 422 and r.json()["error"]["field"] == "Idempotency-Key"
    assert _claims(db) == 1


def test_keys_belong_to_their_principal(
    w: World, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-P5 CLM-F2: another user's key is not a replay of someone else's answer
    FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    assert _post(w, report(w), "shared-key-01").status_code == 201
    other = _post(w, report(w), "shared-key-01", who="customer")
    assert other.status_code == 201 and other.headers.get("idempotent-replayed") is None
    assert _claims(db) == 2


def test_a_refused_request_keeps_no_key_so_the_corrected_retry_runs(
    w: World, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC GEN-6 CLM-P5
    FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    r = _post(w, report(w, policy_number="NO-SUCH-POLICY"), "retry-after-error")
    assert r.status_code in (404, 422)
    assert db.scalar(select(func.count()).select_from(IdempotencyKey)) == 0
    assert _post(w, report(w), "retry-after-error").status_code == 201
    assert _claims(db) == 1


def test_a_crash_at_commit_leaves_neither_the_claim_nor_the_key(
    w: World, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-P5 GEN-6: the key row is written in the transaction of the work
    FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    original = Session.commit

    def crash(self: Session) -> None:
        if any(isinstance(o, IdempotencyKey) for o in self.dirty):
            raise RuntimeError("power cut at commit")
        original(self)

    monkeypatch.setattr(Session, "commit", crash)
    r = _post(w, report(w), "crash-key-0001")
    assert r.status_code == 500
    monkeypatch.setattr(Session, "commit", original)
    assert _claims(db) == 0
    assert db.scalar(select(func.count()).select_from(IdempotencyKey)) == 0
    retry = _post(w, report(w), "crash-key-0001")
    assert retry.status_code == 201 and _claims(db) == 1


def test_keys_expire_after_a_day_and_are_purged(
    w: World, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-P5
    FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    assert _post(w, report(w), "expiring-key-1").status_code == 201
    assert _post(w, report(w), "fresh-key-0001").status_code == 201
    old = db.scalars(select(IdempotencyKey).where(IdempotencyKey.key == "expiring-key-1")).one()
    fresh = db.scalars(select(IdempotencyKey).where(IdempotencyKey.key == "fresh-key-0001")).one()
    now = fresh.created_at
    old.created_at = now - idempotency.TTL - dt.timedelta(minutes=1)
    db.commit()
    assert idempotency.purge_expired(db, now=now) == 1
    db.commit()
    keys = set(db.scalars(select(IdempotencyKey.key)))
    assert keys == {"fresh-key-0001"}
    # The expired key is free again: the same request now creates a new claim.
    assert _post(w, report(w), "expiring-key-1").status_code == 201
    assert _claims(db) == 3


def test_a_retried_upload_is_one_file_whatever_its_multipart_boundary(
    w: World, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-P5 GEN-6: every creating POST, uploads included
    from claimdesk.models.claim import MaterialFile
    from tests.claims.helpers import PDF

    FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    cid = _post(w, report(w), None).json()["id"]
    answers = [
        w.client.post(
            f"{API}/{cid}/files",
            data={"purpose": "evidence"},
            files={"file": ("invoice.pdf", PDF, "application/pdf")},
            headers={**w.h["handler"], "Idempotency-Key": "upload-invoice-1"},
        )
        for _ in range(2)
    ]
    assert [a.status_code for a in answers] == [201, 201], answers[0].text
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert answers[1].headers.get("idempotent-replayed") == "true"
    db.expire_all()
    count = db.scalar(
        select(func.count()).select_from(MaterialFile).where(MaterialFile.claim_id == cid)
    )
    assert count == 1
