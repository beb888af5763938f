"""The token check's connections on the event loop (claimdesk.loop_driver, issue 14):
statements in autocommit, a bounded pool per loop that answers the pool's TimeoutError
(503) when every connection stays busy, connections closed with their engine. # SPEC GEN-6"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from claimdesk.db import make_engine
from claimdesk.loop_driver import LoopDriver, loop_driver_for

pytestmark = pytest.mark.postgres_only

_SELECT = text("SELECT 1 + :n")
_SLEEP = text("SELECT pg_sleep(:seconds)")


def _run(main: Any) -> Any:
    """asyncio.run on a thread of its own: a browser test earlier in the same worker
    (Playwright's sync API) leaves an event loop running on the main thread, and
    asyncio.run refuses to start inside one — as a server's loop is its own too."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, main()).result()


@pytest.fixture
def engine(fresh_db_url: str) -> Iterator[Engine]:
    made = make_engine(fresh_db_url)
    yield made
    made.dispose()


def test_only_an_engine_bound_postgresql_factory_gets_a_driver(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    driver = loop_driver_for(sessionmaker(bind=engine))
    assert isinstance(driver, LoopDriver)
    assert loop_driver_for(sessionmaker(bind=engine)) is driver  # one per engine
    # A test's factory, bound to its connection: its rows are seen on the session path only.
    assert loop_driver_for(session_factory) is None


def test_statements_run_in_autocommit_on_a_reused_connection(engine: Engine) -> None:
    driver = LoopDriver(engine, size=2, timeout=1.0)

    async def main() -> list[object]:
        first = await driver.run(_SELECT, {"n": 1})
        second = await driver.run(_SELECT, {"n": 2})
        pid = text("SELECT pg_backend_pid(), current_setting('transaction_isolation')")
        a = await driver.run(pid, {})
        b = await driver.run(pid, {})
        await driver.aclose()
        return [first, second, a == b]

    assert _run(main) == [[(2,)], [(3,)], True]


def test_a_busy_pool_waits_then_answers_the_pools_timeout(engine: Engine) -> None:
    driver = LoopDriver(engine, size=1, timeout=0.2)

    async def main() -> tuple[object, object]:
        slow = asyncio.create_task(driver.run(_SLEEP, {"seconds": 1}))
        await asyncio.sleep(0.05)
        with pytest.raises(PoolTimeout):
            await driver.run(_SELECT, {"n": 1})
        await slow
        # The connection came back: the next statement gets it.
        after = await driver.run(_SELECT, {"n": 1})
        waiting = asyncio.gather(*(driver.run(_SELECT, {"n": n}) for n in range(5)))
        results = await waiting
        await driver.aclose()
        return after, results

    after, results = _run(main)
    assert after == [(2,)]
    assert results == [[(n + 1,)] for n in range(5)]


def test_disposing_the_engine_closes_the_idle_connections(engine: Engine) -> None:
    driver = LoopDriver(engine, size=2, timeout=1.0)

    async def main() -> list[object]:
        await driver.run(_SELECT, {"n": 1})
        (pool,) = driver._pools.values()
        (held,) = pool.idle
        engine.dispose()
        closed = held.connection.closed
        # The next statement finds it closed and opens another.
        again = await driver.run(_SELECT, {"n": 1})
        await driver.aclose()
        return [closed, again]

    assert _run(main) == [True, [(2,)]]
