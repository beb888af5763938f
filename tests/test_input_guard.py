"""Input no database can hold is refused with the standard error, never a 500 (GEN-6):
NUL characters anywhere, integers beyond the columns, ids beyond 32 bits, and a busy
connection pool."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from claimdesk.app import create_app
from claimdesk.db import make_engine
from tests.builders import login_headers, make_user


def _error(response) -> dict:  # type: ignore[no-untyped-def]
    return response.json()["error"]  # type: ignore[no-any-return]


def test_nul_in_a_json_field_is_refused_naming_the_field(client: TestClient) -> None:
    # SPEC GEN-6: the unauthenticated token endpoint used to answer 500
    zh = client.post("/api/v1/auth/token", json={"username": "a\x00b", "password": "x"})
    assert zh.status_code == 422
    assert _error(zh)["code"] == "validation_failed"
    assert _error(zh)["field"] == "username"
    assert _error(zh)["message"] == "用户名：含有不允许的字符（如 NUL 空字符）"
    en = client.post(
        "/api/v1/auth/token",
        json={"username": "alice", "password": "pass\x00word"},
        headers={"Accept-Language": "en"},
    )
    assert en.status_code == 422
    assert _error(en)["field"] == "password"
    assert _error(en)["message"].startswith("Password: contains a character")


def test_nul_deep_in_a_json_document_names_its_path(db: Session, client: TestClient) -> None:
    # SPEC GEN-6
    make_user(db, username="admin1", roles=["administrator"])
    db.commit()
    headers = login_headers(client, "admin1")
    response = client.post(
        "/api/v1/claims",
        json={"channel": "hotline", "coverage_codes": ["ok", "bad\x00"]},
        headers=headers,
    )
    assert response.status_code == 422
    assert _error(response)["field"] == "coverage_codes.1"


def test_nul_in_a_login_form_is_a_page_not_a_server_error(client: TestClient) -> None:
    # SPEC GEN-6: POST /login used to answer 500
    response = client.post(
        "/login",
        data={"username": "admin\x00", "password": "x"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "contains a character that is not allowed" in response.text


def test_nul_in_query_and_path_is_refused(client: TestClient) -> None:
    # SPEC GEN-6
    query = client.get("/api/v1/auth/me?lang=%00")
    assert query.status_code == 422 and _error(query)["field"] == "lang"
    path = client.get("/api/v1/claims/by-number/BA%00")
    assert path.status_code == 422 and _error(path)["field"] == "path"


def test_integers_beyond_64_bits_in_json_are_refused(client: TestClient) -> None:
    # SPEC GEN-6: neither SQLite nor PostgreSQL can bind them
    response = client.post(
        "/api/v1/auth/token", json={"username": "a", "password": "b", "x": 2**64}
    )
    assert response.status_code == 422
    assert _error(response)["field"] == "x"
    assert "整数超出可存储范围" in _error(response)["message"]
    # The rule says its limit (GEN-6)
    assert f"须在 {-(2**63)} 到 {2**63 - 1} 之间" in _error(response)["message"]


@pytest.mark.parametrize("bad_id", ["2147483648", "-2147483649", "0", "-1", str(2**70)])
def test_ids_outside_the_column_range_are_not_found(
    db: Session, client: TestClient, bad_id: str
) -> None:
    # SPEC GEN-6: public, API and page routes alike; PostgreSQL refused the bind (500)
    make_user(db, username="admin1", roles=["administrator"])
    db.commit()
    headers = login_headers(client, "admin1")
    public = client.get(f"/api/v1/public/events/{bad_id}/guide")
    assert public.status_code == 404 and _error(public)["code"] == "not_found"
    assert _error(public)["field"] == "event_id"
    policy = client.get(f"/api/v1/policies/{bad_id}", headers=headers)
    assert policy.status_code == 404 and _error(policy)["field"] == "policy_id"
    page = client.get(f"/claims/{bad_id}", headers={"Accept-Language": "en"})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")


def test_an_id_at_the_top_of_the_range_is_looked_up(db: Session, client: TestClient) -> None:
    # SPEC GEN-6: the bound is the column's, not lower
    top = client.get("/api/v1/public/events/2147483647/guide", headers={"Accept-Language": "en"})
    assert top.status_code == 404 and _error(top)["message"] == "Mass event not found"
    over = client.get("/api/v1/public/events/2147483648/guide", headers={"Accept-Language": "en"})
    assert over.status_code == 404 and _error(over)["message"] == "Mass event not found"


def test_a_busy_pool_answers_503_with_retry_after(fresh_db_url: str) -> None:
    # SPEC GEN-6: every connection held → 503 + Retry-After at once, not a 500 after 30 s
    # pool_timeout 0: the pool answers "busy" without a timed wait. A timed wait on the
    # pool's Condition never times out under a faked date (faketime '2028-12-22 10:00:00':
    # CPython's absolute CLOCK_MONOTONIC deadline is not translated by libfaketime) and
    # this test hung (SPEC GEN-3); what it proves, 503 when every connection is held, stays.
    engine = make_engine(fresh_db_url, pool_size=1, max_overflow=0, pool_timeout=0)
    app = create_app(sessionmaker(bind=engine, expire_on_commit=False))
    held = engine.connect()  # the pool's only connection
    try:
        with TestClient(app) as client:
            busy = client.post("/api/v1/auth/token", json={"username": "a", "password": "b"})
            assert busy.status_code == 503
            assert busy.headers["Retry-After"] == "5"
            assert _error(busy)["code"] == "service_busy"
            assert "5 秒后重试" in _error(busy)["message"]
            held.close()
            # The connection is back: the next request is served normally.
            after = client.post("/api/v1/auth/token", json={"username": "a", "password": "b"})
            assert after.status_code == 401
    finally:
        held.close()
        engine.dispose()


def test_a_streamed_body_beyond_the_inspection_limit_still_reaches_the_endpoint(
    client: TestClient,
) -> None:
    # SPEC GEN-6: no Content-Length; the guard must neither buffer it all nor lose it
    def chunks():  # type: ignore[no-untyped-def]
        yield b'{"username": "'
        for _ in range(9):
            yield b"a" * (1024 * 1024)
        yield b'", "password": "x"}'

    response = client.post(
        "/api/v1/auth/token", content=chunks(), headers={"Content-Type": "application/json"}
    )
    # The endpoint saw the whole body: the username is too long (its own 422), not a 500.
    assert response.status_code == 422, response.text
    assert _error(response)["field"] == "username"


def test_nul_in_a_multipart_text_field_is_refused(client: TestClient) -> None:
    # SPEC GEN-6: form uploads carry text fields too
    response = client.post(
        "/login",
        data={"username": "bad\x00name", "password": "x"},
        files={"ignored": ("note.txt", b"\x00binary content is fine", "text/plain")},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    # The page names the field as people read it (its code is for programs, GEN-6).
    assert "Username: contains a character that is not allowed" in response.text
