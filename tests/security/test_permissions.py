"""Who may do what with security incidents (SEC-7, SEC-4): every member of staff
reports and sees the incidents they reported; the compliance auditor and the
administrator read all; only the administrator works the stages and sets the limits;
customers have no access."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from claimdesk.auth.permissions import Role
from claimdesk.auth.principal import Principal
from tests.builders import login_headers, make_person, make_user
from tests.security.helpers import API, build_staff, incident_body, ok

READ_ALL = {Role.ADMINISTRATOR, Role.COMPLIANCE_AUDITOR}
MANAGE = {Role.ADMINISTRATOR}


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_role_may_report_read_and_manage_as_granted(
    role: Role, db: Session, client, monkeypatch
) -> None:  # SPEC SEC-7 SEC-4
    staff = build_staff(db, client, monkeypatch, "2026-09-21 09:00")
    # Someone else's incident (reported by the service agent).
    theirs = ok(client.post(API, json=incident_body(), headers=staff.h["agent"]), 201)["id"]
    person_id = make_person(db).id if role is Role.CUSTOMER else None
    make_user(db, username=f"who_{role.value}", roles=[role.value], person_id=person_id)
    db.commit()
    headers = login_headers(client, f"who_{role.value}")

    reported = client.post(API, json=incident_body(title="可疑邮件"), headers=headers)
    if role is Role.CUSTOMER:
        assert reported.status_code == 403
        assert client.get(API, headers=headers).status_code == 403
        assert client.get(f"{API}/{theirs}", headers=headers).status_code == 403
    else:
        assert reported.status_code == 201, reported.text
        mine = reported.json()["id"]
        assert reported.json()["reporter_name"] == f"who_{role.value}"
        listed = {row["id"] for row in ok(client.get(API, headers=headers))["items"]}
        assert mine in listed
        assert (theirs in listed) is (role in READ_ALL)
        other = client.get(f"{API}/{theirs}", headers=headers)
        assert other.status_code == (200 if role in READ_ALL else 404)

    limits = client.get(f"{API}/time-limits", headers=headers)
    assert limits.status_code == (200 if role in READ_ALL else 403)
    step = client.post(
        f"{API}/{theirs}/containment-actions",
        json={"kind": "isolate", "description": "断网"},
        headers=headers,
    )
    assert step.status_code == (201 if role in MANAGE else 403), step.text
    contain = client.post(f"{API}/{theirs}/contain", json={}, headers=headers)
    assert contain.status_code == (200 if role in MANAGE else 403), contain.text
    setting = client.put(
        f"{API}/time-limits/low/report", json={"rule_type": "hours", "n": 12}, headers=headers
    )
    assert setting.status_code == (200 if role in MANAGE else 403)


def test_the_workflow_refuses_a_move_without_the_permission(db: Session) -> None:
    # SPEC SEC-7 SEC-4: the transition table itself checks the permission, not only the
    # route (a service called from elsewhere cannot skip it).
    from claimdesk.errors import PermissionDenied
    from claimdesk.models.security_incident import SecurityIncident
    from claimdesk.security import workflow

    incident = SecurityIncident(state="reported")
    agent = Principal.build(user_id=1, username="a", roles={"service_agent"})
    admin = Principal.build(user_id=2, username="b", roles={"administrator"})
    with pytest.raises(PermissionDenied):
        workflow.check(incident, "contain", agent)
    assert workflow.check(incident, "contain", admin).target == "contained"
    assert workflow.allowed_actions(incident, agent) == []
    assert workflow.allowed_actions(incident, admin) == ["contain"]
