"""The claim page offers only what the user may do now (issue 12): every staff role ×
claims in each working state. For each move of the transition table that the page
offers under its own name, the service accepts it; for each such move the page does
NOT offer, the service refuses it. The review decision likewise. Each attempt runs in a
savepoint that is rolled back, so the claims stay as built.

("免查勘" was offered on a ¥25,000 claim and then refused with "不能执行操作 skip_survey".)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.claims import workflow
from claimdesk.claims.repository import get_claim
from claimdesk.claims.settlement import review
from claimdesk.errors import ClaimdeskError, NotFound
from claimdesk.models.user import User
from claimdesk.web.claims.pages import ACTIONS, offered_actions
from tests.builders import make_user
from tests.claims.helpers import FrozenClock, local
from tests.claims.steps import (
    ALL_CHECKS,
    API,
    MEDICAL_50K,
    Settlement,
    build_settlement,
    ok,
    walk_to_adjusted,
)

# The moves the page offers under their own name and that a generic transition makes
# (the survey report form writes what its guard checks, so submit_survey is the form's).
MOVES = tuple(
    m.action
    for m in workflow.MOVES
    if m.action in ACTIONS
    and m.sources
    and m.action != "submit_survey"
    and not getattr(m.guard, "service_only", False)
)
USERS = (
    "handler",
    "surveyor",
    "surveyor2",
    "assessor",
    "adjuster",
    "supervisor",
    "reviewer1",
    "reviewer2",
    "reviewer3",
    "cashier",
    "investigator",
    "agent",
    "auditor",
)


def _report(s: Settlement, *, estimate: str, receive: bool) -> dict[str, Any]:
    w = s.w
    claim = ok(
        w.client.post(
            API,
            json={
                "channel": "hotline",
                "policy_number": w.policies["MED-MILLION"].number,  # type: ignore[attr-defined]
                "claimant_name": "李四",
                "contact_phone": "13912345678",
                "loss_date": "2026-09-28",
                "loss_place": "北京",
                "loss_cause": "illness",
                "loss_overview": "住院",
                "estimated_amount": estimate,
                "coverage_codes": ["medical"],
            },
            headers=w.h["handler"],
        ),
        201,
    )
    if receive:
        for item in claim["checklist"]:
            ok(
                w.client.post(
                    f"{API}/{claim['id']}/materials/receive",
                    json={"code": item["code"]},
                    headers=w.h["handler"],
                )
            )
    return claim


def build_claims(s: Settlement, clock: FrozenClock) -> dict[str, int]:
    """One claim per working situation, built through the API."""
    w, c = s.w, s.w.client
    h = w.h["handler"]
    built: dict[str, int] = {}
    built["reported, materials missing"] = _report(s, estimate="3000", receive=False)["id"]
    built["reported, materials in"] = _report(s, estimate="3000", receive=True)["id"]
    cid = _report(s, estimate="3000", receive=False)["id"]
    ok(c.post(f"{API}/{cid}/materials-notice", json={}, headers=h))
    built["awaiting materials"] = cid
    for name, estimate in (("accepted, ¥3,000", "3000"), ("accepted, ¥25,000", "25000")):
        cid = _report(s, estimate=estimate, receive=True)["id"]
        ok(c.post(f"{API}/{cid}/accept", json={}, headers=h))
        built[name] = cid
    cid = _report(s, estimate="25000", receive=True)["id"]
    ok(c.post(f"{API}/{cid}/accept", json={}, headers=h))
    ok(c.post(f"{API}/{cid}/survey/assign", json={"surveyor_id": w.users["surveyor"]}, headers=h))
    built["accepted, surveyor assigned"] = cid
    cid = _report(s, estimate="3000", receive=False)["id"]
    ok(c.post(f"{API}/{cid}/fraud-flags", json={"description": "发票可疑"}, headers=h))
    built["suspended"] = cid
    cid = _report(s, estimate="3000", receive=False)["id"]
    ok(c.post(f"{API}/{cid}/transitions/withdraw", json={}, headers=h))
    built["withdrawn"] = cid
    cid = walk_to_adjusted(w, clock, policy="MED-MILLION", assessment=MEDICAL_50K)
    built["adjusted"] = cid
    cid = walk_to_adjusted(w, clock, policy="MED-MILLION", assessment=MEDICAL_50K)
    ok(c.post(f"{API}/{cid}/review/submit", json={}, headers=w.h["adjuster"]))
    built["in review"] = cid
    return built


def _principal(db: Session, username: str) -> Principal:
    from sqlalchemy import select

    from claimdesk.models.user import UserRole

    user = db.query(User).filter_by(username=username).one()
    roles = db.scalars(select(UserRole.role).where(UserRole.user_id == user.id)).all()
    return Principal.build(
        user_id=user.id, username=user.username, roles=roles, org_unit_id=user.org_unit_id
    )


def _refusal(db: Session, attempt: Callable[[], Any]) -> ClaimdeskError | None:
    """Run the service call in a savepoint and roll it back: its refusal, or None."""
    savepoint = db.begin_nested()
    try:
        attempt()
        db.flush()
        return None
    except ClaimdeskError as refused:
        return refused
    finally:
        savepoint.rollback()
        db.info.pop("claimdesk.audit.pending", None)
        db.expire_all()


def move_through_service(db: Session, principal: Principal, claim_id: int, action: str) -> None:
    """The move as its service makes it (the notice's service fills the notice)."""
    from claimdesk.claims.intake import acceptance

    claim = get_claim(db, actor=principal, claim_id=claim_id)
    if action == "request_materials":
        acceptance.send_missing_notice(db, actor=principal, claim=claim)
        return
    workflow.transition(db, claim=claim, action=action, actor=principal, reason="matrix")


@pytest.fixture
def world(
    settlement_db: None, client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> tuple[Settlement, dict[str, int]]:
    clock = FrozenClock(monkeypatch, local("2026-09-30T09:00:00"))
    s = build_settlement(db, client)
    hq = db.query(User).filter_by(username="handler").one().org_unit_id
    from claimdesk.models.org import OrgUnit

    make_user(db, username="auditor", roles=["compliance_auditor"], org_unit=db.get(OrgUnit, hq))
    db.commit()
    claims = build_claims(s, clock)
    clock.set("2026-09-30T16:00:00")
    db.expire_all()
    return s, claims


def test_every_offered_action_is_accepted_and_every_other_refused(
    world: tuple[Settlement, dict[str, int]], db: Session
) -> None:
    # SPEC SEC-4 (least privilege), CLM-F2, CLM-V1 (tiers, four eyes), GEN-5 (the table)
    _s, claims = world
    wrong: list[str] = []
    walked = 0
    for username in USERS:
        principal = _principal(db, username)
        for situation, claim_id in claims.items():
            try:
                claim = get_claim(db, actor=principal, claim_id=claim_id)
            except NotFound:
                continue  # outside the user's rows (a surveyor's other claims): no page at all
            offered = {form.action for form in offered_actions(db, principal, claim)}
            for action in MOVES:
                move = workflow.MOVES_BY_ACTION[action]
                if claim.state not in move.sources and claim.state != workflow.SUSPENDED:
                    continue
                refused = _refusal(
                    db, lambda a=action: move_through_service(db, principal, claim_id, a)
                )
                walked += 1
                if (action in offered) == (refused is not None):
                    why = refused.code if refused else "accepted"
                    wrong.append(
                        f"{username} · {situation} · {action}: offered={action in offered}, {why}"
                    )
            if claim.state == workflow.IN_REVIEW:
                refused = _refusal(
                    db,
                    lambda: review.decide(
                        db,
                        actor=principal,
                        claim=get_claim(db, actor=principal, claim_id=claim_id),
                        data=review.DecisionIn(decision="approve", checklist=ALL_CHECKS),
                    ),
                )
                walked += 1
                if ("decide" in offered) == (refused is not None):
                    wrong.append(
                        f"{username} · {situation} · decide: offered={'decide' in offered}"
                    )
    assert walked > 50
    assert wrong == [], "\n".join(wrong)


def test_skip_survey_is_offered_only_where_the_skip_rule_holds(
    world: tuple[Settlement, dict[str, int]], db: Session
) -> None:
    # SPEC section 3 (a small medical claim with complete materials may skip the survey)
    _s, claims = world
    handler = _principal(db, "handler")

    def offered(situation: str) -> set[str]:
        claim = get_claim(db, actor=handler, claim_id=claims[situation])
        return {f.action for f in offered_actions(db, handler, claim)}

    assert "skip_survey" in offered("accepted, ¥3,000")
    assert "skip_survey" not in offered("accepted, ¥25,000")
    assert "accept" in offered("reported, materials in")
    assert "accept" not in offered("reported, materials missing")
