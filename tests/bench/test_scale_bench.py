"""bench scale's in-process windows (issue 14: inproc_2p, inproc_4p): one set of warmed-up
processes, windows A B B A, every report counted in a window of its own count, and the
CPU per report beside the rate."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bench import scale
from claimdesk.db import make_engine
from claimdesk.models.claim import Claim


def test_windows_alternate_so_a_drift_weighs_on_both_counts() -> None:
    assert scale.window_order((2, 4)) == [2, 4, 4, 2]
    assert scale.window_order((1, 4)) == [1, 4, 4, 1]


@pytest.mark.postgres_only
def test_reports_counted_per_count_from_one_set_of_warm_processes(
    fresh_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC CLM-R3: reports of the same day from 2 and then 4 processes.
    from bench.claims import _setup

    policy = _setup(fresh_db_url)
    monkeypatch.setenv("BENCH_SCALE_WARMUP", "2")  # read by the spawned processes
    scale.WAITING.clear()
    scale.CPU.clear()

    rates = scale._rates("report", fresh_db_url, policy, (2, 4), seconds=1.0)

    engine = make_engine(fresh_db_url)
    try:
        with engine.connect() as connection:
            claims = connection.scalar(select(func.count()).select_from(Claim))
    finally:
        engine.dispose()
    assert rates[2] > 0 and rates[4] > 0
    # Each count ran 1 s in all (two windows of 0.5 s): its rate is its reports in its
    # windows; with the 4 processes' warm-up (2 each), that is every claim written.
    counted = round(rates[2] * 1.0) + round(rates[4] * 1.0)
    assert claims == 4 * 2 + counted
    assert set(scale.WAITING) == {"report_2p", "report_4p"}
    for key in ("report_2p", "report_4p"):
        figures = scale.CPU[key]
        assert figures["process_ms"] > 0 and figures["postgres_ms"] >= 0
        assert figures["cores_used"] > 0
