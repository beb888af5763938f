"""Where the report's server CPU goes (issue 14, ``report_cpu_ms``).

``python -m bench.profile_report [N]`` builds a scratch PostgreSQL database like
``bench scale`` (``bench/claims.py``'s ``_setup``), creates the real ASGI application
(middlewares, dependencies, token check, idempotency guard, the endpoint, the commit)
and sends it N ``POST /api/v1/claims`` as raw ASGI calls on one event loop — no HTTP
parser and no client in the process, so what is measured is what a uvicorn worker
spends per report above its HTTP layer.

It prints:

- ``cpu_ms_per_report``: ``time.process_time`` (every thread of the process: the thread
  pool's included) over N reports, best of ``BENCH_PROFILE_ROUNDS`` rounds (default 3);
  the same for ``GET /api/v1/auth/me`` (the per-request floor the report shares);
- a cProfile of N more reports with the thread pool run inline (so the endpoint's
  thread is profiled too), split by where the time is spent (own time per module
  group) and by the cumulative time of the report's stages, then the top functions.

Profiled times are inflated by the profiler (about 2×); the split is what counts.
"""

from __future__ import annotations

import asyncio
import cProfile
import json
import os
import pstats
import sys
import time
from collections import defaultdict
from typing import Any

from bench.claims import _REPORT_PAYLOAD, PASSWORD, _bench_keys, _setup
from bench.common import scratch_postgres

ROUNDS = int(os.environ.get("BENCH_PROFILE_ROUNDS", "3"))

# Own time (tottime) of a function is charged to the first group whose marker is in its
# file name (or, for built-ins, its name).
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("psycopg (driver, network wait)", ("psycopg", "socket", "select.poll", "recv", "send")),
    ("SQLAlchemy sql compile", ("sqlalchemy/sql/compiler", "sqlalchemy/sql/cache_key")),
    ("SQLAlchemy ORM", ("sqlalchemy/orm",)),
    ("SQLAlchemy engine/pool", ("sqlalchemy/engine", "sqlalchemy/pool", "sqlalchemy/dialects")),
    ("SQLAlchemy other", ("sqlalchemy",)),
    ("pydantic", ("pydantic",)),
    ("json", ("json/", "orjson")),
    ("fastapi/starlette/anyio", ("fastapi", "starlette", "anyio", "asyncio")),
    ("claimdesk audit", ("claimdesk/audit",)),
    ("claimdesk auth/deps", ("claimdesk/auth", "claimdesk/deps")),
    ("claimdesk idempotency", ("claimdesk/idempotency",)),
    ("claimdesk middlewares", ("claimdesk/headers", "claimdesk/timing", "claimdesk/input_guard")),
    ("claimdesk crypto", ("claimdesk/crypto", "cryptography", "hmac", "hashlib")),
    (
        "claimdesk clocks/calendar/rules",
        ("claimdesk/clocks", "claimdesk/calendar", "claimdesk/rules"),
    ),
    ("claimdesk claims", ("claimdesk/claims",)),
    ("claimdesk other", ("claimdesk",)),
    ("datetime/zoneinfo/decimal", ("datetime", "zoneinfo", "decimal")),
)

# Stages, by cumulative time of the function that does them.
STAGES: tuple[tuple[str, str, str], ...] = (
    ("principal (token check)", "claimdesk/deps.py", "get_principal_optional"),
    ("idempotency guard", "claimdesk/idempotency/service.py", "guard"),
    ("report service", "claimdesk/claims/intake/report.py", "report"),
    ("  find_policy", "claimdesk/claims/intake/report.py", "find_policy"),
    ("  report number", "claimdesk/claims/intake/report.py", "next_number"),
    ("  open_claim", "claimdesk/claims/workflow.py", "open_claim"),
    ("    claim, transition, checklist, clocks", "claimdesk/db.py", "insert_new_with"),
    ("  checklist", "claimdesk/claims/intake/report.py", "_create_checklist"),
    ("  audit record", "claimdesk/audit/service.py", "record"),
    ("response (new_claim)", "claimdesk/claims/read.py", "new_claim"),
    ("response serialisation", "fastapi/routing.py", "serialize_response"),
    ("request body validation", "fastapi/dependencies/utils.py", "request_body_to_args"),
    ("commit (get_db end)", "claimdesk/deps.py", "_end_done"),
    ("commit (in the route's trip)", "claimdesk/deps.py", "commit_in_trip"),
    ("  flush in commit", "sqlalchemy/orm/session.py", "flush"),
    ("SQL execute (all)", "sqlalchemy/engine/base.py", "_execute_context"),
    ("SQL compile (all)", "sqlalchemy/sql/elements.py", "_compile_w_cache"),
    ("psycopg execute (all)", "psycopg/cursor.py", "execute"),
)


