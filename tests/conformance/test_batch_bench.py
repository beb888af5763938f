"""bench/batch.py: measure_batch, importable by the scale bench, checks its figures
against the Decimal engine and fails loudly on a difference (issue 14 item 4)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from bench.adjudication import COVERAGE
from bench.batch import SampleMismatch, check_sample, generate, measure_batch

from claimdesk.rules.adjudication.columnar import adjudicate_medical_batch, terms_of


def test_measure_batch_reports_rate_and_an_equal_sample() -> None:
    # SPEC ADJ-MED GEN-1: every sampled claim equals the Decimal engine; the CSV path
    # prices the generated lines identically.
    figures = measure_batch(4_000, sample=300)
    assert figures["lines"] == 4_000 and figures["claims"] >= 300
    assert figures["batch_lines_s"] > 0 and figures["sample_all_equal"] is True
    assert figures["sample_claims"] == 300 and figures["csv_same_payables"] is True


def test_a_single_fen_of_difference_fails_the_bench() -> None:
    # SPEC GEN-1: the check compares to the fen, on every sampled claim.
    batch, kind = generate(2_000)
    result = adjudicate_medical_batch(terms_of(COVERAGE), batch)
    payable = result.payable.copy()
    payable[np.argmax(payable)] += 1
    with pytest.raises(SampleMismatch):
        check_sample(batch, kind, dataclasses.replace(result, payable=payable), batch.claims)
