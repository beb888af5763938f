"""The staff claim page in each reader's language (GEN-2, GEN-6): a deadline's due time as
people write it, a file's material and login in words, the reviewer by name, and a label's
colon in the language's own punctuation — no code and no ISO time shown to people.
# SPEC GEN-2 GEN-6 CLM-A2 CLM-V1"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from claimdesk.models.claim import MaterialFile
from claimdesk.models.review import ReviewDecision, ReviewRound
from claimdesk.models.user import User
from tests.claims.helpers import (
    FrozenClock,
    World,
    build_world,
    claim_in_state,
    local,
    upload_file,
)
from tests.web.claims.claim_pages import ClaimPages


@pytest.fixture
def world(
    world_db: None, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> World:
    FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
    return build_world(db, client)


def _claim_with_a_file_and_a_decision(db: Session, w: World) -> int:
    cid = claim_in_state(db, w, "reported")
    r = upload_file(w, cid, "handler", purpose="material", code="claim_form")
    assert r.status_code == 201, r.text
    # As a customer's portal upload records it (password and SMS code, CLM-A2).
    db.get_one(MaterialFile, int(r.json()["id"])).auth_method = "password+sms"
    supervisor = db.get_one(User, w.users["supervisor"])
    supervisor.display_name = "王主管"
    at = local("2026-09-30T10:30:00")
    rnd = ReviewRound(
        claim_id=cid, round=1, tiers_required=1, amount=Decimal("100.00"), submitted_at=at
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
            decided_at=at,
        )
    )
    db.commit()
    return cid


@pytest.mark.parametrize(
    ("lang", "words", "codes"),
    [
        (
            "zh-CN",
            [
                "理赔申请书",
                "身份核验：密码加短信验证码",
                "王主管",
                "到期 2026年9月30日 11:00",
                "· 本级核赔通过 ·",  # the tier's decision named, as the timeline names it
            ],
            ["claim_form", "password+sms", "supervisor ·", "到期 2026-09-30", "· 通过 ·"],
        ),
        (
            "en",
            [
                "Claim form",
                "identity check: Password and SMS code",
                "王主管",
                "due 30 Sep 2026 11:00",
                "· Approved at this tier ·",  # CLM-V1: the decision named, not "Approve"
            ],
            ["claim_form", "password+sms", "supervisor ·", "due 2026-09-30", "· Approve ·"],
        ),
    ],
)
def test_the_claim_page_says_codes_and_times_in_words(
    world: World,
    client: TestClient,
    db: Session,
    lang: str,
    words: list[str],
    codes: list[str],
) -> None:
    cid = _claim_with_a_file_and_a_decision(db, world)
    web = ClaimPages(client, db)
    web.login("handler")
    page = client.get(f"/claims/{cid}?lang={lang}").text
    # What a person reads: the page's text, its tags (and the codes in attributes) left out.
    text = re.sub(r"<[^>]+>", "", page)
    for expected in words:
        assert expected in text, expected
    for code in codes:
        assert code not in text, code
    if lang == "zh-CN":
        # A label's colon is the full-width one in Chinese text.
        assert "所需核赔层级：1" in text and "所需核赔层级: " not in text