# Functions timed without the profiler (thread CPU, exclusive of nested timed ones is
# not attempted: nested stages are indented).
TIMED: tuple[tuple[str, str, str], ...] = (
    ("principal (token check, rows to principal)", "claimdesk.auth.service", "resolved_from_rows"),
    ("report service", "claimdesk.claims.intake.report", "report"),
    ("  find_policy", "claimdesk.claims.intake.report", "find_policy"),
    ("  report_keys", "claimdesk.claims.intake.repository", "report_keys"),
    ("  next_number", "claimdesk.claims.intake.report", "next_number"),
    ("  open_claim", "claimdesk.claims.workflow", "open_claim"),
    ("    record_planned (clocks' audit)", "claimdesk.clocks.service", "record_planned"),
    ("    claim, transition, checklist, clocks", "claimdesk.claims.workflow", "insert_new_with"),
    ("  _create_checklist", "claimdesk.claims.intake.report", "_create_checklist"),
    ("response new_claim", "claimdesk.claims.read", "new_claim"),
    ("commit (_end_done)", "claimdesk.deps", "_end_done"),
    ("commit (in the route's trip)", "claimdesk.routing", "commit_in_trip"),
    ("  audit write_pending", "claimdesk.audit.service", "write_pending"),
    # Since the checks job is written with the audit entries (jobs.queue.enqueue_with_audit)
    # this includes them, and "audit write_pending" is what is left to write after it.
    ("  checks enqueue", "claimdesk.checks.service", "enqueue_new_claim_checks"),
)
_ORIGINALS: list[tuple[Any, str, Any]] = []


def _stage_timers() -> dict[str, float]:
    import importlib

    totals: dict[str, float] = {label: 0.0 for label, _m, _f in TIMED}
    for label, module_name, function in TIMED:
        module = importlib.import_module(module_name)
        original = getattr(module, function, None)
        if original is None:  # another version of the code
            continue

        def timed(
            *args: Any, __original: Any = original, __label: str = label, **kwargs: Any
        ) -> Any:
            started = time.thread_time()
            try:
                return __original(*args, **kwargs)
            finally:
                totals[__label] += time.thread_time() - started

        _ORIGINALS.append((module, function, original))
        setattr(module, function, timed)
    return totals


def _remove_stage_timers() -> None:
    while _ORIGINALS:
        module, function, original = _ORIGINALS.pop()
        setattr(module, function, original)


