"""Materials are checked against the contract; a suspected forgery holds the claim for
the fraud investigator (SPEC CLM-A5, CLM-F1)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.claims.helpers import FrozenClock, build_world, local
from tests.claims.steps import ok

API = "/api/v1/claims"

# Each test builds the world first: on the worker's prebuilt one (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("world_db")


def _reported(w) -> dict:  # type: ignore[no-untyped-def]
    return ok(
        w.client.post(
            API,
            json={
                "channel": "app",
                "policy_number": w.policies["MED-MILLION"].number,
                "claimant_name": "李四",
                "contact_phone": "13912345678",
                "loss_date": "2026-09-28",
                "loss_place": "北京",
                "loss_cause": "illness",
                "loss_overview": "住院",
                "estimated_amount": "8000.00",
            },
            headers=w.h["handler"],
        ),
        201,
    )


def test_reviewed_material_records_the_result_and_keeps_the_claim_moving(
    db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-A5
    w = build_world(db, client)
    FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    claim = _reported(w)
    body = ok(
        client.post(
            f"{API}/{claim['id']}/materials/review",
            json={"code": "expense_invoices", "result": "ok", "note": "与病历一致"},
            headers=w.h["handler"],
        )
    )
    assert body["state"] == "reported"


def test_suspected_forgery_suspends_the_claim_until_an_investigator_decides(
    db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-A5 CLM-F1
    w = build_world(db, client)
    FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    claim = _reported(w)
    body = ok(
        client.post(
            f"{API}/{claim['id']}/materials/review",
            json={
                "code": "expense_invoices",
                "result": "suspected_forgery",
                "note": "发票号查无此票",
            },
            headers=w.h["handler"],
        )
    )
    assert body["state"] == "suspended"
    # Held: the handler cannot move it on; only the investigator's decisions remain.
    refused = client.post(f"{API}/{claim['id']}/accept", json={}, headers=w.h["handler"])
    assert refused.status_code in (403, 409)
    assert set(body["allowed_actions"]) <= {
        "clear_fraud",
        "confirm_fraud_reduce",
        "confirm_fraud_reject",
    }


def test_a_forgery_flag_names_the_material_and_reads_in_one_language(
    db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-A5 CLM-F1 GEN-4: the flag names the material in words and keeps the
    # handler's Chinese note in both halves; the claim page shows the reader's half only
    # (it showed "疑似伪造材料 / suspected forged material: expense_invoices — 发票号查无此票")
    from sqlalchemy import select

    from claimdesk.models.claim import FraudFlag

    w = build_world(db, client)
    FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    claim = _reported(w)
    ok(
        client.post(
            f"{API}/{claim['id']}/materials/review",
            json={"code": "expense_invoices", "result": "suspected_forgery", "note": "查无此票"},
            headers=w.h["handler"],
        )
    )
    stored = db.scalars(select(FraudFlag).where(FraudFlag.claim_id == claim["id"])).one()
    assert stored.description == (
        "疑似伪造材料：医疗费用发票 — 查无此票 / suspected forged material: Expense invoices — 查无此票"
    )

    def flags(language: str) -> str:
        text = client.get(f"/claims/{claim['id']}?lang={language}", headers=w.h["handler"]).text
        found = text[text.index('id="fraud-flags"') :]
        return found[: found.index("</ul>")]

    zh = flags("zh-CN")
    assert "疑似伪造材料：医疗费用发票 — 查无此票" in zh and "suspected" not in zh
    en = flags("en")
    assert "suspected forged material: Expense invoices — 查无此票" in en
    assert "疑似伪造材料" not in en and "医疗费用发票" not in en
