"""The claim page's liability decision (SPEC CLM-C1), through the page routes (the
claim brought to "assessed" through the API first): the product's liabilities ticked for
the coverage adjusted, the ratio and deductible shown from the product and the
assessment (not typed), a covered decision without items or a not-covered one without
its reason refused beside the field, and the decision as stated on the page."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.models.claim import AdjustmentResult
from tests.builders import demo_version, issue_policy
from tests.claims.helpers import FrozenClock, local
from tests.claims.steps import MEDICAL_25K_SI, Settlement, build_settlement, walk_to_assessed
from tests.web.claims.claim_pages import ClaimPages, state_of
from tests.web.claims.test_claim_forms_pages import error_beside

ITEM = "covered_item__medical__medical"  # the medical coverage's own box


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    return FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))


@pytest.fixture
def s(settlement_db: None, db: Session, client: TestClient, clock: FrozenClock) -> Settlement:
    return build_settlement(db, client)


def _assessed(s: Settlement, clock: FrozenClock) -> int:
    return walk_to_assessed(s.w, clock, policy="MED-MILLION", assessment=MEDICAL_25K_SI)


def test_the_adjust_form_shows_the_products_terms_and_ticks_the_coverage(
    s: Settlement, client: TestClient, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-C1: ratio and deductible come from the product and the assessment,
    # shown, not typed; the coverage adjusted is the item ticked
    cid = _assessed(s, clock)
    web = ClaimPages(client, db)
    web.login("adjuster")
    form = web.open(cid, "adjust")
    assert form.fields[ITEM].kind == "checkbox" and form.fields[ITEM].checked
    assert 'id="adjust-terms_ratio"' in form.html and "100%" in form.html
    assert "¥10,000.00" in form.html  # the deductible this claim takes
    assert "covered_items" not in form.fields  # nothing to type
    assert {"ratio", "deductible"}.isdisjoint(form.fields)
    web.do(cid, "adjust", {"liability": "covered"})
    page = web.page(cid)
    assert state_of(page) == "assessed"
    section = page[page.index('id="liability-medical"') :]
    assert "一般医疗保险金" in section[:600] and "¥10,000.00" in section[:600]
    assert "¥14,000.00" in page


def test_a_covered_decision_without_items_is_refused_beside_them(
    s: Settlement, client: TestClient, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-C1, GEN-6: refused next to the boxes, in the reader's language, nothing
    # written (the known defect: empty items were accepted)
    cid = _assessed(s, clock)
    web = ClaimPages(client, db)
    web.login("adjuster")
    refused = web.refused(cid, "adjust", {"liability": "covered", ITEM: False})
    message = error_beside(refused, "adjust", ITEM)
    assert "属保险责任的认定须列明赔付项目" in message
    db.expire_all()
    assert db.scalars(select(AdjustmentResult).where(AdjustmentResult.claim_id == cid)).all() == []
    english = client.post(
        f"/claims/{cid}/actions/adjust?lang=en",
        data=web._data(web.open(cid, "adjust"), {"liability": "covered", ITEM: False}),
    )
    assert "a covered decision must state its items" in english.text


def test_a_not_covered_decision_needs_its_written_reason(
    s: Settlement, client: TestClient, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-C1: not covered — the reason, the clause's text and the evidence
    cid = _assessed(s, clock)
    web = ClaimPages(client, db)
    web.login("adjuster")
    grounds = {
        "liability": "not_covered",
        "rejection_clause": "第七条 责任免除：既往症",
        "rejection_evidence": "2024 年门诊病历",
    }
    refused = web.refused(cid, "adjust", grounds)
    assert "须写明理由、合同条款原文及证据" in error_beside(refused, "adjust", "rejection_reason")
    web.do(cid, "adjust", {**grounds, "rejection_reason": "既往症不属保险责任"})
    page = web.page(cid)
    section = page[page.index('id="liability-medical"') :][:800]
    assert "既往症不属保险责任" in section and "2024 年门诊病历" in section


def test_choosing_another_coverage_shows_its_own_terms_and_item(
    s: Settlement, client: TestClient, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-C1: an accident claim on two coverages — the form opens on the first not
    # yet adjusted; choosing the other re-renders it with that coverage's ratio (90%),
    # deductible (¥100.00) and its own liability ticked
    holder = s.w.policies["MED-MILLION"].policyholder_id  # type: ignore[attr-defined]
    policy = issue_policy(db, version_id=demo_version(db, "ACC-PLUS").id, policyholder_id=holder)
    policy.org_unit_id = s.w.policies["MED-MILLION"].org_unit_id  # type: ignore[attr-defined]
    s.w.policies["ACC-PLUS"] = policy
    db.commit()
    cid = walk_to_assessed(
        s.w,
        clock,
        policy="ACC-PLUS",
        report={"coverage_codes": ["disability", "acc_medical"], "loss_cause": "accident"},
        assessment={
            "coverage_code": "disability",
            "injuries": [{"description": "左手无名指", "grade": 9}],
        },
        more_assessments=(
            {
                "coverage_code": "acc_medical",
                "lines": [{"description": "清创缝合", "amount": "1100.00", "catalog": "A"}],
            },
        ),
    )
    web = ClaimPages(client, db)
    web.login("adjuster")
    first = web.open(cid, "adjust")
    assert first.fields["coverage_code"].value == "disability"
    assert first.fields["covered_item__disability__disability"].checked
    assert not first.fields["covered_item__disability__death"].checked
    assert "20%" in first.html  # grade 9 (PER-3)
    other = web.refresh(cid, "adjust", {"coverage_code": "acc_medical"})
    assert other.fields["covered_item__acc_medical__acc_medical"].checked
    assert not other.fields["covered_item__acc_medical__disability"].checked
    assert "90%" in other.html and "¥100.00" in other.html
    web.do(cid, "adjust", {"coverage_code": "acc_medical"}, form=other)
    (decision,) = db.scalars(select(AdjustmentResult).where(AdjustmentResult.claim_id == cid)).all()
    assert (decision.coverage_code, decision.covered_item_codes) == ("acc_medical", ["acc_medical"])
    # (1,100 − 100) × 90% = 900.00
    assert decision.payable == Decimal("900.00")
    # The form now opens on the coverage still to adjust.
    assert web.open(cid, "adjust").fields["coverage_code"].value == "disability"


def test_a_covered_decision_after_the_policys_termination_is_refused_beside_it(
    s: Settlement, client: TestClient, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-C1, POL-3: the page goes through the same service: the loss (2026-09-28)
    # is on the surrender's effective day, so "covered" is refused beside the liability
    # choice with both days; the written decline is signed
    from claimdesk.models.policy import Policy

    cid = _assessed(s, clock)
    policy = db.get_one(Policy, s.w.policies["MED-MILLION"].id)  # type: ignore[attr-defined]
    policy.status, policy.terminated_on = "terminated", dt.date(2026, 9, 28)
    db.commit()
    web = ClaimPages(client, db)
    web.login("adjuster")
    refused = web.refused(cid, "adjust", {"liability": "covered"})
    message = error_beside(refused, "adjust", "liability")
    assert "出险日期 2026年9月28日 在保单解除生效日 2026年9月28日 当日或之后" in message
    db.expire_all()
    assert db.scalars(select(AdjustmentResult).where(AdjustmentResult.claim_id == cid)).all() == []
    web.do(
        cid,
        "adjust",
        {
            "liability": "not_covered",
            "rejection_reason": "出险时保单已解除",
            "rejection_clause": "第二十条 合同解除",
            "rejection_evidence": "保单解除批单",
        },
    )
    assert "出险时保单已解除" in web.page(cid)


def _warning(html: str) -> str:
    """The adjust form's cover warning as read: badge and sentence, tags removed."""
    start = html.index('id="adjust-cover_warning"')
    paragraph = html[start : html.index("</p>", start)]
    return " ".join(re.sub(r"<[^>]+>", " ", paragraph.split(">", 1)[1]).split())


