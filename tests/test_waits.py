"""The tests' bounded waits end when what they wait for never comes, under a faked date
as well (SPEC GEN-3: the suite runs under ``faketime '2028-12-22 10:00:00'`` too, where a
timed lock wait — ``Barrier(timeout=t)``, ``Thread.join(t)`` — never times out)."""

from __future__ import annotations

import threading
import time

import pytest

from tests.waits import Rendezvous, run_in_threads, wait_for, wait_until


def test_a_rendezvous_lets_every_party_go_once_all_have_come_round_after_round():
    # SPEC GEN-3
    meet = Rendezvous(3, seconds=5)
    passed: list[int] = []

    def party() -> None:
        for round_ in range(3):
            meet.wait()
            passed.append(round_)

    run_in_threads([party] * 3, seconds=10)
    assert sorted(passed) == [0, 0, 0, 1, 1, 1, 2, 2, 2]


def test_a_party_that_never_comes_breaks_the_rendezvous_for_every_waiter():
    # SPEC GEN-3: what a Barrier(timeout=t) was meant to do, and under faketime did not
    meet = Rendezvous(3, seconds=0.2)
    started = time.monotonic()
    with pytest.raises(threading.BrokenBarrierError, match="2 of 3 threads met"):
        run_in_threads([meet.wait, meet.wait], seconds=10)
    assert time.monotonic() - started < 5
    with pytest.raises(threading.BrokenBarrierError):
        meet.wait()  # broken for good


def test_a_thread_that_never_ends_fails_the_test_instead_of_hanging_it():
    # SPEC GEN-3: what Thread.join(t) and then is_alive() were meant to do
    never = threading.Event()
    started = time.monotonic()
    with pytest.raises(AssertionError, match="still running after"):
        run_in_threads([lambda: 1, never.wait], seconds=0.2)
    assert time.monotonic() - started < 5
    never.set()  # lets the daemon thread go


def test_results_come_back_in_order_and_a_thread_s_error_is_raised():
    # SPEC GEN-3
    assert run_in_threads([lambda: "a", lambda: "b"]) == ["a", "b"]

    def fails() -> None:
        raise ValueError("broken")

    with pytest.raises(ValueError, match="broken"):
        run_in_threads([lambda: None, fails])


def test_waiting_for_an_event_or_a_condition_is_bounded():
    # SPEC GEN-3
    event = threading.Event()
    assert wait_for(event, 0.05) is False
    event.set()
    assert wait_for(event, 0.05) is True
    assert wait_until(lambda: False, 0.05) is False
