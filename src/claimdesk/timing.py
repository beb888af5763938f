"""``Server-Timing`` on every response: time in the application and in the database.

Each HTTP response carries, for example::

    Server-Timing: app;dur=41.7, db;dur=12.3;desc="18 statements"

``app`` is the time from the request entering the application to its response headers
(routing, dependencies, the endpoint, template rendering and the commit: ``get_db``
commits before the response starts); ``db`` is the time spent executing SQL statements
and how many there were. Browsers show it in the network panel, the page benchmark
(``bench/pages.py``) reads it, and the page tests use the statement count to catch
N+1 queries. It costs two ``perf_counter`` calls per statement.

The counters live in a context variable: Starlette runs synchronous endpoints and
dependencies in worker threads with a copy of the request's context, so the threads
add to the same :class:`RequestTiming` object. Statements outside a request (jobs,
the CLI) find no timing object and are not counted.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "Server-Timing"
_STARTED = "claimdesk_timing_started"


@dataclass
class RequestTiming:
    statements: int = 0
    db_seconds: float = 0.0

    def header(self, app_seconds: float) -> str:
        return (
            f"app;dur={app_seconds * 1000:.1f}, "
            f'db;dur={self.db_seconds * 1000:.1f};desc="{self.statements} statements"'
        )


_current: ContextVar[RequestTiming | None] = ContextVar("claimdesk_request_timing", default=None)


def current() -> RequestTiming | None:
    """The timing of the request being served in this context, if any."""
    return _current.get()


def _before_execute(conn: Any, cursor: Any, statement: Any, *args: Any) -> None:
    if _current.get() is not None:
        conn.info.setdefault(_STARTED, []).append(time.perf_counter())


def _after_execute(conn: Any, cursor: Any, statement: Any, *args: Any) -> None:
    timing = _current.get()
    started = conn.info.get(_STARTED)
    if timing is None or not started:
        return
    timing.statements += 1
    timing.db_seconds += time.perf_counter() - started.pop()


def _on_error(context: Any) -> None:
    # A failed statement never reaches after_cursor_execute: drop its start time.
    started = context.connection.info.get(_STARTED) if context.connection is not None else None
    if started:
        started.pop()


def count_statement(seconds: float) -> None:
    """Count a statement run on the driver directly (db.read_on_driver), which the
    engine's events do not see."""
    timing = _current.get()
    if timing is not None:
        timing.statements += 1
        timing.db_seconds += seconds


def install_sql_counters() -> None:
    """Listen on every engine (idempotent): engines made later are covered too."""
    if not event.contains(Engine, "before_cursor_execute", _before_execute):
        event.listen(Engine, "before_cursor_execute", _before_execute)
        event.listen(Engine, "after_cursor_execute", _after_execute)
        event.listen(Engine, "handle_error", _on_error)


class ServerTimingMiddleware:
    """Pure ASGI middleware (no response buffering): adds the header when the response
    starts. Errors answered by the outermost error handler (500) carry no header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        install_sql_counters()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        timing = RequestTiming()
        token = _current.set(timing)
        started = time.perf_counter()

        async def send_with_timing(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.append(HEADER, timing.header(time.perf_counter() - started))
            await send(message)

        try:
            await self.app(scope, receive, send_with_timing)
        finally:
            _current.reset(token)


def parse(header: str) -> dict[str, dict[str, str]]:
    """``app;dur=1.0, db;dur=2.0;desc="3 statements"`` → {"app": {"dur": "1.0"}, ...}."""
    found: dict[str, dict[str, str]] = {}
    for metric in header.split(","):
        name, *params = (part.strip() for part in metric.split(";"))
        if not name:
            continue
        values = {}
        for param in params:
            key, _, value = param.partition("=")
            values[key.strip()] = value.strip().strip('"')
        found[name] = values
    return found
