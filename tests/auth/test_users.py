"""User administration: rules, roles, deactivation, passwords (SPEC SEC-4, SEC-8, GEN-5, GEN-6)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from claimdesk.auth import service
from claimdesk.auth.errors import (
    CannotDeactivateSelf,
    CustomerNeedsPerson,
    CustomerRoleExclusive,
    InvalidUsername,
    LastAdministrator,
    UnknownOrgUnit,
    UnknownRole,
    UsernameTaken,
    WeakPassword,
    WrongCurrentPassword,
)
from claimdesk.auth.passwords import verify_password
from claimdesk.auth.principal import Principal
from claimdesk.models.audit import AuditEntry
from claimdesk.models.base import utcnow
from claimdesk.models.user import AuthSession, User
from tests.builders import DEFAULT_PASSWORD, login_headers, make_org_unit, make_user

ADMIN = Principal.build(user_id=None, username="root", roles=["administrator"])
GOOD = "Second-Pass-42"


def _audit_actions(db) -> list[str]:
    db.commit()  # chains the pending entries
    return list(db.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


def test_create_user_hashes_password_and_audits(db):  # SPEC SEC-8, GEN-5
    unit = make_org_unit(db)
    user = service.create_user(
        db,
        actor=ADMIN,
        username="zhang.wei",
        password=GOOD,
        roles=["claims_handler", "surveyor"],
        org_unit_id=unit.id,
    )
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, GOOD)
    assert service.role_names(user=user) == ["claims_handler", "surveyor"]
    assert "user.create" in _audit_actions(db)


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"username": "Bad Name"}, InvalidUsername, "username"),
        ({"username": "ab"}, InvalidUsername, "username"),
        ({"password": "short1"}, WeakPassword, "password"),
        ({"password": "onlyletterslong"}, WeakPassword, "password"),
        ({"password": "1234567890123"}, WeakPassword, "password"),
        ({"roles": ["superuser"]}, UnknownRole, "roles"),
        ({"roles": ["customer", "adjuster"]}, CustomerRoleExclusive, "roles"),
        ({"roles": ["customer"]}, CustomerNeedsPerson, "person_id"),
        ({"org_unit_id": 99999}, UnknownOrgUnit, "org_unit_id"),
    ],
)
def test_create_user_rules(db, kwargs, error, field):  # SPEC SEC-8, GEN-6
    args = {"username": "new.user", "password": GOOD, "roles": ["adjuster"], **kwargs}
    with pytest.raises(error) as caught:
        service.create_user(db, actor=ADMIN, **args)
    assert caught.value.field == field
    assert caught.value.message("zh-CN") != caught.value.message("en")
    assert db.scalars(select(User).where(User.username == args["username"])).first() is None


def test_username_taken(db):  # SPEC GEN-6
    make_user(db, username="li.na")
    with pytest.raises(UsernameTaken):
        service.create_user(db, actor=ADMIN, username="li.na", password=GOOD, roles=["adjuster"])


def test_api_create_list_get_user(db, client):  # SPEC SEC-4
    make_user(db, username="admin", roles=["administrator"])
    unit = make_org_unit(db)
    db.commit()
    headers = login_headers(client, "admin")
    created = client.post(
        "/api/v1/users",
        headers=headers,
        json={
            "username": "wang.fang",
            "password": GOOD,
            "roles": ["service_agent"],
            "org_unit_id": unit.id,
        },
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["roles"] == ["service_agent"] and body["is_active"] is True
    assert "password" not in created.text.lower().replace("password_", "")
    listed = client.get("/api/v1/users?role=service_agent", headers=headers)
    assert [u["username"] for u in listed.json()] == ["wang.fang"]
    one = client.get(f"/api/v1/users/{body['id']}", headers=headers)
    assert one.json()["org_unit_id"] == unit.id


def test_api_weak_password_names_field_in_language(db, client):  # SPEC GEN-6, SEC-8
    make_user(db, username="admin", roles=["administrator"])
    db.commit()
    headers = login_headers(client, "admin")
    # The user's stored language (zh-CN) wins over the browser's; ?lang= wins over both.
    response = client.post(
        "/api/v1/users?lang=en",
        headers=headers,
        json={
            "username": "weak.one",
            "password": "abc",
            "roles": ["adjuster"],
        },
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "weak_password" and error["field"] == "password"
    assert "10 characters" in error["message"]
    zh = client.post(
        "/api/v1/users",
        headers=headers,
        json={
            "username": "weak.one",
            "password": "abc",
            "roles": ["adjuster"],
        },
    )
    assert "密码至少 10 位" in zh.json()["error"]["message"]


def test_change_roles_revokes_sessions_and_audits(db, client):  # SPEC SEC-4, GEN-5
    make_user(db, username="admin", roles=["administrator"])
    target = make_user(db, username="sun.qiang", roles=["reviewer_1", "adjuster"])
    db.commit()
    target_headers = login_headers(client, "sun.qiang")
    headers = login_headers(client, "admin")
    response = client.put(
        f"/api/v1/users/{target.id}/roles",
        headers=headers,
        json={"roles": ["reviewer_1", "reviewer_2"], "reason": "晋升"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["roles"] == ["reviewer_1", "reviewer_2"]
    assert client.get("/api/v1/auth/me", headers=target_headers).status_code == 401
    assert "user.roles_change" in _audit_actions(db)


def test_deactivate_revokes_sessions_and_blocks_login(db, client):  # SPEC SEC-8
    make_user(db, username="admin", roles=["administrator"])
    target = make_user(db, username="leaver", roles=["surveyor"])
    db.commit()
    target_headers = login_headers(client, "leaver")
    headers = login_headers(client, "admin")
    response = client.post(
        f"/api/v1/users/{target.id}/deactivate", headers=headers, json={"reason": "离职"}
    )
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert client.get("/api/v1/auth/me", headers=target_headers).status_code == 401
    assert (
        client.post(
            "/api/v1/auth/token", json={"username": "leaver", "password": DEFAULT_PASSWORD}
        ).status_code
        == 401
    )
    revoked = db.scalars(select(AuthSession.revoked).where(AuthSession.user_id == target.id)).all()
    assert revoked and all(revoked)
    again = client.post(
        f"/api/v1/users/{target.id}/reactivate", headers=headers, json={"reason": "返聘"}
    )
    assert again.status_code == 200 and again.json()["is_active"] is True
    assert (
        client.post(
            "/api/v1/auth/token", json={"username": "leaver", "password": DEFAULT_PASSWORD}
        ).status_code
        == 200
    )


def test_deactivate_requires_reason(db, client):  # SPEC GEN-5, GEN-6
    make_user(db, username="admin", roles=["administrator"])
    target = make_user(db, username="keeper", roles=["surveyor"])
    db.commit()
    response = client.post(
        f"/api/v1/users/{target.id}/deactivate", headers=login_headers(client, "admin"), json={}
    )
    assert response.status_code == 422 and response.json()["error"]["field"] == "reason"
    db.refresh(target)
    assert target.is_active is True


def test_cannot_deactivate_self_or_last_admin(db):  # SPEC SEC-4
    admin = make_user(db, username="only.admin", roles=["administrator"])
    me = service.principal_for(user=service.get_user(db, user_id=admin.id), ip=None, kind="api")
    with pytest.raises(CannotDeactivateSelf):
        service.deactivate_user(db, actor=me, user_id=admin.id, reason="x")
    with pytest.raises(LastAdministrator):
        service.deactivate_user(db, actor=ADMIN, user_id=admin.id, reason="x")
    with pytest.raises(LastAdministrator):
        service.set_roles(db, actor=ADMIN, user_id=admin.id, roles=["adjuster"], reason="x")


def test_admin_reset_password_revokes_all_sessions(db, client):  # SPEC SEC-8
    make_user(db, username="admin", roles=["administrator"])
    target = make_user(db, username="forgetful", roles=["adjuster"])
    db.commit()
    old = login_headers(client, "forgetful")
    response = client.post(
        f"/api/v1/users/{target.id}/password-reset",
        headers=login_headers(client, "admin"),
        json={"new_password": GOOD, "reason": "用户忘记密码"},
    )
    assert response.status_code == 204, response.text
    assert client.get("/api/v1/auth/me", headers=old).status_code == 401
    assert login_headers(client, "forgetful", GOOD)


def test_change_own_password_keeps_this_session_only(db, client):  # SPEC SEC-8
    make_user(db, username="xu.li", roles=["adjuster"])
    db.commit()
    other = login_headers(client, "xu.li")
    this = login_headers(client, "xu.li")
    wrong = client.post(
        "/api/v1/users/me/password",
        headers=this,
        json={"current_password": "nope-nope-1", "new_password": GOOD},
    )
    assert wrong.status_code == 422
    assert wrong.json()["error"]["code"] == WrongCurrentPassword.code
    ok = client.post(
        "/api/v1/users/me/password",
        headers=this,
        json={"current_password": DEFAULT_PASSWORD, "new_password": GOOD},
    )
    assert ok.status_code == 204, ok.text
    assert client.get("/api/v1/auth/me", headers=this).status_code == 200
    assert client.get("/api/v1/auth/me", headers=other).status_code == 401
    assert (
        client.post(
            "/api/v1/auth/token", json={"username": "xu.li", "password": DEFAULT_PASSWORD}
        ).status_code
        == 401
    )
    assert "user.password_change" in _audit_actions(db)


def test_users_api_needs_permission(db, client):  # SPEC SEC-4
    make_user(db, username="adj", roles=["adjuster"])
    make_user(db, username="aud", roles=["compliance_auditor"])
    db.commit()
    adj = login_headers(client, "adj")
    aud = login_headers(client, "aud")
    assert client.get("/api/v1/users", headers=adj).status_code == 403
    assert client.get("/api/v1/users", headers=aud).status_code == 200  # read-only auditor
    create = client.post(
        "/api/v1/users",
        headers=aud,
        json={
            "username": "sneaky",
            "password": GOOD,
            "roles": ["administrator"],
        },
    )
    assert create.status_code == 403
    assert db.scalars(select(User).where(User.username == "sneaky")).first() is None


def test_session_expiry_timestamps_are_utc(db):  # SPEC GEN-2
    user = make_user(db, username="tz")
    issued = service.open_session(
        db, user=user, ip=None, kind="web", auth_method="password", now=utcnow()
    )
    assert issued.expires_at.tzinfo is not None
