"""Refusals of the security incident API (SEC-7, GEN-6): an illegal move is a 409 with a
named error and changes nothing; bad input is a 422 naming the field and changes
nothing; the administrator's time limits apply to stages that open afterwards."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.models.audit import AuditEntry
from claimdesk.models.clock import Clock
from claimdesk.models.security_incident import (
    SecurityIncident,
    SecurityIncidentContainmentAction,
    SecurityIncidentCorrectiveAction,
    SecurityIncidentTimeLimit,
    SecurityIncidentTransition,
)
from tests.builders import make_person, make_user
from tests.security.helpers import API, build_staff, due, incident_body, local, ok
from tests.wording import names_field


def _snapshot(db: Session) -> dict[str, Any]:
    """Everything a refused call could have changed."""
    db.expire_all()
    counts = {
        model.__name__: db.scalar(select(func.count()).select_from(model))
        for model in (
            SecurityIncident,
            SecurityIncidentContainmentAction,
            SecurityIncidentCorrectiveAction,
            SecurityIncidentTransition,
            SecurityIncidentTimeLimit,
            Clock,
            AuditEntry,
        )
    }
    states = db.execute(select(SecurityIncident.id, SecurityIncident.state)).all()
    stopped = db.execute(select(Clock.id, Clock.stopped_at)).all()
    return {"counts": counts, "states": sorted(states), "clocks": sorted(stopped)}


@pytest.fixture
def staff(db: Session, client, monkeypatch):  # type: ignore[no-untyped-def]
    return build_staff(db, client, monkeypatch, "2026-09-21 09:00")


def _report(staff, **overrides: Any) -> int:  # type: ignore[no-untyped-def]
    body = incident_body(**overrides)
    return int(ok(staff.client.post(API, json=body, headers=staff.h["admin"]), 201)["id"])


@pytest.mark.parametrize(
    ("path", "body", "code"),
    [
        ("root-cause", {"root_cause": "x", "category": "other"}, "illegal_transition"),
        ("correct", {}, "illegal_transition"),
        ("review", {"outcome": "effective", "notes": "x"}, "illegal_transition"),
        ("contain", {}, "containment_missing"),
        (
            "corrective-actions",
            {"description": "x", "owner_id": 1, "due_on": "2026-12-31"},
            "step_not_allowed",
        ),
    ],
)
def test_illegal_moves_are_409_and_change_nothing(
    path: str, body: dict[str, Any], code: str, db: Session, staff
) -> None:  # SPEC SEC-7 GEN-6
    incident_id = _report(staff)
    before = _snapshot(db)
    response = staff.client.post(f"{API}/{incident_id}/{path}", json=body, headers=staff.h["admin"])
    assert response.status_code == 409, response.text
    error = response.json()["error"]
    assert error["code"] == f"security_incident_{code}"
    assert "reported" in error["message"] or code == "containment_missing"
    assert _snapshot(db) == before


def test_corrections_cannot_be_confirmed_while_an_action_is_open(
    db: Session, staff
) -> None:  # SPEC SEC-7
    client, admin = staff.client, staff.h["admin"]
    incident_id = _report(staff)
    ok(
        client.post(
            f"{API}/{incident_id}/containment-actions",
            json={"kind": "repair", "description": "打补丁"},
            headers=admin,
        ),
        201,
    )
    # A containment step once contained is refused: the stage is over.
    ok(client.post(f"{API}/{incident_id}/contain", json={}, headers=admin))
    late = client.post(
        f"{API}/{incident_id}/containment-actions",
        json={"kind": "restore", "description": "恢复"},
        headers=admin,
    )
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "security_incident_step_not_allowed"
    ok(
        client.post(
            f"{API}/{incident_id}/root-cause",
            json={"root_cause": "未打补丁", "category": "software_defect"},
            headers=admin,
        )
    )
    none_yet = client.post(f"{API}/{incident_id}/correct", json={}, headers=admin)
    assert none_yet.json()["error"]["code"] == "security_incident_corrective_missing"
    action = ok(
        client.post(
            f"{API}/{incident_id}/corrective-actions",
            json={
                "description": "补丁流程",
                "owner_id": staff.ids["agent"],
                "due_on": "2026-09-30",
            },
            headers=admin,
        ),
        201,
    )
    before = _snapshot(db)
    still_open = client.post(f"{API}/{incident_id}/correct", json={}, headers=admin)
    assert still_open.status_code == 409
    assert still_open.json()["error"]["code"] == "security_incident_corrective_open"
    assert _snapshot(db) == before
    ok(
        client.post(
            f"{API}/{incident_id}/corrective-actions/{action['id']}/done", json={}, headers=admin
        )
    )
    twice = client.post(
        f"{API}/{incident_id}/corrective-actions/{action['id']}/done", json={}, headers=admin
    )
    assert twice.status_code == 409
    assert twice.json()["error"]["code"] == "security_incident_corrective_done"
    # GEN-2, GEN-6: the time it was done as people write it, not ISO text.
    english = client.post(
        f"{API}/{incident_id}/corrective-actions/{action['id']}/done?lang=en",
        json={},
        headers=admin,
    ).json()["error"]["message"]
    assert re.search(r"already done at \d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}$", english)
    assert re.search(
        r"已于 \d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2} 完成", twice.json()["error"]["message"]
    )


def test_a_detection_time_after_now_is_refused_with_now_in_words(
    db: Session, staff
) -> None:  # SPEC SEC-7 GEN-2 GEN-6
    body = incident_body(detected_at="2026-09-22T08:30:00+08:00")
    for lang, now in (("zh-CN", "2026年9月21日 09:00"), ("en", "21 Sep 2026 09:00")):
        r = staff.client.post(f"{API}?lang={lang}", json=body, headers=staff.h["admin"])
        assert r.status_code == 422, r.text
        error = r.json()["error"]
        assert error["code"] == "security_incident_time_in_future"
        assert error["message"] == (
            f"发现时间：时间不能晚于现在（{now}）"
            if lang == "zh-CN"
            else f"Time detected: the time may not be later than now ({now})"
        )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"severity": "urgent"}, "severity"),
        ({"title": "   "}, "title"),
        ({"affected_systems": ""}, "affected_systems"),
        ({"description": None}, "description"),
        ({"detected_at": "2026-09-21T10:00:00+08:00"}, "detected_at"),  # in the future
        ({"detected_at": "2026-09-21T08:00:00"}, "detected_at"),  # no UTC offset
        ({"detected_at": "yesterday"}, "detected_at"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_bad_report_names_the_field_and_changes_nothing(
    overrides: dict[str, Any], field: str, db: Session, staff
) -> None:  # SPEC SEC-7 GEN-6
    before = _snapshot(db)
    response = staff.client.post(API, json=incident_body(**overrides), headers=staff.h["agent"])
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field
    assert names_field(response.json()["error"]["message"], field)
    assert _snapshot(db) == before


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("containment-actions", {"kind": "reboot", "description": "x"}, "kind"),
        ("containment-actions", {"kind": "isolate", "description": " "}, "description"),
        (
            "containment-actions",
            {"kind": "isolate", "description": "x", "performed_at": "2026-09-21T08:00:00+08:00"},
            "performed_at",  # before the detection at 08:30
        ),
    ],
)
def test_bad_stage_input_names_the_field(
    path: str, body: dict[str, Any], field: str, db: Session, staff
) -> None:  # SPEC SEC-7 GEN-6
    incident_id = _report(staff)
    before = _snapshot(db)
    response = staff.client.post(f"{API}/{incident_id}/{path}", json=body, headers=staff.h["admin"])
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field
    assert _snapshot(db) == before


def test_bad_root_cause_and_corrective_input_name_the_field(
    db: Session, staff
) -> None:  # SPEC SEC-7 GEN-6
    client, admin = staff.client, staff.h["admin"]
    incident_id = _report(staff)
    ok(
        client.post(
            f"{API}/{incident_id}/containment-actions",
            json={"kind": "isolate", "description": "x"},
            headers=admin,
        ),
        201,
    )
    ok(client.post(f"{API}/{incident_id}/contain", json={}, headers=admin))
    for body, field in (
        ({"root_cause": "x", "category": "bad_luck"}, "category"),
        ({"root_cause": "", "category": "other"}, "root_cause"),
    ):
        response = client.post(f"{API}/{incident_id}/root-cause", json=body, headers=admin)
        assert (response.status_code, response.json()["error"]["field"]) == (422, field)
    ok(
        client.post(
            f"{API}/{incident_id}/root-cause",
            json={"root_cause": "x", "category": "other"},
            headers=admin,
        )
    )
    customer = make_user(db, username="cust", roles=["customer"], person_id=make_person(db).id)
    db.commit()
    before = _snapshot(db)
    good = {"description": "x", "owner_id": staff.ids["agent"], "due_on": "2026-09-30"}
    for change, field in (
        ({"owner_id": 99999}, "owner_id"),
        ({"owner_id": customer.id}, "owner_id"),  # a customer's login answers for nothing
        ({"due_on": "2026-09-20"}, "due_on"),  # before today (21 Sep)
        ({"due_on": "2026-02-30"}, "due_on"),
        ({"description": " "}, "description"),
    ):
        response = client.post(
            f"{API}/{incident_id}/corrective-actions", json={**good, **change}, headers=admin
        )
        assert response.status_code == 422, response.text
        assert response.json()["error"]["field"] == field
    assert _snapshot(db) == before


def test_administrator_sets_time_limits_for_new_stages_only(
    db: Session, staff
) -> None:  # SPEC SEC-7 GEN-4 GEN-5
    client, admin = staff.client, staff.h["admin"]
    limits = ok(client.get(f"{API}/time-limits", headers=staff.h["auditor"]))
    assert len(limits) == 20
    critical_contain = next(
        r for r in limits if (r["severity"], r["stage"]) == ("critical", "contain")
    )
    assert critical_contain["rule_type"] == "hours" and critical_contain["n"] == 2
    assert critical_contain["is_default"] is True

    running = _report(staff)  # its containment clock started with the 2 h default
    changed = ok(
        client.put(
            f"{API}/time-limits/critical/contain",
            json={"rule_type": "hours", "n": 4},
            headers=admin,
        )
    )
    assert (changed["n"], changed["is_default"], changed["default_n"]) == (4, False, 2)
    audit = db.scalars(
        select(AuditEntry).where(AuditEntry.action == "security_incident.time_limit_set")
    ).one()
    assert audit.entity_id == "critical:contain" and '"before":"hours:2"' in audit.details

    staff.clock.set("2026-09-21 09:30")
    newer = ok(client.post(API, json=incident_body(), headers=admin), 201)
    assert due(newer, "contain") == local("2026-09-21 13:30")  # 4 h now
    old = ok(client.get(f"{API}/{running}", headers=admin))
    assert due(old, "contain") == local("2026-09-21 11:00")  # keeps its 2 h rule

    before = _snapshot(db)
    for path, body, field in (
        ("urgent/contain", {"rule_type": "hours", "n": 4}, "severity"),
        ("critical/lunch", {"rule_type": "hours", "n": 4}, "stage"),
        ("critical/contain", {"rule_type": "weeks", "n": 4}, "rule_type"),
        ("critical/contain", {"rule_type": "hours", "n": 0}, "n"),
        ("critical/contain", {"rule_type": "hours"}, "n"),
    ):
        response = client.put(f"{API}/time-limits/{path}", json=body, headers=admin)
        assert response.status_code == 422, response.text
        assert response.json()["error"]["field"] == field
    assert _snapshot(db) == before
    refused = client.put(
        f"{API}/time-limits/critical/contain",
        json={"rule_type": "hours", "n": 8},
        headers=staff.h["auditor"],
    )
    assert refused.status_code == 403
