"""The claim page names a review tier by the role that decides it, as that role's users
read it (理赔主管（一级核赔） / Claims supervisor (review tier 1)), never as a bare
number ("Next tier to decide: 2", "级别 1"); the survey report's signer is labelled like
the page's other field labels ("Signed by").
# SPEC CLM-V1 (the three tiers and their roles), CLM-S3 (the signed survey report), GEN-2"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from claimdesk.models.claim import SurveyAssignment, SurveyReport
from claimdesk.models.review import ReviewDecision, ReviewRound
from claimdesk.models.user import User
from tests.claims.helpers import FrozenClock, World, build_world, claim_in_state, local
from tests.web.claims.claim_pages import ClaimPages


@pytest.fixture
def world(
    world_db: None, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> World:
    FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    return build_world(db, client)


def _claim_after_tier_one(db: Session, w: World) -> int:
    """In review, two tiers required, tier 1 approved: tier 2 decides next; the survey
    report signed by the surveyor."""
    cid = claim_in_state(db, w, "in_review")
    at = local("2026-09-30T09:00:00")
    assignment = SurveyAssignment(
        claim_id=cid, surveyor_id=w.users["surveyor"], assigned_at=at, plan=[]
    )
    db.add(assignment)
    db.flush()
    surveyor = db.get_one(User, w.users["surveyor"])
    db.add(
        SurveyReport(
            claim_id=cid,
            assignment_id=assignment.id,
            surveyed_at=at,
            place="北京市朝阳区",
            people="李四",
            actions="现场查看",
            conclusion="属实",
            covered=True,
            cause="疾病",
            extent="住院",
            evidence_file_ids=[],
            signed_by_id=surveyor.id,
            signed_by=surveyor.username,
            signed_at=at,
            content_hash="0" * 64,
        )
    )
    supervisor = db.get_one(User, w.users["supervisor"])
    rnd = ReviewRound(
        claim_id=cid, round=1, tiers_required=2, amount=Decimal("50000.00"), submitted_at=at
    )
    db.add(rnd)
    db.flush()
    db.add(
        ReviewDecision(
            claim_id=cid,
            round_id=rnd.id,
            tier=1,
            decision="approve",
            reviewer_id=supervisor.id,
            reviewer=supervisor.username,
            decided_at=local("2026-09-30T09:30:00"),
        )
    )
    db.commit()
    return cid


@pytest.mark.parametrize(
    ("lang", "next_tier", "decided", "signed", "bare"),
    [
        (
            "zh-CN",
            "下一级核赔：核赔专员（二级核赔）",
            "理赔主管（一级核赔） · ",
            "签字人",
            ["下一级核赔：2", "级别 1"],
        ),
        (
            "en",
            "Next tier to decide: Review specialist (review tier 2)",
            "Claims supervisor (review tier 1) · ",
            "Signed by",
            ["Next tier to decide: 2", "Tier 1 ·", "signed by"],
        ),
    ],
)
def test_review_tiers_read_as_the_role_that_decides_them(
    world: World,
    client: TestClient,
    db: Session,
    lang: str,
    next_tier: str,
    decided: str,
    signed: str,
    bare: list[str],
) -> None:
    # SPEC CLM-V1: tier 1 claims supervisor, tier 2 review specialist (the roles' own
    # labels, as the login page and the demo users show them); GEN-2 in both languages.
    cid = _claim_after_tier_one(db, world)
    web = ClaimPages(client, db)
    web.login("handler")
    page = client.get(f"/claims/{cid}?lang={lang}").text
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))
    assert next_tier in text
    assert decided in text
    for word in bare:
        assert word not in text, word
    # SPEC CLM-S3: the signer of the survey report, a field label like the others.
    survey = re.search(r'<dl class="facts" id="survey">(.*?)</dl>', page, re.S)
    assert survey is not None
    assert f"<dt>{signed}</dt>" in survey.group(1)
