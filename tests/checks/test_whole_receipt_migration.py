"""Migration 0043 writes a new version of duplicate_receipt (whole_receipt_min_lines = 2)
and keeps an administrator's own value (SPEC CLM-F3; issue 13: a short receipt copied
whole onto another claim)."""

from __future__ import annotations

from typing import Any

from alembic import command

from claimdesk.migrate import alembic_config, upgrade
from tests.checks.config_versions import latest_config, set_as_administrator

BEFORE = "0042_check_hit_finding_key"


def _latest(url: str) -> tuple[int, dict[str, Any], str | None]:
    return latest_config(url, "duplicate_receipt")


def test_the_new_parameter_gets_a_version_and_goes_back(fresh_db_url: str) -> None:
    # SPEC CLM-F3: the check's new parameter is a versioned, audited setting.
    version, parameters, reason = _latest(fresh_db_url)
    assert parameters["whole_receipt_min_lines"] == 2
    assert (reason or "").startswith("issue 13: ")
    command.downgrade(alembic_config(fresh_db_url), BEFORE)
    assert _latest(fresh_db_url)[0] == version - 1
    assert "whole_receipt_min_lines" not in _latest(fresh_db_url)[1]
    upgrade(fresh_db_url)
    assert _latest(fresh_db_url)[:2] == (version, parameters)


def test_an_administrators_own_value_is_kept(fresh_db_url: str) -> None:  # SPEC CLM-F3
    command.downgrade(alembic_config(fresh_db_url), BEFORE)
    before = _latest(fresh_db_url)[0]
    set_as_administrator(
        fresh_db_url,
        code="duplicate_receipt",
        action="hold",
        parameters={"whole_receipt_min_lines": 0},
        reason="our own choice: only partial copies of 3 lines",
    )
    upgrade(fresh_db_url)
    version, parameters, _reason = _latest(fresh_db_url)
    assert version == before + 1 and parameters["whole_receipt_min_lines"] == 0
