"""The worker loop: schedule periodic runs, deliver the outbox, run due jobs.

Start as many workers as you like (``claimdesk worker``); they share nothing but the
database.
"""

from __future__ import annotations

import importlib
import json
import logging
import pkgutil
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

import claimdesk
from claimdesk.jobs.outbox import deliver_pending
from claimdesk.jobs.queue import KindTimes, run_one, schedule_periodic
from claimdesk.jobs.senders import Sender
from claimdesk.models.base import utcnow

log = logging.getLogger(__name__)

# How often a worker enqueues the due periodic runs (the shortest period is 30 s). Once
# per loop, an idle worker polling every 0.1 s sent ten INSERTs per loop — a hundred
# statements a second per idle worker competing with the jobs (issue 13's benchmark).
SCHEDULE_EVERY = 1.0

# An idle worker waits for its next poll in sleeps this long at most, checking ``stop``
# in between (see _idle).
IDLE_SLICE = 0.05


@dataclass
class WorkerStats:
    loops: int = 0
    jobs: int = 0
    messages: int = 0
    # Per job kind: jobs taken and seconds of work (pick to commit), for the operator's
    # view of what a worker spends its time on (docs/operations.md, bench stp).
    kinds: dict[str, KindTimes] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)

    def summary(self) -> dict[str, Any]:
        """Jobs, jobs/s over the worker's life, and per kind jobs, seconds, ms per job."""
        elapsed = max(time.monotonic() - self.started, 1e-9)
        return {
            "jobs": self.jobs,
            "messages": self.messages,
            "seconds": round(elapsed, 1),
            "jobs_per_s": round(self.jobs / elapsed, 2),
            "kinds": {
                kind: {
                    "jobs": t.jobs,
                    "seconds": round(t.seconds, 3),
                    "ms_per_job": round(1000 * t.seconds / t.jobs, 1) if t.jobs else None,
                }
                for kind, t in sorted(self.kinds.items())
            },
        }


def load_task_modules() -> list[str]:
    """Import every ``claimdesk.<domain>.tasks`` module so its @task handlers register;
    a domain adds background work by writing that module, nothing else."""
    loaded = []
    for module in pkgutil.iter_modules(claimdesk.__path__):
        if not module.ispkg:
            continue
        name = f"claimdesk.{module.name}.tasks"
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
            continue
        loaded.append(name)
    return loaded


def _idle(stop: threading.Event, seconds: float) -> None:
    """Wait ``seconds`` or until ``stop`` is set, in short sleeps. Not ``stop.wait(seconds)``:
    CPython waits on a lock with an absolute CLOCK_MONOTONIC deadline that libfaketime does
    not translate, so under a faked date (faketime '2028-12-22 10:00:00', SPEC GEN-3) the
    wait never timed out and an idle worker never polled again; ``time.sleep`` returns."""
    end = time.monotonic() + seconds
    while not stop.is_set():
        left = end - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(left, IDLE_SLICE))


def run_worker(
    factory: sessionmaker[Session],
    *,
    stop_after: int | None = None,
    max_jobs: int | None = None,
    poll_interval: float = 1.0,
    stop: threading.Event | None = None,
    senders: Mapping[str, Sender] | None = None,
) -> WorkerStats:
    """Loop until ``stop`` is set, ``stop_after`` loops have run, or ``max_jobs`` jobs
    were taken. Each loop: enqueue due periodic runs, send the outbox, drain due jobs."""
    stop = stop or threading.Event()
    stats = WorkerStats()
    load_task_modules()
    scheduled_at = float("-inf")
    while not stop.is_set():
        try:
            schedule = time.monotonic() - scheduled_at >= SCHEDULE_EVERY
            if schedule:
                scheduled_at = time.monotonic()
            ran = _loop_once(
                factory, stats, max_jobs=max_jobs, stop=stop, senders=senders, schedule=schedule
            )
        except Exception:
            # A database restart or network blip must not end the worker; the next loop
            # retries, and the jobs' own transactions were rolled back.
            log.exception("worker loop failed; retrying in %.1f s", poll_interval)
            ran = 0
        stats.loops += 1
        if stop_after is not None and stats.loops >= stop_after:
            break
        if max_jobs is not None and stats.jobs >= max_jobs:
            break
        if not ran:
            _idle(stop, poll_interval)
    log.info(
        "worker stopped: %d loops, %d jobs, %d messages; per kind %s",
        stats.loops,
        stats.jobs,
        stats.messages,
        json.dumps(stats.summary()["kinds"]),
    )
    return stats


def _loop_once(
    factory: sessionmaker[Session],
    stats: WorkerStats,
    *,
    max_jobs: int | None,
    stop: threading.Event,
    senders: Mapping[str, Sender] | None,
    schedule: bool = True,
) -> int:
    """Enqueue due periodic runs (when ``schedule``), send the outbox, drain due jobs;
    returns jobs run."""
    if schedule:
        with factory() as session, session.begin():
            schedule_periodic(session, now=utcnow())
    stats.messages += deliver_pending(factory, senders=senders)
    ran = 0
    while not stop.is_set() and (max_jobs is None or stats.jobs < max_jobs):
        if not run_one(factory, timings=stats.kinds):
            break
        stats.jobs += 1
        ran += 1
        # Messages the jobs wrote go out without waiting for the whole queue.
        if ran % 20 == 0:
            stats.messages += deliver_pending(factory, senders=senders)
    if ran:
        stats.messages += deliver_pending(factory, senders=senders)
    return ran
