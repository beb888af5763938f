"""Exactly once under concurrency and crashes, on PostgreSQL with real commits
(SPEC CLM-P5, CLM-V1): concurrent tier approvals, the same payment requested from
many clients at once, and a server killed with SIGKILL while payments are executed."""

from __future__ import annotations

import functools
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from claimdesk.app import create_app
from claimdesk.db import make_engine
from claimdesk.models.claim import Claim
from claimdesk.models.payment import Payment, PaymentAttempt
from claimdesk.models.review import ReviewDecision
from tests.claims.helpers import FrozenClock, local
from tests.claims.steps import (
    API,
    MEDICAL_50K,
    Settlement,
    approve,
    build_settlement,
    ok,
    walk_to_adjusted,
)
from tests.servers import wait_until_serving
from tests.waits import Rendezvous, run_in_threads

pytestmark = pytest.mark.postgres_only
# Straight to the local server, whatever proxy the environment names.
HTTP = httpx.Client(trust_env=False)


@dataclass
class Real:
    s: Settlement
    factory: sessionmaker[Session]
    clock: FrozenClock


@pytest.fixture
def real(fresh_db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Real]:
    engine = make_engine(fresh_db_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with (
        factory() as db,
        TestClient(create_app(factory=factory), raise_server_exceptions=False) as client,
    ):
        clock = FrozenClock(monkeypatch, local("2026-09-30T10:00:00"))
        yield Real(build_settlement(db, client), factory, clock)
    engine.dispose()


def _in_review(r: Real) -> int:
    cid = walk_to_adjusted(r.s.w, r.clock, policy="MED-MILLION", assessment=MEDICAL_50K)
    ok(r.s.w.client.post(f"{API}/{cid}/review/submit", json={}, headers=r.s.w.h["adjuster"]))
    return cid


def _approved(r: Real) -> int:
    cid = _in_review(r)
    approve(r.s.w, cid, "reviewer1")
    approve(r.s.w, cid, "reviewer2")
    return cid


def _all_at_once(calls: list[Any]) -> list[Any]:
    barrier = Rendezvous(len(calls))

    def run(call: Any) -> Any:
        barrier.wait()
        return call()

    return run_in_threads([functools.partial(run, call) for call in calls])


def test_two_tiers_and_two_tier1_reviewers_at_once_stay_consistent(real: Real) -> None:
    # SPEC CLM-V1 CLM-P5
    w = real.s.w
    from claimdesk.claims.settlement.endpoints import router  # noqa: F401  (routes registered)

    app = w.client.app
    clients = [TestClient(app, raise_server_exceptions=False) for _ in range(3)]
    body = {
        "decision": "approve",
        "checklist": {
            k: True
            for k in (
                "policy_in_force",
                "adequately_insured",
                "disclosure_and_exclusions",
                "materials_complete",
                "process_compliant",
                "amount_correct",
            )
        },
    }
    for _ in range(3):
        cid = _in_review(real)
        who = ["reviewer1", "reviewer1b", "reviewer2"]
        responses = _all_at_once(
            [
                (
                    lambda c=c, name=name: c.post(
                        f"{API}/{cid}/review/decisions", json=body, headers=w.h[name]
                    )
                )
                for c, name in zip(clients, who, strict=True)
            ]
        )
        codes = [resp.status_code for resp in responses]
        assert all(code in (200, 403, 409) for code in codes), [x.text for x in responses]
        with real.factory() as db:
            tiers = sorted(
                db.scalars(select(ReviewDecision.tier).where(ReviewDecision.claim_id == cid))
            )
            state = db.scalar(select(Claim.state).where(Claim.id == cid))
        # Exactly one tier-1 decision; tier 2 only after it; the state follows.
        assert tiers in ([1], [1, 2])
        assert codes[:2].count(200) == 1
        assert state == ("approved" if tiers == [1, 2] else "in_review")


def test_same_payment_requested_many_times_at_once_is_one_payment(real: Real) -> None:
    # SPEC CLM-P5
    w = real.s.w
    cid = _approved(real)
    pay = {"payee_person_id": real.s.insured_id, "bank_account_id": real.s.account_id}
    clients = [TestClient(w.client.app, raise_server_exceptions=False) for _ in range(8)]
    # Two officers / double clicks: different keys; retries: the same key.
    keys = [f"dup-key-{i % 2}-abcdef" if i < 4 else "same-key-123456" for i in range(8)]
    responses = _all_at_once(
        [
            (
                lambda c=c, k=k: c.post(
                    f"{API}/{cid}/payments",
                    json=pay,
                    headers={**w.h["cashier"], "Idempotency-Key": k},
                )
            )
            for c, k in zip(clients, keys, strict=True)
        ]
    )
    assert {resp.status_code for resp in responses} <= {200, 201}, [x.text for x in responses]
    assert [resp.status_code for resp in responses].count(201) == 1
    assert len({resp.json()["id"] for resp in responses}) == 1
    with real.factory() as db:
        assert (
            db.scalar(select(func.count()).select_from(Payment).where(Payment.claim_id == cid)) == 1
        )
    # Two exports at once: the payment goes into one batch only.
    exports = _all_at_once(
        [
            (lambda c=c: c.post("/api/v1/payments/batches", json={}, headers=w.h["cashier"]))
            for c in clients[:4]
        ]
    )
    assert sorted(resp.status_code for resp in exports) == [201, 409, 409, 409]
    with real.factory() as db:
        assert db.scalar(select(func.count()).select_from(PaymentAttempt)) == 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_server(url: str, port: int, log_path: Path) -> subprocess.Popen[bytes]:
    """A uvicorn subprocess on ``url``, returned once its /health answers (its output is
    appended to ``log_path``, shown when it does not start)."""
    env = {**os.environ, "CLAIMDESK_DATABASE_URL": url, "CLAIMDESK_ENV": "test"}
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "claimdesk.asgi:app",
                "--port",
                str(port),
                "--host",
                "127.0.0.1",
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_serving(
            f"http://127.0.0.1:{port}", process, log_path=log_path, what="the payment server"
        )
    except BaseException:
        process.kill()
        process.wait()
        raise
    return process


def test_server_killed_mid_payments_pays_every_claim_exactly_once(
    real: Real, fresh_db_url: str, tmp_path: Path
) -> None:
    # SPEC CLM-P5
    w = real.s.w
    claims = [_approved(real) for _ in range(4)]
    pay = {"payee_person_id": real.s.insured_id, "bank_account_id": real.s.account_id}
    headers = w.h["cashier"]
    port = _free_port()
    base = f"http://127.0.0.1:{port}/api/v1"
    log = tmp_path / "server.log"

    def fire(cid: int, attempt: int) -> int | None:
        # Every claim's request is sent 5 times (a client retrying on its own).
        try:
            response = HTTP.post(
                f"{base}/claims/{cid}/payments",
                json=pay,
                timeout=10,
                headers={**headers, "Idempotency-Key": f"crash-claim-{cid}"},
            )
            return response.status_code
        except httpx.HTTPError:
            return None

    server = _start_server(fresh_db_url, port, log)
    try:
        with ThreadPoolExecutor(8) as pool:
            futures = [pool.submit(fire, cid, n) for n in range(5) for cid in claims]
            time.sleep(0.15)
            os.kill(server.pid, signal.SIGKILL)  # mid-way: some committed, some not
            server.wait()
            first = [f.result() for f in futures]
        assert None in first or all(code in (200, 201) for code in first)
        server = _start_server(fresh_db_url, port, log)
        # Restart: every request retried with its key.
        again = [fire(cid, 9) for cid in claims]
        assert set(again) <= {200, 201}
        # Export, then crash before the bank's confirmation is applied.
        batch = HTTP.post(f"{base}/payments/batches", json={}, headers=headers, timeout=10)
        assert batch.status_code == 201, batch.text
        os.kill(server.pid, signal.SIGKILL)
        server.wait()
        server = _start_server(fresh_db_url, port, log)
        # After restart the exported payments are not exported again.
        retry = HTTP.post(f"{base}/payments/batches", json={}, headers=headers, timeout=10)
        assert retry.status_code == 409 and retry.json()["error"]["code"] == "nothing_to_export"
        with real.factory() as db:
            payments = db.scalars(select(Payment).where(Payment.claim_id.in_(claims))).all()
            lines = [
                {
                    "payment_id": p.id,
                    "idempotency_key": p.idempotency_key,
                    "result": "paid",
                    "reference": f"BK{p.id}",
                }
                for p in payments
            ]
        for _ in range(2):  # the confirmation file arrives twice
            confirmed = HTTP.post(
                f"{base}/payments/batches/{batch.json()['id']}/confirmation",
                json={"lines": lines},
                headers=headers,
                timeout=10,
            )
            assert confirmed.status_code == 200, confirmed.text
    finally:
        server.kill()
        server.wait()
    with real.factory() as db:
        per_claim = dict(
            db.execute(
                select(Payment.claim_id, func.count())
                .where(Payment.claim_id.in_(claims))
                .group_by(Payment.claim_id)
            ).all()
        )
        assert per_claim == {cid: 1 for cid in claims}  # none lost, none twice
        attempts = db.scalar(select(func.count()).select_from(PaymentAttempt))
        assert attempts == len(claims)
        states = set(db.scalars(select(Claim.state).where(Claim.id.in_(claims))))
        assert states == {"paid"}
        assert set(db.scalars(select(Payment.status).where(Payment.claim_id.in_(claims)))) == {
            "paid"
        }
