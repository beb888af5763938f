"""A loss dated outside the policy period is reported all the same, and the claim page
shows the handler the flag at once (SPEC CLM-R2)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.claims.helpers import FrozenClock, local, report_body
from tests.claims.steps import API, Settlement, build_settlement, ok
from tests.web.claims.claim_pages import ClaimPages


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    return FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))


@pytest.fixture
def s(settlement_db: None, db: Session, client: TestClient, clock: FrozenClock) -> Settlement:
    return build_settlement(db, client)


def test_a_loss_outside_the_policy_period_is_flagged_on_the_claim_page(
    s: Settlement, client: TestClient, db: Session
) -> None:
    # SPEC CLM-R2: recorded, and the handler sees it at once
    body = {
        **report_body(s.w.policies["MED-MILLION"].number),  # type: ignore[attr-defined]
        "loss_date": "2021-03-03",
    }
    claim = ok(s.w.client.post(API, json=body, headers=s.w.h["handler"]), 201)
    web = ClaimPages(client, db)
    web.login("handler")
    page = web.page(claim["id"])
    assert 'id="intake-flag-loss_outside_policy_period"' in page
    assert "出险日期 2021年3月3日 不在保单的保险期间" in page
    inside = ok(
        s.w.client.post(API, json=report_body(body["policy_number"]), headers=s.w.h["handler"]), 201
    )
    assert "intake-flag-" not in web.page(inside["id"])
