"""Migration 0052 makes outside_period refer to a person instead of holding the claim,
by a new settings version over the seeded one; an administrator's own setting stays
(SPEC CLM-F3, CLM-F1)."""

from __future__ import annotations

from alembic import command
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.db import make_engine
from claimdesk.migrate import alembic_config, upgrade
from claimdesk.models.check import CheckConfigVersion
from claimdesk.rules.checks.rules import RULES
from tests.checks.config_versions import latest_config, set_as_administrator

BEFORE = "0051_payment_cancelled"


def _action(url: str) -> tuple[int, str]:
    engine = make_engine(url)
    with Session(engine) as session:
        row = session.scalars(
            select(CheckConfigVersion)
            .where(CheckConfigVersion.code == "outside_period")
            .order_by(CheckConfigVersion.version.desc())
            .limit(1)
        ).one()
        found = (row.version, row.action)
    engine.dispose()
    return found


def test_the_seeded_hold_becomes_a_referral_and_goes_back(fresh_db_url: str) -> None:
    # SPEC CLM-F3: versioned, the code's default the same
    assert _action(fresh_db_url) == (2, "refer")
    assert RULES["outside_period"].default_action == "refer"
    assert (latest_config(fresh_db_url, "outside_period")[2] or "").startswith("outside the cover")
    command.downgrade(alembic_config(fresh_db_url), BEFORE)
    assert _action(fresh_db_url) == (1, "hold")
    upgrade(fresh_db_url)
    assert _action(fresh_db_url) == (2, "refer")


def test_an_administrators_own_setting_is_kept(fresh_db_url: str) -> None:  # SPEC CLM-F3
    command.downgrade(alembic_config(fresh_db_url), BEFORE)
    set_as_administrator(
        fresh_db_url,
        code="outside_period",
        action="hold",
        parameters={},
        reason="our own choice: hold every date outside the cover",
    )
    upgrade(fresh_db_url)
    assert _action(fresh_db_url) == (2, "hold")
