"""The life of a security incident through the API with a frozen clock (SEC-7):
report → contain → root cause → corrective actions → review, each stage's due time
per severity from the default limits, and missed limits marked and escalated.

2026 arrangement (State Council): Fri 25 Sep (Mid-Autumn) and 1–7 Oct are holidays;
Sat 10 Oct is a working day. Working days after Mon 21 Sep: 22, 23, 24, 28, 29, 30 Sep,
8, 9, 10, 12, 13 … Oct.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import claimdesk.security.tasks  # noqa: F401  (registers the escalation handler)
from claimdesk.clocks import escalation
from claimdesk.models.audit import AuditEntry
from claimdesk.models.clock import Clock
from claimdesk.models.job import OutboxMessage
from tests.security.helpers import API, build_staff, clock, due, incident_body, local, ok

END = "23:59:59"

# Timeline: detected Mon 21 Sep 08:30, reported 09:00, contained 10:00, root cause
# Tue 22 Sep 09:00, corrections confirmed Wed 23 Sep 16:00, reviewed Thu 24 Sep 10:00.
# Expected due of each stage (Shanghai time), by severity, from the default limits:
EXPECTED = {
    # report 1 h from detection; contain 2 h from the report; root cause 24 h from the
    # containment; corrective actions 5 working days after Tue 22 (23, 24, 28, 29, 30
    # → 30 Sep; 25 Sep is Mid-Autumn); review 10 working days after Wed 23 (24, 28, 29,
    # 30 Sep, 8, 9, 10 (Saturday, working), 12, 13, 14 Oct).
    "critical": {
        "report": "2026-09-21T09:30",
        "contain": "2026-09-21T11:00",
        "root_cause": "2026-09-22T10:00",
        "correct": f"2026-09-30T{END}",
        "review": f"2026-10-14T{END}",
    },
    # 2 h; 8 h; 72 h; 10 working days after Tue 22 → 13 Oct; 15 after Wed 23 → 21 Oct.
    "high": {
        "report": "2026-09-21T10:30",
        "contain": "2026-09-21T17:00",
        "root_cause": "2026-09-24T10:00",
        "correct": f"2026-10-13T{END}",
        "review": f"2026-10-21T{END}",
    },
    # 8 h; 24 h; 5 working days after Mon 21 → 29 Sep; 15 after Tue 22 → 20 Oct;
    # 20 after Wed 23 → 28 Oct.
    "medium": {
        "report": "2026-09-21T16:30",
        "contain": "2026-09-22T09:00",
        "root_cause": f"2026-09-29T{END}",
        "correct": f"2026-10-20T{END}",
        "review": f"2026-10-28T{END}",
    },
    # 24 h; 3 working days after Mon 21 → Thu 24 Sep; 10 after Mon 21 → Mon 12 Oct;
    # 20 after Tue 22 → 27 Oct; 30 after Wed 23 → 11 Nov.
    "low": {
        "report": "2026-09-22T08:30",
        "contain": f"2026-09-24T{END}",
        "root_cause": f"2026-10-12T{END}",
        "correct": f"2026-10-27T{END}",
        "review": f"2026-11-11T{END}",
    },
}


def _at(text: str) -> dt.datetime:
    return local(text.replace("T", " "))


@pytest.mark.parametrize("severity", list(EXPECTED))
def test_full_life_with_each_stage_due_per_severity(
    severity: str, db: Session, client, monkeypatch
) -> None:  # SPEC SEC-7 GEN-4 GEN-5
    staff = build_staff(db, client, monkeypatch, "2026-09-21 09:00")
    admin, agent = staff.h["admin"], staff.h["agent"]
    expected = {stage: _at(text) for stage, text in EXPECTED[severity].items()}

    # Report (who: the service agent; what; severity), at 09:00.
    data = ok(client.post(API, json=incident_body(severity=severity), headers=agent), 201)
    incident_id = data["id"]
    assert data["number"] == "SI202609210001"
    assert (data["state"], data["reporter_name"]) == ("reported", "agent")
    assert data["personal_data_involved"] is True
    assert due(data, "report") == expected["report"]
    assert clock(data, "report")["met"] is True  # reported 30 min after detection
    assert due(data, "contain") == expected["contain"]
    assert data["current_clock"]["name"] == "security_incident.contain"

    # Contain: isolate and restore (what, who, when), then confirm at 10:00.
    staff.clock.set("2026-09-21 09:15")
    ok(
        client.post(
            f"{API}/{incident_id}/containment-actions",
            json={
                "kind": "isolate",
                "description": "断开 db-claims-01 外网出口，封禁境外地址",
                "performed_by": "运维值班 张伟",
                "performed_at": "2026-09-21T09:10:00+08:00",
            },
            headers=admin,
        ),
        201,
    )
    staff.clock.set("2026-09-21 09:50")
    restored = ok(
        client.post(
            f"{API}/{incident_id}/containment-actions",
            json={"kind": "restore", "description": "从 09:00 备份恢复并核验完整性"},
            headers=admin,
        ),
        201,
    )
    assert restored["performed_by"] == "admin"  # default: whoever records it
    assert dt.datetime.fromisoformat(restored["performed_at"]) == local("2026-09-21 09:50")
    staff.clock.set("2026-09-21 10:00")
    data = ok(client.post(f"{API}/{incident_id}/contain", json={}, headers=admin))
    assert data["state"] == "contained"
    assert clock(data, "contain")["met"] is True
    assert due(data, "root_cause") == expected["root_cause"]

    # Root cause, Tue 09:00.
    staff.clock.set("2026-09-22 09:00")
    data = ok(
        client.post(
            f"{API}/{incident_id}/root-cause",
            json={"root_cause": "数据库账号弱口令被撞库利用", "category": "misconfiguration"},
            headers=admin,
        )
    )
    assert (data["state"], data["root_cause_category"]) == ("root_caused", "misconfiguration")
    assert due(data, "correct") == expected["correct"]

    # Corrective actions (owner, due date), done, confirmed Wed 16:00.
    action = ok(
        client.post(
            f"{API}/{incident_id}/corrective-actions",
            json={
                "description": "全库账号改为强口令并启用双因素认证",
                "owner_id": staff.ids["agent"],
                "due_on": "2026-09-23",
            },
            headers=admin,
        ),
        201,
    )
    assert (action["owner_id"], action["done_at"]) == (staff.ids["agent"], None)
    staff.clock.set("2026-09-23 15:00")
    done = ok(
        client.post(
            f"{API}/{incident_id}/corrective-actions/{action['id']}/done",
            json={"note": "已完成并复核"},
            headers=admin,
        )
    )
    assert dt.datetime.fromisoformat(done["done_at"]) == local("2026-09-23 15:00")
    staff.clock.set("2026-09-23 16:00")
    data = ok(client.post(f"{API}/{incident_id}/correct", json={}, headers=admin))
    assert data["state"] == "corrected"
    assert due(data, "review") == expected["review"]

    # Review, Thu 10:00: effective → closed, no clock left running.
    staff.clock.set("2026-09-24 10:00")
    data = ok(
        client.post(
            f"{API}/{incident_id}/review",
            json={"outcome": "effective", "notes": "整改有效；口令策略纳入季度检查"},
            headers=admin,
        )
    )
    assert (data["state"], data["review_outcome"]) == ("reviewed", "effective")
    assert data["reviewer_id"] == staff.ids["admin"]
    assert data["current_clock"] is None and data["allowed_actions"] == []
    assert all(c["stopped"] and c["met"] for c in data["clocks"])
    assert [c["name"].split(".")[1] for c in data["clocks"]] == [
        "report",
        "contain",
        "root_cause",
        "correct",
        "review",
    ]
    assert [(t["action"], t["to_state"]) for t in data["transitions"]] == [
        ("report", "reported"),
        ("contain", "contained"),
        ("root_cause", "root_caused"),
        ("correct", "corrected"),
        ("review", "reviewed"),
    ]

    # Every step is in the audit trail.
    actions = db.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.entity_type == "security_incident")
        .where(AuditEntry.entity_id == str(incident_id))
        .order_by(AuditEntry.seq)
    ).all()
    assert actions == [
        "security_incident.report",
        "security_incident.containment_recorded",
        "security_incident.containment_recorded",
        "security_incident.contain",
        "security_incident.root_cause",
        "security_incident.corrective_action_added",
        "security_incident.corrective_action_done",
        "security_incident.correct",
        "security_incident.review",
    ]


def test_ineffective_review_sends_it_back_with_a_new_corrective_clock(
    db: Session, client, monkeypatch
) -> None:  # SPEC SEC-7
    staff = build_staff(db, client, monkeypatch, "2026-09-21 09:00")
    admin = staff.h["admin"]
    incident_id = _to_corrected(staff)
    staff.clock.set("2026-09-24 10:00")
    data = ok(
        client.post(
            f"{API}/{incident_id}/review",
            json={"outcome": "ineffective", "notes": "复测仍可撞库，需增加登录限速"},
            headers=admin,
        )
    )
    assert data["state"] == "root_caused" and data["review_outcome"] == "ineffective"
    assert data["reviewed_at"] is None and data["corrected_at"] is None
    assert data["transitions"][-1]["action"] == "rework"
    corrective = [c for c in data["clocks"] if c["name"] == "security_incident.correct"]
    assert len(corrective) == 2 and corrective[0]["stopped"] and not corrective[1]["stopped"]
    # A new 5-working-day limit from Thu 24 Sep: 28, 29, 30 Sep, 8, 9 Oct.
    assert dt.datetime.fromisoformat(corrective[1]["due_at"]) == local("2026-10-09 23:59:59")
    assert clock(data, "review")["stopped"]
    # More corrective actions may be registered again.
    ok(
        client.post(
            f"{API}/{incident_id}/corrective-actions",
            json={
                "description": "登录限速",
                "owner_id": staff.ids["admin"],
                "due_on": "2026-09-30",
            },
            headers=admin,
        ),
        201,
    )


def _to_corrected(staff, severity: str = "critical") -> int:  # type: ignore[no-untyped-def]
    client, admin = staff.client, staff.h["admin"]
    data = ok(client.post(API, json=incident_body(severity=severity), headers=admin), 201)
    incident_id = data["id"]
    ok(
        client.post(
            f"{API}/{incident_id}/containment-actions",
            json={"kind": "isolate", "description": "断网隔离"},
            headers=admin,
        ),
        201,
    )
    ok(client.post(f"{API}/{incident_id}/contain", json={}, headers=admin))
    staff.clock.set("2026-09-22 09:00")
    ok(
        client.post(
            f"{API}/{incident_id}/root-cause",
            json={"root_cause": "弱口令", "category": "human_error"},
            headers=admin,
        )
    )
    action = ok(
        client.post(
            f"{API}/{incident_id}/corrective-actions",
            json={"description": "强口令", "owner_id": staff.ids["admin"], "due_on": "2026-09-23"},
            headers=admin,
        ),
        201,
    )
    ok(
        client.post(
            f"{API}/{incident_id}/corrective-actions/{action['id']}/done", json={}, headers=admin
        )
    )
    staff.clock.set("2026-09-23 16:00")
    ok(client.post(f"{API}/{incident_id}/correct", json={}, headers=admin))
    return incident_id


def test_missed_limits_are_marked_and_escalated_once(db: Session, client, monkeypatch) -> None:
    # SPEC SEC-7 GEN-4: a critical incident reported 3 h after detection (limit 1 h) and
    # not contained within 2 h: both clocks breached by the one breach job, every
    # administrator told once per clock.
    staff = build_staff(db, client, monkeypatch, "2026-09-21 11:30")
    body = incident_body(detected_at="2026-09-21T08:30:00+08:00")
    data = ok(client.post(API, json=body, headers=staff.h["surveyor"]), 201)
    incident_id = data["id"]
    assert clock(data, "report")["met"] is False  # stopped 2 h after its due time
    assert due(data, "contain") == local("2026-09-21 13:30")

    marked, escalated = escalation.mark_and_escalate(db, now=local("2026-09-21 12:00"))
    assert [c.name for c in marked] == ["security_incident.report"]
    assert [c.name for c in escalated] == ["security_incident.report"]

    staff.clock.set("2026-09-21 14:00")
    marked, escalated = escalation.mark_and_escalate(db, now=local("2026-09-21 14:00"))
    assert [c.name for c in marked] == ["security_incident.contain"]
    assert [c.name for c in escalated] == ["security_incident.contain"]
    db.commit()
    again = escalation.mark_and_escalate(db, now=local("2026-09-21 15:00"))
    assert again == ([], [])

    contain = db.scalars(
        select(Clock).where(
            Clock.subject_type == "security_incident",
            Clock.subject_id == str(incident_id),
            Clock.name == "security_incident.contain",
        )
    ).one()
    assert contain.breached_at == contain.due_at and contain.escalated_at is not None
    told = db.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "security_incident_deadline_breached")
    ).all()
    assert sorted(m.recipient for m in told) == ["admin", "admin"]  # one per clock
    # GEN-6: the stage and the severity in words, the due time as people write it.
    contained = next(m for m in told if "控制事件" in m.body)
    assert contained.subject == "信息安全事件处置超时"
    assert "（严重）的时限“控制事件”已于 2026年9月21日 13:30 超时" in contained.body
    assert "critical" not in contained.body and "security_incident." not in contained.body
    assert all(m.related_id == str(incident_id) for m in told)
    reported = db.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "security_incident_reported")
    ).all()
    assert [m.recipient for m in reported] == ["admin"]

    # The list shows the breached running limit.
    listed = ok(client.get(API, headers=staff.h["auditor"]))["items"]
    row = next(r for r in listed if r["id"] == incident_id)
    assert row["current_clock"]["name"] == "security_incident.contain"
    assert row["current_clock"]["breached"] is True

    # Contained late: the clock stops, still recorded as missed.
    admin = staff.h["admin"]
    ok(
        client.post(
            f"{API}/{incident_id}/containment-actions",
            json={"kind": "isolate", "description": "断网"},
            headers=admin,
        ),
        201,
    )
    data = ok(client.post(f"{API}/{incident_id}/contain", json={}, headers=admin))
    assert clock(data, "contain")["met"] is False and clock(data, "contain")["breached"]


def test_an_english_administrator_is_told_in_english(db: Session, client, monkeypatch) -> None:
    # SPEC SEC-7 GEN-4 GEN-6: the report and the missed limit reach each administrator in
    # their language, the severity and the stage in words (they were Chinese, with codes).
    from claimdesk.models.user import User

    staff = build_staff(db, client, monkeypatch, "2026-09-21 11:30")
    admin = db.get(User, staff.ids["admin"])
    assert admin is not None
    admin.language = "en"
    db.commit()
    body = incident_body(detected_at="2026-09-21T08:30:00+08:00")
    incident = ok(client.post(API, json=body, headers=staff.h["surveyor"]), 201)
    escalation.mark_and_escalate(db, now=local("2026-09-21 12:00"))
    reported, breached = (
        db.scalars(select(OutboxMessage).where(OutboxMessage.template == template)).one()
        for template in ("security_incident_reported", "security_incident_deadline_breached")
    )
    assert (reported.language, reported.subject) == ("en", "Security incident reported")
    assert reported.body.startswith(f"{incident['number']} (critical): ")
    assert "found 21 Sep 2026 08:30" in reported.body
    assert breached.subject == "Security incident time limit missed"
    assert breached.body == (
        f'{incident["number"]} (critical): the time limit "Reporting the incident" was missed '
        "at 21 Sep 2026 09:30; please follow up now."
    )