class Client:
    """Raw ASGI requests into the app on the running loop."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes = b""
    ) -> tuple[int, bytes]:
        raw_headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        if body:
            raw_headers.append((b"content-type", b"application/json"))
            raw_headers.append((b"content-length", str(len(body)).encode()))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": raw_headers,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
            "state": {},
        }
        sent = False
        status = 0
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return status, b"".join(chunks)


def _inline_thread_pool() -> None:
    """Run the thread pool's work on the loop's thread, so cProfile sees it."""
    import anyio.to_thread

    async def run_sync(func: Any, *args: Any, **_kwargs: Any) -> Any:
        return func(*args)

    anyio.to_thread.run_sync = run_sync  # type: ignore[assignment]


def _group(filename: str, name: str) -> str:
    key = filename if filename != "~" else name
    for group, markers in GROUPS:
        if any(marker in key for marker in markers):
            return group
    return "other (python runtime)"


def _split(stats: pstats.Stats, count: int) -> None:
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in raw.values())
    groups: dict[str, float] = defaultdict(float)
    for (filename, _line, name), entry in raw.items():
        groups[_group(filename, name)] += entry[2]
    print(f"\nown time by group (profiled, ms per report; total {total / count * 1000:.2f}):")
    for group, seconds in sorted(groups.items(), key=lambda kv: -kv[1]):
        print(f"  {group:40s} {seconds / count * 1000:7.3f}  {seconds / total * 100:5.1f} %")
    print("\ncumulative time of the stages (profiled, ms per report):")
    for label, file_part, function in STAGES:
        found = [
            entry
            for (filename, _line, name), entry in raw.items()
            if name == function and file_part in filename
        ]
        if found:
            cumulative = sum(entry[3] for entry in found)
            calls = sum(entry[1] for entry in found)
            print(
                f"  {label:40s} {cumulative / count * 1000:7.3f}  "
                f"({calls / count:.1f} calls/report)"
            )


async def _main(count: int) -> None:
    from claimdesk.app import create_app

    app = create_app()
    client = Client(app)
    status, body = await client.request(
        "POST",
        "/api/v1/auth/token",
        {},
        json.dumps({"username": "bench", "password": PASSWORD}).encode(),
    )
    assert status == 200, body
    token = json.loads(body)["access_token"]
    auth = {"authorization": f"Bearer {token}"}
    payload = json.dumps({**_REPORT_PAYLOAD, "policy_number": os.environ["_BENCH_POLICY"]})
    report_body = payload.encode()

    async def reports(n: int) -> float:
        started = time.process_time()
        for _ in range(n):
            status, answer = await client.request("POST", "/api/v1/claims", auth, report_body)
            if status != 201:
                raise RuntimeError(f"{status}: {answer[:300]!r}")
        return (time.process_time() - started) / n * 1000

    async def mes(n: int) -> float:
        started = time.process_time()
        for _ in range(n):
            status, answer = await client.request("GET", "/api/v1/auth/me", auth)
            if status != 200:
                raise RuntimeError(f"{status}: {answer[:300]!r}")
        return (time.process_time() - started) / n * 1000

    await reports(50)  # warm caches, pools, compiled statements
    if os.environ.get("BENCH_PROFILE_SQL") == "1":  # the statements of one report
        from sqlalchemy import event

        from claimdesk.db import get_engine

        def show(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
            # Length and parameters: psycopg caches a query's conversion up to 4,096
            # characters and 50 parameters.
            size = len(parameters) if isinstance(parameters, dict | tuple | list) else 0
            print(f"SQL ({len(statement)} chars, {size} params)", " ".join(statement.split())[:240])

        event.listen(get_engine(), "before_cursor_execute", show)
        await reports(1)
        event.remove(get_engine(), "before_cursor_execute", show)
    await mes(50)
    report_ms = [await reports(count) for _ in range(ROUNDS)]
    me_ms = [await mes(count) for _ in range(ROUNDS)]
    print(
        f"cpu_ms_per_report={min(report_ms):.3f} (rounds {', '.join(f'{v:.3f}' for v in report_ms)})"
        f"  me_cpu_ms={min(me_ms):.3f} (rounds {', '.join(f'{v:.3f}' for v in me_ms)})"
        f"  reports={count}",
        flush=True,
    )
    split = _stage_timers()
    await reports(count)
    print(f"\nCPU of the stages, unprofiled (thread CPU, ms per report, {count} reports):")
    for label, seconds in split.items():
        print(f"  {label:40s} {seconds / count * 1000:7.3f}")
    _remove_stage_timers()
    if os.environ.get("BENCH_PROFILE", "1") == "0":
        return
    _inline_thread_pool()
    await reports(10)
    # CPU time, not wall time: waiting for PostgreSQL is not the server CPU the bench reads.
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    await reports(count)
    profiler.disable()
    stats = pstats.Stats(profiler)
    if os.environ.get("BENCH_PROFILE_OUT"):
        stats.dump_stats(os.environ["BENCH_PROFILE_OUT"])
    _split(stats, count)
    limit = int(os.environ.get("BENCH_PROFILE_TOP", "40"))
    print("\ntop by own time:")
    stats.sort_stats("tottime").print_stats(limit)
    print("\ntop by cumulative time:")
    stats.sort_stats("cumulative").print_stats(limit)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    os.environ.setdefault("CLAIMDESK_KEYS", _bench_keys())
    with scratch_postgres("claimdesk_profile") as url:
        policy = _setup(url)
        os.environ["CLAIMDESK_DATABASE_URL"] = url
        os.environ["CLAIMDESK_ENV"] = "production"
        os.environ["_BENCH_POLICY"] = policy
        from claimdesk.config import get_settings
        from claimdesk.db import reset_engine_cache

        get_settings.cache_clear()
        reset_engine_cache()
        print(f"load before: {os.getloadavg()[0]:.2f}", flush=True)
        asyncio.run(_main(count))
        print(f"load after: {os.getloadavg()[0]:.2f}", flush=True)
        from claimdesk.db import get_engine

        get_engine().dispose()


if __name__ == "__main__":
    main()
