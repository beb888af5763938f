"""Helpers shared by the benchmarks: scratch PostgreSQL databases, servers."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

PG_SERVER = os.environ.get("CLAIMDESK_BENCH_PG", "postgresql://postgres@127.0.0.1:5432")


@contextmanager
def scratch_postgres(prefix: str = "claimdesk_bench") -> Iterator[str]:
    """A new, migrated PostgreSQL database, dropped afterwards; yields its URL.

    ``CLAIMDESK_BENCH_KEEP=1`` keeps it (its name is printed) to look into a run's data."""
    from claimdesk.migrate import upgrade

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    url = f"{PG_SERVER}/{name}"
    try:
        upgrade(url)
        yield url
    finally:
        if os.environ.get("CLAIMDESK_BENCH_KEEP") == "1":
            print(f"kept database {url}", flush=True)
        else:
            with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]
