"""Migration 0039 writes new versions of shared_contact (household_phone_others = 1) and
claim_frequency (pattern_min_insureds = 3), and keeps an administrator's own value
(SPEC CLM-F3; issue 13's honest look-alikes)."""

from __future__ import annotations

from typing import Any

from alembic import command

from claimdesk.migrate import alembic_config, upgrade
from tests.checks.config_versions import latest_config, set_as_administrator

BEFORE = "0038_claim_investigator"


def _latest(url: str, code: str) -> tuple[int, dict[str, Any], str | None]:
    return latest_config(url, code)


def test_the_new_parameters_get_a_version_and_go_back(fresh_db_url: str) -> None:
    # SPEC CLM-F3: each check's new parameter is a versioned, audited setting.
    contact = _latest(fresh_db_url, "shared_contact")
    frequency = _latest(fresh_db_url, "claim_frequency")
    assert contact[1]["household_phone_others"] == 1
    assert frequency[1]["pattern_min_insureds"] == 3
    assert (contact[2] or "").startswith("issue 13: ")
    command.downgrade(alembic_config(fresh_db_url), BEFORE)
    assert _latest(fresh_db_url, "shared_contact")[0] == contact[0] - 1
    assert "pattern_min_insureds" not in _latest(fresh_db_url, "claim_frequency")[1]
    upgrade(fresh_db_url)
    assert _latest(fresh_db_url, "shared_contact")[:2] == contact[:2]


def test_an_administrators_own_value_is_kept(fresh_db_url: str) -> None:  # SPEC CLM-F3
    command.downgrade(alembic_config(fresh_db_url), BEFORE)
    before = _latest(fresh_db_url, "shared_contact")[0]
    set_as_administrator(
        fresh_db_url,
        code="shared_contact",
        action="hold",
        parameters={"household_phone_others": 0},
        reason="our own choice: every shared phone counts",
    )
    upgrade(fresh_db_url)
    version, parameters, _reason = _latest(fresh_db_url, "shared_contact")
    assert version == before + 1 and parameters["household_phone_others"] == 0
    assert _latest(fresh_db_url, "claim_frequency")[1]["pattern_min_insureds"] == 3
