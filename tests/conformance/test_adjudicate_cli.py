"""``claimdesk adjudicate``: JSON and streamed CSV in, per-claim figures out (CLM-C2, GEN-6)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimdesk.cli import app
from claimdesk.conformance.adjudicate import main
from tests.wording import line_and_field

PRODUCT = {
    "coverages": [
        {
            "type": "medical",
            "sum_insured": "2000000.00",
            "deductible": "10000.00",
            "payout_ratio": "1.00",
            "payout_ratio_without_social_insurance": "0.60",
            "scope": "all_necessary",
            "excluded_kinds": ["cosmetic"],
            "waiting_period_days": 30,
        },
        {"type": "accident_disability", "sum_insured": "300000.00"},
    ]
}
HEADER = (
    "claim_id,date_of_loss,policy_start,policy_end,settled_with_social_insurance,"
    "social_insurance_paid,other_compensation,catalog,kind,amount,self_pay_ratio\n"
)
ROWS = [
    "C1,2026-03-10,2026-01-01,2026-12-31,true,12000.00,0,A,drug,30000.00,\n",
    "C1,2026-03-10,2026-01-01,2026-12-31,true,12000.00,0,B,treatment,8000.00,0.10\n",
    "C1,2026-03-10,2026-01-01,2026-12-31,true,12000.00,0,C,drug,5000.00,\n",
    "C2,2026-01-20,2026-01-01,2026-12-31,true,0,0,A,treatment,20000.00,\n",
    "C3,2026-05-02,,,false,,,A,drug,10500.00,\n",
]


@pytest.fixture
def product(tmp_path: Path) -> Path:
    path = tmp_path / "product.json"
    path.write_text(json.dumps(PRODUCT), encoding="utf-8")
    return path


def write_csv(tmp_path: Path, rows: list[str], name: str = "claims.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def test_csv_to_stdout_with_summary(
    tmp_path: Path, product: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # SPEC ADJ-MED CLM-C2: lines grouped by claim; stdout CSV; summary on stderr.
    code = main(file=write_csv(tmp_path, ROWS), product=product, output=None, trace=False)
    out, err = capsys.readouterr()
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [
        (r["claim_id"], r["payable"], r["reason"], r["eligible"], r["deductible_applied"])
        for r in rows
    ] == [
        ("C1", "21000.00", "", "43000.00", "10000.00"),
        ("C2", "0.00", "waiting_period", "0.00", "0.00"),
        ("C3", "300.00", "", "10500.00", "10000.00"),  # no policy: not checked; ratio 0.60
    ]
    assert "3 claims" in err and "5 lines" in err and "21300.00" in err


def test_json_in_json_out_with_trace(tmp_path: Path, product: Path) -> None:
    # SPEC ADJ-DIS CLM-C3: the trace goes to the output with --trace.
    claims = [
        {
            "id": "J1",
            "policy": {"start": "2026-01-01", "end": "2026-12-31"},
            "claim": {"date_of_loss": "2026-04-12", "injuries": [{"grade": 5}, {"grade": 5}]},
        },
        {
            "id": 7,
            "coverage_type": "medical",
            "date_of_loss": "2026-03-10",
            "settled_with_social_insurance": True,
            "lines": [{"catalog": "A", "amount": "10000.01"}],
            "history": {"deductible_used": "10000.00"},
        },
    ]
    source = tmp_path / "claims.json"
    source.write_text(json.dumps(claims), encoding="utf-8")
    target = tmp_path / "out.json"
    assert main(file=source, product=product, output=target, trace=True) == 0
    result = json.loads(target.read_text(encoding="utf-8"))
    assert [(r["claim_id"], r["payable"], r.get("grade")) for r in result] == [
        ("J1", "210000.00", 4),
        ("7", "10000.01", None),
    ]
    codes = [step["code"] for step in result[0]["trace"]]
    assert "DIS.RAISE" in codes and result[0]["trace"][-1]["figure"] == "210000.00"
    assert all(step["zh"] and step["en"] and step["clause"] for step in result[1]["trace"])


def test_csv_output_file_and_typer_wiring(tmp_path: Path, product: Path) -> None:
    # SPEC CLM-C2: the command is wired into `claimdesk`.
    target = tmp_path / "out.csv"
    source = write_csv(tmp_path, ROWS[:3])
    result = CliRunner().invoke(
        app, ["adjudicate", str(source), "--product", str(product), "-o", str(target), "--trace"]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert rows[0]["payable"] == "21000.00"
    assert json.loads(rows[0]["trace"])[0]["code"] == "MED.PERIOD"


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([*ROWS[:1], ROWS[1].replace("8000.00", "8x00")], "line 3: amount"),
        ([ROWS[0].replace(",A,", ",Q,")], "line 2: catalog"),
        ([ROWS[0].replace("2026-03-10", "2026-13-10")], "line 2: date_of_loss"),
        ([ROWS[0], ROWS[1].replace("12000.00", "11000.00")], "line 3: social_insurance_paid"),
        ([ROWS[0], ROWS[3], ROWS[1]], "line 4: claim_id"),
        (
            [ROWS[0].replace(",0.10", "").replace(",,", ",,").replace("30000.00,", "-5.00,")],
            "line 2: amount",
        ),
        ([ROWS[1].replace("0.10", "1.5")], "line 2: self_pay_ratio"),
        ([ROWS[0].replace("2026-01-01,2026-12-31", "2026-12-31,2026-01-01")], "policy_end"),
    ],
)
def test_bad_rows_name_line_and_field_exit_2_and_write_nothing(
    tmp_path: Path,
    product: Path,
    capsys: pytest.CaptureFixture[str],
    rows: list[str],
    expected: str,
) -> None:
    # SPEC GEN-6
    target = tmp_path / "out.csv"
    code = main(file=write_csv(tmp_path, rows), product=product, output=target, trace=False)
    err = capsys.readouterr().err
    assert code == 2
    assert line_and_field(expected) in err
    assert not target.exists() and not list(tmp_path.glob(".out.csv*"))


def test_missing_column_and_bad_product(
    tmp_path: Path, product: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # SPEC GEN-6
    bad = tmp_path / "bad.csv"
    bad.write_text("claim_id,amount\nC1,5\n", encoding="utf-8")
    assert main(file=bad, product=product, output=None, trace=False) == 2
    assert line_and_field("line 1: date_of_loss") in capsys.readouterr().err
    broken = tmp_path / "p.json"
    broken.write_text(json.dumps({"type": "medical", "sum_insured": "-1"}), encoding="utf-8")
    assert main(file=write_csv(tmp_path, ROWS), product=broken, output=None, trace=False) == 2
    assert "product.sum_insured" in capsys.readouterr().err
    assert main(file=tmp_path / "nope.csv", product=product, output=None, trace=False) == 2


def test_json_claim_errors_name_the_path(
    tmp_path: Path, product: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # SPEC GEN-6
    source = tmp_path / "claims.json"
    source.write_text(
        json.dumps(
            [{"id": "A", "claim": {"date_of_loss": "2026-04-12", "injuries": [{"grade": 12}]}}]
        )
    )
    assert main(file=source, product=product, output=None, trace=False) == 2
    assert "claims[0].claim.injuries[0].grade" in capsys.readouterr().err


def test_large_csv_streams_claim_by_claim(
    tmp_path: Path, product: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # SPEC CLM-C2: a file above the progress threshold runs through and totals correctly.
    source = tmp_path / "big.csv"
    with source.open("w", encoding="utf-8") as handle:
        handle.write(HEADER)
        for n in range(6000):
            for _ in range(5):
                handle.write(f"K{n},2026-05-02,2026-01-01,2026-12-31,true,0,0,A,drug,2002.00,\n")
    target = tmp_path / "big.json"
    assert main(file=source, product=product, output=target, trace=False) == 0
    result = json.loads(target.read_text())
    assert len(result) == 6000 and {r["payable"] for r in result} == {"10.00"}
    assert "6000 claims" in capsys.readouterr().err
