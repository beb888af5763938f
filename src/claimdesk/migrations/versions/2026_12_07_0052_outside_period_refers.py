"""outside_period refers to a person by default instead of holding the claim (CLM-F3).

A loss, receipt or treatment dated outside the policy's cover or inside its waiting
period is a question for a person — a typing error, a renewal not linked yet, a loss
the insurer declines in writing (CLM-C1, CLM-V3) — not a suspicion of fraud that
suspends the claim until an investigator clears it (CLM-F1). Either way the automatic
path pays no claim with a hit (CLM-T2).

The check's settings are versioned rows: a new version with action ``refer`` is written
only while the check still has the settings migration 0025 seeded (version 1, nobody's
choice); a version anyone wrote since — an administrator's ``hold`` included — stays as
it is. The old version stays as history. Downgrade removes the version written here.

Revision ID: 0052_outside_period_refers
Revises: 0051_payment_cancelled
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0052_outside_period_refers"
down_revision: str | Sequence[str] | None = "0051_payment_cancelled"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CODE = "outside_period"
SEEDED = "defaults (SPEC CLM-F3)"  # migration 0025's reason
REASON = "outside the cover or in the waiting period: referred to a person, not held"


def _table() -> sa.TableClause:
    return sa.table(
        "check_config_versions",
        sa.column("code", sa.String()),
        sa.column("version", sa.Integer()),
        sa.column("enabled", sa.Boolean()),
        sa.column("action", sa.String()),
        sa.column("parameters", sa.JSON()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("created_by_id", sa.Integer()),
        sa.column("reason", sa.Text()),
    )


def upgrade() -> None:
    bind, t = op.get_bind(), _table()
    row = bind.execute(
        sa.select(
            t.c.version, t.c.enabled, t.c.action, t.c.parameters, t.c.created_by_id, t.c.reason
        )
        .where(t.c.code == CODE)
        .order_by(t.c.version.desc())
        .limit(1)
    ).first()
    if row is None:
        return
    version, enabled, action, parameters, created_by, reason = row
    if version != 1 or created_by is not None or reason != SEEDED or action != "hold":
        return  # someone's own settings stay
    if isinstance(parameters, str):
        parameters = json.loads(parameters)
    bind.execute(
        sa.insert(t).values(
            code=CODE,
            version=version + 1,
            enabled=enabled,
            action="refer",
            parameters=parameters,
            created_at=dt.datetime.now(dt.UTC),
            created_by_id=None,
            reason=REASON,
        )
    )


def downgrade() -> None:
    # The version written above goes; an administrator's later versions stay.
    t = _table()
    op.get_bind().execute(
        sa.delete(t).where(t.c.code == CODE, t.c.created_by_id.is_(None), t.c.reason == REASON)
    )
