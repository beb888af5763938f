"""Statements run on the event loop, on psycopg's AsyncConnection (PostgreSQL only).

For the one statement every authenticated request runs, the token check (issue 14,
``me_cpu_ms``): run through the thread pool it cost a trip there and back on every
request (0.1–0.25 ms of CPU, more on a busy machine); awaited on the loop it costs a
socket write and a read. Like :func:`claimdesk.db.read_on_driver` each statement runs in
autocommit (no BEGIN, no COMMIT), compiled once per process, counted in Server-Timing,
and a connection found dead is discarded and the statement run once more on another.

The connections are a small pool of their own per process and event loop
(``db_loop_pool_size``, default 2: a statement holds one for a round trip, no
transaction ever spans an ``await`` of anything else), on top of the engine's pool:
count them in ``max_connections`` (docs/operations.md). When every one is busy a
statement waits up to ``db_pool_timeout`` seconds, then raises SQLAlchemy's pool
``TimeoutError`` as the engine's pool would (503 with Retry-After). Connections are
renewed after :data:`claimdesk.db.POOL_RECYCLE_SECONDS`.

Everything else (SQLite, a session bound to a test's connection, writes inside the
request's transaction) keeps the sync path: :func:`loop_driver_for` answers None.
"""

from __future__ import annotations

import asyncio
import threading
import time
import weakref
from collections import deque
from typing import Any

import psycopg
from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from claimdesk import db
from claimdesk.config import get_settings
from claimdesk.timing import count_statement


class _Connection:
    __slots__ = ("connection", "opened")

    def __init__(self, connection: psycopg.AsyncConnection[Any]) -> None:
        self.connection = connection
        self.opened = time.monotonic()


class _LoopPool:
    """The connections of one event loop (an asyncio connection belongs to its loop)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.idle: list[_Connection] = []
        self.waiting: deque[asyncio.Future[_Connection | None]] = deque()
        self.opened = 0

    def finish_all(self) -> None:
        """Close the idle connections without the loop (a loop that ended, the engine
        disposed); the loop's next statement finds them closed and opens another."""
        for held in list(self.idle):
            held.connection.pgconn.finish()


