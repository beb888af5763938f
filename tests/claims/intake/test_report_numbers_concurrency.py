"""Report numbers stay unique with concurrent reporters in separate connections (CLM-R3)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy.orm import sessionmaker

from claimdesk.claims.intake.report import next_number
from claimdesk.db import make_engine, unit_of_work
from tests.waits import Rendezvous, run_in_threads


@pytest.mark.postgres_only
def test_concurrent_reporters_get_unique_sequential_numbers(fresh_db_url: str) -> None:
    # SPEC CLM-R3
    engine = make_engine(fresh_db_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    day = dt.date(2026, 10, 1)
    numbers: list[str] = []
    lock = threading.Lock()
    barrier = Rendezvous(8)

    def reporter() -> None:
        barrier.wait()
        for _ in range(25):
            with unit_of_work(factory) as session:
                number = next_number(session, day)
            with lock:
                numbers.append(number)

    run_in_threads([reporter] * 8)
    engine.dispose()
    assert len(numbers) == 200
    assert len(set(numbers)) == 200
    assert sorted(numbers) == [f"BA20261001{i:06d}" for i in range(1, 201)]
