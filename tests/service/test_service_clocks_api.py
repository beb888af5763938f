"""The service desk's deadlines in the API (SPEC GEN-4, SVC-3, SVC-4): each response
carries its clocks — due time, the rule that made it, its basis and state — and an
extension is refused once the decision deadline has passed (409, zh/en)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.models.job import OutboxMessage
from claimdesk.models.service import Complaint
from claimdesk.service.errors import ExtensionAfterDeadline
from tests.builders import login_headers, make_org_unit, make_user
from tests.service.helpers import make_person, seed_calendar

API = "/api/v1"


def _desk(db: Session, client: TestClient, language: str = "zh-CN") -> dict[str, str]:
    seed_calendar(db)
    branch = make_org_unit(db, code="GZ01", name="广州分公司", kind="branch")
    user = make_user(db, username=f"desk_{language}", roles=("service_agent",), org_unit=branch)
    user.language = language
    db.commit()
    return login_headers(client, user.username)


def _complaint(client: TestClient, desk: dict[str, str], person_id: int) -> dict[str, Any]:
    created = client.post(
        f"{API}/complaints",
        json={
            "person_id": person_id,
            "contact": "13800138000",
            "channel": "phone",
            "complaint_type": "service",
            "cause": "delay",
            "description": "理赔进度太慢",
            "received_at": "2026-09-28T10:00:00+08:00",
        },
        headers=desk,
    )
    assert created.status_code == 201, created.text
    return created.json()


def _by_name(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in body["clocks"]}


def test_consultation_shows_its_two_hour_answer_clock(db: Session, client: TestClient) -> None:
    # SPEC SVC-4 GEN-4: received Thu 1 Oct (a holiday) 22:30 → due 2 Oct 00:30, hours
    # run around the clock; the rule and the standard it comes from are shown.
    desk = _desk(db, client, language="en")
    person = make_person(db)
    db.commit()
    opened = client.post(
        f"{API}/service/records",
        json={
            "service_type": "consultation",
            "channel": "phone",
            "person_id": person.id,
            "subject": "重疾险等待期",
            "received_at": "2026-10-01T22:30:00+08:00",
        },
        headers=desk,
    )
    assert opened.status_code == 201, opened.text
    body = opened.json()
    assert body["answer_due_at"].startswith("2026-10-01T16:30:00")  # 00:30 +08:00
    (clock,) = body["clocks"]
    assert clock["name"] == "service.consultation_answer"
    assert (clock["rule_type"], clock["rule_n"], clock["rule_label"]) == ("hours", 2, "2 hours")
    # The basis in the caller's language, as the rule label: no Chinese, no SPEC ID
    assert clock["basis"] == (
        "Health Insurance Service Standards 8.2.1(2): a consultation is answered within 2 hours"
    )
    assert clock["due_local"].startswith("2026-10-02T00:30:00")
    assert (clock["stopped"], clock["met"], clock["breached"]) == (False, None, False)
    answered = client.post(
        f"{API}/service/records/{body['id']}/answer",
        json={"outcome": "已说明等待期", "at": "2026-10-02T00:10:00+08:00"},
        headers=desk,
    )
    assert answered.status_code == 200, answered.text
    (clock,) = answered.json()["clocks"]
    assert (clock["stopped"], clock["met"]) == (True, True)
    listed = client.get(f"{API}/service/records", headers=desk).json()["items"]
    assert [r["clocks"][0]["met"] for r in listed if r["id"] == body["id"]] == [True]


def test_complaint_shows_acknowledgement_and_decision_clocks(
    db: Session, client: TestClient
) -> None:
    # SPEC SVC-3 GEN-4: received Mon 28 Sep 10:00. Acknowledgement: 24 hours → 29 Sep
    # 10:00. Decision: the earlier of 15 working days (23 Oct) and 15 days (13 Oct).
    desk = _desk(db, client)
    person = make_person(db)
    db.commit()
    body = _complaint(client, desk, person.id)
    assert body["acknowledgement_due_at"].startswith("2026-09-29T02:00:00")  # 10:00 +08:00
    clocks = _by_name(body)
    assert set(clocks) == {"complaint.acknowledgement", "complaint.decision"}
    ack, decision = clocks["complaint.acknowledgement"], clocks["complaint.decision"]
    assert (ack["rule_type"], ack["rule_n"], ack["rule_label"]) == ("hours", 24, "24 小时")
    assert "24小时内确认" in ack["basis"] and "SVC-3" not in ack["basis"]
    assert (decision["rule_type"], decision["rule_n"]) == ("days", 15)
    assert decision["rule_label"] == "15 日（遇节假日顺延）"
    assert "15个工作日" in decision["basis"] and "取其早" in decision["basis"]
    assert decision["due_local"].startswith("2026-10-13T23:59:59")
    acknowledged = client.post(
        f"{API}/complaints/{body['id']}/acknowledge",
        json={"progress_note": "已受理", "at": "2026-09-29T11:00:00+08:00"},
        headers=desk,
    )
    late_ack = _by_name(acknowledged.json())["complaint.acknowledgement"]
    assert (late_ack["stopped"], late_ack["met"]) == (True, False)  # an hour late
    fetched = client.get(f"{API}/complaints/{body['id']}", headers=desk).json()
    assert _by_name(fetched)["complaint.decision"]["stopped"] is False


def test_extension_in_time_counts_30_days_from_receipt_and_tells_the_complainant(
    db: Session, client: TestClient
) -> None:
    # SPEC SVC-3 GEN-4: asked on 13 Oct 20:00, inside the 15 days (due 13 Oct 23:59:59):
    # 30 days from the receipt on 28 Sep → Wed 28 Oct, the rule and basis shown, and
    # the complainant told through the outbox.
    desk = _desk(db, client)
    person = make_person(db)
    db.commit()
    body = _complaint(client, desk, person.id)
    extended = client.post(
        f"{API}/complaints/{body['id']}/extend",
        json={"reason": "需调取医院病历", "at": "2026-10-13T20:00:00+08:00"},
        headers=desk,
    )
    assert extended.status_code == 200, extended.text
    data = extended.json()
    assert data["decision_rule"] == "days:30"
    assert data["decision_due_at"].startswith("2026-10-28T15:59:59")
    decision = _by_name(data)["complaint.decision"]
    assert (decision["rule_type"], decision["rule_n"]) == ("days", 30)
    assert decision["started_at"].startswith("2026-09-28T02:00:00")  # still the receipt
    assert decision["due_local"].startswith("2026-10-28T23:59:59")
    assert "延长至30日" in decision["basis"] and "告知投诉人" in decision["basis"]
    notices = db.scalars(
        select(OutboxMessage).where(
            OutboxMessage.template == "complaint_extended",
            OutboxMessage.related_id == str(body["id"]),
        )
    ).all()
    assert len(notices) == 1 and notices[0].recipient == "13800138000"
    assert "2026年10月28日" in notices[0].body and "需调取医院病历" in notices[0].body


def test_extension_after_the_deadline_is_refused_and_changes_nothing(
    db: Session, client: TestClient
) -> None:
    # SPEC SVC-3 GEN-4 GEN-6: asked on 14 Oct 00:00:01, after the 15-day deadline of
    # 13 Oct 23:59:59 — a 30-day deadline (28 Oct) must not replace a missed one.
    desk = _desk(db, client)
    person = make_person(db)
    db.commit()
    body = _complaint(client, desk, person.id)
    refused = client.post(
        f"{API}/complaints/{body['id']}/extend",
        json={"reason": "需调取医院病历", "at": "2026-10-14T00:00:01+08:00"},
        headers=desk,
    )
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert error["code"] == "extension_after_deadline" and error["field"] == "reason"
    assert "2026-10-13T23:59:59" in error["message"] and "不能再延期" in error["message"]
    english = ExtensionAfterDeadline(field="reason", due="2026-10-13T23:59:59+08:00")
    assert english.message("en") == (
        "Reason: the decision deadline ran out at 2026-10-13T23:59:59+08:00; it can no "
        "longer be extended, and a decision now is recorded as late"
    )
    db.expire_all()
    stored = db.get(Complaint, body["id"])
    assert stored is not None and stored.extended_at is None
    assert (stored.decision_rule_type, stored.decision_rule_n) == ("days", 15)
    fetched = client.get(f"{API}/complaints/{body['id']}", headers=desk).json()
    decision = _by_name(fetched)["complaint.decision"]
    assert (decision["rule_type"], decision["rule_n"]) == ("days", 15)
    assert (
        db.scalars(
            select(OutboxMessage).where(OutboxMessage.template == "complaint_extended")
        ).all()
        == []
    )
    # The late decision is then recorded against the 15 days: missed.
    decided = client.post(
        f"{API}/complaints/{body['id']}/decide",
        json={"outcome": "upheld", "decision": "致歉", "at": "2026-10-14T09:00:00+08:00"},
        headers=desk,
    )
    assert decided.status_code == 200, decided.text
    decision = _by_name(decided.json())["complaint.decision"]
    assert (decision["stopped"], decision["met"]) == (True, False)
