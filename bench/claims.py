"""Claims benchmarks on PostgreSQL (issue 4):

1. claim reports per second through HTTP (POST /api/v1/claims) with 2 server workers
   (target ≥ 500/s, p99 ≤ 100 ms);
2. the handler's work queue (GET /api/v1/claims/queue: open claims by next due time)
   p95 with BENCH_CLAIMS claims in the database (default 1,000,000; target ≤ 50 ms).
   Claims and their clocks are bulk-loaded with COPY. Set BENCH_CLAIMS lower on a
   small machine; the figure printed says how many claims were loaded.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import httpx

from bench.api import _bench_keys, _free_port, _wait  # type: ignore[attr-defined]
from bench.common import scratch_postgres

REPORTS_PER_CLIENT = int(os.environ.get("BENCH_REPORTS", "300"))
CLIENTS = int(os.environ.get("BENCH_REPORT_CLIENTS", "4"))
QUEUE_CLAIMS = int(os.environ.get("BENCH_CLAIMS", "1000000"))
QUEUE_READS = int(os.environ.get("BENCH_QUEUE_READS", "200"))


def _setup(url: str) -> str:
    """Calendar, demo products, a customer with a policy, a handler; returns the policy number."""
    from sqlalchemy.orm import Session

    from claimdesk.auth.passwords import hash_password
    from claimdesk.auth.principal import Principal
    from claimdesk.calendar.service import seed_from_package
    from claimdesk.db import make_engine
    from claimdesk.models.user import User, UserRole
    from claimdesk.people.schemas import ConsentIn
    from claimdesk.people.service import create_person
    from claimdesk.policies.schemas import PolicyIssueIn
    from claimdesk.policies.service import issue_policy
    from claimdesk.products import repository
    from claimdesk.products.demo import load_demo_products

    system = Principal.system("bench")
    engine = make_engine(url)
    with Session(engine) as session:
        seed_from_package(session, years=(2025, 2026), actor=system)
        load_demo_products(session, system)
        product = repository.find_product_by_code(session, "MED-MILLION")
        assert product is not None
        version = next(v for v in product.versions if v.status == "published")
        person = create_person(
            session,
            actor=system,
            name="李四",
            id_number="110105198503124515",
            phone="13812345678",
            email=None,
            address=None,
            medical_notes=None,
            consent=ConsentIn(
                purpose="claims_handling",
                scope=["identity", "contact"],  # type: ignore[list-item]
                method="written",
            ),
        )
        policy = issue_policy(
            session,
            actor=system,
            data=PolicyIssueIn.model_validate(
                {
                    "product_version_id": version.id,
                    "policyholder_id": person.id,
                    "insured_id": person.id,
                    "period_start": "2026-01-01",
                    "premium": "365.00",
                    "channel": "direct",
                    "beneficiaries": [],
                }
            ),
            at=dt.datetime(2025, 12, 20, tzinfo=dt.UTC),
        )
        user = User(
            username="bench", display_name="bench", password_hash=hash_password("Bench-pass-123")
        )
        user.roles = [UserRole(role="claims_handler")]
        session.add(user)
        session.commit()
        number = policy.number
    engine.dispose()
    return number


def _reporter(base: str, token: str, policy: str, count: int) -> list[float]:
    latencies = []
    payload = {
        "channel": "app",
        "policy_number": policy,
        "claimant_name": "李四",
        "loss_date": "2026-09-28",
        "loss_place": "北京",
        "loss_cause": "illness",
        "loss_overview": "住院",
        "estimated_amount": "3000.00",
    }
    with httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, trust_env=False
    ) as client:
        for _ in range(count):
            started = time.perf_counter()
            response = client.post("/api/v1/claims", json=payload)
            latencies.append(time.perf_counter() - started)
            if response.status_code != 201:
                raise RuntimeError(f"unexpected {response.status_code}: {response.text[:200]}")
    return latencies


def _bulk_claims(url: str, count: int) -> None:
    """COPY ``count`` open claims with one running review clock each."""
    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    now = dt.datetime.now(dt.UTC)
    with psycopg.connect(plain) as conn:
        policy_id, person_id = conn.execute(
            "SELECT id, insured_id FROM policies ORDER BY id LIMIT 1"
        ).fetchone()  # type: ignore[misc]
        start = conn.execute("SELECT coalesce(max(id), 0) FROM claims").fetchone()[0]  # type: ignore[index]
        states = ("reported", "accepted", "surveyed", "assessed", "adjusted", "in_review", "closed")
        with conn.cursor().copy(
            "COPY claims (id, number, state, policy_id, coverage_codes, line, channel, "
            "insured_person_id, claimant_name, claimant_relationship, loss_date, loss_place, "
            "loss_cause, loss_overview, casualties, group_incident, is_major, major_reasons, "
            "received_at, entered_at, created_at) FROM STDIN"
        ) as copy:
            for i in range(start + 1, start + count + 1):
                copy.write_row(
                    (
                        i,
                        f"BX{i:014d}",
                        states[i % len(states)],
                        policy_id,
                        '["medical"]',
                        "health",
                        "app",
                        person_id,
                        "李四",
                        "self",
                        dt.date(2026, 9, 28),
                        "北京",
                        "illness",
                        "住院",
                        0,
                        False,
                        False,
                        "[]",
                        now,
                        now,
                        now,
                    )
                )
        with conn.cursor().copy(
            "COPY clocks (subject_type, subject_id, name, rule_type, rule_n, started_at, due_at, "
            "created_at) FROM STDIN"
        ) as copy:
            for i in range(start + 1, start + count + 1):
                due = now + dt.timedelta(minutes=(i * 7919) % 100000)
                copy.write_row(("claim", str(i), "claim.review", "working_days", 3, now, due, now))
        conn.execute(
            "SELECT setval(pg_get_serial_sequence('claims', 'id'), (SELECT max(id) FROM claims))"
        )
        conn.execute("ANALYZE claims")
        conn.execute("ANALYZE clocks")
        conn.commit()


def _queue_reads(base: str, token: str, count: int) -> list[float]:
    latencies = []
    with httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, trust_env=False
    ) as client:
        for _ in range(count):
            started = time.perf_counter()
            response = client.get("/api/v1/claims/queue")
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(f"unexpected {response.status_code}: {response.text[:200]}")
    return latencies


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000, 2)


def run() -> dict[str, float]:
    with scratch_postgres() as url:
        policy = _setup(url)
        port = _free_port()
        env = {
            **os.environ,
            "CLAIMDESK_DATABASE_URL": url,
            "CLAIMDESK_ENV": "production",
            "CLAIMDESK_KEYS": os.environ.get("CLAIMDESK_KEYS", _bench_keys()),
        }
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "claimdesk.asgi:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "2",
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait(base)
            token = httpx.post(
                f"{base}/api/v1/auth/token",
                trust_env=False,
                json={"username": "bench", "password": "Bench-pass-123"},
            ).json()["access_token"]
            _reporter(base, token, policy, 20)  # warm both workers
            started = time.perf_counter()
            with ProcessPoolExecutor(CLIENTS) as pool:
                parts = list(
                    pool.map(
                        _reporter,
                        [base] * CLIENTS,
                        [token] * CLIENTS,
                        [policy] * CLIENTS,
                        [REPORTS_PER_CLIENT] * CLIENTS,
                    )
                )
            elapsed = time.perf_counter() - started
            loaded = time.perf_counter()
            _bulk_claims(url, QUEUE_CLAIMS)
            load_seconds = time.perf_counter() - loaded
            _queue_reads(base, token, 5)
            queue = _queue_reads(base, token, QUEUE_READS)
        finally:
            server.terminate()
            server.wait(timeout=20)
    reports = [x for part in parts for x in part]
    result = {
        "reports": len(reports),
        "reports_per_second": round(len(reports) / elapsed, 1),
        "report_p50_ms": round(statistics.median(reports) * 1000, 2),
        "report_p99_ms": _pct(reports, 0.99),
        "queue_claims_loaded": QUEUE_CLAIMS,
        "queue_load_seconds": round(load_seconds, 1),
        "queue_p50_ms": round(statistics.median(queue) * 1000, 2),
        "queue_p95_ms": _pct(queue, 0.95),
    }
    print(result)
    return result


if __name__ == "__main__":
    run()
