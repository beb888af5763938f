"""The token check on a real engine (issue 14, me_cpu_ms): on PostgreSQL it runs on the
pooled driver connection in autocommit — one statement, no BEGIN/COMMIT — and still
refuses a revoked or expired token, a deactivated account and a changed role on the
very next request; a pooled connection that died (database restart) is replaced.

The app is bound to an engine here (the other tests bind it to the test's own
connection and transaction, which takes the session path). # SPEC SEC-8"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text, update
from sqlalchemy.orm import Session, sessionmaker

from claimdesk import db as claimdesk_db
from claimdesk.app import create_app
from claimdesk.db import make_engine, unit_of_work
from claimdesk.models.user import AuthSession, User
from claimdesk.timing import HEADER, parse
from tests.builders import login_headers, make_user
from tests.conftest import BACKEND

# The driver path is PostgreSQL's: deselected (not skipped) in the SQLite run, like the
# suite's other PostgreSQL-only tests (tests/conftest.py).
POSTGRES_ONLY = pytest.mark.postgres_only


@pytest.fixture
def engine(fresh_db_url: str) -> Iterator[Engine]:
    made = make_engine(fresh_db_url)
    yield made
    made.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@pytest.fixture
def client(factory: sessionmaker[Session]) -> Iterator[TestClient]:
    with unit_of_work(factory) as session:
        make_user(session, username="alice", roles=["claims_handler", "surveyor"])
    with TestClient(create_app(factory=factory), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool]]:
    """Each statement psycopg's cursors run: its first words, and whether the
    connection was in autocommit (no BEGIN, no COMMIT) when it ran."""
    found: list[tuple[str, bool]] = []
    original = psycopg.Cursor.execute

    def recording(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        found.append((" ".join(str(query).split()[:2]), self.connection.autocommit))
        return original(self, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", recording)
    return found


def _statements(response: Any) -> int:
    return int(parse(response.headers[HEADER])["db"]["desc"].split()[0])


def test_me_answers_from_one_counted_statement(client: TestClient) -> None:  # SPEC SEC-8
    headers = login_headers(client, "alice")
    response = client.get("/api/v1/auth/me", headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "alice"
    assert body["roles"] == ["claims_handler", "surveyor"]
    assert body["permissions"] == sorted(body["permissions"]) and "self" in body["permissions"]
    # Server-Timing still counts the token check, on either path (SQLite's session also
    # runs its BEGIN IMMEDIATE, counted as a statement).
    assert _statements(response) == (1 if BACKEND == "postgresql" else 2)


@POSTGRES_ONLY
def test_me_sends_one_statement_in_autocommit(client: TestClient, sent: list) -> None:  # SPEC SEC-8
    headers = login_headers(client, "alice")
    sent.clear()
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    assert sent == [("SELECT auth_sessions.id,", True)]
    sent.clear()
    assert client.get("/health").status_code == 200
    assert sent == [("SELECT 1", True)]


def test_each_request_sees_revocation_expiry_deactivation_and_roles(
    client: TestClient, factory: sessionmaker[Session]
) -> None:  # SPEC SEC-8, SEC-4
    headers = login_headers(client, "alice")
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    # A role taken away shows on the next request (no principal cached across requests).
    with unit_of_work(factory) as session:
        session.execute(text("DELETE FROM user_roles WHERE role = 'surveyor'"))
    assert client.get("/api/v1/auth/me", headers=headers).json()["roles"] == ["claims_handler"]
    with unit_of_work(factory) as session:
        session.execute(update(User).values(is_active=False))
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    with unit_of_work(factory) as session:
        session.execute(update(User).values(is_active=True))
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    past = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    with unit_of_work(factory) as session:
        session.execute(update(AuthSession).values(expires_at=past))
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401

    fresh = login_headers(client, "alice")
    assert client.post("/api/v1/auth/logout", headers=fresh).status_code == 204
    assert client.get("/api/v1/auth/me", headers=fresh).status_code == 401
    wrong = {"Authorization": "Bearer " + "x" * 43}
    assert client.get("/api/v1/auth/me", headers=wrong).status_code == 401


def _terminate_other_backends(engine: Engine) -> int:
    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as admin:
        row = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    return int(row[0]) if row else 0


@POSTGRES_ONLY
def test_a_dead_pooled_connection_is_replaced(client: TestClient, engine: Engine) -> None:
    # A database restart kills the pooled connections; no ping on checkout any more, so
    # the token check and /health find theirs dead and run again on a new one.
    headers = login_headers(client, "alice")
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    assert _terminate_other_backends(engine) >= 1
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    assert _terminate_other_backends(engine) >= 1
    assert client.get("/health").json()["database"] == "ok"


@POSTGRES_ONLY
def test_a_connection_idle_too_long_is_pinged_before_use(
    factory: sessionmaker[Session], engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with factory() as session:
        assert session.execute(text("SELECT 1")).scalar() == 1
    assert _terminate_other_backends(engine) >= 1
    monkeypatch.setattr(claimdesk_db, "PING_IDLE_SECONDS", 0.0)
    # The session's first statement (not retried) gets a live connection: the checkout
    # pinged the idle one, found it dead and opened another.
    with factory() as session:
        assert session.execute(text("SELECT 2")).scalar() == 2
