"""What the migrations that add a check parameter are tested with: the latest settings
version of a check in a migrated database, and an administrator's own setting written
between a downgrade and the upgrade (the migration must keep it)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimdesk.checks import service
from claimdesk.checks.schemas import CheckConfigIn
from claimdesk.db import make_engine
from claimdesk.models.check import CheckConfigVersion


def latest_config(url: str, code: str) -> tuple[int, dict[str, Any], str | None]:
    """(version, parameters, reason) of the check's newest settings version."""
    engine = make_engine(url)
    with Session(engine) as session:
        row = session.scalars(
            select(CheckConfigVersion)
            .where(CheckConfigVersion.code == code)
            .order_by(CheckConfigVersion.version.desc())
            .limit(1)
        ).one()
        found = (row.version, dict(row.parameters), row.reason)
    engine.dispose()
    return found


def set_as_administrator(
    url: str, *, code: str, action: str, parameters: dict[str, Any], reason: str
) -> None:
    """An administrator's own settings for the check, through the service (versioned)."""
    engine = make_engine(url)
    with Session(engine) as session:
        service.update_config(
            session,
            actor=service.system_actor(),
            code=code,
            data=CheckConfigIn(enabled=True, action=action, parameters=parameters, reason=reason),
        )
        session.commit()
    engine.dispose()
