"""The claim page's action forms stop the typing at the limit of the API schema field each
text goes to (GEN-6): one fixed maxlength of 2,000 cut the texts the API takes at 4,000
(a not-covered decision's reason, clause and evidence, a review's rejection facts, a
dispute) and named no schema. A text over the schema's limit — which the browser's
maxlength only hides — is refused beside its field in zh-CN and English, and nothing
is written."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import claimdesk.web.claims
from claimdesk.models.audit import AuditEntry
from claimdesk.models.claim import AdjustmentResult, Claim
from claimdesk.web.claims import page_forms
from claimdesk.web.claims.page_forms import FormField
from claimdesk.web.kit import max_length
from tests.claims.helpers import FrozenClock, local
from tests.claims.steps import MEDICAL_25K_SI, Settlement, build_settlement, walk_to_assessed
from tests.web.claims.claim_pages import ClaimPages, parse_form
from tests.web.claims.test_claim_forms_pages import error_beside

PAGES = Path(claimdesk.web.claims.__file__).parent


def _textarea_limits() -> list[tuple[str, str, str]]:
    """(module, field, limit reference) of every textarea FormField the claim pages build."""
    constants = {name: getattr(page_forms, name) for name in ("CS", "PS", "SS", "AS")}
    found = []
    for path in sorted(PAGES.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "FormField"):
                continue
            args = [a.value for a in node.args if isinstance(a, ast.Constant)]
            if "textarea" not in args:
                continue
            limit = next((k.value for k in node.keywords if k.arg == "limit"), None)
            assert isinstance(limit, ast.JoinedStr), f"{path.name}: {ast.unparse(node)}"
            ref = "".join(
                str(part.value) if isinstance(part, ast.Constant) else constants[part.value.id]  # type: ignore[attr-defined]
                for part in limit.values
            )
            found.append((path.name, ast.unparse(node.args[0]), ref))
    return found


def test_every_textarea_of_the_claim_forms_names_its_schema_field() -> None:
    # SPEC GEN-6: each limit is the max_length of the API schema field the text fills
    limits = _textarea_limits()
    assert len(limits) >= 25  # the walk sees the forms
    for module, field, ref in limits:
        assert max_length(ref) > 0, (module, field, ref)
    assert ("pages.py", "'rejection_reason'", "claims.schemas:AdjustmentIn.rejection_reason") in (
        limits
    )
    with pytest.raises(ValueError, match="names no schema limit"):
        FormField("note", "Note", "textarea")


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    return FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))


@pytest.fixture
def s(settlement_db: None, db: Session, client: TestClient, clock: FrozenClock) -> Settlement:
    return build_settlement(db, client)


def _stored(db: Session, claim_id: int) -> list[Any]:
    db.expire_all()
    claim = db.get(Claim, claim_id)
    assert claim is not None
    return [
        {c.key: getattr(claim, c.key) for c in Claim.__table__.columns},
        db.scalar(select(func.count()).select_from(AdjustmentResult)),
        db.scalar(select(func.count()).select_from(AuditEntry)),
    ]


GROUNDS = {
    "liability": "not_covered",
    "rejection_reason": "既往症不属保险责任",
    "rejection_clause": "第七条 责任免除：既往症",
    "rejection_evidence": "2024 年门诊病历",
}


def test_a_not_covered_reason_takes_what_the_api_takes_and_no_more(
    s: Settlement, client: TestClient, db: Session, clock: FrozenClock
) -> None:
    # SPEC GEN-6, CLM-C1: AdjustmentIn takes 4,000 characters; the form stopped at 2,000
    cid = walk_to_assessed(s.w, clock, policy="MED-MILLION", assessment=MEDICAL_25K_SI)
    web = ClaimPages(client, db)
    web.login("adjuster")
    form = web.open(cid, "adjust")
    for name in ("rejection_reason", "rejection_clause", "rejection_evidence"):
        assert re.search(rf'name="{name}"[^>]*maxlength="4000"', form.html), name
    before = _stored(db, cid)
    refused = web.refused(cid, "adjust", {**GROUNDS, "rejection_evidence": "证" * 4001})
    assert "最多 4000 个字符" in error_beside(refused, "adjust", "rejection_evidence")
    data = ClaimPages._data(form, {**GROUNDS, "rejection_evidence": "证" * 4001})
    english = parse_form(client.post(f"/claims/{cid}/actions/adjust?lang=en", data=data).text)
    assert "at most 4000 characters" in error_beside(english, "adjust", "rejection_evidence")
    assert _stored(db, cid) == before
    # The longest text the schema takes is stored whole.
    web.do(cid, "adjust", {**GROUNDS, "rejection_evidence": "证" * 4000})
    db.expire_all()
    result = db.scalars(select(AdjustmentResult).where(AdjustmentResult.claim_id == cid)).one()
    assert "证" * 4000 in str(result.rejection_evidence)


def test_a_reason_over_its_schemas_limit_is_refused_beside_it(
    s: Settlement, client: TestClient, db: Session, clock: FrozenClock
) -> None:
    # SPEC GEN-6: a fraud flag's description (FraudFlagIn, 2,000) over its limit
    cid = walk_to_assessed(s.w, clock, policy="MED-MILLION", assessment=MEDICAL_25K_SI)
    web = ClaimPages(client, db)
    web.login("adjuster")
    form = web.open(cid, "flag_fraud")
    assert re.search(r'name="description"[^>]*maxlength="2000"', form.html)
    before = _stored(db, cid)
    refused = web.refused(cid, "flag_fraud", {"description": "疑" * 2001})
    assert "最多 2000 个字符" in error_beside(refused, "flag_fraud", "description")
    assert _stored(db, cid) == before
