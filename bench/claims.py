"""Claims benchmarks on PostgreSQL (issue 4):

1. claim reports per second through HTTP (POST /api/v1/claims) with 2 server workers
   (target ≥ 500/s, p99 ≤ 100 ms);
2. the handler's work queue (GET /api/v1/claims/queue: open claims, mass-event claims
   first, then by next running deadline) p95 with BENCH_CLAIMS claims in the database
   (default 1,000,000; target ≤ 50 ms). The claims, two clocks each and a mass event are
   bulk-loaded with INSERT ... SELECT over generate_series (one statement per table, in
   the server); the figure printed says how many claims were in the table.

Two more figures explain the first one (both added when the report path was made
cheaper, 2026-11-22):

3. the cost of one report, in-process and sequential (no HTTP): the application's CPU
   time, the PostgreSQL backend's CPU time (read from /proc when the server is local) and
   the number of SQL statements — a capacity model: how many cores 500 reports/s need;
4. report latency at a fixed offered rate (open loop: each request has a scheduled send
   time and its latency counts from then, so a slow server cannot hide queueing by
   slowing the clients down), by default half the closed-loop throughput just measured.

Why the first version never produced figures: the 2-worker server was given 30 s to
answer /health, and on this 2-core machine, loaded by parallel test runs, importing and
building the application takes 11 s per process alone (35 s measured for two workers
at load 8). The server now starts while the data set is prepared, readiness means both
workers reported "Application startup complete" (not just the first one answering),
the wait is BENCH_SERVER_START_TIMEOUT (180 s) long, and a server that exits is
reported at once with its exit code instead of as a timeout.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor

import httpx

from bench.common import scratch_postgres

REPORTS_PER_CLIENT = int(os.environ.get("BENCH_REPORTS", "300"))
CLIENTS = int(os.environ.get("BENCH_REPORT_CLIENTS", "4"))
QUEUE_CLAIMS = int(os.environ.get("BENCH_CLAIMS", "1000000"))
QUEUE_READS = int(os.environ.get("BENCH_QUEUE_READS", "200"))
# Fewer than the queue's 100 rows, so every read also runs the query over all claims.
EVENT_CLAIMS = int(os.environ.get("BENCH_EVENT_CLAIMS", "40"))
COST_REPORTS = int(os.environ.get("BENCH_REPORT_COST_REPORTS", "300"))
PACED_SECONDS = float(os.environ.get("BENCH_PACED_SECONDS", "20"))
# Offered rate for the open-loop run; 0 = half the closed-loop throughput.
PACED_RATE = float(os.environ.get("BENCH_PACED_RATE", "0"))
START_TIMEOUT = float(os.environ.get("BENCH_SERVER_START_TIMEOUT", "180"))
WORKERS = 2
# A latency is measured, never cut short: on a loaded machine a request may take seconds.
HTTP_TIMEOUT = 120.0
PASSWORD = "Bench-pass-123"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _bench_keys() -> str:
    """One keyring for the whole bench run, shared by the server it starts and the bulk
    loader, which writes encrypted columns (loss_overview, SEC-1) without the ORM."""
    if not os.environ.get("CLAIMDESK_KEYS"):
        from claimdesk.crypto.keyring import Keyring

        os.environ["CLAIMDESK_KEYS"] = Keyring.generate().to_json()
    return os.environ["CLAIMDESK_KEYS"]


class Server:
    """``uvicorn claimdesk.asgi:app --workers 2`` on a free port; ready when every worker
    has finished start-up (uvicorn logs one line per worker at level info)."""

    def __init__(self, url: str) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "CLAIMDESK_DATABASE_URL": url,
            "CLAIMDESK_ENV": "production",
            "CLAIMDESK_KEYS": os.environ.get("CLAIMDESK_KEYS") or _bench_keys(),
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "claimdesk.asgi:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(WORKERS),
                "--log-level",
                "info",
                "--no-access-log",
            ],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.started = time.monotonic()
        self.ready_after: float | None = None
        self._workers_up = 0
        self._ready = threading.Event()
        threading.Thread(target=self._read_log, daemon=True).start()

    def _read_log(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            if "Application startup complete" in line:
                self._workers_up += 1
                if self._workers_up == WORKERS:
                    self._ready.set()
            elif not line.startswith("INFO:"):
                sys.stderr.write(f"[server] {line}")  # warnings and errors stay visible

    def wait_ready(self) -> None:
        deadline = self.started + START_TIMEOUT
        # Not self._ready.wait(0.5): under faketime a timed wait never times out, and a
        # server that exited before it was ready was never noticed (docs/operations.md).
        while not self._ready.is_set():
            time.sleep(0.05)
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with code {self.process.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{self._workers_up}/{WORKERS} workers started in {START_TIMEOUT:.0f} s"
                )
        response = httpx.get(f"{self.base}/health", timeout=HTTP_TIMEOUT, trust_env=False)
        if response.status_code != 200:
            raise RuntimeError(f"health check answered {response.status_code}: {response.text}")
        self.ready_after = round(time.monotonic() - self.started, 1)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


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
        # The reports are dated today (wall clock) and their deadlines run into next year:
        # load what a production database has for that span — published years from the
        # package, the others provisionally (GEN-3) — so the figures do not depend on the
        # year the bench runs in.
        this_year = dt.datetime.now(dt.UTC).year
        seed_from_package(session, years=(2025, 2026), actor=system)
        seed_from_package(session, years=(this_year, this_year + 1), actor=system, provisional=True)
        load_demo_products(session, system)
        product = repository.find_product_by_code(session, code="MED-MILLION")
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
                scope=["identity", "contact"],
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
        user = User(username="bench", display_name="bench", password_hash=hash_password(PASSWORD))
        user.roles = [UserRole(role="claims_handler")]
        session.add(user)
        session.commit()
        number = policy.number
    engine.dispose()
    return number


def _reporter(base: str, token: str, policy: str, count: int) -> list[float]:
    latencies = []
    payload = {**_REPORT_PAYLOAD, "policy_number": policy}
    with httpx.Client(
        base_url=base,
        headers={"Authorization": f"Bearer {token}"},
        trust_env=False,
        timeout=HTTP_TIMEOUT,
    ) as client:
        for _ in range(count):
            started = time.perf_counter()
            response = client.post("/api/v1/claims", json=payload)
            latencies.append(time.perf_counter() - started)
            if response.status_code != 201:
                raise RuntimeError(f"unexpected {response.status_code}: {response.text[:200]}")
    return latencies


_REPORT_PAYLOAD = {
    "channel": "app",
    "claimant_name": "李四",
    "loss_date": "2026-09-28",
    "loss_place": "北京",
    "loss_cause": "illness",
    "loss_overview": "住院",
    "estimated_amount": "3000.00",
}


def _paced(base: str, token: str, policy: str, rate: float, seconds: float) -> list[float]:
    """One client of the open-loop run: requests at ``rate`` per second on a fixed
    schedule; each latency counts from the scheduled send time."""
    payload = {**_REPORT_PAYLOAD, "policy_number": policy}
    latencies = []
    interval = 1.0 / rate
    with httpx.Client(
        base_url=base,
        headers={"Authorization": f"Bearer {token}"},
        trust_env=False,
        timeout=HTTP_TIMEOUT,
    ) as client:
        start = time.perf_counter()
        for i in range(int(rate * seconds)):
            scheduled = start + i * interval
            pause = scheduled - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            response = client.post("/api/v1/claims", json=payload)
            latencies.append(time.perf_counter() - scheduled)
            if response.status_code != 201:
                raise RuntimeError(f"unexpected {response.status_code}: {response.text[:200]}")
    return latencies


def _report_cost(url: str, policy: str, count: int) -> dict[str, float]:
    """One report's cost, sequential and in-process (service, serialisation, commit;
    no HTTP, no token check): application CPU, PostgreSQL backend CPU, statements."""
    from sqlalchemy import event, select, text
    from sqlalchemy.orm import sessionmaker

    from claimdesk.auth.principal import Principal
    from claimdesk.claims import endpoints
    from claimdesk.claims.schemas import ReportCreate
    from claimdesk.db import make_engine
    from claimdesk.models.user import User

    engine = make_engine(url, pool_size=1, max_overflow=0)
    statements = [0]
    event.listen(
        engine, "before_cursor_execute", lambda *_a: statements.__setitem__(0, statements[0] + 1)
    )
    factory = sessionmaker(engine)
    body = ReportCreate.model_validate({**_REPORT_PAYLOAD, "policy_number": policy})
    with factory() as session:
        user = session.scalars(select(User).where(User.username == "bench")).one()
        actor = Principal.build(user_id=user.id, username="bench", roles={"claims_handler"})
        backend = session.execute(text("SELECT pg_backend_pid()")).scalar_one()

    def backend_cpu() -> float | None:
        try:
            with open(f"/proc/{backend}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            return None  # the server is on another machine
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def one() -> None:
        with factory() as session:
            endpoints.report_claim(body, session, actor).model_dump_json()
            session.commit()

    for _ in range(20):
        one()
    statements[0] = 0
    cpu, pg, wall = time.process_time(), backend_cpu(), time.perf_counter()
    for _ in range(count):
        one()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    pg_after = backend_cpu()
    engine.dispose()
    result = {
        "app_cpu_ms": round(cpu / count * 1000, 2),
        "wall_ms": round(wall / count * 1000, 2),
        "statements": round(statements[0] / count, 1),
    }
    if pg is not None and pg_after is not None:
        result["postgres_cpu_ms"] = round((pg_after - pg) / count * 1000, 2)
    return result


# States of the bulk-loaded claims, by id modulo 10: 8 in ten open (2 of them waiting for
# materials, their clocks paused), 2 in ten finished (clocks stopped).
_BULK_SQL = """
WITH s AS (SELECT i, (i %% 10) AS k FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS i)
INSERT INTO claims (id, number, state, policy_id, coverage_codes, line, channel,
    insured_person_id, claimant_name, claimant_relationship, loss_date, loss_place,
    loss_cause, loss_overview, casualties, group_incident, is_major, major_reasons,
    received_at, entered_at, created_at, next_due_at)
