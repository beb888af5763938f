"""Policy service requests start at the service desk and drive the policy operations
with their own deadlines (SVC-1, POL-2, POL-3, POL-4)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from claimdesk.models.clock import Clock
from claimdesk.models.policy import Policy, PolicyChange
from claimdesk.models.service import ServiceRecord
from tests.builders import (
    demo_version,
    issue_policy,
    login_headers,
    make_person,
    make_user,
    resident_id,
    seed_calendar,
)

SH = dt.timezone(dt.timedelta(hours=8))


def _policy(db):  # type: ignore[no-untyped-def]
    seed_calendar(db, years=(2025, 2026))
    version = demo_version(db)
    holder = make_person(
        db, name="周客户", id_number=resident_id(birth="19800101", seq="201"), phone="13900001111"
    )
    policy = issue_policy(db, version_id=version.id, policyholder_id=holder.id)
    return holder, policy


def test_change_request_from_the_desk_starts_the_two_working_day_clock(db, client):
    # SPEC SVC-1 POL-2: the request is a service record and a policy change; its clock runs
    # over National Day 2026 (requested 30 Sep → due 9 Oct 23:59:59 local).
    holder, policy = _policy(db)
    spouse = make_person(
        db, name="周配偶", id_number=resident_id(birth="19820303", seq="203"), phone="13900003333"
    )
    make_user(db, username="desk", roles=["service_agent"])
    db.commit()
    body = {
        "kind": "change",
        "policy_id": policy.id,
        "channel": "phone",
        "person_id": holder.id,
        "received_at": "2026-09-30T10:00:00+08:00",
        "change": {
            "kind": "change",
            "description": "指定配偶为受益人",
            "beneficiaries": [{"person_id": spouse.id, "relationship": "配偶", "share": "100.00"}],
            "effective_date": "2026-10-10",
            "customer_consent": True,
            "customer_consent_method": "phone_recorded",
        },
    }
    response = client.post(
        "/api/v1/service/policy-requests", json=body, headers=login_headers(client, "desk")
    )
    assert response.status_code == 201, response.text
    out = response.json()
    assert out["service_type"] == "policy_change" and out["policy_change_id"] is not None
    change = db.get(PolicyChange, out["policy_change_id"])
    assert change is not None and change.policy_id == policy.id
    clock = db.scalars(
        select(Clock).where(
            Clock.subject_type == "policy_change", Clock.subject_id == str(change.id)
        )
    ).one()
    assert (clock.rule_type, clock.rule_n) == ("working_days", 2)
    assert clock.due_at.astimezone(SH) == dt.datetime(2026, 10, 9, 23, 59, 59, tzinfo=SH)


def test_renewal_request_makes_a_linked_new_term(db, client, monkeypatch):
    # SPEC SVC-1 POL-4 (the desk's clock set after the request came in: a received time
    # later than now is refused, SVC-4)
    from claimdesk.service import service as desk_service

    monkeypatch.setattr(desk_service, "utcnow", lambda: dt.datetime(2026, 12, 20, 3, tzinfo=dt.UTC))
    holder, policy = _policy(db)
    make_user(db, username="desk", roles=["service_agent"])
    db.commit()
    response = client.post(
        "/api/v1/service/policy-requests",
        json={
            "kind": "renewal",
            "policy_id": policy.id,
            "channel": "branch",
            "person_id": holder.id,
            "received_at": "2026-12-20T10:00:00+08:00",
        },
        headers=login_headers(client, "desk"),
    )
    assert response.status_code == 201, response.text
    renewed = db.get(Policy, response.json()["renewed_policy_id"])
    assert renewed is not None and renewed.previous_policy_id == policy.id
    assert renewed.period_start == policy.period_end + dt.timedelta(days=1)


def test_change_without_its_details_is_refused_and_nothing_written(db, client):
    # SPEC SVC-1 GEN-6
    holder, policy = _policy(db)
    make_user(db, username="desk", roles=["service_agent"])
    db.commit()
    before = db.scalar(select(func.count()).select_from(ServiceRecord))
    response = client.post(
        "/api/v1/service/policy-requests",
        json={
            "kind": "termination",
            "policy_id": policy.id,
            "channel": "phone",
            "person_id": holder.id,
        },
        headers=login_headers(client, "desk"),
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "change"
    assert db.scalar(select(func.count()).select_from(ServiceRecord)) == before


def test_customer_cannot_ask_about_someone_elses_policy(db, client):
    # SPEC SEC-4 SVC-1: row-level — another customer's policy is not found.
    _holder, policy = _policy(db)
    other = make_person(
        db, name="吴他人", id_number=resident_id(birth="19850505", seq="202"), phone="13900002222"
    )
    make_user(db, username="other", roles=["customer"], person_id=other.id)
    db.commit()
    response = client.post(
        "/api/v1/service/policy-requests",
        json={"kind": "renewal", "policy_id": policy.id, "channel": "web_app"},
        headers=login_headers(client, "other"),
    )
    assert response.status_code == 404
    assert db.scalar(select(func.count()).select_from(ServiceRecord)) == 0
