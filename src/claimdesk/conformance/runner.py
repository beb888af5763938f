"""Run a folder of conformance vectors (``claimdesk conformance run FOLDER``).

Every ``*.json`` file is one vector, run in sorted file order. Each gets one line,
``PASS <id>`` or ``FAIL <id>: <reason>``; a vector that cannot be read or is not
understood is a FAIL with the reason, never skipped. The last line is exactly
``N passed, N failed``. Dispatch is by ``kind``; each kind's module exposes
``check_vector(vector: dict) -> str | None`` (None = pass, else the failure reason).
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from claimdesk.conformance.deadline import check_vector

CheckVector = Callable[[dict[str, Any]], "str | None"]


def _adjudication_checker() -> CheckVector | None:
    # Imported lazily: the adjudication engine is a separate module and may be absent.
    module_name = "claimdesk.conformance.adjudication"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name != module_name:
            raise  # the module exists but is broken: report that, not "unsupported"
        return None
    checker: CheckVector = module.check_vector
    return checker


def _deadline_checker() -> CheckVector | None:
    return check_vector


CHECKERS: dict[str, Callable[[], CheckVector | None]] = {
    "adjudication": _adjudication_checker,
    "deadline": _deadline_checker,
}


def check_file(path: Path) -> tuple[str, str | None]:
    """(vector id, None when it passes or the failure reason)."""
    name = path.stem
    try:
        vector = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        return name, f"unreadable JSON: {error}"
    if not isinstance(vector, dict):
        return name, "a vector must be a JSON object"
    vector_id = vector.get("id")
    if isinstance(vector_id, str) and vector_id.strip():
        name = vector_id.strip()
    kind = vector.get("kind")
    if kind is None:
        return name, "missing key 'kind'"
    loader = CHECKERS.get(str(kind))
    if loader is None:
        return name, f"unknown kind {kind!r}"
    try:
        checker = loader()
    except Exception as error:
        return name, f"cannot load the {kind} checker: {type(error).__name__}: {error}"
    if checker is None:
        return name, f"{kind} vectors not supported yet"
    try:
        return name, checker(vector)
    except Exception as error:  # a broken vector or engine must still give a FAIL line
        return name, f"error: {type(error).__name__}: {error}"


def run_folder(folder: Path, echo: Callable[[str], Any] = print) -> int:
    """Run every vector in ``folder``; print one line each and the totals; return the
    number that failed. A folder that does not exist or holds no vectors counts as one
    failure, so a typo in the path never reports success."""
    passed = failed = 0
    if not folder.is_dir():
        echo(f"FAIL {folder}: not a folder")
        failed += 1
        files: list[Path] = []
    else:
        files = sorted(folder.glob("*.json"))
        if not files:
            echo(f"FAIL {folder}: no *.json vectors")
            failed += 1
    for path in files:
        vector_id, reason = check_file(path)
        if reason is None:
            passed += 1
            echo(f"PASS {vector_id}")
        else:
            failed += 1
            echo(f"FAIL {vector_id}: {reason}")
    echo(f"{passed} passed, {failed} failed")
    return failed