class LoopDriver:
    """Read-only (or single-statement autocommit) statements on the event loop for one
    PostgreSQL engine. One per engine per process (:func:`loop_driver_for`)."""

    def __init__(self, engine: Engine, *, size: int, timeout: float) -> None:
        # Not the engine itself: the driver lives as long as its engine, not longer.
        self.dialect = engine.dialect
        self.size = max(1, size)
        self.timeout = timeout
        cargs, cparams = engine.dialect.create_connect_args(engine.url)
        self._connect_args: tuple[list[Any], dict[str, Any]] = (list(cargs), dict(cparams))
        # Kept until a new loop finds them closed (not weakly: their connections are
        # closed then, not left to the garbage collector).
        self._pools: dict[asyncio.AbstractEventLoop, _LoopPool] = {}
        self._sql: dict[Any, str] = {}
        self._lock = threading.Lock()
        # engine.dispose() (a test's end, reset_engine_cache) closes these too.
        event.listen(engine, "engine_disposed", self._finish_idle)

    def _sql_of(self, statement: Any) -> str:
        sql = self._sql.get(statement)
        if sql is None:
            sql = self._sql[statement] = str(statement.compile(dialect=self.dialect))
        return sql

    async def run(self, statement: Any, params: dict[str, Any], *, rows: bool = True) -> list[Any]:
        """Run one statement in autocommit; its rows as tuples (``rows=False``: a
        statement without a result, nothing fetched). Parameters must need no SQLAlchemy
        type processing."""
        sql = self._sql_of(statement)
        dbapi = self.dialect.loaded_dbapi
        for attempt in (1, 2):
            held = await self._acquire()
            connection = held.connection
            started = time.perf_counter()
            try:
                cursor = await connection.execute(sql, params)
                # (Not cursor.description: it builds an object per column.)
                found: list[Any] = await cursor.fetchall() if rows else []
            except dbapi.Error as error:
                dead = connection.closed or connection.broken
                self._release(held, discard=True)
                if not dead or attempt == 2:
                    # As SQLAlchemy would raise it, without the parameters (a token's hash).
                    raise DBAPIError.instance(
                        sql, params, error, dbapi.Error, hide_parameters=True
                    ) from error
                continue
            except BaseException:
                # Cancelled mid-statement: the connection's state is unknown.
                self._release(held, discard=True)
                raise
            count_statement(time.perf_counter() - started)
            self._release(held, discard=False)
            return found
        raise AssertionError("unreachable")

    def _pool(self) -> _LoopPool:
        loop = asyncio.get_running_loop()
        pool = self._pools.get(loop)
        if pool is not None:
            return pool
        # Several loops may share the driver (a test's clients, each on a thread of its
        # own); a server's process has one.
        with self._lock:
            # A loop that ended (a test client's) left its idle connections behind:
            # close them now.
            for other, old in list(self._pools.items()):
                if other.is_closed():
                    old.finish_all()
                    del self._pools[other]
            pool = self._pools.get(loop)
            if pool is None:
                pool = self._pools[loop] = _LoopPool(loop)
        return pool

    async def _acquire(self) -> _Connection:
        pool = self._pool()
        recycle_before = time.monotonic() - db.POOL_RECYCLE_SECONDS
        while pool.idle:
            held = pool.idle.pop()
            if not held.connection.closed and held.opened > recycle_before:
                return held
            pool.opened -= 1
            await held.connection.close()
        if pool.opened >= self.size:
            future: asyncio.Future[_Connection | None] = pool.loop.create_future()
            pool.waiting.append(future)
            try:
                handed = await asyncio.wait_for(future, self.timeout)
            except TimeoutError:
                raise PoolTimeout(
                    f"no connection of the loop pool (size {self.size}) within {self.timeout} s"
                ) from None
            if handed is not None:
                return handed
            # A connection was discarded: its place is free to open a new one.
        pool.opened += 1
        try:
            args, kwargs = self._connect_args
            connection = await psycopg.AsyncConnection.connect(*args, **kwargs, autocommit=True)
        except BaseException:
            pool.opened -= 1
            self._wake(pool, None)
            raise
        return _Connection(connection)

    def _release(self, held: _Connection, *, discard: bool) -> None:
        pool = self._pool()
        if discard or held.connection.closed:
            pool.opened -= 1
            held.connection.pgconn.finish()
            self._wake(pool, None)
            return
        if not self._wake(pool, held):
            pool.idle.append(held)

    @staticmethod
    def _wake(pool: _LoopPool, held: _Connection | None) -> bool:
        """Hand ``held`` (None: a free place) to the first statement waiting; False when
        none waits."""
        while pool.waiting:
            future = pool.waiting.popleft()
            if not future.done():
                future.set_result(held)
                return True
        return False

    def _finish_idle(self, _engine: Engine) -> None:
        with self._lock:
            for pool in self._pools.values():
                pool.finish_all()

    async def aclose(self) -> None:
        """Close the running loop's connections (the app's shutdown)."""
        with self._lock:
            pool = self._pools.pop(asyncio.get_running_loop(), None)
        if pool is None:
            return
        while pool.idle:
            await pool.idle.pop().connection.close()


_DRIVERS: weakref.WeakKeyDictionary[Engine, LoopDriver] = weakref.WeakKeyDictionary()


def loop_driver_for(factory: sessionmaker[Session]) -> LoopDriver | None:
    """The loop driver of the engine a session factory is bound to, when that engine is
    PostgreSQL's (one per engine); None otherwise (SQLite; a factory bound to a test's
    connection, whose sessions must see the test's own rows)."""
    bind = factory.kw.get("bind")
    if not isinstance(bind, Engine) or bind.dialect.name != "postgresql":
        return None
    driver = _DRIVERS.get(bind)
    if driver is None:
        settings = get_settings()
        driver = _DRIVERS[bind] = LoopDriver(
            bind, size=settings.db_loop_pool_size, timeout=settings.db_pool_timeout
        )
    return driver
