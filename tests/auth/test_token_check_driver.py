"""The token check on a real engine (issue 14, me_cpu_ms): on PostgreSQL it runs on the
event loop (claimdesk.loop_driver) in autocommit — one statement, no BEGIN/COMMIT, no
trip through the thread pool — and still refuses a revoked or expired token, a deactivated account and a changed role on the
very next request; a pooled connection that died (database restart) is replaced.

The app is bound to an engine here (the other tests bind it to the test's own
connection and transaction, which takes the session path). # SPEC SEC-8"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import anyio.to_thread
import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text, update
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from claimdesk import db as claimdesk_db
from claimdesk.app import create_app
from claimdesk.auth.service import idle_timeout
from claimdesk.db import make_engine, unit_of_work
from claimdesk.models.base import utcnow
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
    connection was in autocommit (no BEGIN, no COMMIT) when it ran; "loop:" before the
    statements run on the event loop (an AsyncCursor)."""
    found: list[tuple[str, bool]] = []
    original = psycopg.Cursor.execute
    original_async = psycopg.AsyncCursor.execute

    def recording(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        found.append((" ".join(str(query).split()[:2]), self.connection.autocommit))
        return original(self, query, *args, **kwargs)

    async def recording_async(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        words = " ".join(str(query).split()[:2])
        found.append((f"loop: {words}", self.connection.autocommit))
        return await original_async(self, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", recording)
    monkeypatch.setattr(psycopg.AsyncCursor, "execute", recording_async)
    return found


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the functions run in the thread pool, in order."""
    made: list[str] = []
    original = anyio.to_thread.run_sync

    async def counting(func: Any, *args: Any, **kwargs: Any) -> Any:
        target = getattr(func, "func", func)
        made.append(getattr(target, "__qualname__", repr(target)))
        return await original(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counting)
    return made


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
def test_me_sends_one_statement_in_autocommit_on_the_loop(
    client: TestClient, sent: list, trips: list
) -> None:  # SPEC SEC-8
    headers = login_headers(client, "alice")
    sent.clear()
    trips.clear()
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    assert sent == [("loop: SELECT auth_sessions.id,", True)]
    assert trips == []
    sent.clear()
    trips.clear()
    assert client.get("/health").status_code == 200
    # /health's SELECT 1 on the loop; the engine's pool has a connection idle (the
    # login's): the next route gets it at once, so no probe of it and no trip.
    assert sent == [("loop: SELECT 1", True)]
    assert trips == []


@POSTGRES_ONLY
def test_health_probes_the_engines_pool_when_none_is_idle(
    client: TestClient, engine: Engine, sent: list, trips: list
) -> None:  # SPEC GEN-6
    # No connection idle in the engine's pool (a restart, a pool all taken): a route
    # would have to wait or connect, so /health does, through the pool, in one trip
    # and one statement in autocommit (no BEGIN, no ROLLBACK).
    login_headers(client, "alice")
    engine.pool.dispose()
    sent.clear()
    trips.clear()
    assert client.get("/health").json()["database"] == "ok"
    assert sent == [("loop: SELECT 1", True), ("SELECT 1", True)]
    assert trips == ["_select_1"]


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
def test_health_on_the_loop_reports_an_unreachable_database(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # /health's statement on the loop driver failing (the database down, the loop pool
    # exhausted) is a 503, as on the session path.
    from claimdesk.loop_driver import LoopDriver

    async def down(self: Any, statement: Any, params: Any, *, rows: bool = True) -> Any:
        raise psycopg.OperationalError("database down")

    monkeypatch.setattr(LoopDriver, "run", down)
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable"}


@POSTGRES_ONLY
@pytest.mark.parametrize(
    ("failure", "said"),
    (
        (psycopg.OperationalError("too many clients already"), "unreachable"),
        (PoolTimeout("QueuePool limit reached"), "busy"),
    ),
)
def test_health_reports_the_engines_pool_that_requests_use(
    client: TestClient,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    failure: Exception,
    said: str,
) -> None:
    # SPEC GEN-6: the loop driver's connections, open already, still answer while the
    # engine's pool — every route's session — can give no connection (the database
    # refuses new ones; every one is taken). /health said "ok" then; now it says what
    # the routes meet.
    login_headers(client, "alice")  # the loop driver's connection is open and answers
    assert client.get("/health").json()["database"] == "ok"

    def refused(*_args: Any, **_kwargs: Any) -> Any:
        raise failure

    engine.pool.dispose()  # no connection left idle: the routes need a new one
    monkeypatch.setattr(engine.pool, "connect", refused)
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": said}
    if said == "busy":
        assert response.headers["Retry-After"] == "5"


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


@POSTGRES_ONLY
def test_a_browser_session_is_marked_seen_from_the_loop(
    client: TestClient, factory: sessionmaker[Session], trips: list
) -> None:  # SPEC SEC-8
    from tests.auth.test_sessions import _web_login

    _web_login(client, "alice")
    a_while_ago = utcnow() - dt.timedelta(minutes=5)
    with unit_of_work(factory) as session:
        session.execute(update(AuthSession).values(last_seen_at=a_while_ago))
    trips.clear()
    assert client.get("/api/v1/auth/me").status_code == 200
    assert trips == []  # the check and the mark, both on the event loop
    with factory() as session:
        seen = session.scalars(select(AuthSession.last_seen_at)).one()
    assert seen > a_while_ago + dt.timedelta(minutes=4)
    # Idle past the limit: refused, as on the session path (tests/auth/test_sessions.py).
    with unit_of_work(factory) as session:
        session.execute(update(AuthSession).values(last_seen_at=utcnow() - idle_timeout()))
    assert client.get("/api/v1/auth/me").status_code == 401
