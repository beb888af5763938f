"""``claimdesk adjudicate`` on the columnar engine: CSV and Parquet through Polars, the
same figures as the Decimal engine (issue 14 item 4; SPEC ADJ-MED, GEN-1, GEN-6)."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import random
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from claimdesk.cli import app
from claimdesk.conformance.adjudicate import main
from tests.conformance.test_adjudicate_cli import HEADER, PRODUCT, ROWS, write_csv
from tests.wording import line_and_field


@pytest.fixture
def product(tmp_path: Path) -> Path:
    path = tmp_path / "product.json"
    path.write_text(json.dumps(PRODUCT), encoding="utf-8")
    return path


def random_rows(seed: int, claims: int) -> list[str]:
    """Claims of 1–6 lines: all catalogues, excluded kinds, waiting period, out of force,
    no policy, social insurance above the expense, ratios of 1–4 places, 甲/乙/丙."""
    rng = random.Random(seed)
    rows = []
    for n in range(claims):
        day = f"202{rng.choice('567')}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        policy = rng.choice(["2026-01-01,2026-12-31", ",", "2026-03-01,2027-02-28"])
        settled = rng.choice(["true", "false", "是", "0"])
        social = rng.choice(["0", "", f"{rng.randint(0, 9_000_000) / 100:.2f}"])
        for _ in range(rng.randint(1, 6)):
            cat = rng.choice(["A", "B", "C", "", "甲", "乙", "丙"])
            places = rng.randint(1, 4)
            spr = f"{rng.randint(0, 10**places) / 10**places:.{places}f}"
            spr = spr if cat in ("B", "乙") or rng.random() < 0.2 else ""
            kind = rng.choice(["drug", "treatment", "cosmetic"])
            amount = f"{rng.randint(0, 5_000_000) / 100:.2f}"
            rows.append(f"R{n},{day},{policy},{settled},{social},0,{cat},{kind},{amount},{spr}\n")
    return rows


def run(source: Path, product: Path, target: Path, engine: str) -> tuple[int, str]:
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        code = main(file=source, product=product, output=target, trace=False, engine=engine)
    return code, stderr.getvalue()


@pytest.mark.parametrize("scope", ["all_necessary", "social_insurance_only"])
def test_columnar_output_is_byte_identical_to_decimal(
    tmp_path: Path, product: Path, scope: str
) -> None:
    # SPEC ADJ-MED GEN-1: 2,000 generated claims, both engines, the same file byte for byte.
    data = json.loads(product.read_text())
    data["coverages"][0]["scope"] = scope
    product.write_text(json.dumps(data), encoding="utf-8")
    source = write_csv(tmp_path, random_rows(11, 2000))
    for suffix in ("csv", "json"):
        fast, slow = tmp_path / f"fast.{suffix}", tmp_path / f"slow.{suffix}"
        code_fast, err_fast = run(source, product, fast, "columnar")
        code_slow, err_slow = run(source, product, slow, "decimal")
        assert (code_fast, code_slow) == (0, 0), err_fast + err_slow
        assert "engine columnar" in err_fast and "engine decimal" in err_slow
        assert fast.read_bytes() == slow.read_bytes()
    reasons = {r["reason"] for r in csv.DictReader(fast.with_suffix(".csv").open())}
    assert {"", "waiting_period", "not_in_force"} <= reasons


def test_parquet_round_trip_through_the_cli(tmp_path: Path, product: Path) -> None:
    # SPEC ADJ-MED GEN-1: Parquet in (typed columns: dates, booleans, decimals), Parquet
    # out; the figures are the CSV run's through the Decimal engine.
    source = write_csv(tmp_path, ROWS)
    typed = pl.read_csv(source, infer_schema=False).with_columns(
        pl.col("date_of_loss").str.to_date(),
        pl.col("settled_with_social_insurance") == "true",
        pl.col("amount").cast(pl.Decimal(18, 2)),
    )
    parquet_in = tmp_path / "claims.parquet"
    typed.write_parquet(parquet_in)
    parquet_out = tmp_path / "out.parquet"
    result = CliRunner().invoke(
        app, ["adjudicate", str(parquet_in), "--product", str(product), "-o", str(parquet_out)]
    )
    assert result.exit_code == 0, result.output
    table = pl.read_parquet(parquet_out)
    assert table.columns == [
        "claim_id",
        "payable",
        "reason",
        "eligible",
        "deductible_applied",
        "grade",
    ]
    assert table.select("claim_id", "payable", "reason", "eligible").rows() == [
        ("C1", "21000.00", None, "43000.00"),
        ("C2", "0.00", "waiting_period", "0.00"),
        ("C3", "300.00", None, "10500.00"),
    ]
    # The Decimal engine gives the same table from the same Parquet file.
    slow = tmp_path / "slow.parquet"
    code, _ = run(parquet_in, product, slow, "decimal")
    assert code == 0
    assert pl.read_parquet(slow).select("claim_id", "payable", "eligible").rows() == (
        table.select("claim_id", "payable", "eligible").rows()
    )


def test_bad_parquet_row_is_named_by_the_decimal_path(
    tmp_path: Path, product: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # SPEC GEN-6: the columnar reader does not guess; the Decimal path names line and field.
    frame = pl.read_csv(write_csv(tmp_path, ROWS), infer_schema=False)
    frame = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 1)
        .then(pl.lit("8x00"))
        .otherwise("amount")
        .alias("amount")
    )
    source = tmp_path / "bad.parquet"
    frame.write_parquet(source)
    target = tmp_path / "out.csv"
    assert main(file=source, product=product, output=target, trace=False) == 2
    assert line_and_field("line 3: amount") in capsys.readouterr().err
    assert not target.exists() and not list(tmp_path.glob(".out.csv*"))


def test_inputs_the_columnar_reader_refuses_fall_back_with_the_same_result(
    tmp_path: Path, product: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # SPEC GEN-6 ADJ-MED: "1.2e4" is an amount to the Decimal reader, not to the columnar
    # one: auto falls back and prices it; --engine columnar refuses and says why.
    source = write_csv(tmp_path, [ROWS[0].replace("30000.00", "3.0e4")])
    target = tmp_path / "out.csv"
    code, err = run(source, product, target, "auto")
    assert code == 0 and "engine decimal" in err
    assert next(csv.DictReader(target.open()))["eligible"] == "30000.00"
    code, err = run(source, product, target, "columnar")
    assert code == 2 and "--engine" in err


def test_interleaved_claims_and_blank_lines_are_still_refused(
    tmp_path: Path, product: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # SPEC GEN-6: what the streamed reader refuses, the command still refuses.
    source = write_csv(tmp_path, [ROWS[0], ROWS[3], ROWS[1]])
    assert main(file=source, product=product, output=None, trace=False) == 2
    assert line_and_field("line 4: claim_id") in capsys.readouterr().err
    blank = tmp_path / "blank.csv"
    blank.write_text(HEADER + ROWS[0] + "\n" + ROWS[3], encoding="utf-8")
    assert main(file=blank, product=product, output=None, trace=False) == 2
    assert line_and_field("line 3: claim_id") in capsys.readouterr().err


def test_stdout_csv_and_unknown_engine(
    tmp_path: Path, product: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # SPEC ADJ-MED GEN-6: stdout carries the same CSV as the Decimal path.
    source = write_csv(tmp_path, ROWS)
    assert main(file=source, product=product, output=None, trace=False, engine="columnar") == 0
    fast = capsys.readouterr().out
    assert main(file=source, product=product, output=None, trace=False, engine="decimal") == 0
    assert capsys.readouterr().out == fast
    assert main(file=source, product=product, output=None, trace=False, engine="gpu") == 2
    assert "engine" in capsys.readouterr().err
