"""Scale-out (issue 14 item 3): four stateless API processes — two servers of two
workers each — report claims at once against one PostgreSQL. Every report is answered,
numbers stay unique per day, and the audit trail they wrote seals and verifies. Nothing
is coordinated in process memory: the processes share only the database."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.db import make_engine
from claimdesk.errors import CalendarYearNotCovered
from claimdesk.models.claim import Claim
from tests.builders import (
    DEFAULT_PASSWORD,
    demo_version,
    issue_policy,
    make_person,
    make_user,
    seed_calendar,
)
from tests.conftest import TEST_KEYRING
from tests.servers import wait_until_serving

pytestmark = pytest.mark.postgres_only

SERVERS, WORKERS_EACH, CLIENTS, REPORTS_EACH = 2, 2, 4, 12
START_TIMEOUT = 300.0
CLAIMDESK = Path(sys.executable).with_name("claimdesk")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _world(url: str) -> tuple[str, dt.date]:
    """A handler and an in-force policy around today's date (whatever the date is)."""
    today = dt.datetime.now(dt.UTC).date()
    engine = make_engine(url)
    with Session(engine) as session:
        from claimdesk.auth.principal import Principal
        from claimdesk.products.demo import load_demo_products

        for year in (today.year - 1, today.year):
            with contextlib.suppress(CalendarYearNotCovered):  # provisional then (GEN-3)
                seed_calendar(session, years=[year])
        load_demo_products(session, Principal.system("test"))
        person = make_person(session)
        start = today - dt.timedelta(days=120)
        policy = issue_policy(
            session,
            version_id=demo_version(session).id,
            policyholder_id=person.id,
            period_start=start.isoformat(),
            issued_at=f"{(start - dt.timedelta(days=5)).isoformat()}T10:00:00+08:00",
        )
        make_user(session, username="handler.scale")
        session.commit()
        number = policy.number
    engine.dispose()
    return number, today - dt.timedelta(days=3)


def _serve(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CLAIMDESK_DATABASE_URL": url,
        "CLAIMDESK_KEYS": TEST_KEYRING.to_json(),
        "CLAIMDESK_ENV": "test",
        "CLAIMDESK_DB_POOL_SIZE": "4",
        "CLAIMDESK_DB_MAX_OVERFLOW": "2",
    }
    command = [str(CLAIMDESK), "serve", "--port", str(port), "--workers", str(WORKERS_EACH)]
    # The log goes to a file: a pipe nobody reads could fill and stall the server.
    with log.open("wb") as handle:
        return subprocess.Popen(command, env=env, stdout=handle, stderr=subprocess.STDOUT)


def test_four_api_processes_report_at_once(fresh_db_url: str, tmp_path: Path) -> None:
    # SPEC CLM-R3 (a unique report number each), GEN-5 (the trail seals and verifies)
    policy, loss_date = _world(fresh_db_url)
    ports = [_free_port() for _ in range(SERVERS)]
    logs = [tmp_path / f"server-{port}.log" for port in ports]
    servers = [_serve(fresh_db_url, port, log) for port, log in zip(ports, logs, strict=True)]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for base, server, log in zip(bases, servers, logs, strict=True):
            wait_until_serving(base, server, log_path=log, seconds=START_TIMEOUT)
        token = httpx.post(
            f"{bases[0]}/api/v1/auth/token",
            json={"username": "handler.scale", "password": DEFAULT_PASSWORD},
            trust_env=False,
            timeout=60,
        ).json()["access_token"]
        payload = {
            "policy_number": policy,
            "channel": "hotline",
            "claimant_name": "王建国",
            "loss_date": loss_date.isoformat(),
            "loss_place": "北京",
            "loss_cause": "illness",
            "loss_overview": "住院",
            "estimated_amount": "3000.00",
        }

        def client(index: int) -> list[tuple[int, str]]:
            answers = []
            with httpx.Client(
                headers={"Authorization": f"Bearer {token}"}, trust_env=False, timeout=120
            ) as http:
                for n in range(REPORTS_EACH):
                    base = bases[(index + n) % SERVERS]  # spread over both servers
                    response = http.post(f"{base}/api/v1/claims", json=payload)
                    answers.append((response.status_code, response.json().get("number", "")))
            return answers

        with ThreadPoolExecutor(CLIENTS) as pool:
            answers = [a for part in pool.map(client, range(CLIENTS)) for a in part]
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=60)

    total = CLIENTS * REPORTS_EACH
    assert [status for status, _ in answers] == [201] * total
    numbers = [number for _, number in answers]
    assert len(set(numbers)) == total and all(n.startswith("BA") for n in numbers)
    engine = make_engine(fresh_db_url)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Claim)) == total
    engine.dispose()
    env = {
        **os.environ,
        "CLAIMDESK_DATABASE_URL": fresh_db_url,
        "CLAIMDESK_KEYS": TEST_KEYRING.to_json(),
    }
    sealed = subprocess.run(
        [str(CLAIMDESK), "audit", "seal"], env=env, capture_output=True, text=True, timeout=300
    )
    assert sealed.returncode == 0, sealed.stdout + sealed.stderr
    verified = subprocess.run(
        [str(CLAIMDESK), "audit", "verify"], env=env, capture_output=True, text=True, timeout=300
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
