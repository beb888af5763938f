"""The materials receipt (材料签收单, CLM-A2) is signed by the person who received the
materials, by name: the customer keeps it, and a username means nothing to them
(issue 12, 'signatures show usernames')."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from claimdesk.models.user import User
from tests.claims.helpers import FrozenClock, local
from tests.claims.steps import API, Settlement, build_settlement, hotline_report, pdf_text


@pytest.fixture
def s(settlement_db: None, db: Session, client: TestClient) -> Settlement:
    return build_settlement(db, client)


def test_receipt_names_the_receiving_handler(
    s: Settlement, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-A2 (a receipt for the materials handed in), GEN-6 (words people read)
    w = s.w
    FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    handler = db.get(User, w.users["handler"])
    assert handler is not None
    handler.display_name = "理赔员 王芳"
    db.commit()
    payload = hotline_report(w, policy="MED-MILLION")
    reported = w.client.post(API, json=payload, headers=w.h["handler"])
    assert reported.status_code == 201, reported.text
    cid = reported.json()["id"]
    received = w.client.post(
        f"{API}/{cid}/materials/receive",
        json={"code": "medical_record", "count": 2},
        headers=w.h["handler"],
    )
    assert received.status_code == 200, received.text
    pdf = w.client.get(f"{API}/{cid}/receipt.pdf", headers=w.h["handler"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = " ".join(pdf_text(pdf.content).split())
    assert "Received by: 理赔员 王芳" in text, text
    assert "Received by: handler" not in text
    assert "Delivered by: 李四" in text
