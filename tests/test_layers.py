"""The layer contracts of pyproject.toml hold (import-linter), so CI enforces them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept() -> None:
    # Run as a process: import-linter reads pyproject.toml from the working directory.
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout
    assert "BROKEN" not in result.stdout


def test_no_import_cycles() -> None:
    # A cycle hides behind an import inside a function until the day someone moves it to
    # the top of the file; the graph counts those too (grimp reads every import).
    from bench.structure import import_cycles

    assert import_cycles() == []


# The code's shape may only get better (issue 11; no SPEC ID states it): queries outside
# a repository.py (the infrastructure files of bench.structure.INFRASTRUCTURE apart) and
# functions over 60 lines, as `python -m bench structure` counted them when this ratchet
# was set. Lower these when you bring a figure down; never raise them — move the query
# into its package's repository.py, or split the function into named steps.
SELECT_OUTSIDE_REPOSITORIES = 3
FUNCTIONS_OVER_60_LINES = 49


def test_queries_outside_repositories_only_go_down() -> None:
    from bench.structure import source_figures

    figures = source_figures()
    assert figures["select_outside_repositories"] <= SELECT_OUTSIDE_REPOSITORIES, figures[
        "select_by_file"
    ]


def test_long_functions_only_go_down() -> None:
    from bench.structure import source_figures

    figures = source_figures()
    assert figures["functions_over_60_lines"] <= FUNCTIONS_OVER_60_LINES, figures["long_functions"]
