"""An error names the field of the request the client sent (GEN-6): the API's extend
request calls the reason ``reason``; the page form calls it ``extension_reason``."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.builders import login_headers, make_user
from tests.service.helpers import make_person, seed_calendar


def test_extend_without_a_reason_names_the_requests_field(db: Session, client: TestClient) -> None:
    # SPEC GEN-6 SVC-3
    seed_calendar(db)
    make_user(db, username="desk_ext", roles=("service_agent",))
    person = make_person(db)
    db.commit()
    desk = login_headers(client, "desk_ext")
    created = client.post(
        "/api/v1/complaints",
        json={
            "person_id": person.id,
            "contact": "13800138000",
            "channel": "phone",
            "complaint_type": "claims",
            "cause": "delay",
            "description": "慢",
        },
        headers=desk,
    )
    assert created.status_code == 201, created.text
    extend = client.post(f"/api/v1/complaints/{created.json()['id']}/extend", json={}, headers=desk)
    assert extend.status_code == 422, extend.text
    assert extend.json()["error"]["field"] == "reason"
