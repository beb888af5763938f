"""The compliance review of materials takes several materials per submit (CLM-A5,
issue 12): a result for each material reviewed now, each recorded and audited; a
submit with none chosen is refused beside the first material's field."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.models.audit import AuditEntry
from claimdesk.models.claim import Material
from tests.claims.helpers import FrozenClock, local
from tests.claims.steps import Settlement, build_settlement
from tests.web.claims.claim_pages import ClaimPages
from tests.web.claims.test_claim_lines_pages import MEDICAL, accept, report_in_portal


@pytest.fixture
def s(settlement_db: None, db: Session, client: TestClient) -> Settlement:
    return build_settlement(db, client)


def test_several_materials_are_reviewed_in_one_submit(
    s: Settlement, client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-A5 (checked against the contract), GEN-5 (each review audited), GEN-6
    FrozenClock(monkeypatch, local("2026-09-14T10:00:00"))
    web = ClaimPages(client, db)
    cid = report_in_portal(web, s, MEDICAL)
    accept(web, cid, MEDICAL, "4000.00")
    form = web.open(cid, "review_material")
    codes = [name.split("__", 1)[1] for name in form.fields if name.startswith("result__")]
    assert len(codes) >= 3
    # Nothing is preselected: a result is a choice the reviewer makes.
    assert all(form.fields[f"result__{c}"].value == "" for c in codes)
    none = web.refused(cid, "review_material")
    assert "请选择一项" in none.errors[0] and "result__" not in none.errors[0]
    assert re.search(rf'id="review_material-result__{codes[0]}"[^>]*aria-invalid', none.html)
    web.do(
        cid,
        "review_material",
        {
            f"result__{codes[0]}": "ok",
            f"result__{codes[1]}": "not_necessary",
            f"note__{codes[1]}": "与诊断无关",
        },
    )
    results = {
        m.code: (m.review_result, m.review_note)
        for m in db.scalars(select(Material).where(Material.claim_id == cid))
    }
    assert results[codes[0]] == ("ok", None)
    assert results[codes[1]] == ("not_necessary", "与诊断无关")
    assert results[codes[2]] == (None, None)
    reviews = db.scalars(
        select(AuditEntry).where(AuditEntry.action == "claim.material_reviewed")
    ).all()
    assert len(reviews) == 2
