"""Columnar batch adjudication (issue 14 item 4; SPEC ADJ-MED, GEN-1).

``python -m bench batch`` (``BENCH_BATCH_LINES``, default 1,000,000): generates expense
lines over ~lines/10 claims, then

1. prices them on the vectorised engine, on one core (numpy integer kernels are
   single-threaded), best of ``BENCH_BATCH_REPEAT`` runs: ``batch_lines_s`` (target
   ≥ 10,000,000 lines/s per core); generation is excluded;
2. writes the same lines as a CSV and runs the columnar path of ``claimdesk adjudicate``
   on it (Polars reading + checks, then the engine), parse and engine time apart;
3. checks a sample of ``BENCH_BATCH_SAMPLE`` claims (default 100,000, or all of them)
   against the Decimal engine: payable, eligible, deductible applied and reason must all
   be equal, or the bench raises.

``measure_batch(lines)`` is importable (the scale bench uses it) and returns the figures.
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from bench.adjudication import COVERAGE, COVERAGE_JSON
from claimdesk.rules.adjudication import ExpenseLine, MedicalClaim, Policy, adjudicate
from claimdesk.rules.adjudication.columnar import (
    CAT_B,
    NO_DATE,
    REASONS,
    BatchResult,
    MedicalBatch,
    adjudicate_medical_batch,
    money,
    terms_of,
)

LINES = int(os.environ.get("BENCH_BATCH_LINES", "1000000"))
SAMPLE = int(os.environ.get("BENCH_BATCH_SAMPLE", "100000"))
REPEAT = int(os.environ.get("BENCH_BATCH_REPEAT", "5"))
KINDS = np.array(["drug", "treatment", "examination", "cosmetic"])
CATALOG_TEXT = np.array(["", "A", "B", "C"])
YEAR_START, YEAR_END = np.datetime64("2026-01-01"), np.datetime64("2026-12-31")


class SampleMismatch(AssertionError):
    """The vectorised engine disagreed with the Decimal engine on a claim."""


def generate(lines: int, seed: int = 14) -> tuple[MedicalBatch, np.ndarray[Any, Any]]:
    """A batch of ``lines`` lines (1–18 a claim, 9.5 on average) and each line's kind
    index. 甲/乙/丙/self-funded, cosmetic lines (excluded), ratios of 2 places, dates
    from before the policy to after it, some claims without a policy."""
    rng = np.random.default_rng(seed)
    counts = rng.integers(1, 19, size=lines // 5 + 1)
    counts = counts[: np.searchsorted(np.cumsum(counts), lines) + 1]
    counts[-1] -= counts.sum() - lines
    claims = len(counts)
    starts = np.zeros(claims, dtype=np.int64)
    np.cumsum(counts[:-1], out=starts[1:])
    kind = rng.integers(0, len(KINDS), size=lines)
    catalog = rng.integers(0, 4, size=lines).astype(np.int8)
    self_pay = np.where(catalog == CAT_B, rng.integers(5, 31, size=lines), -1)
    has_policy = rng.random(claims) < 0.95
    day = YEAR_START + rng.integers(-15, 380, size=claims).astype("timedelta64[D]")
    batch = MedicalBatch(
        starts=starts,
        amount=rng.integers(100, 5_000_000, size=lines, dtype=np.int64),
        catalog=catalog,
        excluded=kind == 3,
        self_pay=self_pay.astype(np.int64),
        self_pay_places=2,
        date_of_loss=day,
        policy_start=np.where(has_policy, YEAR_START, NO_DATE),
        policy_end=np.where(has_policy, YEAR_END, NO_DATE),
        settled=rng.random(claims) < 0.8,
        social_insurance_paid=rng.integers(0, 2_000_000, size=claims, dtype=np.int64),
        other_compensation=np.where(rng.random(claims) < 0.1, 50_000, 0).astype(np.int64),
        paid=np.zeros(claims, dtype=np.int64),
        deductible_used=np.zeros(claims, dtype=np.int64),
    )
    return batch, kind


def _engine_seconds(batch: MedicalBatch) -> tuple[float, BatchResult]:
    """Best of REPEAT runs, the process pinned to one CPU (numpy's integer kernels are
    single-threaded anyway; the pin makes "per core" literal)."""
    terms = terms_of(COVERAGE)
    cpus = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(cpus)})
    try:
        best, result = float("inf"), adjudicate_medical_batch(terms, batch)  # warm-up
        for _ in range(REPEAT):
            started = time.perf_counter()
            result = adjudicate_medical_batch(terms, batch)
            best = min(best, time.perf_counter() - started)
    finally:
        os.sched_setaffinity(0, cpus)
    return best, result


def _text(fen: np.ndarray[Any, Any]) -> pl.Series:
    from claimdesk.conformance.batch import money_text

    return money_text(fen)


def _csv(batch: MedicalBatch, kind: np.ndarray[Any, Any], path: Path) -> None:
    """The batch as the CSV ``claimdesk adjudicate`` reads (one row per line)."""
    counts = np.diff(np.append(batch.starts, batch.lines))

    def per_line(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        return np.repeat(values, counts)

    policy = ~np.isnat(batch.policy_start)
    spr = batch.self_pay
    frame = pl.DataFrame(
        {
            "claim_id": pl.Series(per_line(np.arange(batch.claims))).cast(pl.String),
            "date_of_loss": per_line(batch.date_of_loss.astype("datetime64[D]").astype(str)),
            "policy_start": per_line(np.where(policy, "2026-01-01", "")),
            "policy_end": per_line(np.where(policy, "2026-12-31", "")),
            "settled_with_social_insurance": per_line(np.where(batch.settled, "true", "false")),
            "social_insurance_paid": _text(per_line(batch.social_insurance_paid)),
            "other_compensation": _text(per_line(batch.other_compensation)),
            "catalog": CATALOG_TEXT[batch.catalog],
            "kind": KINDS[kind],
            "amount": _text(batch.amount),
            "self_pay_ratio": np.where(
                spr >= 0, np.char.add("0.", np.char.zfill(spr.astype(str), 2)), ""
            ),
        }
    )
    frame.write_csv(path)


def _decimal_claim(batch: MedicalBatch, kind: np.ndarray[Any, Any], i: int) -> tuple[Any, ...]:
    """Claim ``i`` as the Decimal engine's typed inputs."""
    end = batch.starts[i + 1] if i + 1 < batch.claims else batch.lines
    lines = tuple(
        ExpenseLine(
            money(int(batch.amount[j])),
            CATALOG_TEXT[batch.catalog[j]] or None,
            str(KINDS[kind[j]]),
            None if batch.self_pay[j] < 0 else Decimal(int(batch.self_pay[j])).scaleb(-2),
        )
        for j in range(batch.starts[i], end)
    )
    claim = MedicalClaim(
        batch.date_of_loss[i].item(),
        lines,
        bool(batch.settled[i]),
        money(int(batch.social_insurance_paid[i])),
        money(int(batch.other_compensation[i])),
    )
    has_policy = not np.isnat(batch.policy_start[i])
    policy = Policy(date(2026, 1, 1), date(2026, 12, 31)) if has_policy else None
    return claim, policy


