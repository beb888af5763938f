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
