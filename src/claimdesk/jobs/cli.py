"""``claimdesk worker``: run background jobs and deliver the outbox."""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path
from typing import Annotated, Any

import typer

from claimdesk.db import get_sessionmaker
from claimdesk.jobs.worker import run_worker


def worker(
    once: Annotated[bool, typer.Option("--once", help="Run one loop, then exit")] = False,
    max_jobs: Annotated[
        int | None, typer.Option("--max-jobs", min=1, help="Exit after N jobs")
    ] = None,
    poll_interval: Annotated[
        float, typer.Option(min=0.05, help="Seconds between idle polls")
    ] = 1.0,
    stats_file: Annotated[
        Path | None,
        typer.Option(
            "--stats-file",
            help="At exit, write jobs, jobs/s and per job kind the jobs and seconds of work (JSON)",
        ),
    ] = None,
) -> None:
    """Run jobs and send messages until stopped (SIGTERM/SIGINT finish the current job)."""
    stop = threading.Event()

    def _stop(_signum: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    stats = run_worker(
        get_sessionmaker(),
        stop_after=1 if once else None,
        max_jobs=max_jobs,
        poll_interval=poll_interval,
        stop=stop,
    )
    if stats_file is not None:
        stats_file.write_text(json.dumps(stats.summary(), indent=2), encoding="utf-8")
    typer.echo(f"worker done: {stats.jobs} jobs, {stats.messages} messages, {stats.loops} loops")
