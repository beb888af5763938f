"""Claims analysis queries against a seeded data set whose figures are worked out by
hand below (SPEC CLM-Q2, GEN-7). Rows are written directly, so the figures depend on
nothing but the report definitions in claims/analytics.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from claimdesk.models.claim import Claim, ClaimTransition
from claimdesk.models.clock import Clock
from claimdesk.models.event import ClaimDispute
from tests.builders import (
    demo_version,
    issue_policy,
    login_headers,
    make_org_unit,
    make_person,
    make_user,
    seed_calendar,
)
from tests.claims.helpers import local

API = "/api/v1/reports/claims"
H = dt.timedelta(hours=1)


def _claim(
    db: Session,
    policy_id: int,
    person_id: int,
    number: str,
    *,
    line: str,
    state: str,
    unit: int | None,
    received: dt.datetime,
) -> Claim:
    claim = Claim(
        number=number,
        state=state,
        policy_id=policy_id,
        coverage_codes=[],
        line=line,
        channel="hotline",
        insured_person_id=person_id,
        claimant_name="李四",
        loss_date=received.date(),
        loss_place="北京",
        loss_cause="illness",
        loss_overview="x",
        received_at=received,
        entered_at=received,
        org_unit_id=unit,
    )
    db.add(claim)
    db.flush()
    return claim


def _moves(
    db: Session,
    claim: Claim,
    start: dt.datetime,
    steps: list[tuple[str, str, str, dt.timedelta, str | None]],
) -> None:
    for action, source, target, offset, reason in steps:
        db.add(
            ClaimTransition(
                claim_id=claim.id,
                action=action,
                from_state=source,
                to_state=target,
                at=start + offset,
                actor="seed",
                reason=reason,
            )
        )


def _clock(
    db: Session,
    subject: tuple[str, int],
    name: str,
    unit: int | None,
    started: dt.datetime,
    due: dt.datetime,
    *,
    stopped: dt.datetime | None = None,
    breached: bool = False,
) -> None:
    db.add(
        Clock(
            subject_type=subject[0],
            subject_id=str(subject[1]),
            name=name,
            rule_type="hours",
            rule_n=1,
            org_unit_id=unit,
            started_at=started,
            due_at=due,
            stopped_at=stopped,
            breached_at=due if breached else None,
        )
    )


@pytest.fixture
def seeded(db: Session, client: TestClient) -> dict[str, dict[str, str]]:
    seed_calendar(db, years=(2026,))
    hq = make_org_unit(db)
    sz = make_org_unit(db, code="SZ", name="深圳分公司", kind="branch")
    person = make_person(db)
    policy = issue_policy(db, version_id=demo_version(db).id, policyholder_id=person.id)
    pid, who = policy.id, person.id
    # c1 health/adjusted/HQ, received 30 Sep 23:30 local (a September claim).
    t1 = local("2026-09-30T23:30:00")
    c1 = _claim(db, pid, who, "BA1", line="health", state="adjusted", unit=hq.id, received=t1)
    # c2 property/rejected/SZ, received 1 Oct 00:30 local = 30 Sep 16:30 UTC (October).
    t2 = local("2026-10-01T00:30:00")
    c2 = _claim(db, pid, who, "BA2", line="property", state="rejected", unit=sz.id, received=t2)
    # c3 health/reported/no unit; c4 property/rejected for fraud/SZ.
    t3 = local("2026-10-15T09:00:00")
    c3 = _claim(db, pid, who, "BA3", line="health", state="reported", unit=None, received=t3)
    t4 = local("2026-10-20T09:00:00")
    c4 = _claim(db, pid, who, "BA4", line="property", state="rejected", unit=sz.id, received=t4)
    _moves(
        db,
        c1,
        t1,
        [
            ("report", "", "reported", 0 * H, None),
            ("accept", "reported", "accepted", 2 * H + dt.timedelta(minutes=20), None),
            ("assign_surveyor", "accepted", "accepted", 3 * H, None),
            ("skip_survey", "accepted", "surveyed", 5 * H, None),
            ("complete_assessment", "surveyed", "assessed", 29 * H, None),
            ("complete_adjustment", "assessed", "adjusted", 30 * H, None),
        ],
    )
    _moves(
        db,
        c2,
        t2,
        [
            ("report", "", "reported", 0 * H, None),
            ("accept", "reported", "accepted", 4 * H, None),
            ("submit_survey", "accepted", "surveyed", 10 * H, None),
            ("complete_assessment", "surveyed", "assessed", 20 * H, None),
            ("complete_adjustment", "assessed", "adjusted", 21 * H, None),
            ("submit_review", "adjusted", "in_review", 22 * H, None),
            ("reject", "in_review", "rejected", 46 * H, "既往症未如实告知"),
        ],
    )
    _moves(db, c3, t3, [("report", "", "reported", 0 * H, None)])
    _moves(
        db,
        c4,
        t4,
        [
            ("report", "", "reported", 0 * H, None),
            ("suspend", "reported", "suspended", 1 * H, "伪造"),
            ("confirm_fraud_reject", "suspended", "rejected", 7 * H, "编造事故"),
        ],
    )
    _clock(db, ("claim", c1.id), "claim.review", hq.id, t1, t1 + 72 * H, stopped=t1 + 30 * H)
    _clock(db, ("claim", c2.id), "claim.review", sz.id, t2, t2 + 24 * H, stopped=t2 + 46 * H)
    _clock(db, ("claim", c3.id), "claim.review", None, t3, t3 + 72 * H)
    _clock(db, ("claim", c3.id), "claim.determination", None, t3, t3 + 1 * H, breached=True)
    _clock(db, ("complaint", 1), "complaint.decision", hq.id, t3, t3 + H, breached=True)
    auditor = make_user(db, username="auditor", roles=["compliance_auditor"], org_unit=hq)
    make_user(db, username="handler", roles=["claims_handler"], org_unit=hq)
    d1 = ClaimDispute(
        claim_id=c2.id,
        org_unit_id=sz.id,
        description="x",
        disputed_amount=Decimal("3000.00"),
        size="small",
        responder_id=auditor.id,
        received_at=t2 + 50 * H,
        answered_at=t2 + 51 * H,
        path="negotiation",
        status="resolved",
        outcome="settled",
    )
    d2 = ClaimDispute(
        claim_id=c4.id,
        org_unit_id=sz.id,
        description="y",
        disputed_amount=Decimal("90000.00"),
        size="large",
        responder_id=auditor.id,
        received_at=t4 + 10 * H,
        status="open",
    )
    db.add_all([d1, d2])
    db.flush()
    _clock(
        db,
        ("claim_dispute", d1.id),
        "claim_dispute.response",
        sz.id,
        d1.received_at,
        d1.received_at + 2 * H,
        stopped=d1.received_at + H,
    )
    _clock(
        db,
        ("claim_dispute", d2.id),
        "claim_dispute.response",
        sz.id,
        d2.received_at,
        d2.received_at + 2 * H,
    )
    db.commit()
    return {
        "auditor": login_headers(client, "auditor"),
        "handler": login_headers(client, "handler"),
    }


def test_claims_analysis_figures(seeded: dict[str, dict[str, str]], client: TestClient) -> None:
    # SPEC CLM-Q2 GEN-7
    h = seeded["auditor"]
    assert client.get(f"{API}/volumes", headers=seeded["handler"]).status_code == 403
    r = client.get(f"{API}/volumes", headers=h)
    assert r.status_code == 200
    assert r.json() == {
        "total": 4,
        "by_line": {"health": 2, "property": 2},
        "by_state": {"adjusted": 1, "rejected": 2, "reported": 1},
        "by_branch": {"-": 1, "HQ": 1, "SZ": 2},
        "by_month": {"2026-09": 1, "2026-10": 3},  # local months, not UTC
    }
    r = client.get(f"{API}/volumes", params={"from": "2026-10-01", "to": "2026-10-15"}, headers=h)
    assert r.json()["total"] == 2 and r.json()["by_line"] == {"health": 1, "property": 1}

    # reported: c1 2h20m, c2 4h, c4 1h → avg 2.44…, p90 (3rd of 3) 4h.
    # accepted: c1 2h40m (the surveyor assignment keeps the state), c2 6h.
    # surveyed: 24h, 10h; assessed: 1h, 1h; adjusted: c2 1h; in_review: 24h; suspended: 6h.
    steps = {row["state"]: row for row in client.get(f"{API}/step-times", headers=h).json()}
    assert list(steps) == [
        "reported",
        "accepted",
        "surveyed",
        "assessed",
        "adjusted",
        "in_review",
        "suspended",
    ]
    assert steps["reported"] == {
        "state": "reported",
        "count": 3,
        "avg_hours": "2.44",
        "p90_hours": "4.00",
    }
    assert steps["accepted"]["avg_hours"] == "4.33" and steps["accepted"]["p90_hours"] == "6.00"
    assert steps["surveyed"]["avg_hours"] == "17.00" and steps["surveyed"]["p90_hours"] == "24.00"
    assert steps["in_review"]["count"] == 1 and steps["suspended"]["avg_hours"] == "6.00"

    sla = client.get(f"{API}/sla", headers=h).json()
    assert sla == [
        {
            "clock": "claim.determination",
            "branch": "-",
            "month": "2026-10",
            "governed": 1,
            "met": 0,
            "breached": 1,
            "open": 0,
            "ended_early": 0,
        },
        {
            "clock": "claim.review",
            "branch": "-",
            "month": "2026-10",
            "governed": 1,
            "met": 0,
            "breached": 0,
            "open": 1,
            "ended_early": 0,
        },
        {
            "clock": "claim.review",
            "branch": "HQ",
            "month": "2026-09",
            "governed": 1,
            "met": 1,
            "breached": 0,
            "open": 0,
            "ended_early": 0,
        },
        {
            "clock": "claim.review",
            "branch": "SZ",
            "month": "2026-10",
            "governed": 1,
            "met": 0,
            "breached": 1,
            "open": 0,
            "ended_early": 0,
        },
        {
            "clock": "claim_dispute.response",
            "branch": "SZ",
            "month": "2026-10",
            "governed": 2,
            "met": 1,
            "breached": 0,
            "open": 1,
            "ended_early": 0,
        },
    ]

    assert client.get(f"{API}/rejections", headers=h).json() == [
        {"reason": "fraud", "count": 1, "by_line": {"property": 1}},
        {"reason": "既往症未如实告知", "count": 1, "by_line": {"property": 1}},
    ]
    assert client.get(f"{API}/disputes", headers=h).json() == {
        "total": 2,
        "answered_in_time": 1,
        "by_size": {"large": 1, "small": 1},
        "by_status": {"open": 1, "resolved": 1},
        "by_path": {"negotiation": 1, "none": 1},
        "by_outcome": {"pending": 1, "settled": 1},
        "by_month": {"2026-10": 2},
    }
    r = client.get(f"{API}/disputes", params={"from": "2026-13-01"}, headers=h)
    assert r.status_code == 422