SELECT i, 'BX' || lpad(i::text, 14, '0'),
    (ARRAY['reported','awaiting_materials','accepted','surveyed','assessed','adjusted',
           'in_review','approved','paid','closed'])[k + 1],
    %(policy)s, '["medical"]', 'health', 'app', %(person)s, '李四', 'self',
    DATE '2026-09-28', '北京', 'illness', %(overview)s, 0, false, false, '[]',
    %(now)s, %(now)s, %(now)s,
    CASE WHEN k IN (1, 8, 9) THEN NULL
         ELSE %(now)s + make_interval(mins => ((i * 7919) %% 100000)::int) END
FROM s
"""
_BULK_CLOCKS_SQL = """
INSERT INTO clocks (subject_type, subject_id, name, rule_type, rule_n, basis, started_at,
    due_at, paused_at, stopped_at, created_at)
SELECT 'claim', i::text, c.name, c.rule_type, c.rule_n, 'bench', %(now)s,
    %(now)s + make_interval(mins => ((i * 7919) %% 100000)::int + c.extra),
    CASE WHEN i %% 10 = 1 THEN %(now)s END,
    CASE WHEN i %% 10 IN (8, 9) THEN %(now)s END,
    %(now)s
FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS i,
    (VALUES ('claim.review', 'working_days', 3, 0),
            ('claim.determination', 'days', 30, 43200)) AS c(name, rule_type, rule_n, extra)
