"""The portal's complaint and service-request forms as a customer meets them: a complaint
is taken with the mobile number on file, a refusal keeps what was typed, another
customer's claim or policy cannot be named, and the customer sees their own complaints
and requests with where each stands."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.models.service import Complaint, ServiceRecord
from tests.builders import (
    demo_version,
    issue_policy,
    make_claim,
    make_person,
    make_user,
    resident_id,
    seed_calendar,
)
from tests.web.helpers import customer_login, form_token

PHONE = "13812345678"


def _two_customers(db: Session):  # type: ignore[no-untyped-def]
    """customer ``cust`` with a medical policy, and another person with a policy and a claim."""
    seed_calendar(db, years=(2025, 2026))
    version = demo_version(db, "MED-MILLION")
    mine = make_person(db, phone=PHONE)
    make_user(db, username="cust", roles=["customer"], person_id=mine.id)
    own_policy = issue_policy(db, version_id=version.id, policyholder_id=mine.id)
    other = make_person(db, name="李四", id_number=resident_id(seq="456"), phone="13900001111")
    other_policy = issue_policy(db, version_id=version.id, policyholder_id=other.id)
    other_claim = make_claim(db, number="BA20260928000009", policy=other_policy)
    db.commit()
    return mine, own_policy, other_policy, other_claim


def _count(db: Session, model: type) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def test_a_complaint_from_the_portal_is_taken_with_the_number_on_file(
    client: TestClient, db: Session
) -> None:
    # SPEC SVC-3 (complaints received on any channel), SVC-2; the form has no contact field
    mine, _own, _other_policy, _other_claim = _two_customers(db)
    customer_login(client, db, "cust", PHONE)
    sent = client.post(
        "/portal/service/complaint",
        data={
            "csrf_token": form_token(client, "/portal/service"),
            "claim_id": "",
            "cause": "delay",
            "description": "等了三周还没有消息",
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    (complaint,) = db.scalars(select(Complaint)).all()
    assert complaint.person_id == mine.id and complaint.contact == PHONE
    assert complaint.channel == "web_app"
    # The customer sees it under the forms, with where it stands.
    shown = client.get(sent.headers["location"]).text
    mine_list = shown.split('id="my-complaints"')[1]
    # By its number (SVC-3, migration 0058), not the database id.
    assert complaint.number in mine_list and "已受理登记" in mine_list
    assert f"#{complaint.id}" not in mine_list


def test_another_customers_claim_is_refused_and_the_text_is_kept(
    client: TestClient, db: Session
) -> None:
    # SPEC SEC-4 (customers see and name only their own claims), GEN-6 (field named, nothing written)
    _mine, _own, _other_policy, other_claim = _two_customers(db)
    customer_login(client, db, "cust", PHONE)
    refused = client.post(
        "/portal/service/complaint",
        data={
            "csrf_token": form_token(client, "/portal/service"),
            "claim_id": str(other_claim.id),
            "cause": "attitude",
            "description": "一段很长的经过，不该丢失",
        },
    )
    assert refused.status_code == 422
    message = re.search(r'id="complaint-error">([^<]*)<', refused.text)
    assert message and message.group(1).startswith("案件：")
    assert "一段很长的经过，不该丢失</textarea>" in refused.text
    assert '<option value="attitude" selected>' in refused.text
    assert _count(db, Complaint) == 0


def test_another_customers_policy_is_refused_in_a_service_request(
    client: TestClient, db: Session
) -> None:
    # SPEC SEC-4, SVC-1 (policy service requests), GEN-6
    _mine, own_policy, other_policy, _claim = _two_customers(db)
    customer_login(client, db, "cust", PHONE)
    token = form_token(client, "/portal/service")
    data = {
        "csrf_token": token,
        "service_type": "policy_change",
        "subject": "改地址",
        "request": "",
    }
    refused = client.post(
        "/portal/service/request", data={**data, "policy_id": str(other_policy.id)}
    )
    assert refused.status_code == 422
    message = re.search(r'id="request-error">([^<]*)<', refused.text)
    assert message and message.group(1).startswith("保单：")
    assert 'value="改地址"' in refused.text
    assert _count(db, ServiceRecord) == 0
    taken = client.post(
        "/portal/service/request",
        data={**data, "policy_id": str(own_policy.id)},
        follow_redirects=False,
    )
    assert taken.status_code == 303
    assert db.scalars(select(ServiceRecord.policy_id)).all() == [own_policy.id]


def test_an_empty_complaint_names_its_description_field(client: TestClient, db: Session) -> None:
    # SPEC GEN-6 (the field named as the form says it, not a bill line's "项目")
    _two_customers(db)
    customer_login(client, db, "cust", PHONE)
    refused = client.post(
        "/portal/service/complaint",
        data={
            "csrf_token": form_token(client, "/portal/service"),
            "claim_id": "",
            "cause": "delay",
            "description": "   ",
        },
    )
    assert refused.status_code == 422
    message = re.search(r'id="complaint-error">([^<]*)<', refused.text)
    assert message and message.group(1).startswith("投诉经过："), message  # the story asked
    assert _count(db, Complaint) == 0


def test_the_customer_answers_a_decided_complaint(client: TestClient, db: Session) -> None:
    # SPEC SVC-3 (decided, then accepted or escalated, then archived), GEN-6
    from claimdesk.auth.principal import Principal
    from claimdesk.service import service

    mine, _own, _other_policy, _claim = _two_customers(db)
    desk = Principal.system("test")
    complaint = service.file_complaint(
        db,
        actor=desk,
        person_id=mine.id,
        contact=PHONE,
        channel="phone",
        complaint_type="service",
        cause="delay",
        description="太慢",
    )
    service.decide_complaint(
        db, actor=desk, complaint_id=complaint.id, outcome="rejected", decision="不予支持"
    )
    db.commit()
    customer_login(client, db, "cust", PHONE)
    page = client.get("/portal/service").text
    assert f'id="respond-{complaint.id}"' in page and "不予支持" in page
    token = form_token(client, "/portal/service")
    address = f"/portal/service/complaints/{complaint.id}/response"
    refused = client.post(address, data={"csrf_token": token, "response": "escalated"})
    assert refused.status_code == 422
    assert "请选择继续申诉的途径" in refused.text and "None" not in refused.text
    db.expire_all()
    assert db.get(Complaint, complaint.id).status == "decided"  # type: ignore[union-attr]
    taken = client.post(
        address,
        data={"csrf_token": token, "response": "escalated", "route": "regulator"},
        follow_redirects=False,
    )
    assert taken.status_code == 303
    db.expire_all()
    stored = db.get(Complaint, complaint.id)
    assert stored is not None and stored.status == "escalated"
    assert stored.escalation_route == "regulator"
    assert f'id="respond-{complaint.id}"' not in client.get("/portal/service").text
