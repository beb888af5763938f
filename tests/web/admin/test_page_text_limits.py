"""A page takes no longer text than the API (GEN-6): the service desk and security
incident pages build the API's own in-schema from their forms, so a text over the
schema's limit — which the browser's maxlength only hides — is refused beside its field,
in zh-CN and English, and nothing is stored."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.field_labels import field_words
from claimdesk.models.security_incident import SecurityIncident
from claimdesk.models.service import Complaint, ServiceRecord
from claimdesk.service import service
from tests.builders import make_person
from tests.security.helpers import API as INCIDENTS
from tests.security.helpers import build_staff, incident_body


@dataclass(frozen=True)
class Case:
    route: str  # {complaint}, {record}, {incident} filled in
    field: str
    limit: int
    form: dict[str, str]


DESK = [
    Case("/desk/complaints/{complaint}/acknowledge", "progress_note", 4000, {}),
    Case("/desk/complaints/{complaint}/extend", "extension_reason", 2000, {}),
    Case(
        "/desk/complaints/{acknowledged}/decide",
        "extension_reason",
        2000,
        {"outcome": "upheld", "decision": "支持"},
    ),
    Case("/desk/consultations/{record}/answer", "outcome", 4000, {}),
    Case("/desk/consultations/{answered}/close", "outcome", 4000, {}),
]
NEW_INCIDENT = {"title": "外联", "description": "告警", "severity": "high"}
SECURITY = [
    Case("/admin/security-incidents", "affected_systems", 2000, NEW_INCIDENT),
    Case(
        "/admin/security-incidents",
        "affected_data",
        2000,
        {**NEW_INCIDENT, "affected_systems": "db"},
    ),
    Case("/admin/security-incidents/{incident}/containment-actions", "description", 4000, {}),
    Case(
        "/admin/security-incidents/{incident}/containment-actions",
        "performed_by",
        100,
        {"kind": "isolate", "description": "下线"},
    ),
    Case("/admin/security-incidents/{incident}/contain", "note", 4000, {}),
    Case(
        "/admin/security-incidents/{rooted}/corrective-actions",
        "description",
        4000,
        {"owner_id": "{owner}", "due_on": "2026-10-01"},
    ),
    Case("/admin/security-incidents/{rooted}/corrective-actions/{action}/done", "note", 4000, {}),
    Case("/admin/security-incidents/{rooted}/correct", "note", 4000, {}),
]
API = "/api/v1"


def _made(response: Any, status: int = 201) -> Any:
    assert response.status_code == status, response.text
    return response.json()


@pytest.fixture
def world(db: Session, client, monkeypatch) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    staff = build_staff(db, client, monkeypatch, "2026-09-21 09:00")
    person = make_person(db)
    db.commit()
    agent, admin = staff.h["agent"], staff.h["admin"]
    complaint = {
        "person_id": person.id,
        "contact": "13800001111",
        "channel": "phone",
        "complaint_type": "service",
        "cause": "attitude",
        "description": "态度差",
    }
    received = _made(client.post(f"{API}/complaints", json=complaint, headers=agent))
    acknowledged = _made(client.post(f"{API}/complaints", json=complaint, headers=agent))
    _made(
        client.post(
            f"{API}/complaints/{acknowledged['id']}/acknowledge",
            json={"progress_note": "已受理"},
            headers=agent,
        ),
        200,
    )
    system = Principal.system("test")
    records = [
        service.open_service_record(
            db,
            actor=system,
            service_type="consultation",
            channel="phone",
            person_id=person.id,
            subject="保单贷款",
        )
        for _ in range(2)
    ]
    service.answer_service_record(db, actor=system, record_id=records[1].id, outcome="已答复")
    db.commit()
    incident = _made(client.post(INCIDENTS, json=incident_body(), headers=admin))
    rooted = _made(client.post(INCIDENTS, json=incident_body(), headers=admin))
    path = f"{INCIDENTS}/{rooted['id']}"
    _made(
        client.post(
            f"{path}/containment-actions",
            json={"kind": "isolate", "description": "下线"},
            headers=admin,
        )
    )
    _made(client.post(f"{path}/contain", json={}, headers=admin), 200)
    _made(
        client.post(
            f"{path}/root-cause",
            json={"root_cause": "弱口令", "category": "misconfiguration"},
            headers=admin,
        ),
        200,
    )
    action = _made(
        client.post(
            f"{path}/corrective-actions",
            json={"description": "改口令", "owner_id": staff.ids["agent"], "due_on": "2026-09-23"},
            headers=admin,
        )
    )
    return {
        "complaint": received["id"],
        "acknowledged": acknowledged["id"],
        "record": records[0].id,
        "answered": records[1].id,
        "incident": incident["id"],
        "rooted": rooted["id"],
        "action": action["id"],
        "owner": staff.ids["agent"],
        "headers": staff.h,
    }


def _stored(db: Session) -> list[Any]:
    """Everything a refused desk or incident form could have written."""
    db.expire_all()
    rows: list[Any] = []
    for model in (Complaint, ServiceRecord, SecurityIncident):
        for row in db.scalars(select(model).order_by(model.id)):
            rows.append({c.key: getattr(row, c.key) for c in model.__table__.columns})
    rows.append(db.scalar(select(func.count()).select_from(Complaint)))
    return rows


@pytest.mark.parametrize(
    ("user", "case"),
    [("agent", case) for case in DESK] + [("admin", case) for case in SECURITY],
    ids=lambda v: v if isinstance(v, str) else f"{v.route}:{v.field}",
)
def test_a_text_over_the_apis_limit_is_refused_on_the_page(
    db: Session, client, world: dict[str, Any], user: str, case: Case
) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-6: the page holds the API's limits, names field and rule, changes nothing
    headers = world["headers"][user]
    route = case.route.format(**world)
    before = _stored(db)
    form = {
        "person_id": "",
        "complaint_type": "service",
        "cause": "attitude",
        **{name: value.format(**world) for name, value in case.form.items()},
        case.field: "长" * (case.limit + 1),
    }
    chinese = client.post(route, data=form, headers=headers, follow_redirects=False)
    assert chinese.status_code == 422, chinese.text[:500]
    # The message names the field and its rule in the reader's language.
    assert f"{field_words(case.field, 'zh-CN')}：最多 {case.limit} 个字符" in chinese.text
    english = client.post(f"{route}?lang=en", data=form, headers=headers, follow_redirects=False)
    assert english.status_code == 422
    assert f"{field_words(case.field, 'en')}: at most {case.limit} characters" in english.text
    assert _stored(db) == before