"""


def _bulk_claims(url: str, count: int) -> float:
    """Load ``count`` claims with their clocks and ``next_due_at`` as clocks.service would
    keep it, plus one mass event grouping the last (newest) EVENT_CLAIMS of them, a third small losses; returns seconds."""
    import psycopg

    from claimdesk.crypto.keyring import Keyring

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    now = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    with psycopg.connect(plain) as conn:
        policy_id, person_id = conn.execute(  # type: ignore[misc]
            "SELECT id, insured_id FROM policies ORDER BY id LIMIT 1"
        ).fetchone()
        first = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM claims").fetchone()[0]  # type: ignore[index]
        params = {
            "first": first,
            "last": first + count - 1,
            "policy": policy_id,
            "person": person_id,
            "now": now,
            # The medical detail is encrypted at rest (SEC-1): the same ciphertext for all.
            "overview": Keyring.from_json(_bench_keys()).encrypt("住院", "claims.loss_overview"),
        }
        conn.execute(_BULK_SQL, params)
        conn.execute(_BULK_CLOCKS_SQL, params)
        conn.execute(
            "SELECT setval(pg_get_serial_sequence('claims', 'id'), (SELECT max(id) FROM claims))"
        )
        event_id = conn.execute(
            "INSERT INTO mass_events (name, event_type, region, starts_on, status, "
            "deferrable_materials, small_loss_amount, guide_zh, guide_en, created_at) "
            "VALUES ('bench', 'flood', '北京', DATE '2026-09-27', 'active', '[]', 5000, "
            "'指南', 'guide', %s) RETURNING id",
            (now,),
        ).fetchone()[0]  # type: ignore[index]
        conn.execute(
            "INSERT INTO mass_event_claims (event_id, claim_id, small_loss, linked_at) "
            "SELECT %s, i, i %% 3 = 0, %s FROM generate_series(%s::bigint, %s::bigint) AS i",
            (event_id, now, first + count - min(EVENT_CLAIMS, count), first + count - 1),
        )
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE claims")
        conn.execute("VACUUM ANALYZE clocks")
        conn.execute("VACUUM ANALYZE mass_event_claims")
    return time.perf_counter() - started


def _queue_reads(base: str, token: str, count: int) -> list[float]:
    latencies = []
    with httpx.Client(
        base_url=base,
        headers={"Authorization": f"Bearer {token}"},
        trust_env=False,
        timeout=HTTP_TIMEOUT,
    ) as client:
        for _ in range(count):
            started = time.perf_counter()
            response = client.get("/api/v1/claims/queue")
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200 or len(response.json()) != 100:
                raise RuntimeError(f"unexpected {response.status_code}: {response.text[:200]}")
    return latencies


def _queue_plan(url: str) -> tuple[list[float], str]:
    """repository.queue in-process (SQL + ORM, no HTTP) timings and the PostgreSQL plan of
    its big query, to tell server overhead from database time."""
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from claimdesk.auth.principal import Principal
    from claimdesk.claims.repository import queue
    from claimdesk.db import make_engine

    engine = make_engine(url)
    handler = Principal.system("bench")
    timings = []
    with Session(engine) as session:
        for _ in range(QUEUE_READS):
            started = time.perf_counter()
            queue(session, actor=handler)
            timings.append(time.perf_counter() - started)
            session.expunge_all()
        plan = "\n".join(
            row[0]
            for row in session.execute(
                text(
                    "EXPLAIN (ANALYZE, COSTS OFF) SELECT claims.id FROM claims "
                    "WHERE claims.state IN ('reported', 'awaiting_materials', 'accepted', "
                    "'surveyed', 'assessed', 'adjusted', 'in_review', 'approved', 'reopened', "
                    "'suspended') AND NOT (EXISTS (SELECT 1 FROM mass_event_claims "
                    "WHERE mass_event_claims.claim_id = claims.id)) "
                    "ORDER BY claims.next_due_at ASC NULLS LAST, claims.id LIMIT 100"
                )
            )
        )
    engine.dispose()
    return timings, plan


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000, 2)


def _load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run() -> dict[str, object]:
    with scratch_postgres() as url:
        server = Server(url)  # boots while the data set is prepared
        try:
            policy = _setup(url)
            server.wait_ready()
            token = httpx.post(
                f"{server.base}/api/v1/auth/token",
                trust_env=False,
                timeout=HTTP_TIMEOUT,
                json={"username": "bench", "password": PASSWORD},
            ).json()["access_token"]
            with ProcessPoolExecutor(CLIENTS) as pool:  # warm both workers
                list(
                    pool.map(
                        _reporter,
                        [server.base] * CLIENTS,
                        [token] * CLIENTS,
                        [policy] * CLIENTS,
                        [10] * CLIENTS,
                    )
                )
            load_before = _load_average()
            started = time.perf_counter()
            with ProcessPoolExecutor(CLIENTS) as pool:
                parts = list(
                    pool.map(
                        _reporter,
                        [server.base] * CLIENTS,
                        [token] * CLIENTS,
                        [policy] * CLIENTS,
                        [REPORTS_PER_CLIENT] * CLIENTS,
                    )
                )
            elapsed = time.perf_counter() - started
            closed_rate = CLIENTS * REPORTS_PER_CLIENT / elapsed
            rate = PACED_RATE or max(1.0, round(closed_rate / 2, 1))
            with ProcessPoolExecutor(CLIENTS) as pool:
                paced_parts = list(
                    pool.map(
                        _paced,
                        [server.base] * CLIENTS,
                        [token] * CLIENTS,
                        [policy] * CLIENTS,
                        [rate / CLIENTS] * CLIENTS,
                        [PACED_SECONDS] * CLIENTS,
                    )
                )
            load_paced = _load_average()
            cost = _report_cost(url, policy, COST_REPORTS)
            load_seconds = _bulk_claims(url, QUEUE_CLAIMS)
            _queue_reads(server.base, token, 10)
            load_queue = _load_average()
            queue = _queue_reads(server.base, token, QUEUE_READS)
            direct, plan = _queue_plan(url)
            import psycopg

            with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
                claims_in_db = conn.execute("SELECT count(*) FROM claims").fetchone()[0]  # type: ignore[index]
        finally:
            server.stop()
    reports = [x for part in parts for x in part]
    result: dict[str, object] = {
        "server_workers": WORKERS,
        "server_ready_seconds": server.ready_after,
        "report_clients": CLIENTS,
        "reports": len(reports),
        "reports_per_second": round(len(reports) / elapsed, 1),
        "report_p50_ms": round(statistics.median(reports) * 1000, 2),
        "report_p99_ms": _pct(reports, 0.99),
        "load_average_reports": load_before,
        "paced_rate_per_second": rate,
        "paced_reports": sum(len(p) for p in paced_parts),
        "paced_p50_ms": round(statistics.median([x for p in paced_parts for x in p]) * 1000, 2),
        "paced_p99_ms": _pct([x for p in paced_parts for x in p], 0.99),
        "load_average_paced": load_paced,
        "report_cost": cost,
        "queue_claims_in_db": claims_in_db,
        "queue_load_seconds": round(load_seconds, 1),
        "queue_reads": len(queue),
        "queue_p50_ms": round(statistics.median(queue) * 1000, 2),
        "queue_p95_ms": _pct(queue, 0.95),
        "queue_in_process_p95_ms": _pct(direct, 0.95),
        "load_average_queue": load_queue,
    }
    print(
        f"Claims: at {rate}/s offered, p99 {result['paced_p99_ms']} ms; one report in-process "
        f"costs {cost}"
    )
    print(
        f"Claims: {result['reports_per_second']} reports/s (p99 {result['report_p99_ms']} ms); "
        f"queue p95 {result['queue_p95_ms']} ms over HTTP with {claims_in_db} claims"
    )
    print("Queue plan (non-event part):\n" + plan)
    return result


if __name__ == "__main__":
    print(run())
