"""The scale bench's load generator (issue 14): it talks real HTTP/1.1 to a real uvicorn
server over keep-alive connections, reads fixed-length and chunked answers, counts every
request, and refuses an answer with the wrong status instead of counting it."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import StreamingResponse

from bench import loadgen
from tests.waits import wait_until

app = FastAPI()
SEEN: list[bytes] = []


@app.get("/hello")
async def hello() -> dict[str, str]:
    return {"hello": "world"}


@app.post("/echo", status_code=201)
async def echo(request: Request) -> dict[str, object]:
    body = await request.body()
    SEEN.append(body)
    return {"length": len(body), "auth": request.headers.get("authorization")}


@app.get("/chunked")
async def chunked() -> StreamingResponse:
    async def parts() -> Iterator[bytes]:  # type: ignore[misc]
        for part in (b"one", b"two", b"three"):
            yield part

    return StreamingResponse(parts(), media_type="text/plain")


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    wait_until(lambda: not thread.is_alive(), 10)  # not join(10): no timeout under faketime


def test_closed_loop_counts_every_answer_on_keep_alive_connections(base: str) -> None:
    request = loadgen.request_bytes(base, "GET", "/hello", {})
    run = loadgen.closed_loop(base, request, connections=3, per_connection=7)
    assert len(run.latencies) == 21
    assert run.rate > 0 and run.client_cpu_ms >= 0


def test_a_json_body_and_headers_reach_the_server(base: str) -> None:
    SEEN.clear()
    body = {"name": "李四", "amount": "3000.00"}
    request = loadgen.request_bytes(base, "POST", "/echo", {"Authorization": "Bearer t"}, body)
    run = loadgen.closed_loop(base, request, connections=2, per_connection=2, expect=201)
    assert len(run.latencies) == 4
    assert len(SEEN) == 4 and all(json.loads(seen) == body for seen in SEEN)


def test_a_chunked_answer_is_read_to_its_end(base: str) -> None:
    request = loadgen.request_bytes(base, "GET", "/chunked", {})
    run = loadgen.closed_loop(base, request, connections=1, per_connection=3)
    assert len(run.latencies) == 3


def test_a_wrong_status_stops_the_run(base: str) -> None:
    request = loadgen.request_bytes(base, "GET", "/missing", {})
    with pytest.raises(RuntimeError, match="unexpected 404"):
        loadgen.closed_loop(base, request, connections=1, per_connection=1)


def test_open_loop_sends_on_schedule_and_counts_from_the_scheduled_time(base: str) -> None:
    request = loadgen.request_bytes(base, "GET", "/hello", {})
    run = loadgen.open_loop(base, request, connections=2, rate=40, seconds=0.5)
    assert len(run.latencies) == 20
    # A fixed schedule: 20 sends at 40/s take about half a second, not as fast as possible.
    assert run.elapsed_s >= 0.4
