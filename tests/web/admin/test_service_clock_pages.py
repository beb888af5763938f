"""Desk pages show each deadline with its rule and basis (SPEC GEN-4, SVC-3, SVC-4), and
refuse an extension asked after the decision deadline in place (409)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.models.service import Complaint
from claimdesk.service import service
from tests.builders import login_headers, make_org_unit, make_user
from tests.service.helpers import local, make_person, seed_calendar

SYSTEM = Principal.system("test")


@pytest.fixture
def agent(db: Session, client: TestClient) -> dict[str, str]:
    seed_calendar(db)
    make_user(db, username="desk_pages", roles=["service_agent"], org_unit=make_org_unit(db))
    db.commit()
    return login_headers(client, "desk_pages")


def _freeze(monkeypatch: pytest.MonkeyPatch, *parts: int) -> None:
    now = local(*parts)
    monkeypatch.setattr(service, "utcnow", lambda: now)
    # The page module is loaded with the app (by the client fixture), so by name.
    monkeypatch.setattr("claimdesk.web.admin.service.utcnow", lambda: now)


def test_consultations_page_shows_the_answer_clock_with_rule_and_basis(
    db: Session, client: TestClient, agent: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC SVC-4 GEN-4
    _freeze(monkeypatch, 2026, 10, 12, 11, 0)
    person = make_person(db)
    service.open_service_record(
        db,
        actor=SYSTEM,
        service_type="consultation",
        channel="phone",
        person_id=person.id,
        subject="保单贷款",
        received_at=local(2026, 10, 12, 9, 0),
    )
    db.commit()
    page = client.get("/desk/consultations?lang=en", headers=agent)
    assert page.status_code == 200
    assert "Answer due" in page.text and "2 hours" in page.text
    assert "8.2.1(2)" in page.text and "12 Oct 2026 11:00" in page.text
    assert "Breached" not in page.text
    zh = client.get("/desk/consultations?lang=zh-CN", headers=agent)
    assert "答复时限" in zh.text and "2 小时" in zh.text


def test_extension_after_the_deadline_is_refused_on_the_page(
    db: Session, client: TestClient, agent: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC SVC-3 GEN-4 GEN-6: received 28 Sep, due 13 Oct 23:59:59; asked on 14 Oct.
    _freeze(monkeypatch, 2026, 10, 14, 9, 0)
    person = make_person(db)
    complaint = service.file_complaint(
        db,
        actor=SYSTEM,
        person_id=person.id,
        contact="13800138000",
        channel="phone",
        complaint_type="service",
        cause="delay",
        description="理赔进度太慢",
        received_at=local(2026, 9, 28, 10, 0),
    )
    db.commit()
    shown = client.get(f"/desk/complaints/{complaint.id}?lang=en", headers=agent)
    assert 'id="form-extend"' not in shown.text
    assert "can no longer be extended" in shown.text
    assert "15 days (moved past holidays)" in shown.text
    refused = client.post(
        f"/desk/complaints/{complaint.id}/extend",
        data={"extension_reason": "需调取医院病历"},
        headers=agent,
        follow_redirects=False,
    )
    assert refused.status_code == 409
    assert "the decision deadline ran out at 2026-10-13T23:59:59" in refused.text
    db.expire_all()
    stored = db.get(Complaint, complaint.id)
    assert stored is not None and stored.extended_at is None
