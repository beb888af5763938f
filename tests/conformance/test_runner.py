"""The conformance runner (``claimdesk conformance run FOLDER``) on deadline vectors.

The expected dates below were worked out by hand from SPEC GEN-3/GEN-4 and the State
Council's 2026 arrangement, not produced by the engine.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from claimdesk.conformance.runner import run_folder
from tests.paths import shared_vectors

SHARED = shared_vectors()


def dl(
    vid: str, kind: str, n: int, start: str, due: str | None, pauses: Any = None
) -> dict[str, Any]:
    vector: dict[str, Any] = {
        "id": vid,
        "kind": "deadline",
        "spec": ["GEN-4"],
        "rule": {"type": kind, "n": n},
        "start": start,
        "expect": {"due": due},
    }
    if pauses is not None:
        vector["pauses"] = pauses
    return vector


OWN_PASSING = [
    # Spring Festival 2026: Fri 13, Sat 14 (调休), then Tue 24.
    dl("T-01", "working_days", 3, "2026-02-12T10:00:00+08:00", "2026-02-24T23:59:59+08:00"),
    # Days rule ending on Feb 17 (春节) moves to the next working day.
    dl("T-02", "days", 7, "2026-02-10T09:00:00+08:00", "2026-02-24T23:59:59+08:00"),
    # National Day 2026 with both adjusted weekends (Sun Sep 20, Sat Oct 10).
    dl("T-03", "working_days", 15, "2026-09-18T16:00:00+08:00", "2026-10-15T23:59:59+08:00"),
    # 调休 working Saturday May 9.
    dl("T-04", "working_days", 1, "2026-05-08T09:00:00+08:00", "2026-05-09T23:59:59+08:00"),
    # Hours across midnight.
    dl("T-05", "hours", 2, "2026-03-10T22:30:00+08:00", "2026-03-11T00:30:00+08:00"),
    # Start given in UTC; due shown in Shanghai time.
    dl("T-06", "hours", 24, "2026-01-31T20:00:00Z", "2026-02-02T04:00:00+08:00"),
    # UTC start already Friday in Shanghai: the local date is the start day.
    dl("T-07", "working_days", 1, "2026-03-05T17:00:00+00:00", "2026-03-09T23:59:59+08:00"),
    # Days rule landing on a Saturday.
    dl("T-08", "days", 5, "2026-03-02T10:00:00+08:00", "2026-03-09T23:59:59+08:00"),
    # Days rule landing on an adjusted working Saturday: no move.
    dl("T-09", "days", 7, "2026-02-21T10:00:00+08:00", "2026-02-28T23:59:59+08:00"),
    # Holidays inside a days period count; the last day (Oct 8) is a working day.
    dl("T-10", "days", 10, "2026-09-28T10:00:00+08:00", "2026-10-08T23:59:59+08:00"),
    # Working days with two pauses.
    dl(
        "T-11",
        "working_days",
        10,
        "2026-03-02T09:00:00+08:00",
        "2026-03-20T23:59:59+08:00",
        [
            ["2026-03-03T15:00:00+08:00", "2026-03-05T10:00:00+08:00"],
            ["2026-03-09T11:00:00+08:00", "2026-03-11T08:00:00+08:00"],
        ],
    ),
    # Hours with two pauses: 3 h + 24 h added.
    dl(
        "T-12",
        "hours",
        24,
        "2026-06-01T09:00:00+08:00",
        "2026-06-03T12:00:00+08:00",
        [
            ["2026-06-01T12:00:00+08:00", "2026-06-01T15:00:00+08:00"],
            ["2026-06-02T08:00:00+08:00", "2026-06-03T08:00:00+08:00"],
        ],
    ),
    # Pause with nothing left: end of the resume date.
    dl(
        "T-13",
        "working_days",
        2,
        "2026-03-02T10:00:00+08:00",
        "2026-03-10T23:59:59+08:00",
        [["2026-03-04T16:00:00+08:00", "2026-03-10T09:00:00+08:00"]],
    ),
    # Days rule with a pause: 3 used, 12 left after Mar 20.
    dl(
        "T-14",
        "days",
        15,
        "2026-03-02T10:00:00+08:00",
        "2026-04-01T23:59:59+08:00",
        [["2026-03-05T10:00:00+08:00", "2026-03-20T10:00:00+08:00"]],
    ),
    # Days rule with a pause whose final date (Oct 1) moves to Oct 8.
    dl(
        "T-15",
        "days",
        10,
        "2026-09-14T09:00:00+08:00",
        "2026-10-08T23:59:59+08:00",
        [["2026-09-18T09:00:00+08:00", "2026-09-25T10:00:00+08:00"]],
    ),
    # An open pause: the clock is paused, there is no due date.
    dl(
        "T-16",
        "working_days",
        5,
        "2026-03-02T10:00:00+08:00",
        None,
        [["2026-03-03T12:00:00+08:00", None]],
    ),
]


def write(folder: Path, vectors: list[dict[str, Any]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for vector in vectors:
        (folder / f"{vector['id']}.json").write_text(json.dumps(vector), encoding="utf-8")


def run(folder: Path) -> tuple[int, list[str]]:
    lines: list[str] = []
    failed = run_folder(folder, echo=lines.append)
    return failed, lines


def test_shared_deadline_vectors_all_pass(tmp_path: Path) -> None:
    # SPEC GEN-4: every V-DL-* vector in the shared folder.
    files = sorted(SHARED.glob("V-DL-*.json"))
    assert len(files) >= 4
    for path in files:
        shutil.copy(path, tmp_path / path.name)
    failed, lines = run(tmp_path)
    assert failed == 0, lines
    assert lines[:-1] == [f"PASS {p.stem}" for p in files]
    assert lines[-1] == f"{len(files)} passed, 0 failed"


def test_own_deadline_vectors_pass(tmp_path: Path) -> None:
    # SPEC GEN-3, GEN-4: Spring Festival, National Day, 调休, hours over midnight,
    # art. 203 moves, multiple pauses, pause with nothing left, open pause.
    write(tmp_path, OWN_PASSING)
    failed, lines = run(tmp_path)
    assert failed == 0, "\n".join(lines)
    assert lines[-1] == f"{len(OWN_PASSING)} passed, 0 failed"


def test_a_wrong_expectation_fails_with_both_dates(tmp_path: Path) -> None:
    # SPEC GEN-4: the runner really compares.
    write(
        tmp_path,
        [dl("W-01", "working_days", 3, "2026-09-29T10:00:00+08:00", "2026-10-02T23:59:59+08:00")],
    )
    failed, lines = run(tmp_path)
    assert failed == 1
    assert lines[0] == "FAIL W-01: due 2026-10-09T23:59:59+08:00 != 2026-10-02T23:59:59+08:00"
    assert lines[-1] == "0 passed, 1 failed"


def test_uncovered_year_and_broken_vectors_fail_with_a_reason(tmp_path: Path) -> None:
    # SPEC GEN-3 (no guessing), GEN-6: unreadable / unknown / incomplete vectors are FAILs.
    write(
        tmp_path,
        [
            dl("E-01", "working_days", 3, "2027-03-01T09:00:00+08:00", "2027-03-04T23:59:59+08:00"),
            dl("E-02", "working_days", 5, "2026-12-28T09:00:00+08:00", "2027-01-05T23:59:59+08:00"),
            {"id": "E-03", "kind": "horoscope"},
            {"id": "E-04", "kind": "deadline", "rule": {"type": "hours", "n": 1}},
            {
                "id": "E-05",
                "kind": "deadline",
                "rule": {"type": "weeks", "n": 1},
                "start": "2026-03-02T09:00:00+08:00",
                "expect": {"due": "2026-03-09T09:00:00+08:00"},
            },
            dl("E-06", "hours", 1, "2026-03-02T09:00:00", "2026-03-02T10:00:00+08:00"),
            {"id": "E-07"},
        ],
    )
    (tmp_path / "E-08.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "E-09.json").write_text("[1, 2]", encoding="utf-8")
    failed, lines = run(tmp_path)
    assert failed == 9
    assert lines[-1] == "0 passed, 9 failed"
    by_id = {line.split(":")[0]: line for line in lines[:-1]}
    assert "2027" in by_id["FAIL E-01"]
    assert "2027" in by_id["FAIL E-02"]
    assert "unknown kind 'horoscope'" in by_id["FAIL E-03"]
    assert "start" in by_id["FAIL E-04"]
    assert "rule" in by_id["FAIL E-05"]
    assert "no UTC offset" in by_id["FAIL E-06"]
    assert "missing key 'kind'" in by_id["FAIL E-07"]
    assert "unreadable JSON" in by_id["FAIL E-08"]
    assert "JSON object" in by_id["FAIL E-09"]


def test_adjudication_without_its_engine_is_a_fail_not_a_skip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SPEC ADJ-*: a vector the command does not understand is a FAIL, never skipped.
    monkeypatch.setitem(sys.modules, "claimdesk.conformance.adjudication", None)
    write(tmp_path, [{"id": "A-01", "kind": "adjudication"}])
    failed, lines = run(tmp_path)
    assert failed == 1
    assert lines == ["FAIL A-01: adjudication vectors not supported yet", "0 passed, 1 failed"]


def test_empty_or_missing_folder_is_a_failure(tmp_path: Path) -> None:
    # SPEC GEN-4: a typo in the path must never report success.
    failed, lines = run(tmp_path / "nope")
    assert failed == 1 and lines[-1] == "0 passed, 1 failed"
    failed, lines = run(tmp_path)
    assert failed == 1


def test_cli_exit_code_follows_failures(tmp_path: Path) -> None:
    # SPEC GEN-4: exits 0 only when none failed.
    from claimdesk.cli import app

    write(tmp_path / "ok", OWN_PASSING[:2])
    result = CliRunner().invoke(app, ["conformance", "run", str(tmp_path / "ok")])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "2 passed, 0 failed"
    write(tmp_path / "bad", [{"id": "B-01", "kind": "nope"}])
    result = CliRunner().invoke(app, ["conformance", "run", str(tmp_path / "bad")])
    assert result.exit_code == 1
