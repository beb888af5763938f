"""Reasons the system writes in both languages on a reserve change read in the page
reader's language only; what a person typed stays as typed (FIN-1)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.claims.helpers import FrozenClock, local
from tests.claims.steps import (
    API,
    MEDICAL_25K_SI,
    Settlement,
    build_settlement,
    ok,
    walk_to_assessed,
)
from tests.web.claims.claim_pages import ClaimPages


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    return FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))


@pytest.fixture
def s(settlement_db: None, db: Session, client: TestClient, clock: FrozenClock) -> Settlement:
    return build_settlement(db, client)


def _assessed(s: Settlement, clock: FrozenClock) -> int:
    return walk_to_assessed(s.w, clock, policy="MED-MILLION", assessment=MEDICAL_25K_SI)


def test_reserve_reasons_are_shown_in_the_readers_language(
    s: Settlement, client: TestClient, db: Session, clock: FrozenClock
) -> None:
    # FIN-1: a reason the system wrote in both languages reads in one; what a person
    # typed stays as typed
    cid = _assessed(s, clock)
    ok(
        s.w.client.post(
            f"{API}/{cid}/adjustments",
            json={"coverage_code": "medical", "liability": "covered", "covered_items": ["medical"]},
            headers=s.w.h["adjuster"],
        )
    )
    web = ClaimPages(client, db)
    web.login("adjuster")
    chinese = web.page(cid)
    history = chinese[chinese.index('id="reserve-history"') :]
    history = history[: history.index("</ul>")]
    assert "理算结果" in history and "adjusted amount" not in history
    assert "材料齐全" in history  # the handler's own words at acceptance (steps.walk)
    english = client.get(f"/claims/{cid}?lang=en").text
    history = english[english.index('id="reserve-history"') :]
    history = history[: history.index("</ul>")]
    assert "adjusted amount" in history and "理算结果" not in history
