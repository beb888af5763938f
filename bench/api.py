"""Authenticated API requests per second on a read endpoint, 2 server workers, PostgreSQL.

Starts ``claimdesk serve --workers 2`` on a scratch database, logs in once and drives
``GET /api/v1/auth/me`` (token look-up, user and roles from the database) from
several client processes over loopback.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import httpx

from bench.common import scratch_postgres

REQUESTS_PER_CLIENT = int(os.environ.get("BENCH_API_REQUESTS", "1500"))
CLIENTS = int(os.environ.get("BENCH_API_CLIENTS", "4"))
# A loaded 2-core machine needs more than 30 s to import two workers (docs/benchmarks.md);
# latencies are measured, never cut short by a client timeout.
START_TIMEOUT = float(os.environ.get("BENCH_SERVER_START_TIMEOUT", "180"))
HTTP_TIMEOUT = 120.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _client(base: str, token: str, count: int) -> list[float]:
    latencies = []
    with httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=HTTP_TIMEOUT
    ) as client:
        for _ in range(count):
            started = time.perf_counter()
            response = client.get("/api/v1/auth/me")
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(f"unexpected {response.status_code}: {response.text[:200]}")
    return latencies


def _create_user(url: str) -> None:
    from sqlalchemy.orm import Session

    from claimdesk.auth.passwords import hash_password
    from claimdesk.db import make_engine
    from claimdesk.models.user import User, UserRole

    engine = make_engine(url)
    with Session(engine) as session:
        user = User(
            username="bench", display_name="bench", password_hash=hash_password("Bench-pass-123")
        )
        user.roles = [UserRole(role="claims_handler")]
        session.add(user)
        session.commit()
    engine.dispose()


def run() -> dict[str, float]:
    with scratch_postgres() as url:
        _create_user(url)
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
                json={"username": "bench", "password": "Bench-pass-123"},
                timeout=HTTP_TIMEOUT,
            ).json()["access_token"]
            _client(base, token, 50)  # warm both workers' pools
            started = time.perf_counter()
            with ProcessPoolExecutor(CLIENTS) as pool:
                parts = list(
                    pool.map(
                        _client,
                        [base] * CLIENTS,
                        [token] * CLIENTS,
                        [REQUESTS_PER_CLIENT] * CLIENTS,
                    )
                )
            elapsed = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(timeout=20)
    latencies = sorted(x for part in parts for x in part)
    total = len(latencies)
    result = {
        "requests": total,
        "requests_per_second": round(total / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(latencies[int(total * 0.99) - 1] * 1000, 2),
        "server_workers": 2,
        "client_processes": CLIENTS,
    }
    print(
        f"API GET /api/v1/auth/me (bearer, PostgreSQL, 2 workers): {result['requests_per_second']} req/s, "
        f"p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms over {total} requests"
    )
    return result


def _bench_keys() -> str:
    from claimdesk.crypto.keyring import Keyring

    return Keyring.generate().to_json()


def _wait(base: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server did not become healthy in {START_TIMEOUT:.0f} s")
