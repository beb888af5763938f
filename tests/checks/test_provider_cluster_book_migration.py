"""Migration 0040 writes provider_cluster's version with relative_to_book = 1 and the index
the book's claims a day are read from; an administrator's own value stays (SPEC CLM-F3;
issue 13's flu wave)."""

from __future__ import annotations

from typing import Any

from alembic import command
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from claimdesk.db import make_engine
from claimdesk.migrate import alembic_config, upgrade
from claimdesk.models.check import CheckConfigVersion
from tests.checks.config_versions import set_as_administrator

BEFORE = "0039_check_lookalikes"
INDEX = "ix_claim_bills_issue_date_claim_id"


def _latest(url: str) -> tuple[int, dict[str, Any], str | None, bool]:
    engine = make_engine(url)
    with Session(engine) as session:
        row = session.scalars(
            select(CheckConfigVersion)
            .where(CheckConfigVersion.code == "provider_cluster")
            .order_by(CheckConfigVersion.version.desc())
            .limit(1)
        ).one()
        indexed = INDEX in {
            i["name"] for i in inspect(session.connection()).get_indexes("claim_bills")
        }
        found = (row.version, dict(row.parameters), row.reason, indexed)
    engine.dispose()
    return found


def test_relative_to_book_gets_a_version_and_goes_back(fresh_db_url: str) -> None:
    # SPEC CLM-F3: a changed default is a versioned, audited setting.
    version, parameters, reason, indexed = _latest(fresh_db_url)
    assert parameters["relative_to_book"] == 1 and parameters["min_insureds"] == 5 and indexed
    assert (reason or "").startswith("issue 13: ")
    command.downgrade(alembic_config(fresh_db_url), BEFORE)
    before = _latest(fresh_db_url)
    assert before[0] == version - 1 and "relative_to_book" not in before[1] and not before[3]
    upgrade(fresh_db_url)
    assert _latest(fresh_db_url)[:2] == (version, parameters)


def test_an_administrators_own_value_is_kept(fresh_db_url: str) -> None:  # SPEC CLM-F3
    command.downgrade(alembic_config(fresh_db_url), BEFORE)
    before = _latest(fresh_db_url)[0]
    set_as_administrator(
        fresh_db_url,
        code="provider_cluster",
        action="refer",
        parameters={"min_insureds": 5, "relative_to_book": 0},
        reason="our own choice: each provider against its own usual",
    )
    upgrade(fresh_db_url)
    version, parameters, _reason, indexed = _latest(fresh_db_url)
    assert version == before + 1 and parameters["relative_to_book"] == 0 and indexed
