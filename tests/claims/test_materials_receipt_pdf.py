"""The materials receipt (材料签收单, CLM-A2) is signed by the person who received the
materials, by name: the customer keeps it, and a username means nothing to them
(issue 12, 'signatures show usernames')."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from claimdesk.models.user import User
from tests.claims.helpers import FrozenClock, local
from tests.claims.steps import API, Settlement, build_settlement


@pytest.fixture
def s(db: Session, client: TestClient) -> Settlement:
    return build_settlement(db, client)


def _text(pdf: bytes) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "receipt.pdf"
        path.write_bytes(pdf)
        done = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        )
    return " ".join(done.stdout.split())


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
    payload = {
        "channel": "hotline",
        "policy_number": w.policies["MED-MILLION"].number,  # type: ignore[attr-defined]
        "claimant_name": "李四",
        "contact_phone": "13912345678",
        "loss_date": "2026-09-28",
        "loss_place": "北京市朝阳区",
        "loss_cause": "illness",
        "loss_overview": "住院",
        "received_at": "2026-09-30T09:30:00+08:00",
    }
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
    text = _text(pdf.content)
    assert "Received by: 理赔员 王芳" in text, text
    assert "Received by: handler" not in text
    assert "Delivered by: 李四" in text