def test_the_form_warns_before_signing_that_the_termination_ended_the_cover(
    s: Settlement, client: TestClient, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-C1, POL-3, GEN-6: the loss (2026-09-28) is on the day the termination
    # took effect — recorded after the assessment — so the form says so before the
    # button, in the queue badge's words, with what a covered decision will meet, in the
    # reader's language; the warning comes before the liability choice
    from claimdesk.models.policy import Policy

    cid = _assessed(s, clock)
    policy = db.get_one(Policy, s.w.policies["MED-MILLION"].id)  # type: ignore[attr-defined]
    policy.status, policy.terminated_on = "terminated", dt.date(2026, 9, 28)
    db.commit()
    web = ClaimPages(client, db)
    web.login("adjuster")
    form = web.open(cid, "adjust")
    said = _warning(form.html)
    assert said.startswith("保单已于 2026年9月28日 解除 ")
    assert (
        "出险日期 2026年9月28日 在保单解除生效日（2026年9月28日）当日或之后，保单已不再承保" in said
    )
    assert "认定属保险责任将被拒绝：请认定不属保险责任" in form.html
    assert form.html.index('id="adjust-cover_warning"') < form.html.index('id="adjust-liability"')
    english = client.get(f"/claims/{cid}/actions/adjust?lang=en").text
    assert _warning(english).startswith("Policy terminated from 28 Sep 2026 ")
    assert "A covered decision will be refused" in english


def test_the_form_warns_of_a_loss_outside_the_period_with_its_dates(
    s: Settlement, client: TestClient, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-C1: the period corrected to start the day after the loss — the badge's
    # "outside the period" and the period's own dates
    from claimdesk.models.policy import Policy

    cid = _assessed(s, clock)
    policy = db.get_one(Policy, s.w.policies["MED-MILLION"].id)  # type: ignore[attr-defined]
    policy.period_start = dt.date(2026, 9, 29)
    db.commit()
    web = ClaimPages(client, db)
    web.login("adjuster")
    said = _warning(web.open(cid, "adjust").html)
    assert said.startswith("保险期间外出险 ")
    assert "出险日期 2026年9月28日 不在保险期间（2026年9月29日 至 2026年12月31日）内" in said


def test_a_covered_loss_has_no_warning_even_on_a_later_termination(
    s: Settlement, client: TestClient, db: Session, clock: FrozenClock
) -> None:
    # SPEC CLM-C1, POL-3: terminated with effect the day after the loss — covered, the
    # form opens without a warning
    from claimdesk.models.policy import Policy

    cid = _assessed(s, clock)
    policy = db.get_one(Policy, s.w.policies["MED-MILLION"].id)  # type: ignore[attr-defined]
    policy.status, policy.terminated_on = "terminated", dt.date(2026, 9, 29)
    db.commit()
    web = ClaimPages(client, db)
    web.login("adjuster")
    form = web.open(cid, "adjust")
    assert "cover_warning" not in form.html and "保单已于" not in form.html
