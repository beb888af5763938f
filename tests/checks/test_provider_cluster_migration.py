"""Migration 0035 writes provider_cluster's new minimum of five unrelated insureds where
it is still 0032's eight, and keeps an administrator's own value (SPEC CLM-F3)."""

from __future__ import annotations

from alembic import command
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.db import make_engine
from claimdesk.migrate import alembic_config, upgrade
from claimdesk.models.check import CheckConfigVersion
from tests.checks.config_versions import set_as_administrator

REVISION = "0035_provider_cluster_early"
BEFORE = "0034_claim_frequency_rate"


def _versions(url: str) -> list[tuple[int, int, str | None]]:
    engine = make_engine(url)
    with Session(engine) as session:
        rows = session.scalars(
            select(CheckConfigVersion)
            .where(CheckConfigVersion.code == "provider_cluster")
            .order_by(CheckConfigVersion.version)
        ).all()
        found = [(r.version, r.parameters["min_insureds"], r.reason) for r in rows]
    engine.dispose()
    return found


def test_the_seeded_minimum_goes_to_five_and_back(fresh_db_url: str) -> None:  # SPEC CLM-F3
    # 0040's version (relative_to_book) keeps the minimum of five.
    assert [(v, m) for v, m, _ in _versions(fresh_db_url)] == [(1, 15), (2, 8), (3, 5), (4, 5)]
    command.downgrade(alembic_config(fresh_db_url), BEFORE)
    assert [(v, m) for v, m, _ in _versions(fresh_db_url)] == [(1, 15), (2, 8)]
    upgrade(fresh_db_url)
    third = _versions(fresh_db_url)[2]
    assert third[:2] == (3, 5) and (third[2] or "").startswith("issue 13: ")


def test_an_administrators_own_minimum_is_kept(fresh_db_url: str) -> None:  # SPEC CLM-F3
    command.downgrade(alembic_config(fresh_db_url), BEFORE)
    set_as_administrator(
        fresh_db_url,
        code="provider_cluster",
        action="refer",
        parameters={"window_days": 3, "min_insureds": 12},
        reason="our own choice",
    )
    upgrade(fresh_db_url)
    assert [(v, m) for v, m, _ in _versions(fresh_db_url)][-1] == (3, 12)
