"""Scale figures on PostgreSQL (issue 14 item 1: no row that every write must lock).

Run with ``python -m bench scale``. Ends with the issue's line::

    SCALE hello_cpu_ms=… me_cpu_ms=… report_cpu_ms=… report_pg_ms=… http_reports_s=…
    p99_ms_at_half=… inproc_2p=… inproc_4p=… audit_commits_1p=… audit_commits_4p=…
    batch_lines_s=…

(HTTP figures from bench/scale_http.py, the batch figure from bench/batch.py.)

- ``inproc_Np``: claim reports per second, in-process (service, serialisation, commit;
  no HTTP), from N processes reporting on the same day. Before issue 14 the day's
  claim_sequences row was locked from 1.9 ms into a report until its commit, so more
  processes added nothing (2 processes 79–97/s, 4: 66–78/s). Target: inproc_4p ≥ 1.8 ×
  inproc_2p.
- ``audit_commits_Np``: commits per second that each write one audit entry, from N
  processes. Before, every such commit locked the chain head row until the end of
  COMMIT (303–342/s with 1 process, 285–413/s with 4–8). Target: audit_commits_4p ≥
  1.5 × audit_commits_1p.

Every process starts, connects and warms up before the measured window opens; the
window is BENCH_SCALE_SECONDS long (default 10). The clock of the reports is frozen on
one day (2026-10-02), so all of them draw numbers of the same day. After the runs the
sealer seals everything and ``verify_chain`` must prove it (printed as ``sealed_ok``).
The figures depend on the machine's load: the 1-minute load average is printed too,
and so is the mean number of sessions waiting on a lock in each window (sampled from
pg_locks every 50 ms), which does not depend on the load: before issue 14, 2.7 of 4
reporting sessions waited on the day's sequence row.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import time
from typing import Any

from bench.common import scratch_postgres

SECONDS = float(os.environ.get("BENCH_SCALE_SECONDS", "10"))
WARMUP = int(os.environ.get("BENCH_SCALE_WARMUP", "10"))
FROZEN_NOW = dt.datetime(2026, 10, 2, 2, 0, tzinfo=dt.UTC)  # 10:00 in Beijing
REPORT_PAYLOAD = {
    "channel": "app",
    "claimant_name": "李四",
    "loss_date": "2026-09-28",
    "loss_place": "北京",
    "loss_cause": "illness",
    "loss_overview": "住院",
    "estimated_amount": "3000.00",
}


def _freeze_clock() -> None:
    from claimdesk.claims import timeutil

    timeutil.now = lambda: FROZEN_NOW  # one day: every report draws that day's numbers


def report_burst(url: str, policy: str, count: int) -> int:
    """Report ``count`` claims one after another (each its own transaction); used by the
    kill -9 test as the process that is killed mid-burst."""
    one, dispose = _reporter(url, policy)
    for _ in range(count):
        one()
    dispose()
    return count


def _reporter(url: str, policy: str) -> tuple[Any, Any]:
    from sqlalchemy import select
    from sqlalchemy.orm import sessionmaker

    from claimdesk.auth.principal import Principal
    from claimdesk.claims import endpoints
    from claimdesk.claims.schemas import ReportCreate
    from claimdesk.db import make_engine
    from claimdesk.models.user import User

    _freeze_clock()
    engine = make_engine(url, pool_size=1, max_overflow=0)
    factory = sessionmaker(engine)
    body = ReportCreate.model_validate({**REPORT_PAYLOAD, "policy_number": policy})
    with factory() as session:
        user = session.scalars(select(User).where(User.username == "bench")).one()
        actor = Principal.build(user_id=user.id, username="bench", roles={"claims_handler"})

    def one() -> None:
        with factory() as session:
            endpoints.report_claim(body, session, actor).model_dump_json()
            session.commit()

    return one, engine.dispose


def _auditor(url: str, _policy: str) -> tuple[Any, Any]:
    from sqlalchemy.orm import sessionmaker

    from claimdesk.audit.service import record
    from claimdesk.auth.principal import Principal
    from claimdesk.db import make_engine

    engine = make_engine(url, pool_size=1, max_overflow=0)
    factory = sessionmaker(engine)
    actor = Principal.system("bench")

    def one() -> None:
        with factory() as session:
            record(session, actor=actor, action="bench.write", entity_type="bench", entity_id=1)
            session.commit()

    return one, engine.dispose


def _worker(kind: str, url: str, policy: str, ready: Any, start: Any, out: Any) -> None:
    one, dispose = (_reporter if kind == "report" else _auditor)(url, policy)
    for _ in range(WARMUP):
        one()
    ready.put(os.getpid())
    start.wait(300)
    done, deadline = 0, time.monotonic() + SECONDS
    while time.monotonic() < deadline:
        one()
        done += 1
    dispose()
    out.put(done)


def _rate(kind: str, url: str, policy: str, processes: int) -> float:
    context = multiprocessing.get_context("spawn")
    ready, start, out = context.Queue(), context.Event(), context.Queue()
    workers = [
        context.Process(target=_worker, args=(kind, url, policy, ready, start, out))
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    for _ in workers:
        ready.get(timeout=600)
    start.set()
    waiting = _sample_lock_waits(url, out, processes)
    total = sum(out.get(timeout=600 + SECONDS) for _ in workers)
    for worker in workers:
        worker.join(60)
    WAITING[f"{kind}_{processes}p"] = round(sum(waiting) / max(len(waiting), 1), 2)
    return round(total / SECONDS, 1)


# Mean number of this database's sessions waiting on a lock during each window: the
# load-independent sign of a row that every write must lock (issue 14: 2.7 of 4).
WAITING: dict[str, float] = {}


def _sample_lock_waits(url: str, out: Any, processes: int) -> list[int]:
    import psycopg

    samples = []
    deadline = time.monotonic() + SECONDS
    with psycopg.connect(url, autocommit=True) as conn:
        while time.monotonic() < deadline and out.qsize() < processes:
            row = conn.execute(
                "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE NOT l.granted AND a.datname = current_database()"
            ).fetchone()
            samples.append(int(row[0]) if row else 0)
            time.sleep(0.05)
    return samples


def _seal_and_verify(url: str) -> bool:
    from sqlalchemy.orm import Session

    from claimdesk.audit.sealer import seal
    from claimdesk.audit.service import verify_chain
    from claimdesk.db import make_engine

    engine = make_engine(url)
    try:
        while True:
            with Session(engine) as session, session.begin():
                if not seal(session, max_batches=1).checkpoints:
                    break
        with Session(engine) as session:
            result = verify_chain(session)
        return result.ok and result.unsealed == 0
    finally:
        engine.dispose()


def measure_inproc() -> dict[str, Any]:
    """Reports in-process from 2 and 4 processes, audit commits from 1 and 4."""
    from bench.claims import _setup

    _freeze_clock()
    with scratch_postgres("claimdesk_scale") as url:
        policy = _setup(url)
        figures: dict[str, Any] = {"load_before": os.getloadavg()[0]}
        figures["inproc_2p"] = _rate("report", url, policy, 2)
        figures["inproc_4p"] = _rate("report", url, policy, 4)
        figures["audit_commits_1p"] = _rate("audit", url, policy, 1)
        figures["audit_commits_4p"] = _rate("audit", url, policy, 4)
        figures["load_after"] = os.getloadavg()[0]
        figures["sealed_ok"] = _seal_and_verify(url)
        figures["mean_sessions_waiting_on_a_lock"] = dict(WAITING)
    figures["inproc_4p_over_2p"] = round(figures["inproc_4p"] / figures["inproc_2p"], 2)
    figures["audit_4p_over_1p"] = round(
        figures["audit_commits_4p"] / figures["audit_commits_1p"], 2
    )
    return figures


SCALE_KEYS = (
    "hello_cpu_ms", "me_cpu_ms", "report_cpu_ms", "report_pg_ms", "http_reports_s",
    "p99_ms_at_half", "inproc_2p", "inproc_4p", "audit_commits_1p", "audit_commits_4p",
    "batch_lines_s",
)  # fmt: skip


def run() -> dict[str, Any]:
    """Issue 14's benchmark in one run: HTTP costs (bench.scale_http), in-process scaling
    (above) and the columnar batch engine (bench.batch); ends with the SCALE line."""
    from bench.batch import measure_batch
    from bench.scale_http import measure_http

    figures: dict[str, Any] = dict(measure_http())
    figures.update(measure_inproc())
    batch = measure_batch(int(os.environ.get("BENCH_SCALE_BATCH_LINES", "1000000")))
    figures["batch_lines_s"] = batch["batch_lines_s"]
    figures["batch_sample_claims_equal"] = batch["sample_equal"]
    print("SCALE " + " ".join(f"{key}={figures.get(key)}" for key in SCALE_KEYS))
    return figures