def check_sample(
    batch: MedicalBatch, kind: np.ndarray[Any, Any], result: BatchResult, size: int
) -> dict[str, Any]:
    """Compare ``size`` random claims with the Decimal engine; raise on any difference."""
    rng = np.random.default_rng(99)
    picked = rng.choice(batch.claims, size=min(size, batch.claims), replace=False)
    started = time.perf_counter()
    for i in picked.tolist():
        claim, policy = _decimal_claim(batch, kind, i)
        expected = adjudicate(COVERAGE, claim, policy=policy)
        got = (
            money(int(result.payable[i])),
            money(int(result.eligible[i])),
            money(int(result.deductible_applied[i])),
            REASONS[result.reason[i]],
        )
        want = (expected.payable, expected.eligible, expected.deductible_applied, expected.reason)
        if got != want:
            raise SampleMismatch(f"claim {i}: vectorised {got} != Decimal engine {want}")
    return {
        "sample_claims": len(picked),
        "sample_equal": len(picked),
        "sample_all_equal": True,
        "sample_seconds": round(time.perf_counter() - started, 1),
    }


def _cli(
    batch: MedicalBatch, kind: np.ndarray[Any, Any], engine_result: BatchResult
) -> dict[str, Any]:
    from claimdesk.conformance.adjudicate import _pick, load_product
    from claimdesk.conformance.batch import price

    with tempfile.TemporaryDirectory(prefix="claimdesk_bench_batch_") as folder:
        source, product = Path(folder) / "claims.csv", Path(folder) / "product.json"
        _csv(batch, kind, source)
        product.write_text(COVERAGE_JSON, encoding="utf-8")
        size_mb = source.stat().st_size / 1e6
        started = time.perf_counter()
        outcome = price(source, load_product(product), _pick)
        seconds = time.perf_counter() - started
    same = outcome.table["payable"].to_list() == _text(engine_result.payable).to_list()
    if not same:
        raise SampleMismatch("the CSV path priced the generated lines differently")
    return {
        "csv_mb": round(size_mb, 1),
        "csv_parse_seconds": round(outcome.parse_seconds, 3),
        "csv_engine_seconds": round(outcome.engine_seconds, 3),
        "csv_total_seconds": round(seconds, 3),
        "csv_lines_s": round(batch.lines / seconds),
        "csv_same_payables": same,
    }


def measure_batch(lines: int, *, sample: int = SAMPLE, cli: bool = True) -> dict[str, Any]:
    """Figures for ``lines`` generated lines: ``batch_lines_s`` (vectorised engine, one
    core, generation and parsing excluded) and the Decimal-engine sample check."""
    started = time.perf_counter()
    batch, kind = generate(lines)
    generate_s = time.perf_counter() - started
    seconds, result = _engine_seconds(batch)
    figures: dict[str, Any] = {
        "lines": batch.lines,
        "claims": batch.claims,
        "generate_seconds": round(generate_s, 2),
        "engine_seconds": round(seconds, 4),
        "batch_lines_s": round(batch.lines / seconds),
        "batch_claims_s": round(batch.claims / seconds),
        "wide_claims": result.wide_claims,
        "total_payable": str(money(sum(result.payable.tolist()))),
        "load_1min": round(os.getloadavg()[0], 2),
    }
    if cli:
        figures.update(_cli(batch, kind, result))
    figures.update(check_sample(batch, kind, result, sample))
    return figures


def run() -> dict[str, Any]:
    figures = measure_batch(LINES)
    print(
        f"batch: {figures['lines']:,} lines / {figures['claims']:,} claims priced in "
        f"{figures['engine_seconds'] * 1000:.1f} ms on one core (target ≥ 10,000,000 lines/s); "
        f"CSV parse {figures.get('csv_parse_seconds')} s + engine "
        f"{figures.get('csv_engine_seconds')} s; sample {figures['sample_claims']:,} claims "
        f"equal to the Decimal engine; load {figures['load_1min']}"
    )
    print(f"batch_lines_s={figures['batch_lines_s']}")
    return figures


if __name__ == "__main__":
    run()
