"""A new version of claim_frequency's parameters (issue 13, CLM-F3): the check no longer
counts against one ceiling for everybody (``max_claims`` is gone) but against the
insured's own rate — their claims of the last year, shrunk toward the book's rate — and
hits when the count in the window is that improbable (``significance``), from
``min_claims`` up; the window goes from 90 to 30 days (a burst of visits within weeks).

The version keeps the administrator's enabled flag and action; the old versions stay as
history (the admin page shows a stored version it can no longer validate as stored).

Revision ID: 0034_claim_frequency_rate
Revises: 0033_bill_diagnosis
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0034_claim_frequency_rate"
down_revision: str | Sequence[str] | None = "0033_bill_diagnosis"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CODE = "claim_frequency"
_REASON = "issue 13: claim frequency against the insured's own rate (empirical Bayes)"
# Frozen copy of the rule's defaults at this revision (rules.checks.rules RULES).
_PARAMETERS = {
    "period_days": 30,
    "min_claims": 3,
    "significance": "0.0001",
    "lookback_days": 365,
    "prior_years": "0.5",
}


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
    bind = op.get_bind()
    t = _table()
    row = bind.execute(
        sa.select(t.c.version, t.c.enabled, t.c.action)
        .where(t.c.code == _CODE)
        .order_by(t.c.version.desc())
        .limit(1)
    ).first()
    if row is None:
        return  # no seeded row (0025 seeds it): the code's defaults apply
    version, enabled, action = row
    bind.execute(
        sa.insert(t).values(
            code=_CODE,
            version=version + 1,
            enabled=enabled,
            action=action,
            parameters=_PARAMETERS,
            created_at=dt.datetime.now(dt.UTC),
            created_by_id=None,
            reason=_REASON,
        )
    )


def downgrade() -> None:
    # The version written above goes (the old code refuses the new parameters); an
    # administrator's later versions of the check would have to be undone by hand.
    t = _table()
    op.get_bind().execute(
        sa.delete(t).where(t.c.code == _CODE, t.c.created_by_id.is_(None), t.c.reason == _REASON)
    )
