"""Waiting for a real server started by a test (uvicorn or ``claimdesk serve`` in a
subprocess) to answer.

The signal is the server's own ``/health`` answering 200: the application is imported,
the port is bound and the database answers through the pool. The deadline is generous,
because a server that imports the whole application on a box running the suite beside
it has needed more than 30 s to start (the payment crash test failed so); a server
that exits, or has not answered by the deadline, fails the test with the tail of its
log. The deadline is measured with ``time.monotonic`` and the waits are ``time.sleep``:
both move under a faked date (SPEC GEN-3), unlike a timed wait on a lock.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from pathlib import Path

import httpx
import pytest

START_SECONDS = 180.0
POLL_SECONDS = 0.2
# Straight to the local server, whatever proxy the environment names.
_LOCAL = httpx.Client(trust_env=False)


def log_tail(log_path: Path | None, chars: int = 4000) -> str:
    if log_path is None or not log_path.exists():
        return "(no log)"
    return log_path.read_text(errors="replace")[-chars:]


def wait_until_serving(
    url: str,
    process: subprocess.Popen[bytes],
    *,
    log_path: Path | None,
    what: str = "the server",
    seconds: float = START_SECONDS,
) -> None:
    """Return once ``{url}/health`` answers 200; fail the test (with the log's tail) when
    ``process`` exits first or ``seconds`` pass without an answer."""
    started = time.monotonic()
    while True:
        if process.poll() is not None:
            pytest.fail(
                f"{what} exited at start-up (exit code {process.returncode}) before "
                f"{url}/health answered; its log:\n{log_tail(log_path)}",
                pytrace=False,
            )
        with contextlib.suppress(httpx.HTTPError):
            if _LOCAL.get(f"{url}/health", timeout=2).status_code == 200:
                return
        waited = time.monotonic() - started
        if waited > seconds:
            pytest.fail(
                f"{what} (pid {process.pid}) did not answer {url}/health with 200 within "
                f"{seconds:.0f} s (the box may be overloaded, or the server stuck at "
                f"start-up); its log:\n{log_tail(log_path)}",
                pytrace=False,
            )
        time.sleep(POLL_SECONDS)
