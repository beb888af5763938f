"""The survey report through the claim page carries its evidence and, for a fire or theft,
the official certificate (CLM-S3, CLM-S4) — uploaded in the same form."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.models.claim import MaterialFile
from tests.claims.helpers import PDF, PNG, FrozenClock, local
from tests.claims.steps import API, Settlement, build_settlement, ok
from tests.storage.helpers import RecordingStorage, recording_storage  # noqa: F401
from tests.web.claims.claim_pages import ClaimPages
from tests.web.claims.test_claim_forms_pages import claim_state, error_beside


@pytest.fixture
def s(
    settlement_db: None, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> Settlement:
    FrozenClock(monkeypatch, local("2026-09-14T10:00:00"))  # a Monday
    return build_settlement(db, client)


REPORT: dict[str, Any] = {
    "surveyed_at": "2026-09-14T09:00",
    "place": "北京市朝阳区某小区 3-2-401",
    "people": "李四、物业王经理",
    "actions": "查看现场，拍照，询问物业",
    "cause": "厨房电器短路起火",
    "extent": "厨房及客厅部分烧毁",
    "conclusion": "属保险责任",
    "covered": True,
}


def _fire_claim_assigned(s: Settlement) -> int:
    w, c = s.w, s.w.client
    claim = ok(
        c.post(
            API,
            json={
                "channel": "hotline",
                "policy_number": w.policies["HOME-PROP"].number,  # type: ignore[attr-defined]
                "claimant_name": "李四",
                "loss_date": "2026-09-12",
                "loss_place": "北京市朝阳区",
                "loss_cause": "fire",
                "loss_overview": "厨房起火",
                "estimated_amount": "30000.00",
            },
            headers=w.h["handler"],
        ),
        201,
    )
    cid = int(claim["id"])
    for item in claim["checklist"]:
        ok(
            c.post(
                f"{API}/{cid}/materials/receive",
                json={"code": item["code"]},
                headers=w.h["handler"],
            )
        )
    ok(c.post(f"{API}/{cid}/accept", json={}, headers=w.h["handler"]))
    ok(
        c.post(
            f"{API}/{cid}/survey/assign",
            json={"surveyor_id": w.users["surveyor"]},
            headers=w.h["handler"],
        )
    )
    ok(c.post(f"{API}/{cid}/survey/contact", json={"note": "电话联系"}, headers=w.h["surveyor"]))
    return cid


def _files(db: Session, cid: int) -> list[tuple[str, str]]:
    db.expire_all()
    return [
        (f.purpose, f.filename)
        for f in db.scalars(
            select(MaterialFile).where(MaterialFile.claim_id == cid).order_by(MaterialFile.id)
        )
    ]


def test_fire_survey_needs_the_certificate_and_keeps_the_evidence(
    s: Settlement,
    client: TestClient,
    db: Session,
    recording_storage: RecordingStorage,  # noqa: F811
) -> None:
    # SPEC CLM-S3 (evidence with the report), CLM-S4 (fire: the fire report), CLM-S2 (plan)
    cid = _fire_claim_assigned(s)
    web = ClaimPages(client, db)
    web.login("surveyor")
    form = web.open(cid, "submit_survey")
    assert (
        form.fields["certificate_file"].kind == "file" and form.fields["certificate_file"].required
    )
    photo = {"evidence_file_1": ("kitchen.png", PNG, "image/png")}

    refused = web.refused(cid, "submit_survey", REPORT, form=form, files=photo, fill=True)
    assert error_beside(refused, "submit_survey", "certificate_file")
    assert claim_state(db, cid) == "accepted"
    # Nothing of the refused report stayed, not even the photo sent with it: stored
    # before the survey was refused, it is removed from the store with the rollback.
    assert _files(db, cid) == []
    assert len(recording_storage.written) == 1 and recording_storage.kept() == []

    web.do(
        cid,
        "submit_survey",
        REPORT,
        form=form,
        files={**photo, "certificate_file": ("fire-report.pdf", PDF, "application/pdf")},
        fill=True,
    )
    assert claim_state(db, cid) == "surveyed"
    assert _files(db, cid) == [("evidence", "kitchen.png"), ("certificate", "fire-report.pdf")]
    assert len(recording_storage.kept()) == 2
    plan = ok(client.get(f"{API}/{cid}/survey/plan", headers=s.w.h["handler"]))
    assert {i["code"]: i["status"] for i in plan["items"]}["certificate"] == "done"


def test_water_survey_offers_no_certificate_field(
    s: Settlement, client: TestClient, db: Session
) -> None:
    # SPEC CLM-S4 applies to fire and theft only
    cid = _fire_claim_assigned(s)
    db.expire_all()
    from claimdesk.models.claim import Claim

    claim = db.get(Claim, cid)
    assert claim is not None
    claim.loss_cause = "water"
    db.commit()
    web = ClaimPages(client, db)
    web.login("surveyor")
    form = web.open(cid, "submit_survey")
    assert "certificate_file" not in form.fields and "evidence_file_1" in form.fields
