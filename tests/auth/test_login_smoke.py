"""Smoke: the app starts, logs a user in and knows who they are. # SPEC SEC-8"""

from tests.builders import login_headers, make_user


def test_token_login_and_me(db, client):  # SPEC SEC-8
    make_user(db, username="alice", roles=["claims_handler"])
    db.commit()
    headers = login_headers(client, "alice")
    me = client.get("/api/v1/auth/me", headers=headers)
    assert me.status_code == 200
    assert me.json()["roles"] == ["claims_handler"]


def test_health_checks_database(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
