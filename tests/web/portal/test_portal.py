"""Customer portal pages over a TestClient: SMS-code login, own claims only, plain words."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.models.audit import AuditEntry
from claimdesk.models.user import AuthSession
from tests.builders import demo_version, issue_policy, make_person, make_user, seed_calendar
from tests.web.helpers import HIDDEN, customer_login, form_token, sms_code

PHONE = "13812345678"


def _customer(db: Session):  # type: ignore[no-untyped-def]
    seed_calendar(db, years=(2025, 2026))
    person = make_person(db, phone=PHONE)
    make_user(db, username="cust", roles=["customer"], person_id=person.id)
    version = demo_version(db, "MED-MILLION")
    policy = issue_policy(db, version_id=version.id, policyholder_id=person.id)
    db.commit()
    return person, policy


def test_sms_login_opens_a_password_plus_sms_session(client: TestClient, db: Session) -> None:
    # SPEC CLM-A2 (identity verified by SMS code, recorded), SEC-8 (CSRF on the forms)
    _customer(db)
    customer_login(client, db, "cust", PHONE)
    assert db.scalars(select(AuthSession.auth_method)).all() == ["password+sms"]
    home = client.get("/")
    assert home.status_code == 200
    assert "我的理赔" in home.text
    actions = set(db.scalars(select(AuditEntry.action)))
    assert {"auth.sms_code_sent", "auth.login"} <= actions


def test_wrong_sms_code_is_refused_and_counted(client: TestClient, db: Session) -> None:
    # SPEC SEC-8 (repeated failures slowed), GEN-6 (clear error, nothing opened)
    _customer(db)
    token = form_token(client, "/portal/login")
    first = client.post(
        "/portal/login",
        data={"username": "cust", "password": "Correct-Horse-9", "csrf_token": token},
    )
    token = HIDDEN.search(first.text).group(1)  # type: ignore[union-attr]
    good = sms_code(db, PHONE)
    wrong = "000000" if good != "000000" else "111111"
    refused = client.post("/portal/login/code", data={"code": wrong, "csrf_token": token})
    assert refused.status_code == 422
    assert "验证码错误" in refused.text
    assert db.scalars(select(AuthSession)).all() == []


def test_customer_reports_claim_and_sees_plain_status(client: TestClient, db: Session) -> None:
    # SPEC CLM-R1, CLM-R3, CLM-Q1 (report online), issue 6 (plain words, not state names)
    _person, policy = _customer(db)
    customer_login(client, db, "cust", PHONE)
    token = form_token(client, "/portal/report")
    response = client.post(
        "/portal/report",
        data={
            "csrf_token": token,
            "policy_number": policy.number,
            "coverage_code": "medical",
            "loss_date": "2026-03-02",
            "loss_cause": "illness",
            "loss_place": "北京",
            "loss_overview": "住院",
            "estimated_amount": "1000",
            "contact_phone": PHONE,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"])
    # issue 12: the success is said once, not also as the state's plain words
    assert page.text.count("报案已受理") == 1
    assert 'role="status" id="reported-msg"' in page.text
    again = client.get(response.headers["location"].split("?")[0])
    assert again.text.count("报案已受理") == 1 and "reported-msg" not in again.text
    assert "reported" not in again.text.split('id="plain-status"')[1][:200]


def test_report_with_bad_phone_names_the_field(client: TestClient, db: Session) -> None:
    # SPEC GEN-6 (field and rule named, nothing written)
    _person, policy = _customer(db)
    customer_login(client, db, "cust", PHONE)
    token = form_token(client, "/portal/report")
    response = client.post(
        "/portal/report",
        data={
            "csrf_token": token,
            "policy_number": policy.number,
            "coverage_code": "medical",
            "loss_date": "2026-03-02",
            "loss_cause": "illness",
            "loss_place": "北京",
            "loss_overview": "住院",
            "contact_phone": "12345",
        },
    )
    assert response.status_code == 422
    assert "contact_phone" in response.text
    from claimdesk.models.claim import Claim

    assert db.scalars(select(Claim)).all() == []


def test_another_customers_claim_is_not_found_in_the_readers_words(
    client: TestClient, db: Session
) -> None:
    # SPEC SEC-4 (own claims only), GEN-6 (the message in the user's language, no field codes)
    from tests.builders import make_claim, resident_id

    _customer(db)
    other = make_person(db, name="李四", id_number=resident_id(seq="456"), phone="13900001111")
    version = demo_version(db, "MED-MILLION")
    claim = make_claim(
        db,
        number="BA20260928000009",
        policy=issue_policy(db, version_id=version.id, policyholder_id=other.id),
    )
    db.commit()
    customer_login(client, db, "cust", PHONE)
    for path in (f"/portal/claims/{claim.id}", f"/portal/claims/{claim.id}/notice"):
        page = client.get(path)
        assert page.status_code == 404
        assert "未找到" in page.text and "BA20260928000009" not in page.text
        shown = page.text.split("<main", 1)[1]
        assert "claim" not in shown, shown  # no English word, no field code
    english = client.get(f"/portal/claims/{claim.id}?lang=en")
    assert "Claim not found" in english.text and "claim_id" not in english.text


def test_home_says_dates_as_people_read_them(client: TestClient, db: Session) -> None:
    # SPEC GEN-2 (local dates shown), issue 6 (plain words for the customer)
    _customer(db)
    customer_login(client, db, "cust", PHONE)
    home = client.get("/portal")
    assert "2026年1月1日 – 2026年12月31日" in home.text
    assert "2026-01-01" not in home.text
    english = client.get("/portal?lang=en")
    assert "1 Jan 2026 – 31 Dec 2026" in english.text
