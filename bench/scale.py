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

One set of processes (as many as the larger count) starts, connects and warms up before
any window opens; then windows of BENCH_SCALE_SECONDS / 2 (default 10 s in all per count)
run in the order A B B A (2, 4, 4, 2 processes; audit 1, 4, 4, 1), the processes not in a
window idle, so that a drift of the shared machine's load weighs on both counts alike
(before, the 4-process window always came second, and started its own processes). The
CPU per report of the processes and of their PostgreSQL backends, and the cores' worth
they got, are printed for each count: on a shared machine the rate is the CPU share
over the CPU per report, and only the second is the code's (docs/benchmarks.md, "Why 4
processes were slower than 2"). The clock of the reports is frozen on
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
    one, engine = _reporter(url, policy)
    for _ in range(count):
        one()
    engine.dispose()
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

    return one, engine


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

    return one, engine


def _worker(kind: str, url: str, policy: str, ready: Any, windows: Any, out: Any) -> None:
    """One process: connects, warms up, says so (its pid and its backend's), then runs
    each window it is sent (its length in seconds) and puts how many it did; None ends.

    ``BENCH_SCALE_OWN_SESSIONS=1`` (a diagnostic, not for runs of record): the process
    starts its own session, so that Linux's autogroup scheduling gives it a share of the
    CPU of its own, as each PostgreSQL backend has; the processes of one run otherwise
    share one (docs/benchmarks.md, "Why 4 processes were slower than 2")."""
    if os.environ.get("BENCH_SCALE_OWN_SESSIONS") == "1":
        os.setsid()
    one, engine = (_reporter if kind == "report" else _auditor)(url, policy)
    for _ in range(WARMUP):
        one()
    with engine.connect() as connection:  # pool_size 1: the connection one() uses
        backend = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    ready.put((os.getpid(), backend))
    while (seconds := windows.get()) is not None:
        done, deadline = 0, time.monotonic() + seconds
        while time.monotonic() < deadline:
            one()
            done += 1
        out.put(done)
    engine.dispose()


def window_order(counts: tuple[int, int]) -> list[int]:
    """The windows' process counts, A B B A: a drift of the machine's load (or of the
    tables' size) during the run weighs on both counts alike, instead of on the second."""
    first, second = counts
    return [first, second, second, first]


def _cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rates(
    kind: str, url: str, policy: str, counts: tuple[int, int], seconds: float = SECONDS
) -> dict[int, float]:
    """Per second from ``counts[0]`` and from ``counts[1]`` processes: one set of
    processes, started, connected and warmed up before any window; windows of
    ``seconds / 2`` in the order of :func:`window_order` (each count runs ``seconds`` in
    all), the first processes of the set running a window and the others idle (blocked
    on their queue). Also fills ``WAITING`` and ``CPU`` for each count."""
    context = multiprocessing.get_context("spawn")
    ready, out = context.Queue(), context.Queue()
    windows = [context.Queue() for _ in range(max(counts))]
    workers = [
        context.Process(target=_worker, args=(kind, url, policy, ready, queue, out))
        for queue in windows
    ]
    for worker in workers:
        worker.start()
    try:
        started = [ready.get(timeout=600) for _ in workers]
        done = dict.fromkeys(counts, 0)
        cpu = {n: [0.0, 0.0] for n in counts}  # the processes', their backends'
        waiting: dict[int, list[int]] = {n: [] for n in counts}
        for processes in window_order(counts):
            pids = [pid for pid, _ in started]
            backends = [backend for _, backend in started]
            before = ([_cpu_seconds(p) for p in pids], [_cpu_seconds(p) for p in backends])
            for queue in windows[:processes]:
                queue.put(seconds / 2)
            waiting[processes] += _sample_lock_waits(url, out, processes, seconds / 2)
            done[processes] += sum(out.get(timeout=600 + seconds) for _ in range(processes))
            cpu[processes][0] += sum(map(_cpu_seconds, pids)) - sum(before[0])
            cpu[processes][1] += sum(map(_cpu_seconds, backends)) - sum(before[1])
    finally:
        for queue in windows:
            queue.put(None)
        for worker in workers:
            worker.join(60)
    for n in counts:
        WAITING[f"{kind}_{n}p"] = round(sum(waiting[n]) / max(len(waiting[n]), 1), 2)
        CPU[f"{kind}_{n}p"] = {
            # CPU per unit of work, the processes' and their PostgreSQL backends': what a
            # busy or bigger machine does not change (the rate is this over the share).
            "process_ms": round(1000 * cpu[n][0] / max(done[n], 1), 3),
            "postgres_ms": round(1000 * cpu[n][1] / max(done[n], 1), 3),
            # Cores' worth of CPU the processes and backends got during the windows
            # (os.cpu_count() is all there is; others' load takes the rest).
            "cores_used": round(sum(cpu[n]) / seconds, 2),
        }
    return {n: round(done[n] / seconds, 1) for n in counts}


# Mean number of this database's sessions waiting on a lock during each window: the
# load-independent sign of a row that every write must lock (issue 14: 2.7 of 4).
WAITING: dict[str, float] = {}
# CPU per report (or audit commit) and cores used, per kind and process count.
CPU: dict[str, dict[str, float]] = {}


def _sample_lock_waits(url: str, out: Any, processes: int, seconds: float) -> list[int]:
    import psycopg

    samples = []
    deadline = time.monotonic() + seconds
    # libpq's URL (a SQLAlchemy one names its driver: postgresql+psycopg://).
    dsn = url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(dsn, autocommit=True) as conn:
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
        reports = _rates("report", url, policy, (2, 4))
        figures["inproc_2p"], figures["inproc_4p"] = reports[2], reports[4]
        audits = _rates("audit", url, policy, (1, 4))
        figures["audit_commits_1p"], figures["audit_commits_4p"] = audits[1], audits[4]
        figures["load_after"] = os.getloadavg()[0]
        figures["sealed_ok"] = _seal_and_verify(url)
        figures["mean_sessions_waiting_on_a_lock"] = dict(WAITING)
        figures["cpu_per_unit_and_cores_used"] = dict(CPU)
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
