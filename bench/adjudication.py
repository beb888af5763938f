"""Adjustment throughput (SPEC section 5): engine and ``claimdesk adjudicate``.

1. Single-process engine throughput on medical claims of 5 expense lines (claims/s;
   target ≥ 20,000), with typed inputs built once, and again including building them.
2. ``claimdesk adjudicate`` end to end on a generated CSV of BENCH_ADJ_LINES lines
   (default 1,000,000): lines/s, in-process, output to a CSV file.

Figures are printed, never asserted.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from claimdesk.conformance.adjudicate import main as adjudicate_main
from claimdesk.rules.adjudication import (
    ExpenseLine,
    MedicalClaim,
    MedicalCoverage,
    Policy,
    adjudicate,
)

ENGINE_CLAIMS = int(os.environ.get("BENCH_ADJ_CLAIMS", "100000"))
CSV_LINES = int(os.environ.get("BENCH_ADJ_LINES", "1000000"))
COVERAGE_JSON = (
    '{"type": "medical", "sum_insured": "2000000.00", "deductible": "10000.00",'
    ' "payout_ratio": "1.00", "payout_ratio_without_social_insurance": "0.60",'
    ' "scope": "social_insurance_only", "excluded_kinds": ["cosmetic"],'
    ' "waiting_period_days": 30}'
)
COVERAGE = MedicalCoverage(
    sum_insured=Decimal("2000000.00"),
    deductible=Decimal("10000.00"),
    payout_ratio=Decimal("1.00"),
    payout_ratio_without_social_insurance=Decimal("0.60"),
    scope="social_insurance_only",
    excluded_kinds=frozenset({"cosmetic"}),
    waiting_period_days=30,
)
POLICY = Policy(date(2026, 1, 1), date(2026, 12, 31))
CATALOGS = ("A", "B", "C")
KINDS = ("drug", "treatment", "examination", "cosmetic")


def _line_facts(rng: random.Random) -> tuple[str, str, str, str]:
    catalog = rng.choice(CATALOGS)
    spr = f"0.{rng.randint(5, 30):02d}" if catalog == "B" else ""
    return catalog, rng.choice(KINDS), f"{rng.randint(100, 5_000_000) / 100:.2f}", spr


def _claim(rng: random.Random) -> MedicalClaim:
    lines = []
    for _ in range(5):
        catalog, kind, amount, spr = _line_facts(rng)
        lines.append(ExpenseLine(Decimal(amount), catalog, kind, Decimal(spr) if spr else None))
    return MedicalClaim(
        date(2026, rng.randint(1, 12), rng.randint(1, 28)),
        tuple(lines),
        rng.random() < 0.8,
        Decimal(f"{rng.randint(0, 2_000_000) / 100:.2f}"),
    )


def _decimal_ns() -> float:
    """Calibration: ns to build one Decimal, so a loaded machine shows as such."""
    started = time.perf_counter()
    for _ in range(100_000):
        Decimal("123.45")
    return (time.perf_counter() - started) * 1e4


def bench_engine() -> dict[str, Any]:
    calibration = _decimal_ns()
    rng = random.Random(42)
    claims = [_claim(rng) for _ in range(ENGINE_CLAIMS)]
    started = time.perf_counter()
    total = Decimal(0)
    for claim in claims:
        total += adjudicate(COVERAGE, claim, policy=POLICY).payable
    engine_s = time.perf_counter() - started

    rng = random.Random(42)
    started = time.perf_counter()
    for _ in range(ENGINE_CLAIMS):
        adjudicate(COVERAGE, _claim(rng), policy=POLICY)
    with_build_s = time.perf_counter() - started
    figures = {
        "claims": ENGINE_CLAIMS,
        "lines_per_claim": 5,
        "claims_per_s": round(ENGINE_CLAIMS / engine_s),
        "claims_per_s_including_input_build": round(ENGINE_CLAIMS / with_build_s),
        "total_payable": str(total),
        "calibration_ns_per_decimal": round(calibration),
    }
    print(
        f"engine: {figures['claims_per_s']:,} medical claims/s (5 lines; target ≥ 20,000); "
        f"{figures['claims_per_s_including_input_build']:,}/s including building the inputs; "
        f"calibration {calibration:.0f} ns per Decimal('123.45') (~100 on an idle core)"
    )
    return figures


def _write_csv(path: Path, lines: int) -> None:
    rng = random.Random(7)
    header = (
        "claim_id,date_of_loss,policy_start,policy_end,settled_with_social_insurance,"
        "social_insurance_paid,other_compensation,catalog,kind,amount,self_pay_ratio\n"
    )
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(header)
        written, n = 0, 0
        while written < lines:
            n += 1
            size = min(rng.randint(1, 9), lines - written)
            day = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            settled = "true" if rng.random() < 0.8 else "false"
            social = f"{rng.randint(0, 2_000_000) / 100:.2f}"
            prefix = f"C{n},{day},2026-01-01,2026-12-31,{settled},{social},0.00,"
            rows = []
            for _ in range(size):
                catalog, kind, amount, spr = _line_facts(rng)
                rows.append(f"{prefix}{catalog},{kind},{amount},{spr}\n")
            handle.write("".join(rows))
            written += size


def bench_cli() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="claimdesk_bench_adj_") as folder:
        root = Path(folder)
        source, product, target = root / "claims.csv", root / "product.json", root / "out.csv"
        product.write_text(COVERAGE_JSON, encoding="utf-8")
        started = time.perf_counter()
        _write_csv(source, CSV_LINES)
        generate_s = time.perf_counter() - started
        stderr = io.StringIO()
        started = time.perf_counter()
        with contextlib.redirect_stderr(stderr):
            code = adjudicate_main(file=source, product=product, output=target, trace=False)
        run_s = time.perf_counter() - started
        size_mb = source.stat().st_size / 1e6
    figures = {
        "lines": CSV_LINES,
        "csv_mb": round(size_mb, 1),
        "exit_code": code,
        "seconds": round(run_s, 2),
        "lines_per_s": round(CSV_LINES / run_s),
        "generate_seconds": round(generate_s, 1),
        "summary": stderr.getvalue().strip().splitlines()[-1:] or "",
    }
    print(
        f"claimdesk adjudicate: {CSV_LINES:,} CSV lines ({size_mb:.0f} MB) in {run_s:.1f} s = "
        f"{figures['lines_per_s']:,} lines/s (exit {code})"
    )
    return figures


def run() -> dict[str, Any]:
    return {"engine": bench_engine(), "cli": bench_cli()}


if __name__ == "__main__":
    run()
