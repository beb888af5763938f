"""The wait for a test's server: it returns on the server's /health answering 200, and
fails with the server's log when the server exits or never answers (the payment crash
test waited 30 s, then failed with "server did not start" and no log on a loaded box)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.browser.conftest import _free_port
from tests.servers import wait_until_serving

HEALTHY = """
import http.server, sys
class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/health" else 404)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Health).serve_forever()
"""


def _start(tmp_path: Path, *args: str) -> tuple[subprocess.Popen[bytes], Path]:
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", *args], stdout=log, stderr=subprocess.STDOUT
        )
    return process, log_path


def test_returns_once_health_answers(tmp_path: Path) -> None:
    # SPEC GEN-3 (its deadline and sleeps end under a faked date too)
    port = _free_port()
    process, log_path = _start(tmp_path, HEALTHY, str(port))
    try:
        wait_until_serving(f"http://127.0.0.1:{port}", process, log_path=log_path, seconds=60)
        assert process.poll() is None
    finally:
        process.kill()
        process.wait()


def test_a_server_that_exits_fails_at_once_with_its_log(tmp_path: Path) -> None:
    # SPEC GEN-3
    process, log_path = _start(tmp_path, "import sys; print('no database here'); sys.exit(3)")
    started = time.monotonic()
    with pytest.raises(pytest.fail.Exception, match=r"(?s)exited at start-up.*no database here"):
        wait_until_serving("http://127.0.0.1:9", process, log_path=log_path, what="the server")
    assert time.monotonic() - started < 30


def test_a_server_that_never_answers_fails_at_the_deadline_with_its_log(tmp_path: Path) -> None:
    # SPEC GEN-3
    port = _free_port()
    process, log_path = _start(
        tmp_path, "import time; print('still importing', flush=True); time.sleep(60)"
    )
    try:
        started = time.monotonic()
        with pytest.raises(
            pytest.fail.Exception, match=r"(?s)did not answer .*within 1 s.*still importing"
        ):
            wait_until_serving(f"http://127.0.0.1:{port}", process, log_path=log_path, seconds=1)
        assert time.monotonic() - started < 30
    finally:
        process.kill()
        process.wait()
