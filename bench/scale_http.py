"""Server CPU per request over HTTP, side by side in one run (issue 14's table).

2 uvicorn workers on PostgreSQL; for each target the server's CPU time (user + system of
every worker process, read from /proc, the stable figure on a noisy machine) is divided by
the requests answered. Targets: a bare FastAPI ``async def`` hello (the floor of any
Python web app here), ``/health``, ``GET /api/v1/auth/me`` and the claim report
(``POST /api/v1/claims``), whose PostgreSQL backends' CPU is read the same way. Then
reports per second in a closed loop and the p99 latency at half that rate, offered on a
fixed schedule (open loop).

``measure_http()`` returns the figures; ``python -m bench scale_http`` prints them.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psycopg

from bench import loadgen
from bench.claims import (
    _REPORT_PAYLOAD,
    HTTP_TIMEOUT,
    PASSWORD,
    Server,
    _free_port,
    _setup,
)
from bench.common import scratch_postgres

CPU_REQUESTS = int(os.environ.get("BENCH_SCALE_CPU_REQUESTS", "2000"))
CLIENTS = int(os.environ.get("BENCH_SCALE_CLIENTS", "4"))
REPORTS_PER_CLIENT = int(os.environ.get("BENCH_SCALE_REPORTS", "250"))
PACED_SECONDS = float(os.environ.get("BENCH_SCALE_PACED_SECONDS", "15"))
TICK = os.sysconf("SC_CLK_TCK")

HELLO_APP = """
from fastapi import FastAPI
app = FastAPI()

@app.get("/hello")
async def hello() -> dict[str, str]:
    return {"hello": "world"}
"""


def _cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat[1]) == pid:
            found.append(int(entry.name))
    return found


def _server_cpu(pid: int) -> float:
    return sum(_cpu_seconds(child) for child in _children(pid)) + _cpu_seconds(pid)


def _postgres_cpu(database: str) -> float:
    with psycopg.connect(
        os.environ.get("CLAIMDESK_BENCH_PG", "postgresql://postgres@127.0.0.1:5432") + "/postgres"
    ) as conn:
        pids = [
            row[0]
            for row in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", (database,)
            )
        ]
    return sum(_cpu_seconds(pid) for pid in pids)


def _cpu_per_request(
    pid: int,
    base: str,
    method: str,
    path: str,
    headers: dict[str, str],
    body: object = None,
    database: str | None = None,
    expect: int = 200,
) -> tuple[float, float | None]:
    request = loadgen.request_bytes(base, method, path, headers, body)
    per_connection = max(1, CPU_REQUESTS // CLIENTS)
    # Warm pools and caches of both workers.
    loadgen.closed_loop(base, request, connections=CLIENTS, per_connection=5, expect=expect)
    server, pg = _server_cpu(pid), _postgres_cpu(database) if database else None
    run = loadgen.closed_loop(
        base, request, connections=CLIENTS, per_connection=per_connection, expect=expect
    )
    done = len(run.latencies)
    server_ms = (_server_cpu(pid) - server) / done * 1000
    pg_ms = (_postgres_cpu(database) - pg) / done * 1000 if database and pg is not None else None
    return round(server_ms, 3), None if pg_ms is None else round(pg_ms, 3)


def _hello_cpu_ms(workdir: Path) -> float:
    (workdir / "bench_hello_app.py").write_text(HELLO_APP)
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bench_hello_app:app",
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
        cwd=workdir,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/hello", timeout=1, trust_env=False).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        time.sleep(2)  # both workers up
        return _cpu_per_request(process.pid, base, "GET", "/hello", {})[0]
    finally:
        process.terminate()
        process.wait(timeout=30)


def _token(base: str) -> str:
    response = httpx.post(
        f"{base}/api/v1/auth/token",
        json={"username": "bench", "password": PASSWORD},
        timeout=HTTP_TIMEOUT,
        trust_env=False,
    )
    return str(response.json()["access_token"])


def measure_http(workdir: Path | None = None) -> dict[str, float | None]:
    workdir = workdir or Path(os.environ.get("TMPDIR", "/tmp"))
    result: dict[str, float | None] = {"hello_cpu_ms": _hello_cpu_ms(workdir)}
    with scratch_postgres() as url:
        policy = _setup(url)
        database = url.rsplit("/", 1)[1]
        server = Server(url)
        try:
            server.wait_ready()
            pid, base = server.process.pid, server.base
            auth = {"Authorization": f"Bearer {_token(base)}"}
            result["health_cpu_ms"] = _cpu_per_request(pid, base, "GET", "/health", {})[0]
            result["me_cpu_ms"] = _cpu_per_request(pid, base, "GET", "/api/v1/auth/me", auth)[0]
            body = {**_REPORT_PAYLOAD, "policy_number": policy}
            cpu, pg = _cpu_per_request(
                pid, base, "POST", "/api/v1/claims", auth, body, database, expect=201
            )
            result["report_cpu_ms"], result["report_pg_ms"] = cpu, pg
            report = loadgen.request_bytes(base, "POST", "/api/v1/claims", auth, body)
            closed = loadgen.closed_loop(
                base, report, connections=CLIENTS, per_connection=REPORTS_PER_CLIENT, expect=201
            )
            result["http_reports_s"] = round(closed.rate, 1)
            # What the load generator itself took of the box's 2 cores (issue 14 measured
            # with wrk; 4 httpx processes took about as much CPU per report as the server).
            result["client_cpu_ms_per_report"] = round(closed.client_cpu_ms, 3)
            paced = loadgen.open_loop(
                base,
                report,
                connections=CLIENTS,
                rate=closed.rate / 2,
                seconds=PACED_SECONDS,
                expect=201,
            )
            latencies = sorted(paced.latencies)
            result["p99_ms_at_half"] = round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1)
            result["p50_ms_at_half"] = round(statistics.median(latencies) * 1000, 1)
        finally:
            server.stop()
    return result


def run() -> dict[str, float | None]:
    result = measure_http()
    print(" ".join(f"{key}={value}" for key, value in result.items()))
    return result
