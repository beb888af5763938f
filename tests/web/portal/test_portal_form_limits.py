"""The portal's rate-the-service, service-request and respond-to-decision forms hold the
API's rules (GEN-6): each builds the API's own in-schema (SurveyIn, ServiceRecordIn,
RespondIn) through kit.checked, so a text over the schema's limit, a missing value or a
malformed one is refused naming the field and the rule, in zh-CN and English, and
nothing is stored."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.auth.principal import Principal
from claimdesk.models.service import Complaint, SatisfactionSurvey, ServiceRecord
from claimdesk.service import service
from tests.builders import (
    demo_version,
    issue_policy,
    make_claim,
    make_person,
    make_user,
    seed_calendar,
)
from tests.web.helpers import customer_login, form_token

PHONE = "13812345678"
SCORES = {"score_speed": "5", "score_attitude": "4", "score_result": "5", "score_process": "4"}


@pytest.fixture
def world(client: TestClient, db: Session) -> dict[str, Any]:
    seed_calendar(db, years=(2025, 2026))
    person = make_person(db, phone=PHONE)
    make_user(db, username="cust", roles=["customer"], person_id=person.id)
    policy = issue_policy(
        db, version_id=demo_version(db, "MED-MILLION").id, policyholder_id=person.id
    )
    claim = make_claim(db, number="BA20260928000001", policy=policy, state="paid")
    desk = Principal.system("test")
    complaint = service.file_complaint(
        db,
        actor=desk,
        person_id=person.id,
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
    return {"claim": claim.id, "complaint": complaint.id, "policy": policy.id}


def _stored(db: Session) -> list[Any]:
    """Everything a refused portal form could have written."""
    db.expire_all()
    rows: list[Any] = []
    for model in (SatisfactionSurvey, ServiceRecord, Complaint):
        for row in db.scalars(select(model).order_by(model.id)):
            rows.append({c.key: getattr(row, c.key) for c in model.__table__.columns})
    return rows


def _refused(client: TestClient, route: str, page: str, form: dict[str, str], lang: str) -> str:
    data = {"csrf_token": form_token(client, page), **form}
    answer = client.post(f"{route}?lang={lang}", data=data, follow_redirects=False)
    assert answer.status_code == 422, answer.text[:500]
    found = re.findall(r'role="alert"[^>]*>([^<]+)<', answer.text)
    assert found, answer.text[:500]
    # The rating's labels stand in quotes (“速度”：…); the rule is what is compared.
    return re.sub('[“”"]', "", " ".join(found))


# (form, what is typed, the message in zh-CN, in English)
RATINGS = [
    (
        {**SCORES, "comment": "好" * 4001},
        "意见（可选）：最多 4000 个字符",
        "Comment (optional): at most 4000 characters",
    ),
    ({**SCORES, "score_result": ""}, "处理结果：必填", "Result: required"),
    ({**SCORES, "score_speed": "五星"}, "速度：应为整数", "Speed: a whole number is needed"),
]


@pytest.mark.parametrize(
    ("form", "zh", "en"), RATINGS, ids=["comment-too-long", "score-missing", "score-malformed"]
)
def test_the_rating_is_refused_as_the_api_refuses(
    client: TestClient, db: Session, world: dict[str, Any], form: dict[str, str], zh: str, en: str
) -> None:
    # SPEC GEN-6, SVC-5: SurveyIn's rules on the page, named, nothing recorded
    before = _stored(db)
    page = f"/portal/claims/{world['claim']}"
    assert zh in _refused(client, f"{page}/rating", page, form, "zh-CN")
    assert en in _refused(client, f"{page}/rating", page, form, "en")
    assert _stored(db) == before


REQUEST = {"service_type": "policy_change", "subject": "改地址", "request": "搬家了"}
REQUESTS = [
    (
        {**REQUEST, "subject": "址" * 201},
        "主题：最多 200 个字符",
        "Subject: at most 200 characters",
    ),
    ({**REQUEST, "subject": ""}, "主题：不能为空", "Subject: may not be empty"),
    (
        {**REQUEST, "request": "详" * 4001},
        "详细说明：最多 4000 个字符",
        "Details: at most 4000 characters",
    ),
    ({**REQUEST, "policy_id": "第一张"}, "保单：应为整数", "Policy: a whole number is needed"),
]


@pytest.mark.parametrize(
    ("form", "zh", "en"),
    REQUESTS,
    ids=["subject-too-long", "subject-missing", "details-too-long", "policy-malformed"],
)
def test_the_service_request_is_refused_as_the_api_refuses(
    client: TestClient, db: Session, world: dict[str, Any], form: dict[str, str], zh: str, en: str
) -> None:
    # SPEC GEN-6, SVC-1: ServiceRecordIn's rules on the page, named, nothing opened
    before = _stored(db)
    route, page = "/portal/service/request", "/portal/service"
    assert zh in _refused(client, route, page, form, "zh-CN")
    assert en in _refused(client, route, page, form, "en")
    assert _stored(db) == before


RESPONSES = [
    (
        {"response": "escalated" * 2, "route": "regulator"},
        "对处理决定的答复：最多 12 个字符",
        "Answer to the decision: at most 12 characters",
    ),
    (
        {"response": "escalated", "route": "regulator" * 2},
        "处理途径：最多 16 个字符",
        "Route: at most 16 characters",
    ),
    ({"route": "regulator"}, "对处理决定的答复", "Answer to the decision"),
]


@pytest.mark.parametrize(
    ("form", "zh", "en"), RESPONSES, ids=["response-too-long", "route-too-long", "response-missing"]
)
def test_the_answer_to_a_decision_is_refused_as_the_api_refuses(
    client: TestClient, db: Session, world: dict[str, Any], form: dict[str, str], zh: str, en: str
) -> None:
    # SPEC GEN-6, SVC-3: RespondIn's rules on the page, named, the complaint unchanged
    before = _stored(db)
    route = f"/portal/service/complaints/{world['complaint']}/response"
    assert zh in _refused(client, route, "/portal/service", form, "zh-CN")
    assert en in _refused(client, route, "/portal/service", form, "en")
    assert _stored(db) == before


def test_the_forms_within_the_rules_are_taken(
    client: TestClient, db: Session, world: dict[str, Any]
) -> None:
    # SPEC SVC-1, SVC-3, SVC-5: the same forms, within the schemas' limits, are stored
    page = f"/portal/claims/{world['claim']}"
    rated = client.post(
        f"{page}/rating",
        data={"csrf_token": form_token(client, page), **SCORES, "comment": "好" * 4000},
        follow_redirects=False,
    )
    assert rated.status_code == 303, rated.text[:500]
    token = form_token(client, "/portal/service")
    asked = client.post(
        "/portal/service/request",
        data={"csrf_token": token, **REQUEST, "policy_id": str(world["policy"])},
        follow_redirects=False,
    )
    assert asked.status_code == 303, asked.text[:500]
    answered = client.post(
        f"/portal/service/complaints/{world['complaint']}/response",
        data={"csrf_token": token, "response": "accepted"},
        follow_redirects=False,
    )
    assert answered.status_code == 303, answered.text[:500]
    db.expire_all()
    (survey,) = db.scalars(select(SatisfactionSurvey)).all()
    assert survey.comment is not None and len(survey.comment) == 4000
    assert db.scalars(select(ServiceRecord).where(ServiceRecord.subject == "改地址")).one()
    assert db.get(Complaint, world["complaint"]).customer_response == "accepted"  # type: ignore[union-attr]
