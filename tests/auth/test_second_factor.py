"""A customer's password alone opens nothing: the SMS code follows on every channel."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.auth import service as auth_service
from claimdesk.models.audit import AuditEntry
from claimdesk.models.base import utcnow
from claimdesk.models.user import AuthSession, LoginThrottle
from tests.builders import (
    DEFAULT_PASSWORD,
    login_headers,
    make_person,
    make_user,
    outbox_login_code,
)
from tests.web.helpers import form_token

TOKEN = "/api/v1/auth/token"
VERIFY = "/api/v1/auth/token/verify"
PHONE = "13812345678"


def _customer(db: Session):  # type: ignore[no-untyped-def]
    person = make_person(db, phone=PHONE)
    user = make_user(db, username="cust", roles=["customer"], person_id=person.id)
    db.commit()
    return user


def _challenge(client: TestClient) -> str:
    response = client.post(TOKEN, json={"username": "cust", "password": DEFAULT_PASSWORD})
    assert response.status_code == 202, response.text
    challenge: str = response.json()["challenge"]
    return challenge


def test_customer_password_gives_a_challenge_not_a_token(client: TestClient, db: Session) -> None:
    # SPEC SEC-9 (second factor on the API), CLM-A2
    _customer(db)
    response = client.post(TOKEN, json={"username": "cust", "password": DEFAULT_PASSWORD})
    assert response.status_code == 202
    body = response.json()
    assert body["second_factor_required"] is True and body["channel"] == "sms"
    assert "access_token" not in body
    assert db.scalars(select(AuthSession)).all() == []
    # The code went out through the notification outbox, as for the portal.
    assert len(outbox_login_code(client, "cust")) == 6


def test_code_gives_a_password_plus_sms_token(client: TestClient, db: Session) -> None:
    # SPEC SEC-9, CLM-A2 (identity verified by SMS code, recorded on the session)
    _customer(db)
    challenge = _challenge(client)
    response = client.post(
        VERIFY, json={"challenge": challenge, "code": outbox_login_code(client, "cust")}
    )
    assert response.status_code == 200, response.text
    headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
    assert client.get("/api/v1/auth/me", headers=headers).json()["username"] == "cust"
    assert db.scalars(select(AuthSession.auth_method)).all() == ["password+sms"]
    logins = db.scalars(select(AuditEntry.details).where(AuditEntry.action == "auth.login")).all()
    assert any("password+sms" in (d or "") for d in logins)


def test_a_challenge_opens_one_session(client: TestClient, db: Session) -> None:
    # SPEC SEC-9: the signed challenge carries no server state; its use is recorded, so the
    # same challenge and code cannot open a second session before they expire.
    _customer(db)
    challenge = _challenge(client)
    body = {"challenge": challenge, "code": outbox_login_code(client, "cust")}
    assert client.post(VERIFY, json=body).status_code == 200
    again = client.post(VERIFY, json=body)
    assert again.status_code == 422
    assert again.json()["error"]["code"] == "sms_code_used"
    assert again.json()["error"]["field"] == "code"
    assert len(db.scalars(select(AuthSession)).all()) == 1


def test_wrong_codes_are_counted_server_side(client: TestClient, db: Session, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # SPEC SEC-8 (repeated failures lock out), SEC-9
    monkeypatch.setenv("CLAIMDESK_LOGIN_MAX_FAILURES", "3")
    from claimdesk.config import reset_settings_cache

    reset_settings_cache()
    try:
        _customer(db)
        challenge = _challenge(client)
        good = outbox_login_code(client, "cust")
        wrong = "000000" if good != "000000" else "111111"
        for _ in range(3):
            refused = client.post(VERIFY, json={"challenge": challenge, "code": wrong})
            assert refused.status_code == 422
            assert refused.json()["error"]["code"] == "sms_code_invalid"
        throttle = db.scalars(select(LoginThrottle).where(LoginThrottle.username == "cust")).one()
        assert throttle.failures == 3
        # Locked: even the right code is refused now, and no token was issued.
        locked = client.post(VERIFY, json={"challenge": challenge, "code": good})
        assert locked.status_code == 429
        assert db.scalars(select(AuthSession)).all() == []
    finally:
        monkeypatch.delenv("CLAIMDESK_LOGIN_MAX_FAILURES")
        reset_settings_cache()


def test_forged_challenge_is_refused(client: TestClient, db: Session) -> None:
    # SPEC SEC-9: the challenge is signed; one cannot name another user or a new code
    _customer(db)
    challenge = _challenge(client)
    tampered = "A" + challenge[1:]
    response = client.post(
        VERIFY, json={"challenge": tampered, "code": outbox_login_code(client, "cust")}
    )
    assert response.status_code == 422
    assert db.scalars(select(AuthSession)).all() == []


def test_password_only_customer_session_opens_nothing(client: TestClient, db: Session) -> None:
    # SPEC SEC-9: a token or cookie without the second factor is refused on every
    # customer route, the API and the portal pages alike.
    user = _customer(db)
    api = auth_service.open_session(
        db, user=user, ip=None, kind="api", auth_method="password", now=utcnow()
    )
    web = auth_service.open_session(
        db, user=user, ip=None, kind="web", auth_method="password", now=utcnow()
    )
    db.commit()
    headers = {"Authorization": f"Bearer {api.token}"}
    for path in ("/api/v1/auth/me", "/api/v1/policies", "/api/v1/claims/queue"):
        assert client.get(path, headers=headers).status_code == 401, path
    client.cookies.set("claimdesk_session", web.token)
    page = client.get("/portal", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/portal/login"


def test_staff_login_page_does_not_open_a_customer_session(client: TestClient, db: Session) -> None:
    # SPEC SEC-9: the staff form is no way around the code
    _customer(db)
    token = form_token(client, "/login")
    response = client.post(
        "/login",
        data={"username": "cust", "password": DEFAULT_PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 401
    assert db.scalars(select(AuthSession)).all() == []


def test_staff_still_get_a_token_for_their_password(client: TestClient, db: Session) -> None:
    # SPEC SEC-8: staff login unchanged
    make_user(db, username="handler1", roles=["claims_handler"])
    db.commit()
    response = client.post(TOKEN, json={"username": "handler1", "password": DEFAULT_PASSWORD})
    assert response.status_code == 200 and response.json()["access_token"]
    assert db.scalars(select(AuthSession.auth_method)).all() == ["password"]


def test_login_headers_helper_passes_the_second_factor(client: TestClient, db: Session) -> None:
    # SPEC SEC-9: the helper other tests use goes through the code, like a real client
    _customer(db)
    headers = login_headers(client, "cust")
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
