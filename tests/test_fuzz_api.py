"""Every operation of the OpenAPI, fuzzed by schemathesis against a real server on
PostgreSQL (GEN-6: no request, however malformed, produces a server error).

A uvicorn subprocess serves a fresh migrated database with the demo data; schemathesis
(CLI ``st run``) sends generated requests — boundary cases (the "coverage" phase: empty
and overlong strings, extreme integers, missing fields) and random ones — as an
administrator and as a customer, with a fixed seed and a fixed number of examples per
operation, and fails on any 5xx or any response that breaks its declared schema. The
run takes minutes, not hours; its counts are printed (``-s``) and the JSON report is
kept in the test's temporary directory.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from claimdesk.db import make_engine
from tests.browser.conftest import DEMO_PASSWORD, _free_port, _seed
from tests.conftest import _clone, _drop_clone
from tests.servers import wait_until_serving

pytestmark = pytest.mark.postgres_only

SEED = 20261205
# Per operation and phase; 166 operations × 2 principals stays within a few minutes.
MAX_EXAMPLES = int(os.environ.get("CLAIMDESK_FUZZ_EXAMPLES", "5"))
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance"
# Operations that end the run's own credentials (logging out, deactivating, re-roling or
# resetting the password of a user — the fuzzed id may be the caller's own) are fuzzed
# in a run of their own, last, so that they cannot turn the others into 401s.
SELF_ENDING = r"^/api/v1/(auth/logout|users/\{user_id\}/(deactivate|roles|password-reset))$"
ST = Path(sys.executable).with_name("st")


@dataclass
class FuzzServer:
    url: str
    factory: sessionmaker[Session]
    log_path: Path

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-6000:]


@pytest.fixture(scope="module")
def fuzz_server(
    template_db_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FuzzServer]:
    base = tmp_path_factory.mktemp("fuzz")
    db_url, handle = _clone(template_db_url, base)
    engine = make_engine(db_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    _seed(factory)
    port = _free_port()
    env = {
        **os.environ,
        "CLAIMDESK_DATABASE_URL": db_url,
        "CLAIMDESK_ENV": "development",
        "CLAIMDESK_UPLOAD_DIR": str(base / "uploads"),
        # Fuzzed logins must not lock the accounts the run itself uses.
        "CLAIMDESK_LOGIN_MAX_FAILURES": "1000000",
        "PYTHONUNBUFFERED": "1",
    }
    log_path = base / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "claimdesk.asgi:app", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        server = FuzzServer(url=f"http://127.0.0.1:{port}", factory=factory, log_path=log_path)
        try:
            wait_until_serving(server.url, process, log_path=log_path, what="the fuzzed server")
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
            engine.dispose()
            _drop_clone(handle)


def _sms_code(server: FuzzServer, username: str) -> str:
    """The newest SMS login code sent to ``username`` (read from the outbox, as the auth
    tests do: tests.builders.outbox_login_code)."""
    from claimdesk.models.job import OutboxMessage
    from claimdesk.models.user import User

    with server.factory() as session:
        user_id = session.scalar(select(User.id).where(User.username == username))
        body = session.scalars(
            select(OutboxMessage.body)
            .where(
                OutboxMessage.template == "portal.login_code",
                OutboxMessage.related_type == "user",
                OutboxMessage.related_id == str(user_id),
            )
            .order_by(OutboxMessage.id.desc())
            .limit(1)
        ).one()
    found = re.search(r"\b(\d{6})\b", body)
    assert found, body
    return found.group(1)


def _token(server: FuzzServer, username: str) -> str:
    api = f"{server.url}/api/v1"
    response = httpx.post(
        f"{api}/auth/token", json={"username": username, "password": DEMO_PASSWORD}, timeout=30
    )
    if response.status_code == 202:  # a customer: the SMS code step (SEC-9)
        response = httpx.post(
            f"{api}/auth/token/verify",
            json={
                "challenge": response.json()["challenge"],
                "code": _sms_code(server, username),
            },
            timeout=30,
        )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


# Path parameter → the table whose demo rows it names. Random ids only ever find 404s;
# with these, most generated requests reach the records and the code behind them.
ID_TABLES = {
    "claim_id": "claims",
    "policy_id": "policies",
    "product_id": "products",
    "version_id": "product_versions",
    "complaint_id": "complaints",
    "user_id": "users",
    "person_id": "people",
    "event_id": "mass_events",
    "incident_id": "security_incidents",
    "change_id": "policy_changes",
    "agent_id": "sales_agents",
    "dispute_id": "claim_disputes",
    "record_id": "service_records",
    "unit_id": "org_units",
    "consent_id": "consents",
    "batch_id": "payment_batches",
}


# Values PostgreSQL cannot take, mixed into every generated string and integer (and id
# parameter): a random draw rarely produces them, and each used to be a server error.
HOSTILE_TEXT = ["\x00", "a\x00b", "\u0000' OR 1=1 --"]
HOSTILE_INTEGERS = [0, -1, 2**31, -(2**31) - 1, 2**63, -(2**63) - 1]


def _toml(values: list[Any]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def _config(server: FuzzServer, path: Path) -> Path:
    """A schemathesis.toml: each id parameter draws a demo record's id (or an id out of
    the column's range) 70% of the time; strings and integers anywhere draw a hostile
    value 5% of the time."""
    from sqlalchemy import text

    lines = [
        "[dictionaries.hostile_text]",
        f"values = {_toml(HOSTILE_TEXT)}",
        "[dictionaries.hostile_integers]",
        f"values = {_toml(HOSTILE_INTEGERS)}",
    ]
    bindings: list[str] = []
    with server.factory() as session:
        for name, table in ID_TABLES.items():
            ids = list(session.scalars(text(f"SELECT id FROM {table} ORDER BY id LIMIT 8")))
            lines += [f"[dictionaries.{name}]", f"values = {_toml([*ids, 2**31, 0])}"]
            bindings.append(f'"path.{name}" = {{ dictionary = "{name}", probability = 0.7 }}')
    lines += [
        "[generation.dictionaries]",
        'string = { dictionary = "hostile_text", probability = 0.05 }',
        'integer = { dictionary = "hostile_integers", probability = 0.05 }',
        "[parameters]",
        *bindings,
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def _run(
    server: FuzzServer, token: str, report: Path, *extra: str, config: Path | None = None
) -> tuple[int, str]:
    command = [
        str(ST),
        *(["--config-file", str(config)] if config else []),
        "run",
        f"{server.url}/api/v1/openapi.json",
        "--checks",
        CHECKS,
        "--seed",
        str(SEED),
        "--max-examples",
        str(MAX_EXAMPLES),
        "--no-shrink",
        # One worker: hypothesis' lambda descriptions are not thread-safe on 3.11
        # ("AST constructor recursion depth mismatch"); the server is the bottleneck anyway.
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--suppress-health-check",
        "all",
        "--header",
        f"Authorization: Bearer {token}",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(report),
        *extra,
    ]
    # Run in the report's directory: schemathesis keeps a cache (.schemathesis/) in its cwd.
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=900, check=False, cwd=report.parent
    )
    return done.returncode, done.stdout + done.stderr


def _counts(report: Path) -> dict[str, Any]:
    """Requests sent, failures found and the responses' status codes, from schemathesis'
    ndjson event stream."""
    requests = failures = 0
    statuses: Counter[int] = Counter()
    for line in report.read_text().splitlines():
        event = json.loads(line)
        for kind, body in event.items():
            if kind == "ScenarioFinished":
                recorder = body.get("recorder", {})
                for interaction in recorder.get("interactions", {}).values():
                    requests += 1
                    statuses[(interaction.get("response") or {}).get("status_code", 0)] += 1
                for checks in recorder.get("checks", {}).values():
                    failures += sum(1 for c in checks if str(c.get("status")).lower() == "failure")
    return {"requests": requests, "failures": failures, "statuses": dict(sorted(statuses.items()))}


# The administrator's run adds the boundary cases (coverage phase: empty, overlong and
# wrong-typed values, extreme integers); a customer is refused most operations before
# validation, so random examples suffice there.
@pytest.mark.parametrize(
    ("username", "selection", "phases"),
    [
        ("customer1", "--exclude-path-regex", "examples,fuzzing"),
        ("admin", "--exclude-path-regex", "examples,coverage,fuzzing"),
        ("admin", "--include-path-regex", "examples,coverage,fuzzing"),
    ],
    ids=["customer", "administrator", "self-ending"],
)
def test_no_operation_answers_a_server_error_or_breaks_its_schema(
    fuzz_server: FuzzServer, tmp_path: Path, username: str, selection: str, phases: str
) -> None:
    # SPEC GEN-6
    report = tmp_path / f"schemathesis-{username}.ndjson"
    started = time.monotonic()
    token = _token(fuzz_server, username)
    config = _config(fuzz_server, tmp_path / "schemathesis.toml")
    code, output = _run(
        fuzz_server, token, report, "--phases", phases, selection, SELF_ENDING, config=config
    )
    elapsed = time.monotonic() - started
    counts = _counts(report) if report.exists() else {}
    print(f"\nschemathesis as {username}: {counts} in {elapsed:.0f} s")
    print(output[-6000:])
    assert code == 0, f"{output[-20000:]}\n--- server log ---\n{fuzz_server.log_tail()}"
    # The run really exercised the API.
    assert counts.get("requests", 0) > (500 if selection == "--exclude-path-regex" else 20)
    # ... and reached records, not only 404s for random ids.
    assert sum(n for status, n in counts["statuses"].items() if status in (200, 201, 409, 422)) > (
        100 if selection == "--exclude-path-regex" else 0
    )
