"""Browser sessions, CSRF, expiry, throttling, language switch (SPEC SEC-8)."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select, update

from claimdesk.auth.csrf import PRE_SESSION_COOKIE
from claimdesk.auth.service import idle_timeout
from claimdesk.config import get_settings
from claimdesk.deps import SESSION_COOKIE
from claimdesk.models.base import utcnow
from claimdesk.models.user import AuthSession, LoginThrottle, User
from tests.builders import DEFAULT_PASSWORD, login_headers, make_user

HIDDEN = re.compile(r'name="csrf_token" value="([^"]*)"')


def _form_token(client, path: str = "/login") -> str:
    page = client.get(path)
    assert page.status_code == 200
    found = HIDDEN.search(page.text)
    assert found and found.group(1)
    return found.group(1)


def _web_login(client, username: str, password: str = DEFAULT_PASSWORD):
    token = _form_token(client)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def test_login_form_sets_session_cookie(db, client):  # SPEC SEC-8
    make_user(db, username="handler1", roles=["claims_handler"])
    db.commit()
    response = _web_login(client, "handler1")
    assert response.status_code == 303
    assert client.cookies.get(SESSION_COOKIE)
    home = client.get("/")
    assert home.status_code == 200
    assert "理赔专员" in home.text  # role label on the start page


def test_login_form_without_csrf_is_refused(db, client):  # SPEC SEC-8 (login CSRF)
    make_user(db, username="handler1")
    db.commit()
    client.get("/login")
    no_token = client.post(
        "/login",
        data={"username": "handler1", "password": DEFAULT_PASSWORD},
        follow_redirects=False,
    )
    assert no_token.status_code == 403
    wrong = client.post(
        "/login",
        data={"username": "handler1", "password": DEFAULT_PASSWORD, "csrf_token": "x" * 32},
        follow_redirects=False,
    )
    assert wrong.status_code == 403
    assert client.cookies.get(SESSION_COOKIE) is None
    assert db.scalars(select(AuthSession)).first() is None


def test_login_without_pre_session_cookie_is_refused(db, client):  # SPEC SEC-8
    make_user(db, username="handler1")
    db.commit()
    token = _form_token(client)
    client.cookies.delete(PRE_SESSION_COOKIE)
    # An attacker's page can copy a token but cannot plant the cookie beside it.
    response = client.post(
        "/login",
        data={"username": "handler1", "password": DEFAULT_PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 403


def test_logout_needs_csrf_and_revokes(db, client):  # SPEC SEC-8
    make_user(db, username="handler1")
    db.commit()
    _web_login(client, "handler1")
    forged = client.post("/logout", data={"csrf_token": "forged"}, follow_redirects=False)
    assert forged.status_code == 403
    assert db.scalars(select(AuthSession.revoked)).all() == [False]  # nothing changed
    token = HIDDEN.search(client.get("/").text)
    assert token
    ok = client.post("/logout", data={"csrf_token": token.group(1)}, follow_redirects=False)
    assert ok.status_code == 303
    db.expire_all()
    assert db.scalars(select(AuthSession.revoked)).all() == [True]
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"


def test_cookie_authenticated_api_post_needs_csrf_header(db, client):  # SPEC SEC-8
    make_user(db, username="admin", roles=["administrator"])
    db.commit()
    _web_login(client, "admin")
    body = {"username": "via.cookie", "password": "Second-Pass-42", "roles": ["adjuster"]}
    refused = client.post("/api/v1/users", json=body)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "csrf_failed"
    assert db.scalars(select(User).where(User.username == "via.cookie")).first() is None
    csrf = db.scalars(select(AuthSession.csrf_token)).one()
    accepted = client.post("/api/v1/users", json=body, headers={"X-CSRF-Token": csrf})
    assert accepted.status_code == 201, accepted.text


def test_idle_session_expires(db, client):  # SPEC SEC-8
    make_user(db, username="handler1")
    db.commit()
    _web_login(client, "handler1")
    assert client.get("/", follow_redirects=False).status_code == 200
    db.execute(
        update(AuthSession).values(last_seen_at=utcnow() - idle_timeout() - dt.timedelta(seconds=5))
    )
    db.commit()
    page = client.get("/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login"
    api = client.get("/api/v1/auth/me")
    assert api.status_code == 401


def test_absolute_session_expiry(db, client):  # SPEC SEC-8
    make_user(db, username="handler1")
    db.commit()
    _web_login(client, "handler1")
    # Recently active, but past its absolute lifetime.
    db.execute(
        update(AuthSession).values(
            last_seen_at=utcnow(), expires_at=utcnow() - dt.timedelta(seconds=1)
        )
    )
    db.commit()
    assert client.get("/api/v1/auth/me").status_code == 401


def test_api_token_expiry(db, client):  # SPEC SEC-8
    make_user(db, username="handler1")
    db.commit()
    headers = login_headers(client, "handler1")
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    db.execute(update(AuthSession).values(expires_at=utcnow() - dt.timedelta(seconds=1)))
    db.commit()
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_api_throttle_after_failures(db, client):  # SPEC SEC-8
    make_user(db, username="handler1")
    db.commit()
    limit = get_settings().login_max_failures
    for _ in range(limit):
        bad = client.post(
            "/api/v1/auth/token", json={"username": "handler1", "password": "wrong-pass-1"}
        )
        assert bad.status_code == 401
    locked = client.post(
        "/api/v1/auth/token", json={"username": "handler1", "password": DEFAULT_PASSWORD}
    )
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    assert locked.json()["error"]["code"] == "too_many_login_attempts"
    throttle = db.get(LoginThrottle, "handler1")
    assert throttle is not None and throttle.failures == limit


def test_throttle_lockout_doubles(db, client):  # SPEC SEC-8
    make_user(db, username="handler1")
    db.commit()
    limit = get_settings().login_max_failures
    for _ in range(limit):
        client.post("/api/v1/auth/token", json={"username": "handler1", "password": "wrong-pass-1"})
    first = db.get(LoginThrottle, "handler1")
    assert first and first.locked_until
    first_wait = first.locked_until - first.last_failure_at
    # Let the lock run out, fail once more: the next lock is twice as long.
    db.execute(update(LoginThrottle).values(locked_until=utcnow() - dt.timedelta(seconds=1)))
    db.commit()
    client.post("/api/v1/auth/token", json={"username": "handler1", "password": "wrong-pass-1"})
    db.expire_all()
    second = db.get(LoginThrottle, "handler1")
    assert second.locked_until - second.last_failure_at == 2 * first_wait


def test_throttle_counts_per_address_across_usernames(db, client):  # SPEC SEC-8
    limit = get_settings().login_max_failures * 4
    for i in range(limit):
        client.post(
            "/api/v1/auth/token", json={"username": f"guess{i}", "password": "wrong-pass-1"}
        )
    make_user(db, username="victim")
    db.commit()
    response = client.post(
        "/api/v1/auth/token", json={"username": "victim", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 429


def test_login_page_shows_throttle_message(db, client):  # SPEC SEC-8
    make_user(db, username="handler1")
    db.commit()
    for _ in range(get_settings().login_max_failures):
        failed = _web_login(client, "handler1", "wrong-pass-1")
        assert failed.status_code == 401
        assert "用户名或密码错误" in failed.text
    page = _web_login(client, "handler1")
    assert page.status_code == 429
    assert "登录失败次数过多" in page.text
    assert int(page.headers["Retry-After"]) > 0
    assert client.cookies.get(SESSION_COOKIE) is None


def test_language_switch_sets_cookie(db, client):  # SPEC GEN-6 (interface language)
    page = client.get("/login?lang=en")
    assert "Log in" in page.text and 'lang="en"' in page.text
    assert client.cookies.get("lang") == "en"
    assert "Username" in client.get("/login").text  # remembered
    assert "用户名" in client.get("/login?lang=zh-CN").text


def test_next_is_never_an_external_redirect(db, client):  # SPEC SEC-8
    make_user(db, username="handler1")
    db.commit()
    token = _form_token(client)
    response = client.post(
        "/login",
        data={
            "username": "handler1",
            "password": DEFAULT_PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/x",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"
