"""Server-Timing on every response (issue 6): application time, SQL time and count."""

from __future__ import annotations

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import text
from sqlalchemy.orm import Session

from claimdesk import timing
from claimdesk.timing import HEADER, parse


def _statements(response: Response) -> int:
    described = parse(response.headers[HEADER])["db"]["desc"]
    assert described.endswith(" statements")
    return int(described.split()[0])


def test_every_response_says_its_server_time_and_statements(client: TestClient) -> None:
    # SPEC issue 6 (page speed is measured from the server's own figure)
    health = client.get("/health")
    assert health.status_code == 200
    figures = parse(health.headers[HEADER])
    assert float(figures["app"]["dur"]) > 0
    assert float(figures["db"]["dur"]) >= 0
    # /health runs SELECT 1 (plus the transaction's own statements, per backend).
    assert _statements(health) >= 1

    login = client.get("/login")  # a page, no database work
    assert _statements(login) == 0
    missing = client.get("/no-such-page")
    assert missing.status_code == 404
    assert "app" in parse(missing.headers[HEADER])
    api = client.get("/api/v1/auth/me")
    assert api.status_code == 401 and HEADER in api.headers


def test_statements_are_counted_per_request_not_across_requests(client: TestClient) -> None:
    # SPEC issue 6
    counts = [_statements(client.get("/health")) for _ in range(3)]
    assert counts[0] >= 1 and counts == [counts[0]] * 3


def test_statements_outside_a_request_are_not_counted(db: Session) -> None:
    # SPEC issue 6 (jobs and the CLI carry no request timing)
    timing.install_sql_counters()
    assert timing.current() is None
    assert db.execute(text("SELECT 1")).scalar() == 1
    assert timing.current() is None


def test_header_format_parses_back() -> None:
    # SPEC issue 6
    header = timing.RequestTiming(statements=3, db_seconds=0.0021).header(0.0123)
    assert header == 'app;dur=12.3, db;dur=2.1;desc="3 statements"'
    assert parse(header) == {
        "app": {"dur": "12.3"},
        "db": {"dur": "2.1", "desc": "3 statements"},
    }
