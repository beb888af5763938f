"""Where a request's fixed CPU goes: ``GET /api/v1/auth/me`` and ``/health`` in-process
(issue 14, ``me_cpu_ms``).

The real application (``create_app()``, production settings) is called through raw ASGI
messages on a uvloop event loop — no sockets, no HTTP parser — against a scratch
PostgreSQL database set up like ``bench/claims.py``'s ``_setup``. For each target it
prints the CPU time per request (``time.process_time``: every thread of the process, so
the thread pool's share counts) and the wall time, the best of a few rounds taken in
turn so that a noisy machine hits every target alike. Targets:

- ``hello``: a bare FastAPI ``async def`` hello in the same harness (the floor);
- ``floor``: an ``async def`` route added to claimdesk's app (its middlewares, its
  app-wide dependencies, its routing; no database);
- ``bare_stack``: the same route with the app's middlewares taken off (so the middleware
  share is ``floor - bare_stack``);
- ``me_anon``: ``/auth/me`` without credentials (401: routing, dependencies, the error
  handler and its JSON; no database);
- ``health`` and ``me``: the real thing (and what each sends to PostgreSQL);
- ``me_nodb``: ``me`` with the token check answered from memory (the database's share
  is ``me - me_nodb`` roughly; on PostgreSQL the check runs on the event loop,
  claimdesk.loop_driver, so there is no thread-pool trip left to take out).

Then pieces of ``me`` on their own (``--pieces``): the token check's select through a
Session, a Core connection, ``db.read_on_driver`` and psycopg alone, the principal
build, the response model. ``--profile`` prints cProfile's top lists (CPU time) for
``me`` and ``/health`` with the thread pool run inline (so the profiler sees the
worker's share too).

    python -m bench.profile_floor [--requests N] [--rounds R] [--profile] [--pieces]

``run()`` (``python -m bench profile_floor``) prints the same with the defaults.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import time
from collections.abc import Awaitable, Callable
from typing import Any

REQUESTS = int(os.environ.get("BENCH_FLOOR_REQUESTS", "2000"))
ROUNDS = int(os.environ.get("BENCH_FLOOR_ROUNDS", "3"))

Scope = dict[str, Any]
Asgi = Callable[..., Awaitable[None]]


def _scope(method: str, path: str, headers: list[tuple[bytes, bytes]]) -> Scope:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1:8000"), *headers],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


async def call(app: Asgi, method: str, path: str, headers: list[tuple[bytes, bytes]]) -> int:
    """One request through ``app``; returns the status (the body is checked by the caller
    of :func:`_check`)."""
    status = 0
    body_seen = False

    async def receive() -> dict[str, Any]:
        nonlocal body_seen
        if body_seen:
            await asyncio.sleep(3600)  # the app waits for a disconnect: never comes
        body_seen = True
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(_scope(method, path, headers), receive, send)
    return status


async def _check(app: Asgi, method: str, path: str, headers: list[tuple[bytes, bytes]]) -> str:
    """Status, headers and body of one request, to show what is measured."""
    start: dict[str, Any] = {}
    body = b""

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal body
        if message["type"] == "http.response.start":
            start.update(message)
        else:
            body += message.get("body", b"")

    await app(_scope(method, path, headers), receive, send)
    names = sorted(k.decode() for k, _ in start.get("headers", []))
    return f"{start.get('status')} {body[:120]!r} headers={names}"


def _hello_app() -> Asgi:
    from fastapi import FastAPI

    app = FastAPI()

    @app.get("/hello")
    async def hello() -> dict[str, str]:
        return {"hello": "world"}

    return app


def _claimdesk_app(*, middlewares: bool = True) -> Asgi:
    from claimdesk.app import create_app

    app = create_app()

    @app.get("/__floor", include_in_schema=False)
    async def floor() -> dict[str, str]:
        return {"hello": "world"}

    if not middlewares:
        app.user_middleware = []
    return app


def _setup_database(url: str) -> None:
    from bench.claims import _bench_keys, _setup

    os.environ["CLAIMDESK_DATABASE_URL"] = url
    os.environ["CLAIMDESK_ENV"] = "production"
    _bench_keys()
    from claimdesk.config import get_settings
    from claimdesk.db import reset_engine_cache

    get_settings.cache_clear()
    reset_engine_cache()
    _setup(url)


async def _token(app: Asgi) -> str:
    import json

    from bench.claims import PASSWORD

    payload = json.dumps({"username": "bench", "password": PASSWORD}).encode()
    out: list[bytes] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": payload, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            out.append(message.get("body", b""))

    scope = _scope("POST", "/api/v1/auth/token", [(b"content-type", b"application/json")])
    await app(scope, receive, send)
    return str(json.loads(b"".join(out))["access_token"])


async def _measure(
    app: Asgi, method: str, path: str, headers: Any, count: int, want: int
) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(count):
        status = await call(app, method, path, headers)
        if status != want:
            raise RuntimeError(f"{path}: {status}, expected {want}")
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return cpu / count * 1000, wall / count * 1000


class _Patched:
    """Replace ``module.name`` with ``value`` while a target is measured."""

    def __init__(self, module: Any, name: str, value: Any) -> None:
        self.module, self.name, self.value = module, name, value

    def __enter__(self) -> None:
        self.saved = getattr(self.module, self.name)
        setattr(self.module, self.name, self.value)

    def __exit__(self, *_: object) -> None:
        setattr(self.module, self.name, self.saved)


def _variants(token: str) -> dict[str, _Patched]:
    """``me`` with one part taken out, to read that part's cost by difference:
    ``me_nodb`` answers the token check from memory (no statement)."""
    from claimdesk.auth import service

    real = service.resolve_on_loop
    remembered: dict[str, Any] = {}

    async def resolve_from_memory(driver: Any, *, token: str, kind: str, ip: str | None) -> Any:
        if token not in remembered:
            remembered[token] = await real(driver, token=token, kind=kind, ip=ip)
        return remembered[token]

    return {"me_nodb": _Patched(service, "resolve_on_loop", resolve_from_memory)}


async def _targets(requests: int, rounds: int, show: bool) -> dict[str, float]:
    import contextlib

    apps = {
        "hello": _hello_app(),
        "claimdesk": _claimdesk_app(),
        "bare": _claimdesk_app(middlewares=False),
    }
    token = await _token(apps["claimdesk"])
    bearer = [
        (b"authorization", f"Bearer {token}".encode()),
        (b"accept-language", b"zh-CN,zh;q=0.9,en;q=0.8"),
    ]
    me = (apps["claimdesk"], "GET", "/api/v1/auth/me", bearer, 200)
    targets: dict[str, tuple[Asgi, str, str, Any, int]] = {
        "hello": (apps["hello"], "GET", "/hello", [], 200),
        "floor": (apps["claimdesk"], "GET", "/__floor", [], 200),
        "bare_stack": (apps["bare"], "GET", "/__floor", [], 200),
        "me_anon": (apps["claimdesk"], "GET", "/api/v1/auth/me", [], 401),
        "health": (apps["claimdesk"], "GET", "/health", [], 200),
        "me": me,
        "me_nodb": me,
    }
    patches = _variants(token)
    if show:
        for name in ("me", "health"):
            app, method, path, headers, _ = targets[name]
            print(f"  {name}: {await _check(app, method, path, headers)}")
            print(f"  {name} sends: {await _round_trips(app, headers, path)}")
    best: dict[str, list[float]] = {name: [] for name in targets}
    walls: dict[str, list[float]] = {name: [] for name in targets}
    for round_ in range(rounds + 1):  # the first round warms up and is not counted
        for name, (app, method, path, headers, want) in targets.items():
            count = requests if round_ else max(50, requests // 10)
            with patches.get(name) or contextlib.nullcontext():
                cpu, wall = await _measure(app, method, path, headers, count, want)
            if round_:
                best[name].append(cpu)
                walls[name].append(wall)
    result = {}
    for name in targets:
        figures = " ".join(f"{x:.3f}" for x in best[name])
        print(
            f"{name:>10}: cpu ms/request best {min(best[name]):.3f} (rounds {figures}); "
            f"wall best {min(walls[name]):.3f}"
        )
        result[f"{name}_cpu_ms"] = round(min(best[name]), 3)
    return result


async def _profile(requests: int, top: int) -> None:
    import anyio.to_thread

    async def inline(func: Callable[..., Any], *args: Any, **_: Any) -> Any:
        return func(*args)

    anyio.to_thread.run_sync = inline  # type: ignore[assignment]
    app = _claimdesk_app()
    token = await _token(app)
    bearer = [
        (b"authorization", f"Bearer {token}".encode()),
        (b"accept-language", b"zh-CN,zh;q=0.9,en;q=0.8"),
    ]
    for path, headers, want in (("/api/v1/auth/me", bearer, 200), ("/health", [], 200)):
        await _measure(app, "GET", path, headers, 200, want)
        # CPU time of this thread (the thread pool runs inline): waiting on PostgreSQL
        # does not count, as in the figures above.
        profiler = cProfile.Profile(time.thread_time)
        profiler.enable()
        await _measure(app, "GET", path, headers, requests, want)
        profiler.disable()
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(top)
            print(f"--- {path}, {requests} requests, thread pool inline, by {order}")
            print(out.getvalue())


def _pieces(requests: int) -> None:
    """The token check's parts outside the web stack, each on its own (main thread, no
    thread pool): the same select through a Session, a Core connection, db.read_on_driver
    and psycopg alone; the principal and the response model."""
    from sqlalchemy import text

    from claimdesk.auth import repository
    from claimdesk.auth.principal import Principal
    from claimdesk.auth.schemas import Me
    from claimdesk.db import get_sessionmaker, read_on_driver
    from claimdesk.models.base import utcnow

    factory = get_sessionmaker()
    engine = factory.kw["bind"]
    with factory() as session:
        token_hash = session.execute(
            text("SELECT token_hash FROM auth_sessions ORDER BY id DESC LIMIT 1")
        ).scalar_one()
    params = {"token_hash": token_hash, "kind": "api"}
    select = repository._LIVE_LOGIN

    def timed(name: str, work: Callable[[], object]) -> None:
        for _ in range(100):
            work()
        cpu = time.process_time()
        for _ in range(requests):
            work()
        print(f"{name:>46}: {(time.process_time() - cpu) / requests * 1000:.3f} ms")

    def select1_session() -> None:
        with factory() as session:
            session.execute(text("SELECT 1"))
            session.commit()

    def token_session() -> None:
        with factory() as session:
            session.connection().execute(select, {**params, "now": utcnow()}).all()
            session.commit()

    def token_core() -> None:
        with engine.connect() as conn:
            conn.execute(select, {**params, "now": utcnow()}).all()
            conn.commit()

    def token_driver() -> None:
        read_on_driver(engine, select, {**params, "now": utcnow()})

    raw = engine.raw_connection()
    raw.driver_connection.autocommit = True
    sql = str(select.compile(dialect=engine.dialect))

    def token_psycopg() -> None:
        with raw.driver_connection.cursor() as cursor:
            cursor.execute(sql, {**params, "now": utcnow()})
            cursor.fetchall()

    def pool_only() -> None:
        engine.raw_connection().close()

    principal = Principal.build(user_id=1, username="bench", roles={"claims_handler"})

    def build() -> None:
        Principal.build(user_id=1, username="bench", roles={"claims_handler"})

    def me_model() -> None:
        Me(
            user_id=principal.user_id,
            username=principal.username,
            roles=sorted(principal.roles),
            permissions=sorted(p.value for p in principal.permissions),
            org_unit_id=principal.org_unit_id,
            person_id=principal.person_id,
            language=principal.language,
        ).model_dump_json()

    timed("SELECT 1 through a Session, COMMIT", select1_session)
    timed("token select through a Session, COMMIT", token_session)
    timed("token select on engine.connect(), COMMIT", token_core)
    timed("token select, db.read_on_driver", token_driver)
    timed("token select on psycopg alone (autocommit)", token_psycopg)
    timed("pool checkout + checkin", pool_only)
    timed("Principal.build", build)
    timed("Me(...).model_dump_json()", me_model)
    raw.driver_connection.autocommit = False
    raw.close()


async def _round_trips(app: Asgi, headers: Any, path: str) -> list[str]:
    """What one request sends to PostgreSQL: psycopg's commands and queries, in order."""
    import psycopg

    sent: list[str] = []
    command = psycopg.Connection._exec_command
    execute = psycopg.Cursor.execute

    def counting_command(self: Any, cmd: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(bytes(cmd).decode() if isinstance(cmd, bytes | bytearray) else str(cmd))
        return command(self, cmd, *args, **kwargs)

    def counting_execute(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(str(query)[:40].replace("\n", " "))
        return execute(self, query, *args, **kwargs)

    psycopg.Connection._exec_command = counting_command  # type: ignore[method-assign]
    psycopg.Cursor.execute = counting_execute  # type: ignore[method-assign]
    try:
        await call(app, "GET", path, headers)
    finally:
        psycopg.Connection._exec_command = command  # type: ignore[method-assign]
        psycopg.Cursor.execute = execute  # type: ignore[method-assign]
    return sent


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=REQUESTS)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--pieces", action="store_true")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args(argv)

    import uvloop

    from bench.common import scratch_postgres

    with scratch_postgres("claimdesk_floor") as url:
        _setup_database(url)
        print(
            f"load {os.getloadavg()[0]:.2f}; {args.requests} requests × {args.rounds} rounds per target"
        )
        result = uvloop.run(_targets(args.requests, args.rounds, show=True))
        if args.pieces:
            _pieces(args.requests)
        if args.profile:
            uvloop.run(_profile(args.requests, args.top))
        from claimdesk.db import reset_engine_cache

        reset_engine_cache()
    return result


def run() -> dict[str, float]:
    return main([])


if __name__ == "__main__":
    main()
