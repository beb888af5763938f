"""Bounded waits for tests that race threads, which also end under a faked date.

Under ``faketime '2028-12-22 10:00:00'`` (SPEC GEN-3: the whole suite runs under a faked
date too) a timed wait on a Python lock never times out: ``Event.wait(t)``,
``Barrier(timeout=t)``, ``Thread.join(t)``, ``Queue.get(timeout=t)``, ``Condition.wait(t)``
and a future's ``result(timeout=t)`` take an absolute CLOCK_MONOTONIC deadline that
libfaketime 0.9.10 does not translate, so they return only when what they wait for
happens (docs/operations.md). A test whose code under test broke would then hang CI
instead of failing. ``time.sleep`` does return, so these wait in counted sleeps: at most
``seconds / TICK`` of them, whatever any clock says.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

TICK = 0.001  # seconds; short, so threads let go at a rendezvous within about a tick
STEP = 60.0  # seconds a step may take before the test fails instead of waiting on


def _ticks(seconds: float) -> int:
    return max(1, int(seconds / TICK))


def wait_until(ready: Callable[[], bool], seconds: float = STEP) -> bool:
    """``ready()`` polled in sleeps until it holds or ``seconds`` of sleeps have passed;
    whether it holds (``Event.wait(seconds)`` without a timed lock wait)."""
    for _ in range(_ticks(seconds)):
        if ready():
            return True
        time.sleep(TICK)
    return ready()


def wait_for(event: threading.Event, seconds: float = STEP) -> bool:
    """``event.wait(seconds)`` counted in sleeps."""
    return wait_until(event.is_set, seconds)


class Rendezvous:
    """``threading.Barrier(parties, timeout=seconds)`` counted in sleeps: ``wait()``
    returns once ``parties`` threads have called it (in rounds, as a barrier's), and
    raises ``threading.BrokenBarrierError`` in every waiter if they have not all come
    within ``seconds`` — a thread that died or hung before reaching it fails the test."""

    def __init__(self, parties: int, seconds: float = STEP) -> None:
        self.parties = parties
        self.seconds = seconds
        self._lock = threading.Lock()  # held only to count: never waited on for long
        self._arrived = 0
        self._round = 0
        self._broken = False

    def wait(self) -> None:
        with self._lock:
            if self._broken:
                raise threading.BrokenBarrierError("an earlier round did not meet")
            mine = self._round
            self._arrived += 1
            if self._arrived == self.parties:
                self._arrived = 0
                self._round += 1
                return
        wait_until(lambda: self._round != mine or self._broken, self.seconds)
        with self._lock:
            if self._round != mine:
                return
            arrived, self._broken = self._arrived, True
        raise threading.BrokenBarrierError(
            f"{arrived} of {self.parties} threads met within {self.seconds:.0f} s"
        )


def run_in_threads(targets: Sequence[Callable[[], Any]], seconds: float = STEP) -> list[Any]:
    """Each target on a thread of its own, all at once; their results in order.

    Fails (AssertionError) when a thread has not finished within ``seconds`` — the
    threads are daemons, so one left stuck in a lock does not hold the test process at
    exit either — and re-raises the first error a target raised."""
    results: list[Any] = [None] * len(targets)
    errors: list[BaseException | None] = [None] * len(targets)

    def run(index: int) -> None:
        try:
            results[index] = targets[index]()
        except BaseException as error:  # re-raised below, on the test's thread
            errors[index] = error

    threads = [
        threading.Thread(target=run, args=(i,), daemon=True, name=f"race-{i}")
        for i in range(len(targets))
    ]
    for thread in threads:
        thread.start()
    wait_until(lambda: not any(t.is_alive() for t in threads), seconds)
    stuck = [t.name for t in threads if t.is_alive()]
    assert not stuck, f"{stuck} still running after {seconds:.0f} s: a wait that never ended"
    for error in errors:
        if error is not None:
            raise error
    return results
