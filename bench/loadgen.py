"""A lean HTTP/1.1 load generator for the scale benches (issue 14).

The server under test and its load generator share the 2 cores of the bench box. httpx
costs its client about as much CPU per request as a lean endpoint costs the server, so 4
httpx client processes took a large share of the cores that ``http_reports_s`` is meant
to measure. The issue's own figures were taken with wrk (a C client); wrk is not on a
bare machine, so this module plays its part in Python: one process, one uvloop event
loop, N keep-alive connections, each request's bytes built once, each answer read with
the least parsing that still checks it (status line, ``Content-Length`` or chunked
body). Its own CPU per request is measured and printed beside the server's, so the
reader can see what the client took.

``closed_loop`` sends the next request on a connection as soon as the last one is
answered (throughput); ``open_loop`` sends on a fixed schedule and counts each latency
from the scheduled send time, so a slow answer delays the latencies of what queued
behind it (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import uvloop


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    elapsed_s: float = 0.0
    client_cpu_s: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed_s if self.elapsed_s else 0.0

    @property
    def client_cpu_ms(self) -> float:
        return self.client_cpu_s / len(self.latencies) * 1000 if self.latencies else 0.0


def request_bytes(
    base: str, method: str, path: str, headers: dict[str, str], body: object = None
) -> bytes:
    """One HTTP/1.1 request, keep-alive, the body as JSON when given."""
    host = urlsplit(base).netloc
    payload = b"" if body is None else json.dumps(body).encode()
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Accept: application/json"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        parts.append(await reader.readexactly(size + 2))
        if size == 0:
            return b"".join(parts)


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bytes]:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length, chunked = 0, False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    body = await _read_chunked(reader) if chunked else await reader.readexactly(length)
    return status, body


def _check(status: int, body: bytes, expect: int) -> None:
    if status != expect:
        raise RuntimeError(f"unexpected {status} (wanted {expect}): {body[:200]!r}")


async def _connect(base: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    parts = urlsplit(base)
    return await asyncio.open_connection(parts.hostname, parts.port or 80)


async def _closed(base: str, request: bytes, count: int, expect: int, out: list[float]) -> None:
    reader, writer = await _connect(base)
    try:
        for _ in range(count):
            started = time.perf_counter()
            status, body = await _exchange(reader, writer, request)
            out.append(time.perf_counter() - started)
            _check(status, body, expect)
    finally:
        writer.close()


async def _paced(
    base: str,
    request: bytes,
    interval: float,
    sends: int,
    start: float,
    expect: int,
    out: list[float],
) -> None:
    reader, writer = await _connect(base)
    try:
        for i in range(sends):
            scheduled = start + i * interval
            pause = scheduled - time.perf_counter()
            if pause > 0:
                await asyncio.sleep(pause)
            status, body = await _exchange(reader, writer, request)
            out.append(time.perf_counter() - scheduled)
            _check(status, body, expect)
    finally:
        writer.close()


def _timed(coroutine_factory: object) -> Run:
    run = Run()

    async def main() -> None:
        cpu, wall = time.process_time(), time.perf_counter()
        await coroutine_factory(run.latencies)  # type: ignore[operator]
        run.elapsed_s = time.perf_counter() - wall
        run.client_cpu_s = time.process_time() - cpu

    uvloop.run(main())
    return run


def closed_loop(
    base: str,
    request: bytes,
    *,
    connections: int,
    per_connection: int,
    expect: int = 200,
) -> Run:
    """Each connection sends its next request as soon as the last is answered."""

    async def go(out: list[float]) -> None:
        await asyncio.gather(
            *(_closed(base, request, per_connection, expect, out) for _ in range(connections))
        )

    return _timed(go)


def open_loop(
    base: str,
    request: bytes,
    *,
    connections: int,
    rate: float,
    seconds: float,
    expect: int = 200,
) -> Run:
    """``rate`` requests per second in all, spread over the connections on a fixed
    schedule (each connection offset so the sends interleave)."""
    per_connection = rate / connections
    interval = 1.0 / per_connection
    sends = int(per_connection * seconds)

    async def go(out: list[float]) -> None:
        start = time.perf_counter() + 0.05
        await asyncio.gather(
            *(
                _paced(
                    base, request, interval, sends, start + k * interval / connections, expect, out
                )
                for k in range(connections)
            )
        )

    return _timed(go)
